//===- MemRef.cpp - MLIR memref descriptors for tensors -------------------===//

#include "runtime/Detail.h"

#include <cstring>

namespace kiln {

// The descriptor stores pointers in 64-bit words, as MLIR does on 64-bit
// targets.
static_assert(sizeof(void *) == sizeof(int64_t),
              "the Kiln runtime assumes 64-bit pointers");

namespace {
int64_t pointerWord(void *ptr) {
  int64_t word;
  std::memcpy(&word, &ptr, sizeof(word));
  return word;
}
} // namespace

MemRefDescriptor::MemRefDescriptor(Tensor &tensor) {
  words_.reserve(3 + 2 * tensor.shape().size());
  // The storage base is 64-byte aligned, so it serves as the aligned pointer
  // too and the view's position is carried by the offset.
  words_.push_back(pointerWord(tensor.allocatedPtr()));
  words_.push_back(pointerWord(tensor.allocatedPtr()));
  words_.push_back(tensor.offset());
  words_.insert(words_.end(), tensor.shape().begin(), tensor.shape().end());
  words_.insert(words_.end(), tensor.strides().begin(), tensor.strides().end());
}

Tensor tensorFromMemRef(DType dtype, int64_t rank, const void *descriptor) {
  if (!descriptor || rank < 0)
    return Tensor();
  const auto *words = static_cast<const int64_t *>(descriptor);
  std::vector<int64_t> shape(words + 3, words + 3 + rank);
  Tensor result = Tensor::zeros(dtype, shape); // empty for negative sizes
  if (result.empty() || result.numElements() == 0)
    return result;
  if (words[1] == 0) // no data behind a non-empty view
    return Tensor();
  MemRefDescriptor target(result);
  detail::UnrankedDescriptor from{rank, const_cast<void *>(descriptor)};
  detail::UnrankedDescriptor to{rank, target.get()};
  memrefCopy(static_cast<int64_t>(dtypeSize(dtype)), &from, &to);
  return result;
}

} // namespace kiln
