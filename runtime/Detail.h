//===- Detail.h - Kiln runtime internals ------------------------*- C++ -*-===//
//
// Helpers shared by the runtime's source files; not part of the public API.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DETAIL_H
#define KILN_RUNTIME_DETAIL_H

#include "runtime/Runtime.h"

namespace kiln {
namespace detail {

/// Computes the element count of \p shape. Fails for a negative dimension or
/// when the bytes needed (even ignoring zero dimensions, so that C-order
/// strides cannot overflow either) would not fit comfortably in int64_t.
bool computeNumElements(const std::vector<int64_t> &shape, DType dtype,
                        int64_t &numElements);

/// C-order strides, in elements, of a valid shape.
std::vector<int64_t> contiguousStrides(const std::vector<int64_t> &shape);

/// Copies the elements of a non-empty \p src in C order into \p dst, which
/// must hold src.sizeInBytes() bytes.
void copyToContiguous(const Tensor &src, void *dst);

/// MLIR's unranked memref: the rank and a pointer to a ranked descriptor.
struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
};

} // namespace detail
} // namespace kiln

/// Strided copy between two memrefs of the same shape; compiled code calls
/// it (MemRefCopy.c).
extern "C" void memrefCopy(int64_t elementSize,
                           kiln::detail::UnrankedDescriptor *source,
                           kiln::detail::UnrankedDescriptor *target);

#endif // KILN_RUNTIME_DETAIL_H
