//===- NpyTest.cpp - Tests of .npy reading and writing --------------------===//

#include "runtime/Runtime.h"

#include "gtest/gtest.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

using namespace kiln;
namespace fs = std::filesystem;

namespace kiln {
// Names parameterized tests' DType in gtest output ("f32", not raw bytes).
void PrintTo(DType dtype, std::ostream *os) { *os << dtypeName(dtype); }
} // namespace kiln

namespace {

/// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    std::random_device device;
    std::string unique =
        std::to_string(
            std::chrono::steady_clock::now().time_since_epoch().count()) +
        "-" + std::to_string(device()) + "-" + std::to_string(counter++);
    path_ = fs::temp_directory_path() / ("kiln-runtime-test-" + unique);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string &name) const {
    return (path_ / name).string();
  }
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

/// The prefix and header of a version 1.0 (or \p major.0) file whose dict is
/// \p dict, padded like numpy does.
std::string npyPrefix(const std::string &dict, unsigned major = 1) {
  size_t prefixSize = major == 1 ? 10 : 12;
  size_t unpadded = prefixSize + dict.size() + 1;
  size_t headerLength = dict.size() + 1 + (64 - unpadded % 64);
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < prefixSize - 8; ++i)
    out += static_cast<char>((headerLength >> (8 * i)) & 0xff);
  out += dict;
  out.append(headerLength - dict.size() - 1, ' ');
  out += '\n';
  return out;
}

std::string bytesOf(const void *data, size_t size) {
  return std::string(static_cast<const char *>(data), size);
}

/// np.save of np.arange(6, dtype='<f4').reshape(2, 3), spelled out.
std::string numpyArange6() {
  std::string bytes("\x93NUMPY\x01\x00\x76\x00", 10);
  bytes += "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  bytes.append(128 - 1 - bytes.size(), ' ');
  bytes += '\n';
  const float values[] = {0, 1, 2, 3, 4, 5};
  bytes += bytesOf(values, sizeof(values));
  return bytes;
}

Status parse(const std::string &bytes, Tensor &out,
             const std::string &name = "test.npy") {
  return parseNpy(bytes.data(), bytes.size(), out, name);
}

/// A tensor of \p dtype and \p shape filled with a dtype-specific pattern.
Tensor patterned(DType dtype, const std::vector<int64_t> &shape) {
  Tensor t = Tensor::zeros(dtype, shape);
  auto *bytes = static_cast<unsigned char *>(t.data());
  for (int64_t i = 0; i < t.numElements(); ++i) {
    switch (dtype) {
    case DType::F32:
      reinterpret_cast<float *>(bytes)[i] =
          0.25f * static_cast<float>(i) - 3.5f;
      break;
    case DType::F64:
      reinterpret_cast<double *>(bytes)[i] = 1e300 / static_cast<double>(i + 1);
      break;
    case DType::I32:
      reinterpret_cast<int32_t *>(bytes)[i] =
          -1000003 * static_cast<int32_t>(i);
      break;
    case DType::I64:
      reinterpret_cast<int64_t *>(bytes)[i] = (int64_t(1) << 62) - i;
      break;
    case DType::I1:
      bytes[i] = i % 3 == 0;
      break;
    case DType::U8:
      bytes[i] = static_cast<unsigned char>(255 - i);
      break;
    }
  }
  return t;
}

void expectSameTensor(const Tensor &actual, const Tensor &expected) {
  ASSERT_FALSE(actual.empty());
  EXPECT_EQ(actual.dtype(), expected.dtype());
  EXPECT_EQ(actual.shape(), expected.shape());
  EXPECT_TRUE(actual.isContiguous());
  ASSERT_EQ(actual.sizeInBytes(), expected.sizeInBytes());
  Tensor expectedData = expected.contiguous();
  EXPECT_EQ(bytesOf(actual.data(), actual.sizeInBytes()),
            bytesOf(expectedData.data(), expectedData.sizeInBytes()));
}

/// Where the data starts, from the header length field.
size_t dataOffset(const std::string &bytes) {
  if (bytes[6] == 1)
    return 10 + (static_cast<unsigned char>(bytes[8]) |
                 static_cast<unsigned char>(bytes[9]) << 8);
  size_t length = 0;
  for (int i = 11; i >= 8; --i)
    length = length << 8 | static_cast<unsigned char>(bytes[i]);
  return 12 + length;
}

