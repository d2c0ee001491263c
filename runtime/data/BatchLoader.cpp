//===- BatchLoader.cpp - Seeded, resumable minibatches --------------------===//
//
// The order of epoch e is a function of (seed, e) alone, computed with our
// own generator (splitmix64) and Fisher-Yates with rejection sampling rather
// than std::shuffle and std::uniform_int_distribution, whose results differ
// between standard libraries. That is what lets a run resume from a
// checkpoint mid-epoch and see exactly the batches it would have seen.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace kiln {

namespace {

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Uniform in [0, bound): draws below 2^64 mod bound are rejected, so every
/// residue is equally likely.
uint64_t uniformBelow(uint64_t &state, uint64_t bound) {
  uint64_t threshold = (0 - bound) % bound;
  while (true) {
    uint64_t draw = splitmix64(state);
    if (draw >= threshold)
      return draw % bound;
  }
}

void fillOrder(std::vector<int64_t> &order, int64_t n, bool shuffle,
               uint64_t seed, int64_t epoch) {
  order.resize(static_cast<size_t>(std::max<int64_t>(n, 0)));
  std::iota(order.begin(), order.end(), int64_t(0));
  if (!shuffle)
    return;
  // Mixing the seed before adding the epoch keeps (seed, epoch + 1) and
  // (seed + 1, epoch) from sharing a stream.
  uint64_t state = seed;
  state = splitmix64(state) ^
          (static_cast<uint64_t>(epoch) * 0xd1b54a32d192ed03ULL);
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j =
        static_cast<int64_t>(uniformBelow(state, static_cast<uint64_t>(i) + 1));
    std::swap(order[i], order[j]);
  }
}

std::vector<int64_t> withLeading(const std::vector<int64_t> &shape,
                                 int64_t leading) {
  std::vector<int64_t> result = shape;
  result[0] = leading;
  return result;
}

} // namespace

std::vector<int64_t> shuffledOrder(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order;
  fillOrder(order, n, /*shuffle=*/true, seed, epoch);
  return order;
}

Status BatchLoader::create(Tensor inputs, Tensor labels,
                           BatchLoaderOptions options, BatchLoader &out) {
  auto fail = [](const std::string &what) {
    return Status::error("batch loader: " + what);
  };
  if (options.batchSize < 1)
    return fail("batch size must be positive, got " +
                std::to_string(options.batchSize));
  for (const auto &[tensor, name] :
       {std::pair(&inputs, "inputs"), std::pair(&labels, "labels")})
    if (tensor->empty() || tensor->rank() == 0)
      return fail(std::string(name) +
                  " must have a leading sample dimension, got " +
                  (tensor->empty() ? std::string("an empty tensor")
                                   : typeString(tensor->dtype(), {})));
  int64_t n = inputs.shape()[0];
  if (labels.shape()[0] != n)
    return fail("inputs " + typeString(inputs.dtype(), inputs.shape()) +
                " and labels " + typeString(labels.dtype(), labels.shape()) +
                " have different numbers of samples");
  if (n == 0)
    return fail("the dataset has no samples");
  if (options.lastBatch == LastBatch::Drop && options.batchSize > n)
    return fail("batch size " + std::to_string(options.batchSize) +
                " exceeds the " + std::to_string(n) +
                " samples, so dropping the last partial batch leaves none");

  BatchLoader loader;
  loader.inputs_ = inputs.contiguous();
  loader.labels_ = labels.contiguous();
  loader.options_ = options;
  loader.numSamples_ = n;
  loader.inputRowBytes_ = inputs.sizeInBytes() / static_cast<size_t>(n);
  loader.labelRowBytes_ = labels.sizeInBytes() / static_cast<size_t>(n);
  int64_t b = options.batchSize;
  loader.full_.inputs =
      Tensor::zeros(inputs.dtype(), withLeading(inputs.shape(), b));
  loader.full_.labels =
      Tensor::zeros(labels.dtype(), withLeading(labels.shape(), b));
  bool ok = !loader.inputs_.empty() && !loader.labels_.empty() &&
            !loader.full_.inputs.empty() && !loader.full_.labels.empty();
  if (options.lastBatch == LastBatch::Keep && n % b != 0) {
    loader.partial_.inputs =
        Tensor::zeros(inputs.dtype(), withLeading(inputs.shape(), n % b));
    loader.partial_.labels =
        Tensor::zeros(labels.dtype(), withLeading(labels.shape(), n % b));
    ok = ok && !loader.partial_.inputs.empty() &&
         !loader.partial_.labels.empty();
  }
  if (!ok)
    return fail("cannot allocate the batch buffers");
  loader.order_.reserve(static_cast<size_t>(n));
  out = std::move(loader);
  return Status::ok();
}

int64_t BatchLoader::batchesPerEpoch() const {
  int64_t b = options_.batchSize;
  return options_.lastBatch == LastBatch::Drop ? numSamples_ / b
                                               : (numSamples_ + b - 1) / b;
}

void BatchLoader::startEpoch(int64_t epoch, int64_t firstBatch) {
  fillOrder(order_, numSamples_, options_.shuffle, options_.seed, epoch);
  full_.epoch = partial_.epoch = epoch;
  nextBatch_ = std::clamp<int64_t>(firstBatch, 0, batchesPerEpoch());
}

const Batch *BatchLoader::next() {
  if (order_.empty() || nextBatch_ >= batchesPerEpoch())
    return nullptr;
  int64_t first = nextBatch_ * options_.batchSize;
  int64_t count = std::min(options_.batchSize, numSamples_ - first);
  Batch &batch =
      count < options_.batchSize && options_.lastBatch == LastBatch::Keep
          ? partial_
          : full_;
  fill(batch, first, count);
  batch.size = count;
  batch.index = nextBatch_++;
  return &batch;
}

void BatchLoader::fill(Batch &batch, int64_t first, int64_t count) {
  auto *inputsOut = static_cast<char *>(batch.inputs.data());
  auto *labelsOut = static_cast<char *>(batch.labels.data());
  const auto *inputsIn = static_cast<const char *>(inputs_.data());
  const auto *labelsIn = static_cast<const char *>(labels_.data());
  for (int64_t row = 0; row < count; ++row) {
    size_t sample = static_cast<size_t>(order_[first + row]);
    std::memcpy(inputsOut + row * inputRowBytes_,
                inputsIn + sample * inputRowBytes_, inputRowBytes_);
    std::memcpy(labelsOut + row * labelRowBytes_,
                labelsIn + sample * labelRowBytes_, labelRowBytes_);
  }
  // Pad: the rows past the real samples are zero, not a previous batch.
  int64_t rows = batch.inputs.shape()[0];
  if (count < rows) {
    std::memset(inputsOut + count * inputRowBytes_, 0,
                (rows - count) * inputRowBytes_);
    std::memset(labelsOut + count * labelRowBytes_, 0,
                (rows - count) * labelRowBytes_);
  }
}

} // namespace kiln
