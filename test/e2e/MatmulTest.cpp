//===- MatmulTest.cpp - kiln.matmul: 2-D, transposes, batched, dtypes -----===//

#include "E2ETestUtil.h"

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// Reference (batched) matmul. `lhs` is stored as [B..., M, K] or, with
/// transposeLhs, [B..., K, M]; `rhs` as [B..., K, N] or [B..., N, K].
/// Accumulates in double for floats, with wrapping int64 for integers.
template <typename T>
std::vector<T> matmulRef(const std::vector<T> &lhs, const std::vector<T> &rhs,
                         int64_t batch, int64_t m, int64_t k, int64_t n,
                         bool transposeLhs, bool transposeRhs) {
  std::vector<T> out(static_cast<size_t>(batch * m * n));
  for (int64_t b = 0; b < batch; ++b) {
    const T *l = lhs.data() + b * m * k;
    const T *r = rhs.data() + b * k * n;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        using Acc =
            std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
        Acc acc = 0;
        for (int64_t p = 0; p < k; ++p) {
          T a = transposeLhs ? l[p * m + i] : l[i * k + p];
          T c = transposeRhs ? r[j * k + p] : r[p * n + j];
          acc += static_cast<Acc>(a) * static_cast<Acc>(c);
        }
        out[b * m * n + i * n + j] = static_cast<T>(acc);
      }
    }
  }
  return out;
}

// f32 products of values in [-1, 1) summed over K <= 13 terms: the rounding
// error is a few ulp of the largest partial sum, so allow 1e-5 absolute.
constexpr Tol kMatmulF32{1e-5, 1e-5};

