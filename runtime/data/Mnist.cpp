//===- Mnist.cpp - MNIST-format image datasets ----------------------------===//
//
// MNIST and Fashion-MNIST share one layout: a u8 IDX images file [N, H, W]
// and a u8 IDX labels file [N] per split. The images are converted the way
// torchvision's ToTensor does (f32, pixel / 255, a channel dimension), the
// labels to i64, which is what a softmax cross-entropy with integer labels
// takes.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"
#include "runtime/data/Detail.h"

#include <filesystem>

namespace kiln {

using data_detail::fail;

namespace {

/// \p dir/\p stem.gz if it exists, else \p dir/\p stem; "" if neither does.
std::string findFile(const std::string &dir, const std::string &stem) {
  std::filesystem::path base = std::filesystem::path(dir) / stem;
  std::error_code ec;
  for (const std::string &candidate : {base.string() + ".gz", base.string()})
    if (std::filesystem::exists(candidate, ec))
      return candidate;
  return std::string();
}

/// The images and labels file names of \p split, without ".gz".
std::pair<std::string, std::string> fileStems(DatasetSplit split) {
  std::string prefix = split == DatasetSplit::Train ? "train" : "t10k";
  return {prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"};
}

/// The path of the first missing file of \p split, or "".
std::string missingFile(const std::string &dir, DatasetSplit split) {
  auto [imagesStem, labelsStem] = fileStems(split);
  for (const std::string &stem : {imagesStem, labelsStem})
    if (findFile(dir, stem).empty())
      return (std::filesystem::path(dir) / stem).string() + "[.gz]";
  return std::string();
}

/// Reads \p path, which must hold a u8 tensor of rank \p rank (\p expected
/// describes it for the error).
Status readU8(const std::string &path, const char *expected, size_t rank,
              Tensor &out) {
  if (Status s = readIdx(path, out); !s)
    return s;
  if (out.dtype() != DType::U8 || static_cast<size_t>(out.rank()) != rank)
    return fail(path, std::string("expected ") + expected + ", found " +
                          typeString(out.dtype(), out.shape()));
  return Status::ok();
}

} // namespace

Status loadMnistFormat(const std::string &dir, DatasetSplit split,
                       ImageDataset &out, int64_t numClasses) {
  if (numClasses < 1 || numClasses > 256)
    return Status::error("loadMnistFormat: numClasses must be in [1, 256], "
                         "got " +
                         std::to_string(numClasses));
  if (std::string missing = missingFile(dir, split); !missing.empty())
    return fail(missing, "dataset file not found");
  auto [imagesStem, labelsStem] = fileStems(split);
  std::string imagesPath = findFile(dir, imagesStem);
  std::string labelsPath = findFile(dir, labelsStem);

  Tensor pixels, labelBytes;
  if (Status s = readU8(imagesPath, "images as u8 [N, H, W]", 3, pixels); !s)
    return s;
  if (Status s = readU8(labelsPath, "labels as u8 [N]", 1, labelBytes); !s)
    return s;
  int64_t n = pixels.shape()[0];
  if (labelBytes.shape()[0] != n)
    return Status::error(imagesPath + " holds " + std::to_string(n) +
                         " images but " + labelsPath + " holds " +
                         std::to_string(labelBytes.shape()[0]) + " labels");

  const uint8_t *labelData = labelBytes.dataAs<uint8_t>();
  Tensor labels = Tensor::zeros(DType::I64, {n});
  Tensor images =
      Tensor::zeros(DType::F32, {n, 1, pixels.shape()[1], pixels.shape()[2]});
  if (labels.empty() || images.empty())
    return fail(imagesPath, "cannot allocate the converted dataset");
  int64_t *labelOut = labels.dataAs<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    if (labelData[i] >= numClasses)
      return fail(labelsPath, "label " + std::to_string(labelData[i]) +
                                  " of sample " + std::to_string(i) +
                                  " is not in [0, " +
                                  std::to_string(numClasses) + ")");
    labelOut[i] = labelData[i];
  }
  const uint8_t *pixelData = pixels.dataAs<uint8_t>();
  float *imageOut = images.dataAs<float>();
  for (int64_t i = 0, e = pixels.numElements(); i < e; ++i)
    imageOut[i] = static_cast<float>(pixelData[i]) / 255.0f;
  out.images = std::move(images);
  out.labels = std::move(labels);
  return Status::ok();
}

Status loadFashionMnist(DatasetSplit split, ImageDataset &out,
                        const std::string &dir) {
  if (std::string missing = missingFile(dir, split); !missing.empty())
    return fail(missing, "Fashion-MNIST not found (install it with: apt-get "
                         "install dataset-fashion-mnist)");
  ImageDataset result;
  if (Status s = loadMnistFormat(dir, split, result); !s)
    return s;
  const std::vector<int64_t> &shape = result.images.shape();
  if (shape[2] != 28 || shape[3] != 28)
    return fail(dir, "Fashion-MNIST images are 28x28, found " +
                         std::to_string(shape[2]) + "x" +
                         std::to_string(shape[3]));
  out = std::move(result);
  return Status::ok();
}

const char *fashionMnistClassName(int64_t label) {
  static const char *const names[] = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return label >= 0 && label < 10 ? names[label] : "<invalid label>";
}

} // namespace kiln
