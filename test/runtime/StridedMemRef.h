//===- StridedMemRef.h - MLIR's memref descriptor layout --------*- C++ -*-===//
//
// A copy of the layout of mlir::StridedMemRefType (mlir/ExecutionEngine/
// CRunnerUtils.h), so that the tests can play the compiled callee without
// depending on MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_RUNTIME_STRIDEDMEMREF_H
#define KILN_TEST_RUNTIME_STRIDEDMEMREF_H

#include <cstdint>

template <typename T, int N> struct StridedMemRef {
  T *allocated;
  T *aligned;
  int64_t offset;
  int64_t sizes[N];
  int64_t strides[N];
};

template <typename T> struct StridedMemRef<T, 0> {
  T *allocated;
  T *aligned;
  int64_t offset;
};

/// The descriptor behind argument \p i of a packed call.
template <typename T, int N>
StridedMemRef<T, N> &packedArg(void **args, int i) {
  return **static_cast<StridedMemRef<T, N> **>(args[i]);
}

#endif // KILN_TEST_RUNTIME_STRIDEDMEMREF_H
