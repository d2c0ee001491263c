//===- Idx.cpp - Reading IDX files ----------------------------------------===//
//
// The IDX format (http://yann.lecun.com/exdb/mnist/): two zero bytes, an
// element type byte, a rank byte, rank big-endian u32 dimensions, then the
// elements in C order, big-endian. MNIST-style datasets ship it gzipped;
// zlib's gz* functions read both compressed and plain files.
//
// The file is untrusted: the data size the dimensions promise is checked
// against what the file can hold before anything is allocated.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"
#include "runtime/data/Detail.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <zlib.h>

namespace kiln {

using data_detail::fail;

namespace {

// No dataset this reader is meant for comes close; a larger promise is a
// corrupt header, not a reason to try a huge allocation.
constexpr uint64_t kMaxDataBytes = uint64_t(16) << 30;
// Deflate cannot compress by more than about 1032:1, so a gzip file of n
// bytes holds at most this many times n bytes of data.
constexpr uint64_t kMaxDeflateRatio = 1032;
// gzread takes an unsigned count and returns an int.
constexpr size_t kMaxReadChunk = size_t(1) << 30;

struct IdxType {
  unsigned char code;
  const char *name;
  size_t size;
  bool supported;
  DType dtype;
};

const IdxType kTypes[] = {
    {0x08, "u8", 1, true, DType::U8},    {0x09, "i8", 1, false, DType::U8},
    {0x0B, "i16", 2, false, DType::I32}, {0x0C, "i32", 4, true, DType::I32},
    {0x0D, "f32", 4, true, DType::F32},  {0x0E, "f64", 8, true, DType::F64},
};

struct GzCloser {
  void operator()(gzFile_s *file) const { gzclose(file); }
};
using GzPtr = std::unique_ptr<gzFile_s, GzCloser>;

/// The zlib error of \p file, or "" when there is none.
std::string gzErrorMessage(gzFile file, const std::string &path) {
  int code = Z_OK;
  const char *text = gzerror(file, &code);
  if (code == Z_OK)
    return std::string();
  if (code == Z_ERRNO)
    return std::string("read error: ") + std::strerror(errno);
  // zlib prefixes its message with the path, which ours already starts with.
  std::string message = text ? text : "";
  if (message.compare(0, path.size() + 2, path + ": ") == 0)
    message.erase(0, path.size() + 2);
  return std::string(code == Z_BUF_ERROR ? "truncated gzip data ("
                                         : "corrupt gzip data (") +
         message + ")";
}

/// Reads up to \p size bytes; \p got says how many arrived. Fails only for
/// an I/O or decompression error.
Status readUpTo(gzFile file, const std::string &path, void *dst, size_t size,
                size_t &got) {
  got = 0;
  auto *out = static_cast<char *>(dst);
  while (got < size) {
    unsigned chunk = static_cast<unsigned>(std::min(size - got, kMaxReadChunk));
    int n = gzread(file, out + got, chunk);
    if (n < 0) {
      std::string message = gzErrorMessage(file, path);
      return fail(path, message.empty() ? "read error" : message);
    }
    if (n == 0)
      break;
    got += static_cast<size_t>(n);
  }
  // A stream cut short ends without an error from gzread, but with one
  // recorded ("unexpected end of file").
  if (got < size)
    if (std::string message = gzErrorMessage(file, path); !message.empty())
      return fail(path, message);
  return Status::ok();
}

void swapBytes(void *data, size_t count, size_t elementSize) {
  auto *bytes = static_cast<unsigned char *>(data);
  if (elementSize == 4) {
    for (size_t i = 0; i != count; ++i) {
      uint32_t v;
      std::memcpy(&v, bytes + 4 * i, 4);
      v = __builtin_bswap32(v);
      std::memcpy(bytes + 4 * i, &v, 4);
    }
  } else if (elementSize == 8) {
    for (size_t i = 0; i != count; ++i) {
      uint64_t v;
      std::memcpy(&v, bytes + 8 * i, 8);
      v = __builtin_bswap64(v);
      std::memcpy(bytes + 8 * i, &v, 8);
    }
  }
}

} // namespace

Status readIdx(const std::string &path, Tensor &out) {
  if (Status s = data_detail::checkRegularFile(path); !s)
    return s;
  std::error_code ec;
  uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec)
    return fail(path, "cannot determine the file size: " + ec.message());
  GzPtr file(gzopen(path.c_str(), "rb"));
  if (!file)
    return fail(path, std::string("cannot open file: ") + std::strerror(errno));