class NpyRoundTripTest : public ::testing::TestWithParam<DType> {};

TEST_P(NpyRoundTripTest, InMemoryAndFile) {
  TempDir dir;
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {7}, {2, 3, 4}, {3, 0, 2}, {0}};
  for (const auto &shape : shapes) {
    SCOPED_TRACE(typeString(GetParam(), shape));
    Tensor original = patterned(GetParam(), shape);
    ASSERT_FALSE(original.empty());

    std::string bytes = serializeNpy(original);
    ASSERT_GE(bytes.size(), 64u);
    EXPECT_EQ(dataOffset(bytes) % 64, 0u);
    EXPECT_EQ(bytes.size(), dataOffset(bytes) + original.sizeInBytes());
    EXPECT_EQ(bytes[dataOffset(bytes) - 1], '\n');
    Tensor parsed;
    Status status = parse(bytes, parsed);
    ASSERT_TRUE(status) << status.message();
    expectSameTensor(parsed, original);

    std::string path = dir.file("t.npy");
    status = writeNpy(path, original);
    ASSERT_TRUE(status) << status.message();
    EXPECT_EQ(fs::file_size(path), bytes.size());
    Tensor read;
    status = readNpy(path, read);
    ASSERT_TRUE(status) << status.message();
    expectSameTensor(read, original);
  }
}

INSTANTIATE_TEST_SUITE_P(AllDTypes, NpyRoundTripTest,
                         ::testing::Values(DType::F32, DType::F64, DType::I32,
                                           DType::I64, DType::I1, DType::U8),
                         [](const ::testing::TestParamInfo<DType> &info) {
                           return std::string(dtypeName(info.param));
                         });

TEST(NpyTest, ReadsNumpyWrittenBytes) {
  std::string bytes = numpyArange6();
  ASSERT_EQ(bytes.size(), 128u + 24u);
  Tensor t;
  Status status = parse(bytes, t);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(t.dtype(), DType::F32);
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(t.getAsDouble(i), static_cast<double>(i));

  TempDir dir;
  writeFile(dir.file("arange.npy"), bytes);
  Tensor fromFile;
  status = readNpy(dir.file("arange.npy"), fromFile);
  ASSERT_TRUE(status) << status.message();
  expectSameTensor(fromFile, t);
}

TEST(NpyTest, SerializesLikeNumpy) {
  Tensor t = Tensor::fromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(serializeNpy(t), numpyArange6());
}

TEST(NpyTest, HeaderPaddingMatchesNumpyRule) {
  // numpy always adds at least one space; a dict of 53 characters fills
  // 10 + 53 + 1 = 64 bytes exactly, so a whole extra 64 bytes of padding.
  std::string bytes = npyPrefix("{'descr': '<i8', 'fortran_order': False, "
                                "'shape': (), }");
  EXPECT_EQ(bytes.size() % 64, 0u);
  Tensor scalar = Tensor::fromVector<int64_t>({}, {42});
  std::string serialized = serializeNpy(scalar);
  EXPECT_EQ(serialized.substr(0, dataOffset(serialized)), bytes);
}

TEST(NpyTest, ReadsVersion2And3) {
  for (unsigned major : {2u, 3u}) {
    std::string bytes = npyPrefix(
        "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", major);
    EXPECT_EQ(bytes.size() % 64, 0u);
    const int32_t values[] = {7, -8, 9};
    bytes += bytesOf(values, sizeof(values));
    Tensor t;
    Status status = parse(bytes, t);
    ASSERT_TRUE(status) << "version " << major << ": " << status.message();
    EXPECT_EQ(t.toString(), "[7, -8, 9]");
  }
}

