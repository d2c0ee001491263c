//===- SafetensorsTest.cpp - Checkpoint format tests ----------------------===//

#include "DataTestUtil.h"
#include "runtime/data/Data.h"

#include <csignal>
#include <cstring>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace kiln;
using kiln::test::readFile;
using kiln::test::TempDir;
using kiln::test::writeFile;

namespace {

std::string bytesOf(const Tensor &t) {
  Tensor c = t.contiguous();
  return std::string(static_cast<const char *>(c.data()), c.sizeInBytes());
}

void expectSameTensor(const Tensor &actual, const Tensor &expected) {
  ASSERT_FALSE(actual.empty());
  EXPECT_EQ(actual.dtype(), expected.dtype());
  EXPECT_EQ(actual.shape(), expected.shape());
  EXPECT_EQ(bytesOf(actual), bytesOf(expected));
}

/// A safetensors file: the 8-byte little-endian length, then \p header and
/// \p data.
std::string fileBytes(const std::string &header, const std::string &data) {
  std::string out;
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string loadError(const std::string &path) {
  std::vector<NamedTensor> tensors;
  Status s = loadSafetensors(path, tensors);
  EXPECT_FALSE(s.isOk()) << path;
  EXPECT_TRUE(tensors.empty());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  return s.message();
}

/// Writes a file with \p header (and 8 data bytes) and returns the error.
std::string headerError(const TempDir &dir, const std::string &header,
                        const std::string &data = std::string(8, '\x01')) {
  std::string path = dir.path("bad.safetensors");
  writeFile(path, fileBytes(header, data));
  return loadError(path);
}

std::vector<NamedTensor> sampleTensors() {
  return {
      {"f32", Tensor::fromVector<float>({2, 3}, {1.5f, -2, 3, 4, 5, 6})},
      {"f64", Tensor::fromVector<double>({}, {3.141592653589793})},
      {"i32", Tensor::fromVector<int32_t>({4}, {-1, 0, 1, 2147483647})},
      {"i64", Tensor::fromVector<int64_t>({1, 1, 2}, {INT64_MIN, 42})},
      {"bool", Tensor::fromVector<bool>({3}, {true, false, true})},
      {"u8", Tensor::fromVector<uint8_t>({2}, {0, 255})},
      {"empty", Tensor::zeros(DType::F32, {0})},
      {"empty2d", Tensor::zeros(DType::I64, {3, 0})},
  };
}

TEST(Safetensors, RoundTripEveryDType) {
  TempDir dir;
  std::string path = dir.path("ckpt.safetensors");
  std::vector<NamedTensor> tensors = sampleTensors();
  Metadata metadata = {{"step", "1200"},
                       {"seed", "42"},
                       {"note \"quoted\"", "line\nbreak\t\\ caf\xc3\xa9"}};
  Status s = saveSafetensors(path, tensors, metadata);
  ASSERT_TRUE(s.isOk()) << s.message();
  std::vector<NamedTensor> loaded;
  Metadata loadedMetadata;
  s = loadSafetensors(path, loaded, &loadedMetadata);
  ASSERT_TRUE(s.isOk()) << s.message();
  ASSERT_EQ(loaded.size(), tensors.size());
  for (size_t i = 0; i != tensors.size(); ++i) {
    EXPECT_EQ(loaded[i].name, tensors[i].name);
    expectSameTensor(loaded[i].tensor, tensors[i].tensor);
  }
  EXPECT_EQ(loadedMetadata, metadata);
  // Header padded so the data starts 8-byte aligned, like the reference
  // writer.
  std::string file = readFile(path);
  uint64_t headerLength;
  std::memcpy(&headerLength, file.data(), 8);
  EXPECT_EQ(headerLength % 8, 0u);
}

TEST(Safetensors, StridedViewSavedInLogicalOrder) {
  TempDir dir;
  std::string path = dir.path("t.safetensors");
  Tensor base = Tensor::fromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor view = base.transposed({1, 0});
  ASSERT_FALSE(view.isContiguous());
  ASSERT_TRUE(saveSafetensors(path, {{"w", view}}).isOk());
  std::vector<NamedTensor> loaded;
  ASSERT_TRUE(loadSafetensors(path, loaded).isOk());
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].tensor.shape(), (std::vector<int64_t>{3, 2}));
  const float *v = loaded[0].tensor.dataAs<float>();
  EXPECT_EQ(std::vector<float>(v, v + 6),
            (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(Safetensors, WriterOutputByteForByte) {
  TempDir dir;
  std::string path = dir.path("t.safetensors");
  ASSERT_TRUE(saveSafetensors(path,
                              {{"b", Tensor::fromVector<int32_t>({2}, {1, -1})},
                               {"a", Tensor::fromVector<uint8_t>({1, 1}, {7})}},
                              {{"epoch", "3"}})
                  .isOk());
  std::string header = "{\"__metadata__\":{\"epoch\":\"3\"},"
                       "\"b\":{\"dtype\":\"I32\",\"shape\":[2],"
                       "\"data_offsets\":[0,8]},"
                       "\"a\":{\"dtype\":\"U8\",\"shape\":[1,1],"
                       "\"data_offsets\":[8,9]}}";
  header.append((8 - header.size() % 8) % 8, ' ');
  EXPECT_EQ(
      readFile(path),
      fileBytes(header, std::string("\x01\0\0\0\xff\xff\xff\xff\x07", 9)));
}

TEST(Safetensors, ReadsHandWrittenFile) {
  // As another writer may produce it: keys in another order, whitespace,
  // escapes, no padding, data in an order different from the header's.
  TempDir dir;
  std::string path = dir.path("hand.safetensors");
  std::string header =
      "{ \"second\" : {\"data_offsets\": [8, 12], \"shape\": [1], "
      "\"dtype\": \"F32\"},\n \"__metadata__\": {\"format\": \"pt\"},"
      " \"fir\\u0073t\\/x\": {\"dtype\": \"BOOL\", \"shape\": [2, 4], "
      "\"data_offsets\": [0, 8]} }";
  std::string data = std::string("\x01\x00\x00\x02\x00\x00\x00\x01", 8) +
                     std::string("\x00\x00\xc0\x3f", 4); // 1.5f
  writeFile(path, fileBytes(header, data));
  std::vector<NamedTensor> loaded;
  Metadata metadata;
  Status s = loadSafetensors(path, loaded, &metadata);
  ASSERT_TRUE(s.isOk()) << s.message();
  ASSERT_EQ(loaded.size(), 2u);
  // In data order.
  EXPECT_EQ(loaded[0].name, "first/x");
  EXPECT_EQ(loaded[0].tensor.dtype(), DType::I1);
  EXPECT_EQ(loaded[0].tensor.shape(), (std::vector<int64_t>{2, 4}));
  // Nonzero bytes other than 1 read as true (1).
  EXPECT_EQ(bytesOf(loaded[0].tensor),
            std::string("\x01\x00\x00\x01\x00\x00\x00\x01", 8));
  EXPECT_EQ(loaded[1].name, "second");
  EXPECT_EQ(loaded[1].tensor.dataAs<float>()[0], 1.5f);
  EXPECT_EQ(metadata, (Metadata{{"format", "pt"}}));
}

TEST(Safetensors, EmptyCheckpoint) {
  TempDir dir;
  std::string path = dir.path("none.safetensors");
  ASSERT_TRUE(saveSafetensors(path, {}).isOk());
  std::vector<NamedTensor> loaded = sampleTensors();
  ASSERT_TRUE(loadSafetensors(path, loaded).isOk());
  EXPECT_TRUE(loaded.empty());
}

/// Writes \p bytes to a new file. Always a new name: rewriting one file
/// in place makes ext4 flush it to disk on close (its replace-by-truncate
/// heuristic), which turns a thousand-file loop into seconds.
std::string scratchFile(const TempDir &dir, const std::string &bytes) {
  static int counter = 0;
  std::string path = dir.path("scratch" + std::to_string(counter++));
  writeFile(path, bytes);
  return path;
}

TEST(Safetensors, EveryTruncationIsAnError) {
  TempDir dir;
  std::string path = dir.path("full.safetensors");
  ASSERT_TRUE(saveSafetensors(path, sampleTensors(), {{"k", "v"}}).isOk());
  std::string full = readFile(path);
  for (size_t size = 0; size < full.size(); ++size) {
    std::string cut = scratchFile(dir, full.substr(0, size));
    std::vector<NamedTensor> loaded;
    EXPECT_FALSE(loadSafetensors(cut, loaded).isOk()) << "size " << size;
    std::filesystem::remove(cut);
  }
}

TEST(Safetensors, HeaderBitFlipsNeverCrash) {
  TempDir dir;
  std::string path = dir.path("full.safetensors");
  ASSERT_TRUE(saveSafetensors(path, sampleTensors(), {{"k", "v"}}).isOk());
  std::string full = readFile(path);
  uint64_t headerLength;
  std::memcpy(&headerLength, full.data(), 8);
  int rejected = 0, total = 0;
  // The length field and the header, every bit.
  for (size_t byte = 0; byte < 8 + headerLength; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bytes = full;
      bytes[byte] ^= static_cast<char>(1 << bit);
      std::string flipped = scratchFile(dir, bytes);
      std::vector<NamedTensor> loaded;
      Status s = loadSafetensors(flipped, loaded);
      std::filesystem::remove(flipped);
      ++total;
      if (!s.isOk()) {
        ++rejected;
        EXPECT_NE(s.message().find(flipped), std::string::npos);
        continue;
      }
      // Accepted only when still consistent (e.g. a renamed tensor): the
      // tensors account for exactly the data bytes.
      size_t dataBytes = 0;
      for (const NamedTensor &named : loaded)
        dataBytes += named.tensor.sizeInBytes();
      EXPECT_EQ(dataBytes, full.size() - 8 - headerLength);
    }
  }
  // Structure, dtype codes, digits and the length field all break the file.
  EXPECT_GT(rejected, total * 3 / 4);
}

TEST(Safetensors, MalformedHeaders) {
  TempDir dir;
  auto check = [&](const std::string &header, const std::string &expected,
                   const std::string &data = std::string(8, '\x01')) {
    std::string message = headerError(dir, header, data);
    EXPECT_NE(message.find(expected), std::string::npos)
        << "header: " << header << "\nmessage: " << message;
  };
  const std::string ok8 = "\"dtype\":\"F32\",\"shape\":[2],";
  check("[]", "must start with '{'");
  check(" {}", "must start with '{'");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[0,8]},}",
        "malformed safetensors header: expected a string key at offset");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[0,8]}} x",
        "unexpected text after the value");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[0,8]}", "expected ',' or '}'");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[0,8]},\"a\":{" + ok8 +
            "\"data_offsets\":[0,8]}}",
        "duplicate key 'a'");
  check("{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
        "tensor 'a': unsupported dtype 'F16' (supported: F32, F64, I32, I64, "
        "BOOL, U8)");
  check("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        "tensor 'a': shape [3] of f32 needs 12 bytes but data_offsets [0, 8] "
        "cover 8");
  check("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,8],"
        "\"data_offsets\":[0,8]}}",
        "needs more than 2^64 bytes");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[0,8],\"extra\":1}}",
        "tensor 'a': unexpected field 'extra'");
  check("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}",
        "tensor 'a': missing field 'shape'");
  check("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
        "'shape' must hold non-negative integers");
  check("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
        "'shape' must hold non-negative integers");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[8,0]}}",
        "'data_offsets' must be [begin, end] with begin <= end");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[0,8,9]}}",
        "'data_offsets' must be [begin, end]");
  check("{\"a\":[1]}", "tensor 'a': expected an object, found an array");
  check("{\"a\":{" + ok8 + "\"data_offsets\":[8,16]}}",
        "tensor 'a': data_offsets [8, 16] extend past the 8-byte data buffer");
  check("{\"a\":{\"dtype\":\"U8\",\"shape\":[6],\"data_offsets\":[0,6]},"
        "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}",
        "tensor 'b' (bytes [4, 8]) overlaps tensor 'a' (bytes [0, 6])");
  check("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}",
        "4 bytes of the data buffer before tensor 'a' belong to no tensor");
  check("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}",
        "4 unexpected bytes after the last tensor's data");
  check("{\"__metadata__\":{\"step\":3}}",
        "metadata 'step' must be a string, found an integer", "");
  check("{\"__metadata__\":[]}", "'__metadata__' must be an object", "");
  check("{\"a\xff\":{}}", "invalid UTF-8 in a string");
  check("{\"a\\ud800\":{}}", "unpaired high surrogate");
  check("{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}",
        "leading zero");
  check("{\"a\":{\"dtype\":\"F\n32\"}}", "control character in a string");
  check("{\"a\":{\"dtype\":tru}}", "expected a value");
  // Deep nesting is an error, not a stack overflow.
  check("{\"a\":" + std::string(100000, '['), "nesting deeper than 64");
}

