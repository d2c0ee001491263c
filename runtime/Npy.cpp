//===- Npy.cpp - Reading and writing numpy .npy files ---------------------===//
//
// Format reference: numpy/lib/format.py. A file is the magic string
// "\x93NUMPY", a major and minor version byte, a little-endian header length
// (2 bytes in version 1.0, 4 bytes in 2.0 and 3.0), an ASCII (3.0: UTF-8)
// Python dict literal padded with spaces and a newline, then the raw data.
//
// Everything read from a file is untrusted: each length is checked against
// the bytes actually available before it is used or allocated.
//
//===----------------------------------------------------------------------===//

#include "runtime/Detail.h"
#include "runtime/Runtime.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Kiln runtime assumes a little-endian host"
#endif

namespace kiln {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy aligns the start of the data to this many bytes.
constexpr size_t kDataAlignment = 64;

Status fail(const std::string &name, const std::string &what) {
  return Status::error((name.empty() ? std::string("<memory>") : name) + ": " +
                       what);
}

/// Quotes untrusted text for an error message: at most \p maxChars
/// characters, non-printable bytes escaped.
std::string quote(std::string_view text, size_t maxChars = 80) {
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

struct NpyHeader {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  int64_t numElements = 0;
  size_t dataBytes = 0;
};

/// Parses the magic string, version and header length. \p size may be
/// smaller than the full prefix, which is then reported as truncation.
Status parsePrefix(const unsigned char *bytes, size_t size,
                   const std::string &name, size_t &prefixSize,
                   size_t &headerLength) {
  if (size != 0 && std::memcmp(bytes, kMagic, std::min(size, kMagicSize)) != 0)
    return fail(name, "not a .npy file (bad magic string)");
  if (size < kMagicSize + 2)
    return fail(name, "truncated .npy file (" + std::to_string(size) +
                          " bytes, too short for the format prefix)");
  unsigned major = bytes[kMagicSize], minor = bytes[kMagicSize + 1];
  if (major < 1 || major > 3 || minor != 0)
    return fail(name, "unsupported .npy format version " +
                          std::to_string(major) + "." + std::to_string(minor) +
                          " (supported: 1.0, 2.0, 3.0)");
  prefixSize = major == 1 ? kMagicSize + 4 : kMagicSize + 6;
  if (size < prefixSize)
    return fail(name, "truncated .npy file (" + std::to_string(size) +
                          " bytes, too short for the format prefix)");
  headerLength = 0;
  for (size_t i = prefixSize; i-- > kMagicSize + 2;)
    headerLength = (headerLength << 8) | bytes[i];
  return Status::ok();
}

/// Recursive-descent parser for the header's Python dict literal, e.g.
///   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
public:
  HeaderParser(std::string_view text, const std::string &name)
      : text_(text), name_(name) {}

  Status parse(NpyHeader &out);

private:
  Status malformed(const std::string &what) const {
    return fail(name_, "malformed .npy header (" + what + " at offset " +
                           std::to_string(pos_) + "): " + quote(text_));
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }
  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r' || peek() == '\f' || peek() == '\v'))
      ++pos_;
  }
  bool consume(char c) {
    skipSpace();
    if (peek() != c)
      return false;
    ++pos_;
    return true;
  }
  bool consumeWord(std::string_view word) {
    skipSpace();
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }
  Status parseString(std::string &out);
  Status parseShape(std::vector<int64_t> &out);
  Status parseDescr(const std::string &descr, DType &out) const;

  std::string_view text_;
  const std::string &name_;
  size_t pos_ = 0;
};

Status HeaderParser::parseString(std::string &out) {
  skipSpace();
  char quoteChar = peek();
  if (quoteChar != '\'' && quoteChar != '"')
    return malformed("expected a string");
  size_t end = text_.find(quoteChar, pos_ + 1);
  if (end == std::string_view::npos)
    return malformed("unterminated string");
  out = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
  // Escapes never occur in the keys and dtypes this reader accepts.
  if (out.find('\\') != std::string::npos)
    return malformed("unexpected escape in string");
  pos_ = end + 1;
  return Status::ok();
}