TEST(NpyTest, WritesVersion2ForHugeHeaders) {
  // 30000 dimensions of size 1 need a header longer than 65535 bytes.
  std::vector<int64_t> shape(30000, 1);
  Tensor t = Tensor::fromVector<double>(shape, {2.5});
  ASSERT_FALSE(t.empty());
  std::string bytes = serializeNpy(t);
  EXPECT_EQ(bytes[6], 2);
  EXPECT_EQ(bytes[7], 0);
  EXPECT_GT(dataOffset(bytes), 65535u);
  EXPECT_EQ(dataOffset(bytes) % 64, 0u);
  Tensor parsed;
  Status status = parse(bytes, parsed);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(parsed.shape(), shape);
  EXPECT_EQ(parsed.getAsDouble(0), 2.5);
}

TEST(NpyTest, AcceptsHeaderSpellings) {
  struct Case {
    const char *dict;
    std::vector<int64_t> shape;
  };
  const Case cases[] = {
      {"{'descr': '<u1', 'fortran_order': False, 'shape': (), }", {}},
      {"{'descr': '<u1', 'fortran_order': False, 'shape': (6,), }", {6}},
      {"{'descr': '<u1', 'fortran_order': False, 'shape': (2, 3), }", {2, 3}},
      {"{'descr':'|u1','fortran_order':False,'shape':(2,3)}", {2, 3}},
      {"{ 'shape' : ( 2 , 3 , ) , 'fortran_order' : False , "
       "'descr' : '|u1' }",
       {2, 3}},
      {"{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (6)}", {6}},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (2L, 3L), }", {2, 3}},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (1, 6, 1), }",
       {1, 6, 1}},
      {"{'descr': '|u1', 'fortran_order': False, 'shape': (3, 0), }", {3, 0}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.dict);
    int64_t count = 1;
    for (int64_t dim : c.shape)
      count *= dim;
    std::string bytes = npyPrefix(c.dict) + std::string(count, '\x05');
    Tensor t;
    Status status = parse(bytes, t);
    ASSERT_TRUE(status) << status.message();
    EXPECT_EQ(t.dtype(), DType::U8);
    EXPECT_EQ(t.shape(), c.shape);
  }
}

TEST(NpyTest, NormalizesBooleans) {
  std::string bytes =
      npyPrefix("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }") +
      std::string("\x00\x02\xff", 3);
  Tensor t;
  Status status = parse(bytes, t);
  ASSERT_TRUE(status) << status.message();
  const auto *data = static_cast<const uint8_t *>(t.data());
  EXPECT_EQ(data[0], 0);
  EXPECT_EQ(data[1], 1);
  EXPECT_EQ(data[2], 1);
}