TEST(Safetensors, BadLengthField) {
  TempDir dir;
  std::string path = dir.path("bad.safetensors");
  writeFile(path, "abc");
  EXPECT_NE(loadError(path).find("too short for the header length"),
            std::string::npos);
  std::string huge(8, '\xff');
  writeFile(path, huge + "{}");
  EXPECT_NE(loadError(path).find("header length 18446744073709551615 exceeds "
                                 "the 2 bytes after the length"),
            std::string::npos);
  EXPECT_NE(loadError(dir.path("missing")).find("cannot open file"),
            std::string::npos);
  EXPECT_NE(loadError(dir.dir()).find("not a regular file"), std::string::npos);
}

TEST(Safetensors, SaveRejectsBadInput) {
  TempDir dir;
  std::string path = dir.path("c.safetensors");
  Tensor t = Tensor::fromVector<float>({1}, {1});
  auto error = [&](const std::vector<NamedTensor> &tensors,
                   const Metadata &metadata = {}) {
    Status s = saveSafetensors(path, tensors, metadata);
    EXPECT_FALSE(s.isOk());
    return s.message();
  };
  EXPECT_EQ(error({{"w", t}, {"w", t}}), path + ": duplicate tensor name 'w'");
  EXPECT_EQ(error({{"w", Tensor()}}),
            path + ": tensor 'w' is empty (no storage)");
  EXPECT_EQ(error({{"__metadata__", t}}),
            path + ": '__metadata__' is reserved and cannot name a tensor");
  EXPECT_EQ(error({{"w\xc0", t}}),
            path + ": tensor name 'w\\xc0' is not valid UTF-8");
  EXPECT_EQ(error({{"w", t}}, {{"k", "\xff"}}),
            path + ": metadata value '\\xff' is not valid UTF-8");
  EXPECT_EQ(dir.list(), std::vector<std::string>{});
}