Status HeaderParser::parseShape(std::vector<int64_t> &out) {
  out.clear();
  if (!consume('('))
    return malformed("expected '(' starting the shape tuple");
  while (true) {
    skipSpace();
    if (consume(')'))
      return Status::ok();
    if (peek() < '0' || peek() > '9')
      return malformed("expected a non-negative integer in the shape");
    int64_t value = 0;
    while (peek() >= '0' && peek() <= '9') {
      int digit = peek() - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
        return malformed("shape dimension too large");
      value = value * 10 + digit;
      ++pos_;
    }
    // Python 2 era files spell long integers as "3L".
    if (peek() == 'L' || peek() == 'l')
      ++pos_;
    out.push_back(value);
    if (consume(','))
      continue;
    if (consume(')'))
      return Status::ok();
    return malformed("expected ',' or ')' in the shape");
  }
}

Status HeaderParser::parseDescr(const std::string &descr, DType &out) const {
  struct Entry {
    const char *code;
    DType dtype;
  };
  static const Entry table[] = {{"f4", DType::F32}, {"f8", DType::F64},
                                {"i4", DType::I32}, {"i8", DType::I64},
                                {"b1", DType::I1},  {"u1", DType::U8}};
  if (descr.size() == 3) {
    char order = descr[0];
    for (const Entry &entry : table) {
      if (descr.compare(1, 2, entry.code) != 0)
        continue;
      bool singleByte = dtypeSize(entry.dtype) == 1;
      // Byte order is irrelevant for single bytes; numpy writes '|'.
      if (order == '<' ||
          (singleByte && (order == '|' || order == '>' || order == '='))) {
        out = entry.dtype;
        return Status::ok();
      }
      if (order == '>')
        return fail(name_, "big-endian dtype " + quote(descr) +
                               " is not supported (save the array with a "
                               "little-endian dtype such as '<" +
                               entry.code + "')");
    }
  }
  return fail(name_, "unsupported dtype " + quote(descr) +
                         " (supported: '<f4', '<f8', '<i4', '<i8', '|b1', "
                         "'|u1')");
}

Status HeaderParser::parse(NpyHeader &out) {
  bool haveDescr = false, haveOrder = false, haveShape = false;
  std::string descr;
  bool fortranOrder = false;
  if (!consume('{'))
    return malformed("expected '{'");
  while (!consume('}')) {
    std::string key;
    if (Status s = parseString(key); !s)
      return s;
    if (!consume(':'))
      return malformed("expected ':' after key");
    bool *seen;
    if (key == "descr") {
      seen = &haveDescr;
      skipSpace();
      if (peek() == '[')
        return fail(name_, "structured dtypes are not supported");
      if (Status s = parseString(descr); !s)
        return s;
    } else if (key == "fortran_order") {
      seen = &haveOrder;
      if (consumeWord("True"))
        fortranOrder = true;
      else if (consumeWord("False"))
        fortranOrder = false;
      else
        return malformed("expected True or False for 'fortran_order'");
    } else if (key == "shape") {
      seen = &haveShape;
      if (Status s = parseShape(out.shape); !s)
        return s;
    } else {
      return malformed("unexpected key " + quote(key));
    }
    if (*seen)
      return malformed("duplicate key " + quote(key));
    *seen = true;
    if (!consume(',')) {
      if (consume('}'))
        break;
      return malformed("expected ',' or '}'");
    }
  }
  skipSpace();
  if (!atEnd())
    return malformed("unexpected text after the dict");
  if (!haveDescr || !haveOrder || !haveShape)
    return fail(name_, std::string("malformed .npy header: missing key '") +
                           (!haveDescr   ? "descr"
                            : !haveOrder ? "fortran_order"
                                         : "shape") +
                           "': " + quote(text_));
  if (fortranOrder)
    return fail(name_, "Fortran-order arrays are not supported");
  if (Status s = parseDescr(descr, out.dtype); !s)
    return s;
  if (!detail::computeNumElements(out.shape, out.dtype, out.numElements))
    return fail(name_,
                "array shape " + shapeString(out.shape) + " is too large");
  out.dataBytes = static_cast<size_t>(out.numElements) * dtypeSize(out.dtype);
  return Status::ok();
}

