//===- Tensor.cpp - Strided tensors over aligned storage ------------------===//

#include "runtime/Detail.h"
#include "runtime/Runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace kiln {

namespace {
constexpr size_t kAlignment = 64;
} // namespace

bool detail::computeNumElements(const std::vector<int64_t> &shape, DType dtype,
                                int64_t &numElements) {
  // Leave headroom so that rounding the allocation up to the alignment
  // cannot overflow either.
  const int64_t limit =
      (std::numeric_limits<int64_t>::max() - static_cast<int64_t>(kAlignment)) /
      static_cast<int64_t>(dtypeSize(dtype));
  int64_t nonZeroProduct = 1;
  bool hasZero = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    if (dim == 0) {
      hasZero = true;
      continue;
    }
    if (nonZeroProduct > limit / dim)
      return false;
    nonZeroProduct *= dim;
  }
  numElements = hasZero ? 0 : nonZeroProduct;
  return true;
}

std::vector<int64_t>
detail::contiguousStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t running = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = running;
    running *= shape[i];
  }
  return strides;
}

namespace {
/// Address of the element at \p index (one entry per dimension).
const char *elementAddress(const Tensor &tensor, const int64_t *index) {
  int64_t elementOffset = 0;
  for (int64_t d = 0, e = tensor.rank(); d != e; ++d)
    elementOffset += index[d] * tensor.strides()[d];
  return static_cast<const char *>(tensor.data()) +
         elementOffset * static_cast<int64_t>(dtypeSize(tensor.dtype()));
}

double loadAsDouble(const void *ptr, DType dtype) {
  switch (dtype) {
  case DType::F32: {
    float v;
    std::memcpy(&v, ptr, sizeof(v));
    return v;
  }
  case DType::F64: {
    double v;
    std::memcpy(&v, ptr, sizeof(v));
    return v;
  }
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, ptr, sizeof(v));
    return v;
  }
  case DType::I64: {
    int64_t v;
    std::memcpy(&v, ptr, sizeof(v));
    return static_cast<double>(v);
  }
  case DType::I1:
    return *static_cast<const uint8_t *>(ptr) != 0 ? 1.0 : 0.0;
  case DType::U8:
    return *static_cast<const uint8_t *>(ptr);
  }
  return std::nan("");
}

std::string formatFloat(double value) {
  // printf may print "-nan"; numpy prints "nan".
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.6g", value);
  return buffer;
}

std::string formatElement(const void *ptr, DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::F64:
    return formatFloat(loadAsDouble(ptr, dtype));
  case DType::I32: {
    int32_t v;
    std::memcpy(&v, ptr, sizeof(v));
    return std::to_string(v);
  }
  case DType::I64: {
    // Not via double, which would lose precision above 2^53.
    int64_t v;
    std::memcpy(&v, ptr, sizeof(v));
    return std::to_string(v);
  }
  case DType::I1:
    return *static_cast<const uint8_t *>(ptr) != 0 ? "true" : "false";
  case DType::U8:
    return std::to_string(*static_cast<const uint8_t *>(ptr));
  }
  return "?";
}

// NumPy's layout: elements of the innermost dimension on one line, each
// row of a matrix on its own line, blank lines between higher blocks; long
// dimensions summarized as "first ..., last" when `summarize` is set.
void formatDim(const Tensor &tensor, int64_t dim, std::vector<int64_t> &index,
               int64_t edgeItems, bool summarize, std::string &out) {
  if (dim == tensor.rank()) {
    out += formatElement(elementAddress(tensor, index.data()), tensor.dtype());
    return;
  }
  int64_t size = tensor.shape()[dim];
  // size > 2 * edgeItems, written so that it cannot overflow.
  bool shorten = summarize && edgeItems > 0 && edgeItems <= (size - 1) / 2;
  int64_t inner = tensor.rank() - dim - 1;
  std::string separator =
      inner == 0 ? ", "
                 : "," + std::string(inner, '\n') + std::string(dim + 1, ' ');
  out += '[';
  auto emit = [&](int64_t i, bool first) {
    if (!first)
      out += separator;
    index[dim] = i;
    formatDim(tensor, dim + 1, index, edgeItems, summarize, out);
  };
  if (shorten) {
    for (int64_t i = 0; i < edgeItems; ++i)
      emit(i, i == 0);
    out += separator + "...";
    for (int64_t i = size - edgeItems; i < size; ++i)
      emit(i, false);
  } else {
    for (int64_t i = 0; i < size; ++i)
      emit(i, i == 0);
  }
  out += ']';
}
} // namespace

