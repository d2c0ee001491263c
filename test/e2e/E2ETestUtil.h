//===- E2ETestUtil.h - Shared helpers of the end-to-end numeric tests ----===//
//
// The end-to-end tests JIT-compile small Kiln graphs and compare what they
// compute with values computed independently in the test (a plain C++
// reference loop or hand-derived constants). This header provides:
//   * compileIR / invokeFn: AssertionResult wrappers around
//     kiln::compileKilnSource and CompiledModule::invoke, so that failures
//     print the compiler's or runtime's message;
//   * Rng: a seeded, deterministic generator (splitmix64) -- no std::
//     distributions, so the data is identical on every platform;
//   * expectTensor: shape + dtype + element comparison with tolerances,
//     reporting the first mismatching index.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_E2E_E2ETESTUTIL_H
#define KILN_TEST_E2E_E2ETESTUTIL_H

#include "frontend/Frontend.h"
#include "runtime/Runtime.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace kiln::e2e {

//===----------------------------------------------------------------------===//
// Compiling and invoking
//===----------------------------------------------------------------------===//

/// Compiles Kiln IR text; on failure the assertion carries the error text.
///   std::unique_ptr<kiln::CompiledModule> m;
///   ASSERT_TRUE(compileIR(ir, m));
inline ::testing::AssertionResult
compileIR(const std::string &ir, std::unique_ptr<CompiledModule> &module) {
  auto compiled = compileKilnSource(ir);
  if (!compiled)
    return ::testing::AssertionFailure()
           << "compileKilnSource failed:\n"
           << llvm::toString(compiled.takeError()) << "\n--- IR ---\n"
           << ir;
  module = std::move(*compiled);
  return ::testing::AssertionSuccess();
}

/// Invokes `name`; on failure the assertion carries the Status message.
inline ::testing::AssertionResult invokeFn(const CompiledModule &module,
                                           const std::string &name,
                                           const std::vector<Tensor> &inputs,
                                           std::vector<Tensor> &outputs) {
  outputs.clear();
  Status status = module.invoke(name, inputs, outputs);
  if (!status)
    return ::testing::AssertionFailure()
           << "invoke('" << name << "') failed: " << status.message();
  return ::testing::AssertionSuccess();
}

/// The MLIR spelling of the element type T ("f32", "i64", "i1", ...).
template <typename T> std::string mlirType() {
  return dtypeName(DTypeOf<T>::value);
}

