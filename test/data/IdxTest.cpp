//===- IdxTest.cpp - IDX reader tests -------------------------------------===//

#include "DataTestUtil.h"
#include "runtime/data/Data.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

using namespace kiln;
using kiln::test::TempDir;
using kiln::test::writeFile;
using kiln::test::writeGzip;

namespace {

std::string header(uint8_t type, const std::vector<uint32_t> &dims) {
  std::string out = {0, 0, static_cast<char>(type),
                     static_cast<char>(dims.size())};
  for (uint32_t dim : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>((dim >> shift) & 0xff);
  return out;
}

/// The values' bytes, most significant first.
template <typename T> std::string bigEndian(const std::vector<T> &values) {
  std::string out;
  for (T value : values) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    for (size_t i = sizeof(T); i-- > 0;)
      out += static_cast<char>(bytes[i]);
  }
  return out;
}

std::string u8Image() {
  std::string out = header(0x08, {2, 3, 4});
  for (int i = 0; i < 24; ++i)
    out += static_cast<char>(i * 10);
  return out;
}

/// The error message of reading \p path, which must fail.
std::string errorOf(const std::string &path) {
  Tensor out;
  Status s = readIdx(path, out);
  EXPECT_FALSE(s.isOk()) << path;
  EXPECT_TRUE(out.empty());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  return s.message();
}

void expectU8Image(const Tensor &t) {
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.dtype(), DType::U8);
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3, 4}));
  for (int i = 0; i < 24; ++i)
    EXPECT_EQ(t.dataAs<uint8_t>()[i], i * 10);
}

TEST(Idx, ReadsRawAndGzipU8) {
  TempDir dir;
  writeFile(dir.path("raw"), u8Image());
  writeGzip(dir.path("packed.gz"), u8Image());
  for (const char *name : {"raw", "packed.gz"}) {
    Tensor t;
    Status s = readIdx(dir.path(name), t);
    ASSERT_TRUE(s.isOk()) << s.message();
    expectU8Image(t);
  }
}

TEST(Idx, ConvertsBigEndianElements) {
  TempDir dir;
  std::vector<int32_t> ints = {-2, 1 << 20, 0x01020304};
  std::vector<float> floats = {-1.5f, 3.25e-20f, INFINITY};
  std::vector<double> doubles = {M_PI, -0.0, 1e300};
  writeGzip(dir.path("i32"), header(0x0C, {3}) + bigEndian(ints));
  writeFile(dir.path("f32"), header(0x0D, {3, 1}) + bigEndian(floats));
  writeGzip(dir.path("f64"), header(0x0E, {1, 3}) + bigEndian(doubles));
  Tensor t;
  ASSERT_TRUE(readIdx(dir.path("i32"), t).isOk());
  EXPECT_EQ(t.dtype(), DType::I32);
  EXPECT_EQ(std::vector<int32_t>(t.dataAs<int32_t>(), t.dataAs<int32_t>() + 3),
            ints);
  ASSERT_TRUE(readIdx(dir.path("f32"), t).isOk());
  EXPECT_EQ(t.dtype(), DType::F32);
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(std::vector<float>(t.dataAs<float>(), t.dataAs<float>() + 3),
            floats);
  ASSERT_TRUE(readIdx(dir.path("f64"), t).isOk());
  EXPECT_EQ(t.dtype(), DType::F64);
  EXPECT_EQ(std::vector<double>(t.dataAs<double>(), t.dataAs<double>() + 3),
            doubles);
  EXPECT_TRUE(std::signbit(t.dataAs<double>()[1]));
}

TEST(Idx, ZeroSizedDimension) {
  TempDir dir;
  writeFile(dir.path("empty"), header(0x0D, {0, 5}));
  Tensor t;
  ASSERT_TRUE(readIdx(dir.path("empty"), t).isOk());
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{0, 5}));
  EXPECT_EQ(t.numElements(), 0);
}

TEST(Idx, MissingFileAndDirectory) {
  TempDir dir;
  EXPECT_NE(errorOf(dir.path("nope")).find("cannot open file"),
            std::string::npos);
  EXPECT_NE(errorOf(dir.dir()).find("not a regular file"), std::string::npos);
}

TEST(Idx, BadMagic) {
  TempDir dir;
  std::string bytes = u8Image();
  bytes[0] = 1;
  writeFile(dir.path("raw"), bytes);
  writeGzip(dir.path("gz"), bytes);
  for (const char *name : {"raw", "gz"})
    EXPECT_NE(errorOf(dir.path(name)).find("not an IDX file (bad magic"),
              std::string::npos);
  writeFile(dir.path("type"), header(0x07, {1}) + "x");
  EXPECT_NE(errorOf(dir.path("type")).find("unknown element type 0x07"),
            std::string::npos);
}