TEST(Matmul, TwoDAllTransposeFlags) {
  // M = 7, K = 13, N = 5: nothing is square or a multiple of anything.
  const char *ir = R"(
func.func @nn(%a: tensor<7x13xf32>, %b: tensor<13x5xf32>) -> tensor<7x5xf32> {
  %r = kiln.matmul %a, %b : tensor<7x13xf32>, tensor<13x5xf32> -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}
func.func @tn(%a: tensor<13x7xf32>, %b: tensor<13x5xf32>) -> tensor<7x5xf32> {
  %r = kiln.matmul %a, %b {transpose_lhs} : tensor<13x7xf32>, tensor<13x5xf32> -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}
func.func @nt(%a: tensor<7x13xf32>, %b: tensor<5x13xf32>) -> tensor<7x5xf32> {
  %r = kiln.matmul %a, %b {transpose_rhs} : tensor<7x13xf32>, tensor<5x13xf32> -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}
func.func @tt(%a: tensor<13x7xf32>, %b: tensor<5x13xf32>) -> tensor<7x5xf32> {
  %r = kiln.matmul %a, %b {transpose_lhs, transpose_rhs} : tensor<13x7xf32>, tensor<5x13xf32> -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> a = randomValues<float>(7 * 13, -1, 1, 11);
  std::vector<float> b = randomValues<float>(13 * 5, -1, 1, 12);
  struct Case {
    const char *name;
    bool tl, tr;
  };
  for (Case c : {Case{"nn", false, false}, Case{"tn", true, false},
                 Case{"nt", false, true}, Case{"tt", true, true}}) {
    SCOPED_TRACE(c.name);
    std::vector<int64_t> aShape =
        c.tl ? std::vector<int64_t>{13, 7} : std::vector<int64_t>{7, 13};
    std::vector<int64_t> bShape =
        c.tr ? std::vector<int64_t>{5, 13} : std::vector<int64_t>{13, 5};
    std::vector<Tensor> out;
    ASSERT_TRUE(invokeFn(*m, c.name,
                         {Tensor::fromVector<float>(aShape, a),
                          Tensor::fromVector<float>(bShape, b)},
                         out));
    EXPECT_TRUE(matches<float>(
        out[0], {7, 5}, matmulRef(a, b, 1, 7, 13, 5, c.tl, c.tr), kMatmulF32));
  }
}

TEST(Matmul, HandDerived) {
  const char *ir = R"(
func.func @small(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %r = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
// Degenerate sizes: a dot product (1xK * Kx1), an outer product (Mx1 * 1xN).
func.func @dot(%a: tensor<1x4xf64>, %b: tensor<4x1xf64>) -> tensor<1x1xf64> {
  %r = kiln.matmul %a, %b : tensor<1x4xf64>, tensor<4x1xf64> -> tensor<1x1xf64>
  return %r : tensor<1x1xf64>
}
func.func @outer(%a: tensor<3x1xf64>, %b: tensor<1x2xf64>) -> tensor<3x2xf64> {
  %r = kiln.matmul %a, %b : tensor<3x1xf64>, tensor<1x2xf64> -> tensor<3x2xf64>
  return %r : tensor<3x2xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  ASSERT_TRUE(
      invokeFn(*m, "small",
               {Tensor::fromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                Tensor::fromVector<float>({3, 2}, {7, 8, 9, 10, 11, 12})},
               out));
  EXPECT_TRUE(matches<float>(out[0], {2, 2}, {58, 64, 139, 154}));
  ASSERT_TRUE(invokeFn(*m, "dot",
                       {Tensor::fromVector<double>({1, 4}, {1, 2, 3, 4}),
                        Tensor::fromVector<double>({4, 1}, {0.5, -1, 2, 0.25})},
                       out));
  EXPECT_TRUE(matches<double>(out[0], {1, 1}, {5.5}));
  ASSERT_TRUE(invokeFn(*m, "outer",
                       {Tensor::fromVector<double>({3, 1}, {1, 2, 3}),
                        Tensor::fromVector<double>({1, 2}, {10, -1})},
                       out));
  EXPECT_TRUE(matches<double>(out[0], {3, 2}, {10, -1, 20, -2, 30, -3}));
}

/// `values` as the elements of an MLIR dense literal of `shape` (nested
/// brackets, exact decimal digits).
template <typename T>
std::string denseLiteral(const std::vector<T> &values,
                         const std::vector<int64_t> &shape) {
  std::string text;
  // One bracket per dimension d around each block of the elements of
  // dimensions d and after.
  std::vector<size_t> blocks(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 0;)
    blocks[d] = static_cast<size_t>(shape[d]) *
                (d + 1 < shape.size() ? blocks[d + 1] : 1);
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t block : blocks)
      if (i % block == 0)
        text += "[";
    char number[64];
    std::snprintf(number, sizeof(number), "%.17g", double(values[i]));
    text += number;
    size_t closing = 0;
    for (size_t block : blocks)
      closing += (i + 1) % block == 0;
    text += std::string(closing, ']');
    if (i + 1 < values.size())
      text += ", ";
  }
  return text;
}

// A constant B read transposed, as a model's weights are, is transposed
// while compiling (kiln-contraction-codegen): the products must not change.
TEST(Matmul, ConstantTransposedRhs) {
  std::vector<float> w = randomValues<float>(5 * 13, -1, 1, 71);
  std::vector<double> v = randomValues<double>(2 * 4 * 3, -1, 1, 72);
  std::string ir = R"(
func.func @weights(%a: tensor<7x13xf32>) -> tensor<7x5xf32> {
  %w = kiln.constant dense<)" +
                   denseLiteral(w, {5, 13}) +
                   R"(> : tensor<5x13xf32>
  %r = kiln.matmul %a, %w {transpose_rhs} : tensor<7x13xf32>, tensor<5x13xf32> -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}
func.func @batched(%a: tensor<2x6x3xf64>) -> tensor<2x6x4xf64> {
  %v = kiln.constant dense<)" +
                   denseLiteral(v, {2, 4, 3}) +
                   R"(> : tensor<2x4x3xf64>
  %r = kiln.matmul %a, %v {transpose_rhs} : tensor<2x6x3xf64>, tensor<2x4x3xf64> -> tensor<2x6x4xf64>
  return %r : tensor<2x6x4xf64>
}
func.func @splat(%a: tensor<7x13xf32>) -> tensor<7x5xf32> {
  %w = kiln.constant dense<0.5> : tensor<5x13xf32>
  %r = kiln.matmul %a, %w {transpose_rhs} : tensor<7x13xf32>, tensor<5x13xf32> -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> a = randomValues<float>(7 * 13, -1, 1, 73);
  std::vector<Tensor> out;
  ASSERT_TRUE(
      invokeFn(*m, "weights", {Tensor::fromVector<float>({7, 13}, a)}, out));
  EXPECT_TRUE(matches<float>(
      out[0], {7, 5}, matmulRef(a, w, 1, 7, 13, 5, false, true), kMatmulF32));
  std::vector<double> c = randomValues<double>(2 * 6 * 3, -1, 1, 74);
  ASSERT_TRUE(
      invokeFn(*m, "batched", {Tensor::fromVector<double>({2, 6, 3}, c)}, out));
  EXPECT_TRUE(matches<double>(out[0], {2, 6, 4},
                              matmulRef(c, v, 2, 6, 3, 4, false, true)));
  ASSERT_TRUE(
      invokeFn(*m, "splat", {Tensor::fromVector<float>({7, 13}, a)}, out));
  EXPECT_TRUE(matches<float>(
      out[0], {7, 5},
      matmulRef(a, std::vector<float>(5 * 13, 0.5f), 1, 7, 13, 5, false, true),
      kMatmulF32));
}