  unsigned char magic[4];
  size_t got;
  if (Status s = readUpTo(file.get(), path, magic, 4, got); !s)
    return s;
  if (got != 0 && (magic[0] != 0 || (got > 1 && magic[1] != 0)))
    return fail(path, "not an IDX file (bad magic: the first two bytes must "
                      "be zero)");
  if (got < 4)
    return fail(path, "truncated IDX file (" + std::to_string(got) +
                          " bytes, too short for the magic number)");
  const IdxType *type = nullptr;
  for (const IdxType &candidate : kTypes)
    if (candidate.code == magic[2])
      type = &candidate;
  if (!type) {
    char code[8];
    std::snprintf(code, sizeof(code), "0x%02X", magic[2]);
    return fail(path, std::string("not an IDX file (bad magic: unknown "
                                  "element type ") +
                          code + ")");
  }
  if (!type->supported)
    return fail(path, std::string("unsupported IDX element type ") +
                          type->name + " (supported: u8, i32, f32, f64)");

  size_t rank = magic[3];
  std::vector<unsigned char> dimBytes(4 * rank);
  if (Status s =
          readUpTo(file.get(), path, dimBytes.data(), dimBytes.size(), got);
      !s)
    return s;
  if (got < dimBytes.size())
    return fail(path, "truncated IDX file: the header promises " +
                          std::to_string(rank) + " dimensions, found " +
                          std::to_string(got / 4));
  std::vector<int64_t> shape(rank);
  // Like the runtime, a zero dimension does not excuse absurd other ones.
  const uint64_t limit = kMaxDataBytes / type->size;
  uint64_t nonZeroProduct = 1;
  bool hasZero = false, tooLarge = false;
  for (size_t d = 0; d != rank; ++d) {
    const unsigned char *b = &dimBytes[4 * d];
    uint64_t dim = (uint64_t(b[0]) << 24) | (uint64_t(b[1]) << 16) |
                   (uint64_t(b[2]) << 8) | b[3];
    shape[d] = static_cast<int64_t>(dim);
    if (dim == 0)
      hasZero = true;
    else if (nonZeroProduct > limit / dim)
      tooLarge = true;
    else
      nonZeroProduct *= dim;
  }
  uint64_t numElements = hasZero ? 0 : nonZeroProduct;
  std::string description = shapeString(shape) + " " + type->name;
  if (tooLarge)
    return fail(path, "absurd IDX dimensions " + description + ": more than " +
                          std::to_string(kMaxDataBytes >> 30) + " GiB of data");
  uint64_t dataBytes = numElements * type->size;
  uint64_t headerBytes = 4 + dimBytes.size();
  // Refuse before allocating when the file cannot possibly hold the data.
  bool direct = gzdirect(file.get());
  uint64_t capacity =
      direct ? fileSize - headerBytes : fileSize * kMaxDeflateRatio;
  if (dataBytes > capacity)
    return fail(path, "truncated IDX file: dimensions " + description +
                          " promise " + std::to_string(dataBytes) +
                          " bytes of data, more than the " +
                          std::to_string(fileSize) + "-byte " +
                          (direct ? "file holds" : "gzip file can hold"));

  Tensor result = Tensor::zeros(type->dtype, shape);
  if (result.empty())
    return fail(path, "cannot allocate " + std::to_string(dataBytes) +
                          " bytes for the " + description + " data");
  if (Status s = readUpTo(file.get(), path, result.data(), dataBytes, got); !s)
    return s;
  if (got < dataBytes)
    return fail(path, "truncated IDX file: dimensions " + description +
                          " promise " + std::to_string(dataBytes) +
                          " bytes of data, found " + std::to_string(got));
  // Reading past the data also makes zlib verify the gzip trailer (CRC).
  char trailing[4096];
  uint64_t extra = 0;
  do {
    if (Status s = readUpTo(file.get(), path, trailing, sizeof(trailing), got);
        !s)
      return s;
    extra += got;
  } while (got == sizeof(trailing) && extra < (uint64_t(1) << 20));
  if (extra != 0)
    return fail(path, (got == sizeof(trailing) ? "more than " : "") +
                          std::to_string(extra) +
                          " unexpected bytes after the " + description +
                          " data");
  swapBytes(result.data(), numElements, type->size);
  out = std::move(result);
  return Status::ok();
}

} // namespace kiln