Status checkDataSize(const NpyHeader &header, size_t available,
                     const std::string &name) {
  std::string type = typeString(header.dtype, header.shape);
  if (available < header.dataBytes)
    return fail(name, "truncated .npy file: " + type + " needs " +
                          std::to_string(header.dataBytes) +
                          " bytes of data, found " + std::to_string(available));
  if (available > header.dataBytes)
    return fail(name, std::to_string(available - header.dataBytes) +
                          " unexpected bytes after the " + type + " data");
  return Status::ok();
}

/// Booleans must be 0 or 1 for compiled code that loads them as i1.
void normalizeBooleans(Tensor &tensor) {
  if (tensor.dtype() != DType::I1)
    return;
  auto *bytes = static_cast<uint8_t *>(tensor.data());
  for (int64_t i = 0, e = tensor.numElements(); i != e; ++i)
    bytes[i] = bytes[i] != 0;
}

/// Allocates the tensor described by \p header; fails only when out of
/// memory.
Status allocate(const NpyHeader &header, const std::string &name, Tensor &out) {
  out = Tensor::zeros(header.dtype, header.shape);
  if (out.empty())
    return fail(name, "cannot allocate " + std::to_string(header.dataBytes) +
                          " bytes for the array");
  return Status::ok();
}

const char *descrFor(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I1:
    return "|b1";
  case DType::U8:
    return "|u1";
  }
  return "";
}

/// The magic string, version, header length and padded header.
std::string serializeHeader(const Tensor &tensor) {
  std::string shape = "(";
  for (int64_t d = 0, e = tensor.rank(); d != e; ++d) {
    if (d != 0)
      shape += ", ";
    shape += std::to_string(tensor.shape()[d]);
  }
  shape += tensor.rank() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + descrFor(tensor.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";

  // Same padding rule as numpy: at least one space, then a newline, so that
  // the data starts at a multiple of kDataAlignment.
  auto paddedLength = [&](size_t prefixSize) {
    size_t unpadded = prefixSize + dict.size() + 1;
    return dict.size() + 1 + kDataAlignment - unpadded % kDataAlignment;
  };
  unsigned major = 1;
  size_t prefixSize = kMagicSize + 4;
  size_t headerLength = paddedLength(prefixSize);
  if (headerLength > 0xffff) {
    major = 2;
    prefixSize = kMagicSize + 6;
    headerLength = paddedLength(prefixSize);
  }

  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0, e = prefixSize - kMagicSize - 2; i != e; ++i)
    out += static_cast<char>((headerLength >> (8 * i)) & 0xff);
  out += dict;
  out.append(headerLength - dict.size() - 1, ' ');
  out += '\n';
  return out;
}

/// Owns a FILE * and closes it on every path.
struct FileCloser {
  void operator()(std::FILE *file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

std::string errnoMessage() { return std::strerror(errno); }

} // namespace

Status parseNpy(const void *bytes, size_t size, Tensor &out,
                const std::string &nameForErrors) {
  const std::string &name = nameForErrors;
  if (!bytes && size != 0)
    return fail(name, "null buffer");
  const auto *data = static_cast<const unsigned char *>(bytes);
  size_t prefixSize, headerLength;
  if (Status s = parsePrefix(data, size, name, prefixSize, headerLength); !s)
    return s;
  if (headerLength > size - prefixSize)
    return fail(name, "truncated .npy file: header length " +
                          std::to_string(headerLength) + " exceeds the " +
                          std::to_string(size - prefixSize) +
                          " bytes after the prefix");
  NpyHeader header;
  std::string_view text(reinterpret_cast<const char *>(data) + prefixSize,
                        headerLength);
  if (Status s = HeaderParser(text, name).parse(header); !s)
    return s;
  size_t dataOffset = prefixSize + headerLength;
  if (Status s = checkDataSize(header, size - dataOffset, name); !s)
    return s;
  Tensor result;
  if (Status s = allocate(header, name, result); !s)
    return s;
  if (header.dataBytes != 0)
    std::memcpy(result.data(), data + dataOffset, header.dataBytes);
  normalizeBooleans(result);
  out = std::move(result);
  return Status::ok();
}

std::string serializeNpy(const Tensor &tensor) {
  if (tensor.empty())
    return std::string();
  std::string out = serializeHeader(tensor);
  size_t headerSize = out.size();
  out.resize(headerSize + tensor.sizeInBytes());
  if (tensor.numElements() != 0)
    detail::copyToContiguous(tensor, &out[headerSize]);
  return out;
}

Status readNpy(const std::string &path, Tensor &out) {
  // Only regular files: reading a FIFO or device could block or never end.
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec)
    return fail(path, "cannot open file: " + ec.message());
  if (!std::filesystem::is_regular_file(status))
    return fail(path, "cannot open file: not a regular file");
  uintmax_t fileSize = std::filesystem::file_size(path, ec);
  if (ec)
    return fail(path, "cannot determine the file size: " + ec.message());
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(path, "cannot open file: " + errnoMessage());

