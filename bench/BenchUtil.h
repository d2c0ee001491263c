//===- BenchUtil.h - Operands and comparisons of the kernel benchmarks ----===//
//
// What kiln-bench-gemm and kiln-bench-conv share: reproducible random
// operands, and the largest difference between Kiln's result and the
// peer's, which their --check modes bound.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_BENCHUTIL_H
#define KILN_BENCH_BENCHUTIL_H

#include "runtime/Runtime.h"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace kiln::bench {

/// A contiguous f32 tensor of `shape`, values in [-1, 1) from a linear
/// congruential stream that `seed` selects.
inline Tensor randomTensor(std::vector<int64_t> shape, uint64_t seed) {
  Tensor t = Tensor::zeros(DType::F32, std::move(shape));
  float *p = t.dataAs<float>();
  uint64_t state = seed * 0x9E3779B97F4A7C15ull;
  for (int64_t i = 0; i < t.numElements(); ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = static_cast<float>((state >> 40) * 0x1p-24 * 2.0 - 1.0);
  }
  return t;
}

/// Largest |a[i] - b[i]| over `n` elements; a NaN counts as infinite.
inline double maxAbsDifference(const float *a, const float *b, int64_t n) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double e = std::fabs(static_cast<double>(a[i]) - b[i]);
    worst = e <= worst ? worst : (std::isnan(e) ? INFINITY : e);
  }
  return worst;
}

} // namespace kiln::bench

#endif // KILN_BENCH_BENCHUTIL_H