TEST(Idx, UnsupportedElementTypes) {
  TempDir dir;
  writeFile(dir.path("i8"), header(0x09, {2}) + "ab");
  writeFile(dir.path("i16"), header(0x0B, {1}) + "ab");
  EXPECT_NE(errorOf(dir.path("i8")).find("unsupported IDX element type i8"),
            std::string::npos);
  EXPECT_NE(errorOf(dir.path("i16")).find("unsupported IDX element type i16"),
            std::string::npos);
}

TEST(Idx, TruncatedData) {
  TempDir dir;
  std::string bytes = u8Image();
  bytes.pop_back();
  writeFile(dir.path("raw"), bytes);
  writeGzip(dir.path("gz"), bytes);
  EXPECT_NE(errorOf(dir.path("raw"))
                .find("truncated IDX file: dimensions "
                      "2x3x4 u8 promise 24 bytes"),
            std::string::npos);
  EXPECT_NE(
      errorOf(dir.path("gz"))
          .find("truncated IDX file: dimensions 2x3x4 u8 promise 24 bytes of "
                "data, found 23"),
      std::string::npos);
  writeFile(dir.path("dims"), header(0x08, {2, 3}).substr(0, 9));
  EXPECT_NE(errorOf(dir.path("dims")).find("promises 2 dimensions, found 1"),
            std::string::npos);
  writeFile(dir.path("empty"), "");
  EXPECT_NE(errorOf(dir.path("empty")).find("truncated IDX file (0 bytes"),
            std::string::npos);
}

TEST(Idx, TrailingBytes) {
  TempDir dir;
  writeFile(dir.path("raw"), u8Image() + "xyz");
  writeGzip(dir.path("gz"), u8Image() + "xyz");
  for (const char *name : {"raw", "gz"})
    EXPECT_NE(errorOf(dir.path(name))
                  .find("3 unexpected bytes after the "
                        "2x3x4 u8 data"),
              std::string::npos);
}

TEST(Idx, AbsurdDimensions) {
  TempDir dir;
  // Each product overflows 64 bits without the bound.
  writeFile(dir.path("huge"),
            header(0x0E, {0xffffffff, 0xffffffff, 0xffffffff}) + "x");
  EXPECT_NE(errorOf(dir.path("huge")).find("absurd IDX dimensions"),
            std::string::npos);
  // Large but under the bound: refused before allocating, as the file
  // cannot hold it.
  writeFile(dir.path("big"), header(0x08, {1u << 30}) + "x");
  writeGzip(dir.path("bigz"), header(0x08, {1u << 30}) + "x");
  EXPECT_NE(errorOf(dir.path("big")).find("more than the 9-byte file holds"),
            std::string::npos);
  EXPECT_NE(errorOf(dir.path("bigz")).find("gzip file can hold"),
            std::string::npos);
}

TEST(Idx, CorruptGzip) {
  TempDir dir;
  writeGzip(dir.path("good.gz"), u8Image());
  std::string packed = kiln::test::readFile(dir.path("good.gz"));
  // The CRC-32 of the data sits in the trailer: a flipped data check byte
  // must be noticed even though every data byte decompresses.
  std::string badCrc = packed;
  badCrc[packed.size() - 8] ^= 0x5a;
  writeFile(dir.path("crc.gz"), badCrc);
  EXPECT_NE(errorOf(dir.path("crc.gz"))
                .find("corrupt gzip data (incorrect "
                      "data check)"),
            std::string::npos);
  // Invalid deflate block type (3) right after the 10-byte gzip header.
  std::string badBlock = packed;
  badBlock[10] = static_cast<char>(0x07);
  writeFile(dir.path("block.gz"), badBlock);
  EXPECT_NE(errorOf(dir.path("block.gz")).find("corrupt gzip data"),
            std::string::npos);
  // A stream cut short inside the compressed data.
  writeFile(dir.path("cut.gz"), packed.substr(0, packed.size() - 12));
  EXPECT_NE(errorOf(dir.path("cut.gz")).find("truncated gzip data"),
            std::string::npos);
}

TEST(Idx, EveryTruncationIsAnError) {
  TempDir dir;
  std::string raw = header(0x0D, {2, 3}) + bigEndian(std::vector<float>(6, 2));
  writeGzip(dir.path("full.gz"), raw);
  std::string packed = kiln::test::readFile(dir.path("full.gz"));
  for (const std::string *bytes : {&raw, &packed}) {
    for (size_t size = 0; size < bytes->size(); ++size) {
      std::string path = dir.path("cut" + std::to_string(size));
      writeFile(path, bytes->substr(0, size));
      Tensor t;
      EXPECT_FALSE(readIdx(path, t).isOk()) << "size " << size;
    }
  }
}

} // namespace
