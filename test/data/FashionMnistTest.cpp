//===- FashionMnistTest.cpp - (Fashion-)MNIST loading tests ---------------===//

#include "DataTestUtil.h"
#include "runtime/data/Data.h"

#include <array>
#include <cmath>
#include <gtest/gtest.h>

using namespace kiln;
using kiln::test::TempDir;
using kiln::test::writeFile;
using kiln::test::writeGzip;

namespace {

/// Checks shapes, pixel range and the label histogram of a real split.
void checkSplit(const ImageDataset &data, int64_t n) {
  EXPECT_EQ(data.size(), n);
  EXPECT_EQ(data.images.dtype(), DType::F32);
  EXPECT_EQ(data.images.shape(), (std::vector<int64_t>{n, 1, 28, 28}));
  EXPECT_EQ(data.labels.dtype(), DType::I64);
  EXPECT_EQ(data.labels.shape(), (std::vector<int64_t>{n}));
  const float *pixels = data.images.dataAs<float>();
  float lo = 1, hi = 0;
  int64_t notMultiple = 0;
  for (int64_t i = 0, e = data.images.numElements(); i < e; ++i) {
    lo = std::min(lo, pixels[i]);
    hi = std::max(hi, pixels[i]);
    float scaled = pixels[i] * 255.0f;
    notMultiple += std::fabs(scaled - std::round(scaled)) > 1e-3f;
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
  EXPECT_EQ(notMultiple, 0) << "pixels are not k / 255";
  std::array<int64_t, 10> histogram{};
  const int64_t *labels = data.labels.dataAs<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_GE(labels[i], 0);
    ASSERT_LT(labels[i], 10);
    ++histogram[labels[i]];
  }
  for (int64_t count : histogram)
    EXPECT_EQ(count, n / 10);
}

TEST(FashionMnist, TrainSplit) {
  ImageDataset data;
  Status s = loadFashionMnist(DatasetSplit::Train, data);
  ASSERT_TRUE(s.isOk()) << s.message();
  checkSplit(data, 60000);
  EXPECT_EQ(data.labels.dataAs<int64_t>()[0], 9);
  EXPECT_STREQ(fashionMnistClassName(9), "Ankle boot");
  EXPECT_STREQ(fashionMnistClassName(0), "T-shirt/top");
}

TEST(FashionMnist, TestSplit) {
  ImageDataset data;
  Status s = loadFashionMnist(DatasetSplit::Test, data);
  ASSERT_TRUE(s.isOk()) << s.message();
  checkSplit(data, 10000);
}

TEST(FashionMnist, MissingDatasetNamesThePackage) {
  TempDir dir;
  ImageDataset data;
  Status s = loadFashionMnist(DatasetSplit::Train, data, dir.path("absent"));
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("apt-get install dataset-fashion-mnist"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("train-images-idx3-ubyte"), std::string::npos);
  EXPECT_TRUE(data.images.empty());
}

/// A synthetic MNIST-format split in \p dir: n images of 2x3 pixels.
void writeSplit(const TempDir &dir, const std::string &prefix,
                std::vector<uint8_t> labels, int64_t numImages, bool gzip) {
  auto idx = [](uint8_t rank, std::vector<uint8_t> dims) {
    std::string out = {0, 0, 8, static_cast<char>(rank)};
    for (uint8_t dim : dims)
      out += std::string{0, 0, 0, static_cast<char>(dim)};
    return out;
  };
  std::string images = idx(3, {static_cast<uint8_t>(numImages), 2, 3});
  for (int64_t i = 0; i < numImages * 6; ++i)
    images += static_cast<char>(i % 2 ? 255 : 51);
  std::string labelBytes = idx(1, {static_cast<uint8_t>(labels.size())});
  labelBytes.append(labels.begin(), labels.end());
  if (gzip) {
    writeGzip(dir.path(prefix + "-images-idx3-ubyte.gz"), images);
    writeGzip(dir.path(prefix + "-labels-idx1-ubyte.gz"), labelBytes);
  } else {
    writeFile(dir.path(prefix + "-images-idx3-ubyte"), images);
    writeFile(dir.path(prefix + "-labels-idx1-ubyte"), labelBytes);
  }
}

TEST(MnistFormat, SyntheticRawAndGzip) {
  TempDir dir;
  writeSplit(dir, "train", {3, 1, 4}, 3, /*gzip=*/true);
  writeSplit(dir, "t10k", {9}, 1, /*gzip=*/false);
  ImageDataset train, test;
  ASSERT_TRUE(loadMnistFormat(dir.dir(), DatasetSplit::Train, train).isOk());
  ASSERT_TRUE(loadMnistFormat(dir.dir(), DatasetSplit::Test, test).isOk());
  EXPECT_EQ(train.images.shape(), (std::vector<int64_t>{3, 1, 2, 3}));
  EXPECT_EQ(train.labels.dataAs<int64_t>()[2], 4);
  EXPECT_FLOAT_EQ(train.images.dataAs<float>()[0], 0.2f);
  EXPECT_FLOAT_EQ(train.images.dataAs<float>()[1], 1.0f);
  EXPECT_EQ(test.size(), 1);
  // Not 28x28, so not Fashion-MNIST.
  Status s = loadFashionMnist(DatasetSplit::Train, train, dir.dir());
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("28x28, found 2x3"), std::string::npos);
}

TEST(MnistFormat, CountMismatch) {
  TempDir dir;
  writeSplit(dir, "train", {3, 1}, 3, true);
  ImageDataset data;
  Status s = loadMnistFormat(dir.dir(), DatasetSplit::Train, data);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("holds 3 images but"), std::string::npos);
  EXPECT_NE(s.message().find("holds 2 labels"), std::string::npos);
}

TEST(MnistFormat, LabelOutOfRange) {
  TempDir dir;
  writeSplit(dir, "train", {3, 10}, 2, true);
  ImageDataset data;
  Status s = loadMnistFormat(dir.dir(), DatasetSplit::Train, data);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("train-labels-idx1-ubyte.gz: label 10 of sample "
                             "1 is not in [0, 10)"),
            std::string::npos)
      << s.message();
  EXPECT_TRUE(loadMnistFormat(dir.dir(), DatasetSplit::Train, data, 11).isOk());
}

TEST(MnistFormat, WrongElementTypeOrRank) {
  TempDir dir;
  writeSplit(dir, "train", {1}, 1, false);
  // Labels as a 1x1 matrix.
  writeFile(dir.path("train-labels-idx1-ubyte"),
            std::string{0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 1});
  ImageDataset data;
  Status s = loadMnistFormat(dir.dir(), DatasetSplit::Train, data);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("expected labels as u8 [N], found 1x1xu8"),
            std::string::npos)
      << s.message();
}

} // namespace