TEST(Matmul, BatchedRank3AllFlags) {
  const char *ir = R"(
func.func @nn(%a: tensor<3x7x13xf32>, %b: tensor<3x13x5xf32>) -> tensor<3x7x5xf32> {
  %r = kiln.matmul %a, %b : tensor<3x7x13xf32>, tensor<3x13x5xf32> -> tensor<3x7x5xf32>
  return %r : tensor<3x7x5xf32>
}
func.func @tn(%a: tensor<3x13x7xf32>, %b: tensor<3x13x5xf32>) -> tensor<3x7x5xf32> {
  %r = kiln.matmul %a, %b {transpose_lhs} : tensor<3x13x7xf32>, tensor<3x13x5xf32> -> tensor<3x7x5xf32>
  return %r : tensor<3x7x5xf32>
}
func.func @nt(%a: tensor<3x7x13xf32>, %b: tensor<3x5x13xf32>) -> tensor<3x7x5xf32> {
  %r = kiln.matmul %a, %b {transpose_rhs} : tensor<3x7x13xf32>, tensor<3x5x13xf32> -> tensor<3x7x5xf32>
  return %r : tensor<3x7x5xf32>
}
func.func @tt(%a: tensor<3x13x7xf32>, %b: tensor<3x5x13xf32>) -> tensor<3x7x5xf32> {
  %r = kiln.matmul %a, %b {transpose_lhs, transpose_rhs} : tensor<3x13x7xf32>, tensor<3x5x13xf32> -> tensor<3x7x5xf32>
  return %r : tensor<3x7x5xf32>
}
// One weight shared across the batch through kiln.broadcast.
func.func @shared(%a: tensor<3x7x13xf32>, %w: tensor<13x5xf32>) -> tensor<3x7x5xf32> {
  %wb = kiln.broadcast %w : tensor<13x5xf32> -> tensor<3x13x5xf32>
  %r = kiln.matmul %a, %wb : tensor<3x7x13xf32>, tensor<3x13x5xf32> -> tensor<3x7x5xf32>
  return %r : tensor<3x7x5xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> a = randomValues<float>(3 * 7 * 13, -1, 1, 21);
  std::vector<float> b = randomValues<float>(3 * 13 * 5, -1, 1, 22);
  struct Case {
    const char *name;
    bool tl, tr;
  };
  for (Case c : {Case{"nn", false, false}, Case{"tn", true, false},
                 Case{"nt", false, true}, Case{"tt", true, true}}) {
    SCOPED_TRACE(c.name);
    std::vector<int64_t> aShape =
        c.tl ? std::vector<int64_t>{3, 13, 7} : std::vector<int64_t>{3, 7, 13};
    std::vector<int64_t> bShape =
        c.tr ? std::vector<int64_t>{3, 5, 13} : std::vector<int64_t>{3, 13, 5};
    std::vector<Tensor> out;
    ASSERT_TRUE(invokeFn(*m, c.name,
                         {Tensor::fromVector<float>(aShape, a),
                          Tensor::fromVector<float>(bShape, b)},
                         out));
    EXPECT_TRUE(matches<float>(out[0], {3, 7, 5},
                               matmulRef(a, b, 3, 7, 13, 5, c.tl, c.tr),
                               kMatmulF32));
  }

  std::vector<float> w(b.begin(), b.begin() + 13 * 5);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "shared",
                       {Tensor::fromVector<float>({3, 7, 13}, a),
                        Tensor::fromVector<float>({13, 5}, w)},
                       out));
  EXPECT_TRUE(matches<float>(out[0], {3, 7, 5},
                             matmulRef(a, broadcastRef(w, {13, 5}, {3, 13, 5}),
                                       3, 7, 13, 5, false, false),
                             kMatmulF32));
}