  auto readExactly = [&](void *dst, size_t bytes) -> Status {
    if (bytes != 0 && std::fread(dst, 1, bytes, file.get()) != bytes)
      return fail(path, std::ferror(file.get())
                            ? "read error: " + errnoMessage()
                            : std::string("unexpected end of file"));
    return Status::ok();
  };

  // Read the prefix and header first so the data can go straight into the
  // tensor instead of through an intermediate copy of the whole file.
  unsigned char prefix[kMagicSize + 6];
  size_t prefixRead =
      static_cast<size_t>(std::min<uintmax_t>(fileSize, sizeof(prefix)));
  if (Status s = readExactly(prefix, prefixRead); !s)
    return s;
  size_t prefixSize, headerLength;
  if (Status s =
          parsePrefix(prefix, prefixRead, path, prefixSize, headerLength);
      !s)
    return s;
  if (headerLength > fileSize - prefixSize)
    return fail(path, "truncated .npy file: header length " +
                          std::to_string(headerLength) + " exceeds the " +
                          std::to_string(fileSize - prefixSize) +
                          " bytes after the prefix");
  std::string text(headerLength, '\0');
  size_t alreadyRead = prefixRead - prefixSize;
  size_t fromPrefix = std::min(alreadyRead, headerLength);
  std::memcpy(text.data(), prefix + prefixSize, fromPrefix);
  if (fromPrefix < alreadyRead) {
    // The (tiny) header ended inside the prefix buffer; rewind to the data.
    if (std::fseek(file.get(), static_cast<long>(prefixSize + headerLength),
                   SEEK_SET) != 0)
      return fail(path, "seek error: " + errnoMessage());
  } else if (Status s = readExactly(text.data() + fromPrefix,
                                    headerLength - fromPrefix);
             !s) {
    return s;
  }
  NpyHeader header;
  if (Status s = HeaderParser(text, path).parse(header); !s)
    return s;
  if (Status s = checkDataSize(
          header, static_cast<size_t>(fileSize - prefixSize - headerLength),
          path);
      !s)
    return s;
  Tensor result;
  if (Status s = allocate(header, path, result); !s)
    return s;
  if (Status s = readExactly(result.data(), header.dataBytes); !s)
    return s;
  normalizeBooleans(result);
  out = std::move(result);
  return Status::ok();
}

Status writeNpy(const std::string &path, const Tensor &tensor) {
  if (tensor.empty())
    return fail(path, "cannot write an empty tensor");
  Tensor contiguous = tensor.contiguous();
  if (contiguous.empty())
    return fail(path, "cannot allocate a contiguous copy of the tensor");
  std::string header = serializeHeader(contiguous);
  FilePtr file(std::fopen(path.c_str(), "wb"));
  if (!file)
    return fail(path, "cannot open file for writing: " + errnoMessage());
  size_t dataBytes = contiguous.sizeInBytes();
  if (std::fwrite(header.data(), 1, header.size(), file.get()) !=
          header.size() ||
      (dataBytes != 0 &&
       std::fwrite(contiguous.data(), 1, dataBytes, file.get()) != dataBytes))
    return fail(path, "write error: " + errnoMessage());
  // fclose flushes, so its failure is a failed write too.
  if (std::fclose(file.release()) != 0)
    return fail(path, "write error: " + errnoMessage());
  return Status::ok();
}

} // namespace kiln