TEST(NpyTest, WritesViewsInCOrder) {
  Tensor t = Tensor::fromVector<int32_t>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor view = t.transposed({1, 0});
  TempDir dir;
  Status status = writeNpy(dir.file("view.npy"), view);
  ASSERT_TRUE(status) << status.message();
  Tensor read;
  status = readNpy(dir.file("view.npy"), read);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(read.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(read.toString(), "[[0, 3],\n [1, 4],\n [2, 5]]");
  EXPECT_EQ(serializeNpy(view), serializeNpy(read));
}

TEST(NpyTest, EmptyTensorIsNotWritten) {
  TempDir dir;
  EXPECT_EQ(serializeNpy(Tensor()), "");
  Status status = writeNpy(dir.file("e.npy"), Tensor());
  EXPECT_FALSE(status);
  EXPECT_NE(status.message().find("e.npy"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("e.npy")));
}

/// Expects parsing \p bytes to fail with a message naming the file and
/// containing \p reason. The output tensor must be left alone.
void expectParseError(const std::string &bytes, const std::string &reason) {
  Tensor out = Tensor::fromVector<float>({1}, {9.f});
  void *before = out.data();
  Status status = parse(bytes, out, "bad.npy");
  ASSERT_FALSE(status) << "expected failure containing: " << reason;
  EXPECT_EQ(status.message().rfind("bad.npy: ", 0), 0u) << status.message();
  EXPECT_NE(status.message().find(reason), std::string::npos)
      << status.message();
  EXPECT_EQ(out.data(), before);

  TempDir dir;
  std::string path = dir.file("bad.npy");
  writeFile(path, bytes);
  status = readNpy(path, out);
  ASSERT_FALSE(status) << "expected failure containing: " << reason;
  EXPECT_EQ(status.message().rfind(path + ": ", 0), 0u) << status.message();
  EXPECT_NE(status.message().find(reason), std::string::npos)
      << status.message();
  EXPECT_EQ(out.data(), before);
}

std::string withDict(const std::string &dict, size_t dataBytes = 0) {
  return npyPrefix(dict) + std::string(dataBytes, '\0');
}

TEST(NpyErrorTest, TruncatedData) {
  std::string bytes = numpyArange6();
  expectParseError(bytes.substr(0, bytes.size() - 1),
                   "truncated .npy file: 2x3xf32 needs 24 bytes of data, "
                   "found 23");
  expectParseError(bytes.substr(0, 128), "found 0");
}

TEST(NpyErrorTest, TrailingData) {
  expectParseError(numpyArange6() + "xy", "2 unexpected bytes after the "
                                          "2x3xf32 data");
}

TEST(NpyErrorTest, TruncatedPrefixAndHeader) {
  std::string bytes = numpyArange6();
  expectParseError("", "truncated .npy file (0 bytes");
  expectParseError(bytes.substr(0, 4), "truncated .npy file (4 bytes");
  expectParseError(bytes.substr(0, 9), "truncated .npy file (9 bytes");
  expectParseError(bytes.substr(0, 100),
                   "header length 118 exceeds the 90 bytes after the prefix");
}

TEST(NpyErrorTest, BadMagic) {
  std::string bytes = numpyArange6();
  bytes[1] = 'M';
  expectParseError(bytes, "not a .npy file (bad magic string)");
  expectParseError("PK\x03\x04", "not a .npy file");
}

TEST(NpyErrorTest, UnsupportedVersion) {
  std::string bytes = numpyArange6();
  bytes[6] = 4;
  expectParseError(bytes, "unsupported .npy format version 4.0");
  bytes[6] = 1;
  bytes[7] = 1;
  expectParseError(bytes, "unsupported .npy format version 1.1");
}

TEST(NpyErrorTest, FortranOrder) {
  expectParseError(
      withDict("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
               24),
      "Fortran-order arrays are not supported");
}

TEST(NpyErrorTest, BigEndian) {
  expectParseError(
      withDict("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }",
               24),
      "big-endian dtype '>f4' is not supported");
  expectParseError(
      withDict("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", 8),
      "big-endian dtype '>i8'");
}

TEST(NpyErrorTest, UnsupportedDType) {
  expectParseError(
      withDict("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16),
      "unsupported dtype '<c8'");
  expectParseError(
      withDict("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", 4),
      "unsupported dtype '<f2'");
  expectParseError(
      withDict("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", 2),
      "unsupported dtype '|i1'");
  expectParseError(withDict("{'descr': [('a', '<f4')], 'fortran_order': "
                            "False, 'shape': (2,), }",
                            8),
                   "structured dtypes are not supported");
}

TEST(NpyErrorTest, GarbageHeaders) {
  struct Case {
    const char *dict;
    const char *reason;
  };
  const Case cases[] = {
      {"hello world", "malformed .npy header (expected '{' at offset 0)"},
      {"{'descr' '<f4'}", "expected ':' after key"},
      {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (), }",
       "expected True or False for 'fortran_order'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
       "expected a non-negative integer in the shape"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }",
       "expected ',' or ')' in the shape"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': 6, }",
       "expected '(' starting the shape tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
       "unexpected key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': "
       "(1,)}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} extra",
       "unexpected text after the dict"},
      {"{'descr: '<f4'}", "expected ':' after key"},
      {"{'descr': '<f4", "unterminated string"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,) 'x'}",
       "expected ',' or '}'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(99999999999999999999,)}",
       "shape dimension too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(9223372036854775807, 9223372036854775807)}",
       "array shape 9223372036854775807x9223372036854775807 is too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(0, 4611686018427387904, 4)}",
       "is too large"},
      {"{'descr': '\\x3cf4', 'fortran_order': False, 'shape': ()}",
       "unexpected escape in string"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.dict);
    expectParseError(withDict(c.dict, 4), c.reason);
  }
  // Binary junk in the header is escaped in the message.
  std::string junk = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)";
  junk += std::string("\x01\xfe}", 3);
  expectParseError(withDict(junk, 4), "\\x01\\xfe}");
}