TEST(Matmul, BatchedRank4) {
  const char *ir = R"(
func.func @nn(%a: tensor<2x3x5x6xf32>, %b: tensor<2x3x6x4xf32>) -> tensor<2x3x5x4xf32> {
  %r = kiln.matmul %a, %b : tensor<2x3x5x6xf32>, tensor<2x3x6x4xf32> -> tensor<2x3x5x4xf32>
  return %r : tensor<2x3x5x4xf32>
}
func.func @tt(%a: tensor<2x3x6x5xf32>, %b: tensor<2x3x4x6xf32>) -> tensor<2x3x5x4xf32> {
  %r = kiln.matmul %a, %b {transpose_lhs, transpose_rhs} : tensor<2x3x6x5xf32>, tensor<2x3x4x6xf32> -> tensor<2x3x5x4xf32>
  return %r : tensor<2x3x5x4xf32>
}
func.func @nt_f64(%a: tensor<2x2x3x4xf64>, %b: tensor<2x2x5x4xf64>) -> tensor<2x2x3x5xf64> {
  %r = kiln.matmul %a, %b {transpose_rhs} : tensor<2x2x3x4xf64>, tensor<2x2x5x4xf64> -> tensor<2x2x3x5xf64>
  return %r : tensor<2x2x3x5xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> a = randomValues<float>(2 * 3 * 5 * 6, -1, 1, 31);
  std::vector<float> b = randomValues<float>(2 * 3 * 6 * 4, -1, 1, 32);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "nn",
                       {Tensor::fromVector<float>({2, 3, 5, 6}, a),
                        Tensor::fromVector<float>({2, 3, 6, 4}, b)},
                       out));
  EXPECT_TRUE(matches<float>(out[0], {2, 3, 5, 4},
                             matmulRef(a, b, 6, 5, 6, 4, false, false),
                             kMatmulF32));
  ASSERT_TRUE(invokeFn(*m, "tt",
                       {Tensor::fromVector<float>({2, 3, 6, 5}, a),
                        Tensor::fromVector<float>({2, 3, 4, 6}, b)},
                       out));
  EXPECT_TRUE(matches<float>(out[0], {2, 3, 5, 4},
                             matmulRef(a, b, 6, 5, 6, 4, true, true),
                             kMatmulF32));

  std::vector<double> ad = randomValues<double>(2 * 2 * 3 * 4, -1, 1, 33);
  std::vector<double> bd = randomValues<double>(2 * 2 * 5 * 4, -1, 1, 34);
  ASSERT_TRUE(invokeFn(*m, "nt_f64",
                       {Tensor::fromVector<double>({2, 2, 3, 4}, ad),
                        Tensor::fromVector<double>({2, 2, 5, 4}, bd)},
                       out));
  EXPECT_TRUE(matches<double>(out[0], {2, 2, 3, 5},
                              matmulRef(ad, bd, 4, 3, 4, 5, false, true)));
}