void detail::copyToContiguous(const Tensor &src, void *dst) {
  if (src.numElements() == 0)
    return;
  size_t elemSize = dtypeSize(src.dtype());
  auto *out = static_cast<char *>(dst);
  if (src.rank() == 0) {
    std::memcpy(out, src.data(), elemSize);
    return;
  }
  // Walk every row of the innermost dimension with an odometer over the
  // outer dimensions.
  int64_t rank = src.rank();
  int64_t rowLength = src.shape()[rank - 1];
  int64_t innerStride = src.strides()[rank - 1];
  size_t rowBytes = static_cast<size_t>(rowLength) * elemSize;
  std::vector<int64_t> index(rank, 0);
  while (true) {
    const char *row = elementAddress(src, index.data());
    if (innerStride == 1) {
      std::memcpy(out, row, rowBytes);
    } else {
      for (int64_t i = 0; i < rowLength; ++i)
        std::memcpy(out + i * elemSize,
                    row + i * innerStride * static_cast<int64_t>(elemSize),
                    elemSize);
    }
    out += rowBytes;
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      if (++index[d] < src.shape()[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

Tensor Tensor::zeros(DType dtype, std::vector<int64_t> shape) {
  int64_t numElements;
  if (!detail::computeNumElements(shape, dtype, numElements))
    return Tensor();
  size_t bytes = static_cast<size_t>(numElements) * dtypeSize(dtype);
  // aligned_alloc needs a non-zero multiple of the alignment.
  size_t allocBytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (allocBytes == 0)
    allocBytes = kAlignment;
  void *storage = std::aligned_alloc(kAlignment, allocBytes);
  if (!storage)
    return Tensor();
  std::memset(storage, 0, allocBytes);

  Tensor result;
  result.storage_ =
      std::shared_ptr<void>(storage, [](void *p) { std::free(p); });
  result.dtype_ = dtype;
  result.strides_ = detail::contiguousStrides(shape);
  result.shape_ = std::move(shape);
  result.numElements_ = numElements;
  return result;
}

Tensor Tensor::fromData(DType dtype, std::vector<int64_t> shape,
                        const void *data) {
  Tensor result = zeros(dtype, std::move(shape));
  if (result.empty() || result.numElements() == 0)
    return result;
  if (!data)
    return Tensor();
  std::memcpy(result.data(), data, result.sizeInBytes());
  return result;
}

void *Tensor::data() {
  if (!storage_)
    return nullptr;
  return static_cast<char *>(storage_.get()) +
         offset_ * static_cast<int64_t>(dtypeSize(dtype_));
}

const void *Tensor::data() const { return const_cast<Tensor *>(this)->data(); }

bool Tensor::isContiguous() const {
  if (numElements_ == 0)
    return true;
  int64_t expected = 1;
  for (int64_t d = rank() - 1; d >= 0; --d) {
    if (shape_[d] != 1 && strides_[d] != expected)
      return false;
    expected *= shape_[d];
  }
  return true;
}

Tensor Tensor::contiguous() const {
  if (isContiguous())
    return *this;
  Tensor result = zeros(dtype_, shape_);
  if (result.empty())
    return result;
  detail::copyToContiguous(*this, result.data());
  return result;
}

Tensor Tensor::transposed(const std::vector<int64_t> &perm) const {
  if (empty() || static_cast<int64_t>(perm.size()) != rank())
    return Tensor();
  std::vector<bool> seen(perm.size(), false);
  Tensor result = *this;
  for (size_t i = 0, e = perm.size(); i != e; ++i) {
    int64_t p = perm[i];
    if (p < 0 || p >= rank() || seen[p])
      return Tensor();
    seen[p] = true;
    result.shape_[i] = shape_[p];
    result.strides_[i] = strides_[p];
  }
  return result;
}

double Tensor::getAsDouble(int64_t linearIndex) const {
  if (linearIndex < 0 || linearIndex >= numElements_)
    return std::nan("");
  std::vector<int64_t> index(shape_.size());
  for (int64_t d = rank() - 1; d >= 0; --d) {
    index[d] = linearIndex % shape_[d];
    linearIndex /= shape_[d];
  }
  return loadAsDouble(elementAddress(*this, index.data()), dtype_);
}

std::string Tensor::toString(int64_t edgeItems) const {
  if (empty())
    return "<empty>";
  std::string out;
  std::vector<int64_t> index(shape_.size(), 0);
  // As NumPy: print everything up to 1000 elements, summarize beyond.
  bool summarize = numElements_ > 1000;
  formatDim(*this, 0, index, edgeItems, summarize, out);
  return out;
}

} // namespace kiln