/// Replaces every occurrence of `from` in `text` (e.g. "$T" -> "f32"), to
/// instantiate one IR template for several element types.
inline std::string replaceAll(std::string text, const std::string &from,
                              const std::string &to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

//===----------------------------------------------------------------------===//
// Deterministic data
//===----------------------------------------------------------------------===//

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, well distributed.
class Rng {
public:
  explicit Rng(uint64_t seed) : state(seed) {}

  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  /// Uniform integer in [lo, hi] (the tiny modulo bias is irrelevant here).
  int64_t uniformInt(int64_t lo, int64_t hi) {
    uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(next() % span);
  }

private:
  uint64_t state;
};

inline int64_t numElementsOf(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// `n` values uniform in [lo, hi) (floats) or [lo, hi] (integers).
template <typename T>
std::vector<T> randomValues(int64_t n, double lo, double hi, uint64_t seed) {
  Rng rng(seed);
  std::vector<T> values(static_cast<size_t>(n));
  for (T &v : values) {
    if constexpr (std::is_floating_point_v<T>)
      v = static_cast<T>(rng.uniform(lo, hi));
    else
      v = static_cast<T>(
          rng.uniformInt(static_cast<int64_t>(lo), static_cast<int64_t>(hi)));
  }
  return values;
}

/// A tensor of `shape` filled by randomValues.
template <typename T>
Tensor randomTensor(const std::vector<int64_t> &shape, double lo, double hi,
                    uint64_t seed) {
  return Tensor::fromVector<T>(
      shape, randomValues<T>(numElementsOf(shape), lo, hi, seed));
}

/// Copies a tensor's elements out (works for strided views too).
template <typename T> std::vector<T> toVector(const Tensor &tensor) {
  Tensor c = tensor.contiguous();
  std::vector<T> out(static_cast<size_t>(c.numElements()));
  if constexpr (std::is_same_v<T, bool>) {
    const auto *bytes = static_cast<const uint8_t *>(c.data());
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = bytes[i] != 0;
  } else {
    const T *data = c.dataAs<T>();
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = data[i];
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Row-major index helpers for reference loops
//===----------------------------------------------------------------------===//

inline std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The multi-index of row-major linear index `linear`.
inline std::vector<int64_t> unravel(int64_t linear,
                                    const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = shape[d] == 0 ? 0 : linear % shape[d];
    linear = shape[d] == 0 ? 0 : linear / shape[d];
  }
  return index;
}

inline std::string indexString(const std::vector<int64_t> &index) {
  std::string s = "[";
  for (size_t i = 0; i < index.size(); ++i)
    s += (i ? ", " : "") + std::to_string(index[i]);
  return s + "]";
}

/// Reference NumPy broadcast of `in` (shape `inShape`) to `outShape`.
template <typename T>
std::vector<T> broadcastRef(const std::vector<T> &in,
                            const std::vector<int64_t> &inShape,
                            const std::vector<int64_t> &outShape) {
  const int64_t lead = static_cast<int64_t>(outShape.size()) -
                       static_cast<int64_t>(inShape.size());
  const std::vector<int64_t> inStrides = stridesOf(inShape);
  std::vector<T> out(static_cast<size_t>(numElementsOf(outShape)));
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    std::vector<int64_t> index = unravel(i, outShape);
    int64_t offset = 0;
    for (size_t d = 0; d < inShape.size(); ++d)
      offset += (inShape[d] == 1 ? 0 : index[lead + d]) * inStrides[d];
    out[i] = in[offset];
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

struct Tol {
  double rtol;
  double atol;
};
constexpr Tol kF32{1e-5, 1e-6};
/// For transcendental functions in f32 (libm vs. the JIT's implementation).
constexpr Tol kF32Math{1e-5, 1e-6};
constexpr Tol kF64{1e-12, 1e-14};
constexpr Tol kExact{0, 0};

template <typename T> std::string valueString(T v) {
  std::ostringstream os;
  if constexpr (std::is_same_v<T, bool>)
    os << (v ? "true" : "false");
  else if constexpr (std::is_floating_point_v<T>)
    os.precision(std::numeric_limits<T>::max_digits10), os << v;
  else
    os << static_cast<int64_t>(v);
  return os.str();
}

/// Element equality within tolerance. NaN matches NaN; infinities must match
/// exactly; integers and booleans compare exactly.
template <typename T> bool closeEnough(T actual, T expected, Tol tol) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(expected))
      return std::isnan(actual);
    if (std::isinf(expected) || std::isinf(actual))
      return actual == expected;
    double diff =
        std::fabs(static_cast<double>(actual) - static_cast<double>(expected));
    return diff <=
           tol.atol + tol.rtol * std::fabs(static_cast<double>(expected));
  } else {
    return actual == expected;
  }
}

/// Checks dtype (deduced from T), shape and every element of `actual`;
/// reports the first mismatching index and how many elements differ.
template <typename T>
::testing::AssertionResult
matches(const Tensor &actual, const std::vector<int64_t> &shape,
        const std::vector<T> &expected,
        Tol tol = std::is_same_v<T, float>    ? kF32
                  : std::is_same_v<T, double> ? kF64
                                              : kExact) {
  constexpr DType dtype = DTypeOf<T>::value;
  if (actual.empty())
    return ::testing::AssertionFailure() << "result is an empty tensor";
  if (actual.dtype() != dtype || actual.shape() != shape)
    return ::testing::AssertionFailure()
           << "expected a " << typeString(dtype, shape) << " result, got "
           << typeString(actual.dtype(), actual.shape());
  if (static_cast<int64_t>(expected.size()) != numElementsOf(shape))
    return ::testing::AssertionFailure()
           << "test bug: " << expected.size() << " expected values for shape "
           << shapeString(shape);
  std::vector<T> got = toVector<T>(actual);
  int64_t firstBad = -1, numBad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (!closeEnough<T>(got[i], expected[i], tol)) {
      if (firstBad < 0)
        firstBad = static_cast<int64_t>(i);
      ++numBad;
    }
  }
  if (firstBad < 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << numBad << " of " << got.size() << " elements of "
         << typeString(dtype, shape) << " differ; first at linear index "
         << firstBad << " " << indexString(unravel(firstBad, shape)) << ": got "
         << valueString(got[firstBad]) << ", expected "
         << valueString(expected[firstBad]) << " (rtol " << tol.rtol
         << ", atol " << tol.atol << ")\n  got      " << actual.toString()
         << "";
}

/// Rounds double reference values to T (for references computed in double).
template <typename T> std::vector<T> castVector(const std::vector<double> &v) {
  std::vector<T> out(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    out[i] = static_cast<T>(v[i]);
  return out;
}

/// True when `haystack` contains `needle`; the assertion shows both.
inline ::testing::AssertionResult contains(const std::string &haystack,
                                           const std::string &needle) {
  if (haystack.find(needle) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "message does not contain \"" << needle << "\":\n  " << haystack;
}

/// Runs `check` (a callable returning ::testing::AssertionResult) in a
/// death-test child process and expects it to succeed. Used for known
/// compiler crashes: the crash fails only the calling test, not the whole
/// binary; the child's message (or signal) is shown on failure.
template <typename F> void expectSucceedsInChild(const char *what, F check) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ::testing::AssertionResult result = check();
        if (!result)
          std::fprintf(stderr, "%s\n", result.message());
        std::fflush(stderr);
        std::_Exit(result ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "")
      << what;
}

} // namespace kiln::e2e

#endif // KILN_TEST_E2E_E2ETESTUTIL_H