TEST(Matmul, F64AndIntegers) {
  const char *ir = R"(
func.func @f64(%a: tensor<9x11xf64>, %b: tensor<11x6xf64>) -> tensor<9x6xf64> {
  %r = kiln.matmul %a, %b : tensor<9x11xf64>, tensor<11x6xf64> -> tensor<9x6xf64>
  return %r : tensor<9x6xf64>
}
func.func @f64_tl(%a: tensor<11x9xf64>, %b: tensor<11x6xf64>) -> tensor<9x6xf64> {
  %r = kiln.matmul %a, %b {transpose_lhs} : tensor<11x9xf64>, tensor<11x6xf64> -> tensor<9x6xf64>
  return %r : tensor<9x6xf64>
}
func.func @i32(%a: tensor<5x7xi32>, %b: tensor<7x3xi32>) -> tensor<5x3xi32> {
  %r = kiln.matmul %a, %b : tensor<5x7xi32>, tensor<7x3xi32> -> tensor<5x3xi32>
  return %r : tensor<5x3xi32>
}
func.func @i32_batched_nt(%a: tensor<2x5x7xi32>, %b: tensor<2x3x7xi32>) -> tensor<2x5x3xi32> {
  %r = kiln.matmul %a, %b {transpose_rhs} : tensor<2x5x7xi32>, tensor<2x3x7xi32> -> tensor<2x5x3xi32>
  return %r : tensor<2x5x3xi32>
}
func.func @i64(%a: tensor<4x3xi64>, %b: tensor<3x2xi64>) -> tensor<4x2xi64> {
  %r = kiln.matmul %a, %b : tensor<4x3xi64>, tensor<3x2xi64> -> tensor<4x2xi64>
  return %r : tensor<4x2xi64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<double> a = randomValues<double>(99, -2, 2, 41);
  std::vector<double> b = randomValues<double>(66, -2, 2, 42);
  ASSERT_TRUE(invokeFn(*m, "f64",
                       {Tensor::fromVector<double>({9, 11}, a),
                        Tensor::fromVector<double>({11, 6}, b)},
                       out));
  EXPECT_TRUE(matches<double>(out[0], {9, 6},
                              matmulRef(a, b, 1, 9, 11, 6, false, false)));
  ASSERT_TRUE(invokeFn(*m, "f64_tl",
                       {Tensor::fromVector<double>({11, 9}, a),
                        Tensor::fromVector<double>({11, 6}, b)},
                       out));
  EXPECT_TRUE(matches<double>(out[0], {9, 6},
                              matmulRef(a, b, 1, 9, 11, 6, true, false)));

  std::vector<int32_t> ai = randomValues<int32_t>(35, -20, 20, 43);
  std::vector<int32_t> bi = randomValues<int32_t>(21, -20, 20, 44);
  ASSERT_TRUE(invokeFn(*m, "i32",
                       {Tensor::fromVector<int32_t>({5, 7}, ai),
                        Tensor::fromVector<int32_t>({7, 3}, bi)},
                       out));
  EXPECT_TRUE(matches<int32_t>(out[0], {5, 3},
                               matmulRef(ai, bi, 1, 5, 7, 3, false, false)));

  std::vector<int32_t> ab = randomValues<int32_t>(70, -100, 100, 45);
  std::vector<int32_t> bb = randomValues<int32_t>(42, -100, 100, 46);
  ASSERT_TRUE(invokeFn(*m, "i32_batched_nt",
                       {Tensor::fromVector<int32_t>({2, 5, 7}, ab),
                        Tensor::fromVector<int32_t>({2, 3, 7}, bb)},
                       out));
  EXPECT_TRUE(matches<int32_t>(out[0], {2, 5, 3},
                               matmulRef(ab, bb, 2, 5, 7, 3, false, true)));

  // Large i64 values that would overflow 32-bit accumulation.
  std::vector<int64_t> al = {1LL << 33, 1, -1, 2, 3, 4,
                             -5,        6, 7,  8, 9, 1LL << 40};
  std::vector<int64_t> bl = {3, -1, 1LL << 20, 2, 5, 7};
  ASSERT_TRUE(invokeFn(*m, "i64",
                       {Tensor::fromVector<int64_t>({4, 3}, al),
                        Tensor::fromVector<int64_t>({3, 2}, bl)},
                       out));
  EXPECT_TRUE(matches<int64_t>(out[0], {4, 2},
                               matmulRef(al, bl, 1, 4, 3, 2, false, false)));
  EXPECT_EQ(out[0].dataAs<int64_t>()[0], 3 * (1LL << 33) + (1LL << 20) - 5);
}

TEST(Matmul, LargerChained) {
  // Two chained products with K = 300 and 70, then a reduction.
  const char *ir = R"(
func.func @chain(%a: tensor<64x300xf32>, %b: tensor<300x70xf32>, %c: tensor<33x70xf32>)
    -> (tensor<64x70xf32>, tensor<64x33xf32>) {
  %ab = kiln.matmul %a, %b : tensor<64x300xf32>, tensor<300x70xf32> -> tensor<64x70xf32>
  %abc = kiln.matmul %ab, %c {transpose_rhs} : tensor<64x70xf32>, tensor<33x70xf32> -> tensor<64x33xf32>
  return %ab, %abc : tensor<64x70xf32>, tensor<64x33xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> a = randomValues<float>(64 * 300, -1, 1, 51);
  std::vector<float> b = randomValues<float>(300 * 70, -1, 1, 52);
  std::vector<float> c = randomValues<float>(33 * 70, -1, 1, 53);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "chain",
                       {Tensor::fromVector<float>({64, 300}, a),
                        Tensor::fromVector<float>({300, 70}, b),
                        Tensor::fromVector<float>({33, 70}, c)},
                       out));
  ASSERT_EQ(out.size(), 2u);
  std::vector<float> ab = matmulRef(a, b, 1, 64, 300, 70, false, false);
  // Sums of 300 products of magnitude <= 1: absolute error ~1e-5.
  EXPECT_TRUE(matches<float>(out[0], {64, 70}, ab, Tol{1e-4, 1e-4}));
  EXPECT_TRUE(matches<float>(out[1], {64, 33},
                             matmulRef(ab, c, 1, 64, 70, 33, false, true),
                             Tol{1e-4, 1e-3}));
}

