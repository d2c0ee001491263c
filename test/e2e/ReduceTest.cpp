//===- ReduceTest.cpp - reduce_sum, reduce_mean, reduce_max
//----------------===//

#include "E2ETestUtil.h"

#include <algorithm>

using namespace kiln;
using namespace kiln::e2e;

namespace {

enum class Kind { Sum, Mean, Max };

/// Reference reduction over `axes`; `outShape` gets the result shape
/// (reduced dims removed, or kept as 1 with keepdims). Floats accumulate in
/// double; integers wrap.
template <typename T>
std::vector<T> reduceRef(const std::vector<T> &in,
                         const std::vector<int64_t> &shape,
                         const std::vector<int64_t> &axes, bool keepdims,
                         Kind kind, std::vector<int64_t> &outShape) {
  auto reduced = [&](int64_t d) {
    return std::find(axes.begin(), axes.end(), d) != axes.end();
  };
  std::vector<int64_t> keptShape; // with size-1 reduced dims
  int64_t count = 1;
  outShape.clear();
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (reduced(d)) {
      count *= shape[d];
      keptShape.push_back(1);
      if (keepdims)
        outShape.push_back(1);
    } else {
      keptShape.push_back(shape[d]);
      outShape.push_back(shape[d]);
    }
  }
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
  const int64_t n = numElementsOf(keptShape);
  std::vector<Acc> acc(static_cast<size_t>(n));
  std::vector<bool> first(static_cast<size_t>(n), true);
  std::vector<int64_t> keptStrides = stridesOf(keptShape);
  for (int64_t i = 0; i < static_cast<int64_t>(in.size()); ++i) {
    std::vector<int64_t> idx = unravel(i, shape);
    int64_t o = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      o += (reduced(d) ? 0 : idx[d]) * keptStrides[d];
    Acc v = static_cast<Acc>(in[i]);
    if (kind == Kind::Max) {
      acc[o] = first[o] ? v : std::max(acc[o], v);
    } else if constexpr (std::is_floating_point_v<T>) {
      acc[o] = first[o] ? v : acc[o] + v;
    } else {
      using U = std::make_unsigned_t<T>;
      acc[o] = first[o]
                   ? v
                   : static_cast<T>(static_cast<U>(acc[o]) + static_cast<U>(v));
    }
    first[o] = false;
  }
  std::vector<T> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<T>(
        kind == Kind::Mean ? acc[i] / static_cast<Acc>(count) : acc[i]);
  return out;
}

/// Tolerance for an f32 sum of up to ~60 values in [-1, 1].
constexpr Tol kSumF32{1e-5, 1e-5};

/// One module per element type with every reduction shape of 3x4x5.
std::string reduceModule(const std::string &op, const std::string &type) {
  std::string ir = R"(
func.func @r(%x: tensor<3x4x5x$T>)
    -> (tensor<3x5x$T>, tensor<4x$T>, tensor<$T>, tensor<3x1x5x$T>,
        tensor<1x4x1x$T>, tensor<1x1x1x$T>, tensor<4x$T>, tensor<4x5x$T>,
        tensor<3x1x1x$T>, tensor<1x1x5x$T>, tensor<1x4x5x$T>) {
  %0 = kiln.$OP %x axes [1] : tensor<3x4x5x$T> -> tensor<3x5x$T>
  %1 = kiln.$OP %x axes [0, 2] : tensor<3x4x5x$T> -> tensor<4x$T>
  %2 = kiln.$OP %x axes [0, 1, 2] : tensor<3x4x5x$T> -> tensor<$T>
  %3 = kiln.$OP %x axes [1] keepdims : tensor<3x4x5x$T> -> tensor<3x1x5x$T>
  %4 = kiln.$OP %x axes [0, 2] keepdims : tensor<3x4x5x$T> -> tensor<1x4x1x$T>
  %5 = kiln.$OP %x axes [0, 1, 2] keepdims : tensor<3x4x5x$T> -> tensor<1x1x1x$T>
  %6 = kiln.$OP %x axes [2, 0] : tensor<3x4x5x$T> -> tensor<4x$T>
  %7 = kiln.$OP %x axes [0] : tensor<3x4x5x$T> -> tensor<4x5x$T>
  %8 = kiln.$OP %x axes [2, 1] keepdims : tensor<3x4x5x$T> -> tensor<3x1x1x$T>
  %9 = kiln.$OP %x axes [0, 1] keepdims : tensor<3x4x5x$T> -> tensor<1x1x5x$T>
  %10 = kiln.$OP %x axes [0] keepdims : tensor<3x4x5x$T> -> tensor<1x4x5x$T>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10
      : tensor<3x5x$T>, tensor<4x$T>, tensor<$T>, tensor<3x1x5x$T>,
        tensor<1x4x1x$T>, tensor<1x1x1x$T>, tensor<4x$T>, tensor<4x5x$T>,
        tensor<3x1x1x$T>, tensor<1x1x5x$T>, tensor<1x4x5x$T>
}
// 1-D to rank 0, and a reduction of a computed value.
func.func @vec(%v: tensor<7x$T>) -> (tensor<$T>, tensor<1x$T>) {
  %0 = kiln.$OP %v axes [0] : tensor<7x$T> -> tensor<$T>
  %a = kiln.add %v, %v : tensor<7x$T>
  %1 = kiln.$OP %a axes [0] keepdims : tensor<7x$T> -> tensor<1x$T>
  return %0, %1 : tensor<$T>, tensor<1x$T>
}
)";
  return replaceAll(replaceAll(ir, "$OP", op), "$T", type);
}