TEST(NpyErrorTest, TinyHeaderLengths) {
  // Headers shorter than the 12 bytes readNpy reads up front.
  expectParseError(std::string("\x93NUMPY\x01\x00\x00\x00", 10) + "1234",
                   "(expected '{' at offset 0): ''");
  expectParseError(std::string("\x93NUMPY\x01\x00\x01\x00", 10) + "{xyz",
                   "(expected a string at offset 1): '{'");
}

TEST(NpyErrorTest, MissingFileAndDirectory) {
  TempDir dir;
  std::string missing = dir.file("missing.npy");
  Tensor out;
  Status status = readNpy(missing, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message().rfind(missing + ": cannot open file", 0), 0u)
      << status.message();
  EXPECT_TRUE(out.empty());

  status = readNpy(dir.path().string(), out);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("not a regular file"), std::string::npos)
      << status.message();

  Tensor t = Tensor::zeros(DType::F32, {2});
  std::string unwritable = dir.file("no/such/dir/out.npy");
  status = writeNpy(unwritable, t);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message().rfind(unwritable + ": cannot open file", 0), 0u)
      << status.message();
}

TEST(NpyErrorTest, NullBuffer) {
  Tensor out;
  EXPECT_FALSE(parseNpy(nullptr, 10, out, "x"));
  Status status = parseNpy(nullptr, 0, out, "");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message().rfind("<memory>: ", 0), 0u) << status.message();
}

/// Every parse of damaged bytes must return (either way) without crashing;
/// a successful one must describe a consistent tensor.
void parseMustNotCrash(const std::string &bytes) {
  Tensor out;
  Status status = parse(bytes, out, "fuzz.npy");
  if (status) {
    ASSERT_FALSE(out.empty());
    EXPECT_LE(out.sizeInBytes(), bytes.size());
  } else {
    EXPECT_EQ(status.message().rfind("fuzz.npy: ", 0), 0u) << status.message();
  }
}

TEST(NpyFuzzTest, EveryTruncation) {
  for (const std::string &valid :
       {numpyArange6(), serializeNpy(patterned(DType::I1, {3, 5})),
        serializeNpy(patterned(DType::F64, {}))}) {
    for (size_t length = 0; length < valid.size(); ++length) {
      SCOPED_TRACE(length);
      Tensor out;
      std::string truncated = valid.substr(0, length);
      EXPECT_FALSE(parse(truncated, out));
    }
  }
}

TEST(NpyFuzzTest, TruncatedFiles) {
  TempDir dir;
  std::string valid = numpyArange6();
  std::string path = dir.file("cut.npy");
  for (size_t length = 0; length < valid.size(); ++length) {
    SCOPED_TRACE(length);
    writeFile(path, valid.substr(0, length));
    Tensor out;
    Status status = readNpy(path, out);
    EXPECT_FALSE(status);
    EXPECT_EQ(status.message().rfind(path + ": ", 0), 0u) << status.message();
  }
}

TEST(NpyFuzzTest, HeaderByteFlips) {
  std::string valid = numpyArange6();
  size_t headerEnd = dataOffset(valid);
  const unsigned char replacements[] = {0x00, 0x01, 0x20, 0x27, 0x28,
                                        0x29, 0x2c, 0x30, 0x39, 0x7b,
                                        0x7d, 0x80, 0xff};
  for (size_t i = 0; i < headerEnd; ++i) {
    for (unsigned char replacement : replacements) {
      std::string damaged = valid;
      damaged[i] = static_cast<char>(replacement);
      parseMustNotCrash(damaged);
      damaged[i] = static_cast<char>(valid[i] ^ 0x55);
      parseMustNotCrash(damaged);
    }
  }
}

TEST(NpyFuzzTest, RandomHeaderMutations) {
  std::mt19937 rng(12345);
  std::string valid = numpyArange6();
  size_t headerEnd = dataOffset(valid);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string damaged = valid;
    int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e)
      damaged[rng() % headerEnd] = static_cast<char>(rng() & 0xff);
    if (rng() % 4 == 0)
      damaged.resize(rng() % (valid.size() + 1));
    parseMustNotCrash(damaged);
  }
}

} // namespace