/// Saves a small checkpoint at \p path and returns its bytes.
std::string saveOriginal(const std::string &path) {
  EXPECT_TRUE(saveSafetensors(path,
                              {{"w", Tensor::fromVector<float>({2}, {1, 2})}},
                              {{"step", "1"}})
                  .isOk());
  return readFile(path);
}

TEST(Safetensors, FailedSaveLeavesOldFileIntact) {
  TempDir dir;
  std::string path = dir.path("c.safetensors");
  std::string original = saveOriginal(path);
  Tensor t = Tensor::fromVector<float>({1}, {1});
  EXPECT_FALSE(saveSafetensors(path, {{"w", t}, {"w", t}}).isOk());
  EXPECT_EQ(readFile(path), original);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"c.safetensors"});
}

TEST(Safetensors, WriteErrorMidSaveLeavesOldFileIntact) {
  TempDir dir;
  std::string path = dir.path("c.safetensors");
  std::string original = saveOriginal(path);
  // Limit file size so the write fails part way (EFBIG), as a full disk
  // would; the process must not be killed by SIGXFSZ.
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  struct rlimit limited = saved;
  limited.rlim_cur = 4096;
  auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  Status s = saveSafetensors(
      path, {{"big", Tensor::zeros(DType::F32, {1 << 16})}}, {{"step", "2"}});
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, oldHandler);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("write error: File too large"), std::string::npos)
      << s.message();
  EXPECT_EQ(readFile(path), original);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"c.safetensors"});
}