//===----------------------------------------------------------------------===//
// The tiled, vectorized kernels (kiln-contraction-codegen) on every shape
// class: tiles of one element, remainders at the register level (M not a
// multiple of MR, N not a multiple of NR) and at the cache level (M, N, K
// beyond the largest MC, NC, KC any host gets, so edge tiles are partial and
// masked), size-1 dimensions, batches, all four transpose combinations,
// f32 and f64.
//===----------------------------------------------------------------------===//

struct GemmShape {
  int64_t batch, m, n, k;
};

std::string gemmShapeName(const GemmShape &s) {
  return std::to_string(s.batch) + "x" + std::to_string(s.m) + "x" +
         std::to_string(s.n) + "x" + std::to_string(s.k);
}

/// One function per transpose combination: nn, tn, nt, tt.
std::string gemmModule(const GemmShape &s, const std::string &type) {
  auto tensor = [&](int64_t rows, int64_t cols) {
    std::string t = "tensor<";
    if (s.batch > 1)
      t += std::to_string(s.batch) + "x";
    return t + std::to_string(rows) + "x" + std::to_string(cols) + "x" + type +
           ">";
  };
  std::string ir;
  for (int flags = 0; flags < 4; ++flags) {
    bool tl = flags & 1, tr = flags & 2;
    std::string ta = tl ? tensor(s.k, s.m) : tensor(s.m, s.k);
    std::string tb = tr ? tensor(s.n, s.k) : tensor(s.k, s.n);
    std::string tc = tensor(s.m, s.n);
    std::string attrs = tl && tr ? " {transpose_lhs, transpose_rhs}"
                        : tl     ? " {transpose_lhs}"
                        : tr     ? " {transpose_rhs}"
                                 : "";
    ir += std::string("func.func @") + (tl ? "t" : "n") + (tr ? "t" : "n") +
          "(%a: " + ta + ", %b: " + tb + ") -> " + tc +
          " {\n  %r = kiln.matmul %a, %b" + attrs + " : " + ta + ", " + tb +
          " -> " + tc + "\n  return %r : " + tc + "\n}\n";
  }
  return ir;
}

template <typename T> class TiledMatmul : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(TiledMatmul, FloatTypes);

TYPED_TEST(TiledMatmul, RemaindersBatchesAndTransposes) {
  using T = TypeParam;
  const GemmShape shapes[] = {{1, 1, 1, 1},
                              {1, 7, 13, 5},
                              {1, 129, 257, 65},
                              {1, 1023, 1, 17},
                              {1, 1, 515, 3},
                              {3, 33, 65, 17},
                              {2, 9, 40, 1},
                              {1, 521, 517, 529},
                              // Packed panels and an edge of 31 columns, split
                              // into tiles of 16, 8, 4, 2 and 1.
                              {1, 24, 63, 100}};
  for (const GemmShape &s : shapes) {
    SCOPED_TRACE(gemmShapeName(s));
    std::unique_ptr<CompiledModule> module;
    ASSERT_TRUE(compileIR(gemmModule(s, mlirType<T>()), module));
    std::vector<T> a = randomValues<T>(s.batch * s.m * s.k, -1, 1, 61);
    std::vector<T> b = randomValues<T>(s.batch * s.k * s.n, -1, 1, 62);
    auto shape = [&](int64_t rows, int64_t cols) {
      std::vector<int64_t> dims = {rows, cols};
      if (s.batch > 1)
        dims.insert(dims.begin(), s.batch);
      return dims;
    };
    // Each of the K additions rounds by at most one ulp of a partial sum.
    double eps = std::numeric_limits<T>::epsilon();
    Tol tol{4 * eps, 4 * eps * static_cast<double>(s.k)};
    for (int flags = 0; flags < 4; ++flags) {
      bool tl = flags & 1, tr = flags & 2;
      std::string name = std::string(tl ? "t" : "n") + (tr ? "t" : "n");
      SCOPED_TRACE(name);
      std::vector<Tensor> out;
      ASSERT_TRUE(invokeFn(
          *module, name,
          {Tensor::fromVector<T>(tl ? shape(s.k, s.m) : shape(s.m, s.k), a),
           Tensor::fromVector<T>(tr ? shape(s.n, s.k) : shape(s.k, s.n), b)},
          out));
      EXPECT_TRUE(matches<T>(out[0], shape(s.m, s.n),
                             matmulRef(a, b, s.batch, s.m, s.k, s.n, tl, tr),
                             tol));
    }
  }
}

} // namespace