template <typename T>
void checkReductions(Kind kind, const std::string &op, double lo, double hi,
                     Tol tol) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(reduceModule(op, mlirType<T>()), m));
  const std::vector<int64_t> shape = {3, 4, 5};
  std::vector<T> x =
      randomValues<T>(60, lo, hi, 0x5EED + static_cast<int>(kind));
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "r", {Tensor::fromVector<T>(shape, x)}, out));
  ASSERT_EQ(out.size(), 11u);
  struct Case {
    std::vector<int64_t> axes;
    bool keepdims;
  };
  const Case cases[11] = {{{1}, false},    {{0, 2}, false}, {{0, 1, 2}, false},
                          {{1}, true},     {{0, 2}, true},  {{0, 1, 2}, true},
                          {{2, 0}, false}, {{0}, false},    {{2, 1}, true},
                          {{0, 1}, true},  {{0}, true}};
  for (int i = 0; i < 11; ++i) {
    std::vector<int64_t> outShape;
    std::vector<T> expected =
        reduceRef(x, shape, cases[i].axes, cases[i].keepdims, kind, outShape);
    EXPECT_TRUE(matches<T>(out[i], outShape, expected, tol))
        << op << " axes " << indexString(cases[i].axes)
        << (cases[i].keepdims ? " keepdims" : "");
  }

  std::vector<T> v = randomValues<T>(7, lo, hi, 0xFACE);
  ASSERT_TRUE(invokeFn(*m, "vec", {Tensor::fromVector<T>({7}, v)}, out));
  ASSERT_EQ(out.size(), 2u);
  std::vector<int64_t> s;
  EXPECT_TRUE(
      matches<T>(out[0], {}, reduceRef(v, {7}, {0}, false, kind, s), tol));
  std::vector<T> doubled = v;
  for (T &e : doubled)
    e = static_cast<T>(e + e);
  EXPECT_TRUE(matches<T>(out[1], {1},
                         reduceRef(doubled, {7}, {0}, true, kind, s), tol));
}

TEST(Reduce, SumF32) {
  checkReductions<float>(Kind::Sum, "reduce_sum", -1, 1, kSumF32);
}
TEST(Reduce, SumF64) {
  checkReductions<double>(Kind::Sum, "reduce_sum", -1, 1, kF64);
}
TEST(Reduce, SumI32) {
  checkReductions<int32_t>(Kind::Sum, "reduce_sum", -1000, 1000, kExact);
}
TEST(Reduce, SumI64) {
  checkReductions<int64_t>(Kind::Sum, "reduce_sum", -(1LL << 40), 1LL << 40,
                           kExact);
}
TEST(Reduce, MeanF32) {
  checkReductions<float>(Kind::Mean, "reduce_mean", -1, 1, kSumF32);
}
TEST(Reduce, MeanF64) {
  checkReductions<double>(Kind::Mean, "reduce_mean", -1, 1, kF64);
}
// All-negative values: the identity of max must be -inf / INT_MIN, not 0.
TEST(Reduce, MaxF32) {
  checkReductions<float>(Kind::Max, "reduce_max", -100, -1, kExact);
}
TEST(Reduce, MaxF64) {
  checkReductions<double>(Kind::Max, "reduce_max", -5, 5, kExact);
}
TEST(Reduce, MaxI32) {
  checkReductions<int32_t>(Kind::Max, "reduce_max", -1000000, -1, kExact);
}
TEST(Reduce, MaxI64) {
  checkReductions<int64_t>(Kind::Max, "reduce_max", INT64_MIN + 1, -(1LL << 50),
                           kExact);
}

TEST(Reduce, HandDerived) {
  const char *ir = R"(
func.func @f(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2x1xf32>, tensor<1x3xf32>) {
  %0 = kiln.reduce_sum %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = kiln.reduce_mean %x axes [0] : tensor<2x3xf32> -> tensor<3xf32>
  %2 = kiln.reduce_max %x axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %3 = kiln.reduce_max %x axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
  %4 = kiln.reduce_sum %x axes [0] keepdims : tensor<2x3xf32> -> tensor<1x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2x1xf32>, tensor<1x3xf32>
}
// The classic use: x - mean(x) along the last axis, through keepdims.
func.func @center(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %m = kiln.reduce_mean %x axes [1] keepdims : tensor<2x3xf64> -> tensor<2x1xf64>
  %b = kiln.broadcast %m : tensor<2x1xf64> -> tensor<2x3xf64>
  %c = kiln.sub %x, %b : tensor<2x3xf64>
  return %c : tensor<2x3xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "f", {Tensor::fromVector<float>({2, 3}, {1, -2, 4, -8, 16, 3})},
      out));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(matches<float>(out[0], {2}, {3, 11}));
  EXPECT_TRUE(matches<float>(out[1], {3}, {-3.5f, 7, 3.5f}));
  EXPECT_TRUE(matches<float>(out[2], {}, {16}));
  EXPECT_TRUE(matches<float>(out[3], {2, 1}, {4, 16}));
  EXPECT_TRUE(matches<float>(out[4], {1, 3}, {-7, 14, 7}));

  ASSERT_TRUE(
      invokeFn(*m, "center",
               {Tensor::fromVector<double>({2, 3}, {1, 2, 6, -3, 0, 0})}, out));
  EXPECT_TRUE(matches<double>(out[0], {2, 3}, {-2, -1, 3, -2, 1, 1}));
}

} // namespace