TEST(Safetensors, UnwritableDestination) {
  TempDir dir;
  Tensor t = Tensor::fromVector<float>({1}, {1});
  // Missing directory: nothing is created.
  std::string inMissing = dir.path("missing/c.safetensors");
  Status s = saveSafetensors(inMissing, {{"w", t}});
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("cannot create a temporary file"),
            std::string::npos);
  // The destination is a directory: rename fails, the temporary goes.
  std::filesystem::create_directory(dir.path("isdir"));
  s = saveSafetensors(dir.path("isdir"), {{"w", t}});
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("cannot replace the file"), std::string::npos);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"isdir"});
  EXPECT_TRUE(std::filesystem::is_empty(dir.path("isdir")));
}

TEST(Safetensors, OverwriteReplacesAndHonoursUmask) {
  TempDir dir;
  std::string path = dir.path("c.safetensors");
  saveOriginal(path);
  mode_t mask = umask(022);
  ASSERT_TRUE(saveSafetensors(path, sampleTensors()).isOk());
  umask(mask);
  std::vector<NamedTensor> loaded;
  ASSERT_TRUE(loadSafetensors(path, loaded).isOk());
  EXPECT_EQ(loaded.size(), sampleTensors().size());
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"c.safetensors"});
}

TEST(Safetensors, LoadIntoModelTensors) {
  TempDir dir;
  std::string path = dir.path("c.safetensors");
  Tensor w = Tensor::fromVector<float>({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::fromVector<float>({2}, {5, 6});
  ASSERT_TRUE(
      saveSafetensors(path, {{"fc.w", w}, {"fc.b", b}}, {{"epoch", "2"}})
          .isOk());
  Tensor w2 = Tensor::zeros(DType::F32, {2, 2});
  Tensor b2 = Tensor::zeros(DType::F32, {2});
  Metadata metadata;
  Status s = loadSafetensorsInto(path, {{"fc.b", b2}, {"fc.w", w2}}, &metadata);
  ASSERT_TRUE(s.isOk()) << s.message();
  expectSameTensor(w2, w);
  expectSameTensor(b2, b);
  EXPECT_EQ(metadata.at("epoch"), "2");
}

TEST(Safetensors, LoadIntoReportsMismatchesAndChangesNothing) {
  TempDir dir;
  std::string path = dir.path("c.safetensors");
  ASSERT_TRUE(saveSafetensors(
                  path, {{"fc1.bias", Tensor::zeros(DType::F32, {512})},
                         {"fc1.weight", Tensor::zeros(DType::F32, {512, 784})}})
                  .isOk());
  Tensor bias = Tensor::zeros(DType::F32, {512});
  bias.dataAs<float>()[0] = 7;
  auto error = [&](const std::vector<NamedTensor> &targets) {
    Status s = loadSafetensorsInto(path, targets);
    EXPECT_FALSE(s.isOk());
    return s.message();
  };
  // The bias matches and comes first, but is not overwritten.
  EXPECT_EQ(error({{"fc1.bias", bias},
                   {"fc1.weight", Tensor::zeros(DType::F32, {784, 512})}}),
            path + ": checkpoint tensor 'fc1.weight' has shape [512,784], "
                   "model expects [784,512]");
  EXPECT_EQ(bias.dataAs<float>()[0], 7);
  EXPECT_EQ(error({{"fc1.bias", bias},
                   {"fc1.weight", Tensor::zeros(DType::F64, {512, 784})}}),
            path + ": checkpoint tensor 'fc1.weight' has dtype f32, model "
                   "expects f64");
  EXPECT_EQ(error({{"fc1.bias", bias}, {"fc2.weight", bias}}),
            path + ": checkpoint does not match the model: missing tensors "
                   "'fc2.weight'; unexpected tensors 'fc1.weight'");
  Tensor strided = Tensor::zeros(DType::F32, {784, 512}).transposed({1, 0});
  EXPECT_EQ(error({{"fc1.bias", bias}, {"fc1.weight", strided}}),
            path + ": model tensor 'fc1.weight' is not contiguous");
  EXPECT_EQ(bias.dataAs<float>()[0], 7);
}

} // namespace
