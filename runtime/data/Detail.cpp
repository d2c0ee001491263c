//===- Detail.cpp - KilnData shared helpers -------------------------------===//

#include "runtime/data/Detail.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace kiln {
namespace data_detail {

Status fail(const std::string &path, const std::string &what) {
  return Status::error(path + ": " + what);
}

std::string quote(std::string_view text, size_t maxChars) {
  std::string out = "'";
  for (size_t i = 0, e = std::min(text.size(), maxChars); i != e; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02x", c);
      out += buffer;
    }
  }
  out += text.size() > maxChars ? "'..." : "'";
  return out;
}

std::string shapeList(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i != shape.size(); ++i)
    out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

bool isValidUtf8(std::string_view text) {
  const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
  size_t i = 0, n = text.size();
  while (i < n) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t codePoint, minimum;
    if ((c & 0xe0) == 0xc0) {
      length = 2, codePoint = c & 0x1f, minimum = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3, codePoint = c & 0x0f, minimum = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4, codePoint = c & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (n - i < length)
      return false;
    for (size_t k = 1; k != length; ++k) {
      if ((bytes[i + k] & 0xc0) != 0x80)
        return false;
      codePoint = (codePoint << 6) | (bytes[i + k] & 0x3f);
    }
    if (codePoint < minimum || codePoint > 0x10ffff ||
        (codePoint >= 0xd800 && codePoint <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

Status checkRegularFile(const std::string &path) {
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec)
    return fail(path, "cannot open file: " + ec.message());
  if (!std::filesystem::is_regular_file(status))
    return fail(path, "cannot open file: not a regular file");
  return Status::ok();
}

} // namespace data_detail
} // namespace kiln
