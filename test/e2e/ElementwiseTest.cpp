//===- ElementwiseTest.cpp - constant, binary, unary, compare, select, cast
//===//
//
// Every elementwise op, JIT-compiled and compared with a plain C++ reference
// computed in the test.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace kiln;
using namespace kiln::e2e;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

//===----------------------------------------------------------------------===//
// Scalar references. Integer arithmetic wraps (two's complement), as the
// compiled code does (LLVM add/sub/mul without nsw).
//===----------------------------------------------------------------------===//

template <typename T> T wrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}
template <typename T> T wrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
}
template <typename T> T wrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}

template <typename T> T refAdd(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return a + b;
  else
    return wrapAdd(a, b);
}
template <typename T> T refSub(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return a - b;
  else
    return wrapSub(a, b);
}
template <typename T> T refMul(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    return a * b;
  else
    return wrapMul(a, b);
}
/// Integers: truncation toward zero, x / 0 == 0, INT_MIN / -1 == INT_MIN.
template <typename T> T refDiv(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a / b;
  } else {
    if (b == 0)
      return 0;
    if (b == -1)
      return wrapSub<T>(0, a);
    return a / b;
  }
}
/// Floats: NaN propagates.
template <typename T> T refMax(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return a > b ? a : b;
}
template <typename T> T refMin(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return a < b ? a : b;
}
/// Integers: exponent >= 0, wrapping multiplication.
template <typename T> T refPow(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(
        std::pow(static_cast<double>(a), static_cast<double>(b)));
  } else {
    if (b < 0) // 1 / a^|b|, truncated toward zero
      return a == 1 ? 1 : a == -1 ? (b % 2 != 0 ? -1 : 1) : 0;
    T result = 1;
    for (T i = 0; i < b; ++i)
      result = wrapMul(result, a);
    return result;
  }
}

template <typename T, typename F>
std::vector<T> zipWith(const std::vector<T> &a, const std::vector<T> &b, F f) {
  std::vector<T> out(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    out[i] = f(a[i], b[i]);
  return out;
}

template <typename T, typename F>
std::vector<T> mapDouble(const std::vector<T> &x, F f) {
  std::vector<T> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<T>(f(static_cast<double>(x[i])));
  return out;
}

//===----------------------------------------------------------------------===//
// constant
//===----------------------------------------------------------------------===//

TEST(Constant, AllKinds) {
  const char *ir = R"(
func.func @consts() -> (tensor<2x3xf32>, tensor<4xi64>, tensor<5xi1>,
                        tensor<3x2xf32>, tensor<f32>, tensor<i64>,
                        tensor<2x2xf64>, tensor<3xi32>, tensor<2x2xi1>) {
  %0 = kiln.constant dense<[[1.5, -2.0, 3.25], [0.0, -0.125, 1.0e10]]> : tensor<2x3xf32>
  %1 = kiln.constant dense<[-9223372036854775808, -1, 0, 9223372036854775807]> : tensor<4xi64>
  %2 = kiln.constant dense<[true, false, false, true, true]> : tensor<5xi1>
  %3 = kiln.constant dense<7.5> : tensor<3x2xf32>
  %4 = kiln.constant dense<-3.5> : tensor<f32>
  %5 = kiln.constant dense<42> : tensor<i64>
  %6 = kiln.constant dense<[[0.1, 0.2], [0.3, 1.0e-300]]> : tensor<2x2xf64>
  %7 = kiln.constant dense<[-2147483648, 7, 2147483647]> : tensor<3xi32>
  %8 = kiln.constant dense<true> : tensor<2x2xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8
      : tensor<2x3xf32>, tensor<4xi64>, tensor<5xi1>, tensor<3x2xf32>,
        tensor<f32>, tensor<i64>, tensor<2x2xf64>, tensor<3xi32>, tensor<2x2xi1>
}

// Constants feeding computations: a non-splat weight, a splat bias, a rank-0
// scale broadcast, and a non-splat constant that is broadcast.
func.func @affine(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = kiln.constant dense<[[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]]> : tensor<2x3xf32>
  %b = kiln.constant dense<0.5> : tensor<2x3xf32>
  %s = kiln.constant dense<4.0> : tensor<f32>
  %r = kiln.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %sb = kiln.broadcast %s : tensor<f32> -> tensor<2x3xf32>
  %rb = kiln.broadcast %r : tensor<3xf32> -> tensor<2x3xf32>
  %0 = kiln.mul %x, %w : tensor<2x3xf32>
  %1 = kiln.add %0, %b : tensor<2x3xf32>
  %2 = kiln.mul %1, %sb : tensor<2x3xf32>
  %3 = kiln.add %2, %rb : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

func.func @int_consts(%x: tensor<4xi64>) -> tensor<4xi64> {
  %c = kiln.constant dense<[100, -200, 300, -400]> : tensor<4xi64>
  %0 = kiln.mul %x, %c : tensor<4xi64>
  return %0 : tensor<4xi64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));

  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "consts", {}, out));
  ASSERT_EQ(out.size(), 9u);
  EXPECT_TRUE(matches<float>(out[0], {2, 3},
                             {1.5f, -2.0f, 3.25f, 0.0f, -0.125f, 1.0e10f}));
  EXPECT_TRUE(matches<int64_t>(out[1], {4},
                               {std::numeric_limits<int64_t>::min(), -1, 0,
                                std::numeric_limits<int64_t>::max()}));
  EXPECT_TRUE(matches<bool>(out[2], {5}, {true, false, false, true, true}));
  EXPECT_TRUE(matches<float>(out[3], {3, 2}, std::vector<float>(6, 7.5f)));
  EXPECT_TRUE(matches<float>(out[4], {}, {-3.5f}));
  EXPECT_TRUE(matches<int64_t>(out[5], {}, {42}));
  EXPECT_TRUE(
      matches<double>(out[6], {2, 2}, {0.1, 0.2, 0.3, 1.0e-300}, kExact));
  EXPECT_TRUE(matches<int32_t>(out[7], {3}, {INT32_MIN, 7, INT32_MAX}));
  EXPECT_TRUE(matches<bool>(out[8], {2, 2}, {true, true, true, true}));

  std::vector<float> x = {1.0f, -2.0f, 0.25f, 3.0f, 0.0f, -1.5f};
  ASSERT_TRUE(
      invokeFn(*m, "affine", {Tensor::fromVector<float>({2, 3}, x)}, out));
  ASSERT_EQ(out.size(), 1u);
  const float w[6] = {1, 2, 3, -1, -2, -3};
  const float r[3] = {10, 20, 30};
  std::vector<float> expected(6);
  for (int i = 0; i < 6; ++i)
    expected[i] = (x[i] * w[i] + 0.5f) * 4.0f + r[i % 3];
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, expected));

  ASSERT_TRUE(
      invokeFn(*m, "int_consts",
               {Tensor::fromVector<int64_t>({4}, {3, 3, -5, 1LL << 40})}, out));
  EXPECT_TRUE(
      matches<int64_t>(out[0], {4}, {300, -600, -1500, -400 * (1LL << 40)}));
}

//===----------------------------------------------------------------------===//
// Binary arithmetic: add sub mul div max min pow
//===----------------------------------------------------------------------===//

template <typename T> class BinaryOps : public ::testing::Test {};
using NumericTypes = ::testing::Types<float, double, int32_t, int64_t>;
TYPED_TEST_SUITE(BinaryOps, NumericTypes);

const char *kBinaryIR = R"(
func.func @binary(%a: tensor<4x8x$T>, %b: tensor<4x8x$T>)
    -> (tensor<4x8x$T>, tensor<4x8x$T>, tensor<4x8x$T>, tensor<4x8x$T>,
        tensor<4x8x$T>, tensor<4x8x$T>) {
  %add = kiln.add %a, %b : tensor<4x8x$T>
  %sub = kiln.sub %a, %b : tensor<4x8x$T>
  %mul = kiln.mul %a, %b : tensor<4x8x$T>
  %div = kiln.div %a, %b : tensor<4x8x$T>
  %max = kiln.max %a, %b : tensor<4x8x$T>
  %min = kiln.min %a, %b : tensor<4x8x$T>
  return %add, %sub, %mul, %div, %max, %min
      : tensor<4x8x$T>, tensor<4x8x$T>, tensor<4x8x$T>, tensor<4x8x$T>,
        tensor<4x8x$T>, tensor<4x8x$T>
}
func.func @power(%a: tensor<4x8x$T>, %b: tensor<4x8x$T>) -> tensor<4x8x$T> {
  %p = kiln.pow %a, %b : tensor<4x8x$T>
  return %p : tensor<4x8x$T>
}
)";

/// Operands of @binary: hand-picked corner cases first, then random values.
template <typename T>
void binaryOperands(std::vector<T> &a, std::vector<T> &b) {
  const int n = 32;
  if constexpr (std::is_floating_point_v<T>) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const T inf = std::numeric_limits<T>::infinity();
    a = {7, -7, 7, -7, nan, 1, nan, 1, 0, -1, inf, inf, 3};
    b = {2, 2, -2, -2, 1, nan, nan, 0, 0, 0, 1, -inf, 3};
    Rng rng(0xB1A5 + sizeof(T));
    while (static_cast<int>(a.size()) < n) {
      a.push_back(static_cast<T>(rng.uniform(-10, 10)));
      // |b| in [0.5, 4): division stays well conditioned.
      T mag = static_cast<T>(rng.uniform(0.5, 4));
      b.push_back(rng.next() & 1 ? mag : -mag);
    }
  } else {
    const T lo = std::numeric_limits<T>::min();
    const T hi = std::numeric_limits<T>::max();
    // Truncation toward zero, x/0, INT_MIN/-1, wrapping add/sub/mul.
    a = {7, -7, 7, -7, 5, -5, 0, lo, hi, lo, hi, lo, 1, -1, 6, lo};
    b = {2, 2, -2, -2, 0, 0, 0, -1, -1, 1, 1, lo, 0, -1, 3, 2};
    Rng rng(0x1D17 + sizeof(T));
    while (static_cast<int>(a.size()) < n) {
      a.push_back(static_cast<T>(rng.uniformInt(-1000, 1000)));
      b.push_back(static_cast<T>(rng.uniformInt(-50, 50)));
    }
  }
}

TYPED_TEST(BinaryOps, AddSubMulDivMaxMin) {
  using T = TypeParam;
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(replaceAll(kBinaryIR, "$T", mlirType<T>()), m));

  std::vector<T> a, b;
  binaryOperands(a, b);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "binary",
      {Tensor::fromVector<T>({4, 8}, a), Tensor::fromVector<T>({4, 8}, b)},
      out));
  ASSERT_EQ(out.size(), 6u);
  EXPECT_TRUE(matches<T>(out[0], {4, 8}, zipWith(a, b, refAdd<T>))) << "add";
  EXPECT_TRUE(matches<T>(out[1], {4, 8}, zipWith(a, b, refSub<T>))) << "sub";
  EXPECT_TRUE(matches<T>(out[2], {4, 8}, zipWith(a, b, refMul<T>))) << "mul";
  EXPECT_TRUE(matches<T>(out[3], {4, 8}, zipWith(a, b, refDiv<T>))) << "div";
  EXPECT_TRUE(matches<T>(out[4], {4, 8}, zipWith(a, b, refMax<T>))) << "max";
  EXPECT_TRUE(matches<T>(out[5], {4, 8}, zipWith(a, b, refMin<T>))) << "min";

  if constexpr (!std::is_floating_point_v<T>) {
    // Spot-check the documented integer division rules by hand.
    const T *div = out[3].dataAs<T>();
    ASSERT_NE(div, nullptr);
    EXPECT_EQ(div[0], 3);  //  7 /  2
    EXPECT_EQ(div[1], -3); // -7 /  2: toward zero, not -4
    EXPECT_EQ(div[2], -3); //  7 / -2
    EXPECT_EQ(div[3], 3);  // -7 / -2
    EXPECT_EQ(div[4], 0);  //  5 /  0
    EXPECT_EQ(div[5], 0);  // -5 /  0
    EXPECT_EQ(div[6], 0);  //  0 /  0
    EXPECT_EQ(div[7], std::numeric_limits<T>::min()); // INT_MIN / -1 wraps
    EXPECT_EQ(div[8], -std::numeric_limits<T>::max());
  } else {
    // max/min propagate NaN from either side.
    EXPECT_TRUE(std::isnan(out[4].dataAs<T>()[4]));
    EXPECT_TRUE(std::isnan(out[4].dataAs<T>()[5]));
    EXPECT_TRUE(std::isnan(out[5].dataAs<T>()[4]));
    EXPECT_TRUE(std::isnan(out[5].dataAs<T>()[5]));
  }
}

TYPED_TEST(BinaryOps, Pow) {
  using T = TypeParam;
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(replaceAll(kBinaryIR, "$T", mlirType<T>()), m));

  std::vector<T> a, b;
  Rng rng(0x90 + sizeof(T));
  if constexpr (std::is_floating_point_v<T>) {
    a = {2, -2, -2, 0, 0, 4, 9, 1, 10};
    b = {0.5, 3, 2, 0, 2, -0.5, 0.5, 123.25, -2};
    while (a.size() < 32) {
      a.push_back(static_cast<T>(rng.uniform(0.1, 4)));
      b.push_back(static_cast<T>(rng.uniform(-3, 3)));
    }
  } else {
    // Integer power; the large exponents overflow and wrap like repeated
    // multiplication. Negative exponents (from index 12) give the truncated
    // reciprocal: 1 for base 1, +-1 for base -1, 0 otherwise (also for 0).
    a = {2, -2, -2, 0, 0, 7, -1, -1, 1, 3, 2, 3, 1, -1, -1, 2, -3, 0};
    b = {10, 3,  4,  0,  5,  0,  5, 6, 62, 25, sizeof(T) * 8 - 1,
         41, -5, -3, -4, -1, -2, -1};
    while (a.size() < 32) {
      a.push_back(static_cast<T>(rng.uniformInt(-6, 6)));
      b.push_back(static_cast<T>(rng.uniformInt(0, 7)));
    }
  }
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "power",
      {Tensor::fromVector<T>({4, 8}, a), Tensor::fromVector<T>({4, 8}, b)},
      out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<T>(out[0], {4, 8}, zipWith(a, b, refPow<T>),
                         std::is_same_v<T, float>    ? kF32Math
                         : std::is_same_v<T, double> ? kF64
                                                     : kExact));
  if constexpr (std::is_floating_point_v<T>) {
    EXPECT_EQ(out[0].dataAs<T>()[1], T(-8)); // negative base, odd exponent
    EXPECT_EQ(out[0].dataAs<T>()[3], T(1));  // 0^0
  } else {
    EXPECT_EQ(out[0].dataAs<T>()[0], T(1024));
    EXPECT_EQ(out[0].dataAs<T>()[1], T(-8));
    EXPECT_EQ(out[0].dataAs<T>()[10], std::numeric_limits<T>::min());
    const T negativeExponent[] = {1, -1, 1, 0, 0, 0};
    for (int i = 0; i < 6; ++i)
      EXPECT_EQ(out[0].dataAs<T>()[12 + i], negativeExponent[i])
          << a[12 + i] << " ^ " << b[12 + i];
  }
}

//===----------------------------------------------------------------------===//
// Unary float ops: neg abs exp log sqrt rsqrt tanh sigmoid relu
//===----------------------------------------------------------------------===//

template <typename T> class UnaryFloatOps : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(UnaryFloatOps, FloatTypes);

const char *kUnaryFloatIR = R"(
func.func @unary(%x: tensor<40x$T>, %p: tensor<40x$T>)
    -> (tensor<40x$T>, tensor<40x$T>, tensor<40x$T>, tensor<40x$T>,
        tensor<40x$T>, tensor<40x$T>, tensor<40x$T>, tensor<40x$T>,
        tensor<40x$T>) {
  %neg = kiln.neg %x : tensor<40x$T>
  %abs = kiln.abs %x : tensor<40x$T>
  %exp = kiln.exp %x : tensor<40x$T>
  %tanh = kiln.tanh %x : tensor<40x$T>
  %sig = kiln.sigmoid %x : tensor<40x$T>
  %relu = kiln.relu %x : tensor<40x$T>
  %log = kiln.log %p : tensor<40x$T>
  %sqrt = kiln.sqrt %p : tensor<40x$T>
  %rsqrt = kiln.rsqrt %p : tensor<40x$T>
  return %neg, %abs, %exp, %tanh, %sig, %relu, %log, %sqrt, %rsqrt
      : tensor<40x$T>, tensor<40x$T>, tensor<40x$T>, tensor<40x$T>,
        tensor<40x$T>, tensor<40x$T>, tensor<40x$T>, tensor<40x$T>,
        tensor<40x$T>
}
)";

TYPED_TEST(UnaryFloatOps, AllOps) {
  using T = TypeParam;
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(replaceAll(kUnaryFloatIR, "$T", mlirType<T>()), m));

  // x: large magnitudes first (sigmoid/tanh/exp saturation), then random.
  // p: log/sqrt/rsqrt of 0 (-inf, 0, inf) and of -1 (NaN).
  std::vector<T> x = {-100, 100, -1000, 1000, 0,   -0.5,
                      0.5,  -30, 30,    1e-3, -2.5};
  std::vector<T> p = {0, 1, 4, 0.25, 1e-6, 1e6, 2, 100, 0.5, 7, -1};
  Rng rng(0x0E + sizeof(T));
  while (x.size() < 40) {
    x.push_back(static_cast<T>(rng.uniform(-6, 6)));
    p.push_back(static_cast<T>(rng.uniform(0.01, 50)));
  }
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "unary",
      {Tensor::fromVector<T>({40}, x), Tensor::fromVector<T>({40}, p)}, out));
  ASSERT_EQ(out.size(), 9u);
  const Tol exact = kExact;
  const Tol math = std::is_same_v<T, float> ? kF32Math : kF64;
  const std::vector<int64_t> s = {40};
  EXPECT_TRUE(
      matches<T>(out[0], s, mapDouble(x, [](double v) { return -v; }), exact))
      << "neg";
  EXPECT_TRUE(matches<T>(
      out[1], s, mapDouble(x, [](double v) { return std::fabs(v); }), exact))
      << "abs";
  EXPECT_TRUE(matches<T>(
      out[2], s, mapDouble(x, [](double v) { return std::exp(v); }), math))
      << "exp";
  EXPECT_TRUE(matches<T>(
      out[3], s, mapDouble(x, [](double v) { return std::tanh(v); }), math))
      << "tanh";
  EXPECT_TRUE(matches<T>(
      out[4], s,
      mapDouble(x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }), math))
      << "sigmoid";
  EXPECT_TRUE(matches<T>(
      out[5], s, mapDouble(x, [](double v) { return v > 0 ? v : 0.0; }), exact))
      << "relu";
  EXPECT_TRUE(matches<T>(
      out[6], s, mapDouble(p, [](double v) { return std::log(v); }), math))
      << "log";
  EXPECT_TRUE(matches<T>(
      out[7], s, mapDouble(p, [](double v) { return std::sqrt(v); }), math))
      << "sqrt";
  EXPECT_TRUE(matches<T>(
      out[8], s, mapDouble(p, [](double v) { return 1.0 / std::sqrt(v); }),
      math))
      << "rsqrt";

  // Sigmoid saturates without overflow: finite, in [0, 1], the right end.
  const T *sig = out[4].dataAs<T>();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(std::isfinite(sig[i]))
        << "sigmoid(" << x[i] << ") = " << sig[i];
    EXPECT_GE(sig[i], T(0));
    EXPECT_LE(sig[i], T(1));
  }
  EXPECT_NEAR(sig[0], 0.0, 1e-30);
  EXPECT_EQ(sig[1], T(1));
  EXPECT_EQ(sig[2], T(0));
  EXPECT_EQ(sig[3], T(1));
  // tanh saturates to exactly +-1.
  EXPECT_EQ(out[3].dataAs<T>()[7], T(-1));
  EXPECT_EQ(out[3].dataAs<T>()[8], T(1));
  // log 0 = -inf, rsqrt 0 = +inf.
  EXPECT_EQ(out[6].dataAs<T>()[0], -std::numeric_limits<T>::infinity());
  EXPECT_EQ(out[8].dataAs<T>()[0], std::numeric_limits<T>::infinity());
  for (int r = 6; r <= 8; ++r)
    EXPECT_TRUE(std::isnan(out[r].dataAs<T>()[10])) << "result " << r;
}

//===----------------------------------------------------------------------===//
// Unary integer ops: neg abs relu
//===----------------------------------------------------------------------===//

template <typename T> class UnaryIntOps : public ::testing::Test {};
using IntTypes = ::testing::Types<int32_t, int64_t>;
TYPED_TEST_SUITE(UnaryIntOps, IntTypes);

TYPED_TEST(UnaryIntOps, NegAbsRelu) {
  using T = TypeParam;
  const char *ir = R"(
func.func @unary(%x: tensor<3x4x$T>) -> (tensor<3x4x$T>, tensor<3x4x$T>, tensor<3x4x$T>) {
  %neg = kiln.neg %x : tensor<3x4x$T>
  %abs = kiln.abs %x : tensor<3x4x$T>
  %relu = kiln.relu %x : tensor<3x4x$T>
  return %neg, %abs, %relu : tensor<3x4x$T>, tensor<3x4x$T>, tensor<3x4x$T>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(replaceAll(ir, "$T", mlirType<T>()), m));
  const T lo = std::numeric_limits<T>::min(),
          hi = std::numeric_limits<T>::max();
  std::vector<T> x = {0, 1, -1, 5, -5, hi, lo, -hi, 123, -456, 7, -8};
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "unary", {Tensor::fromVector<T>({3, 4}, x)}, out));
  ASSERT_EQ(out.size(), 3u);
  std::vector<T> neg, abs, relu;
  for (T v : x) {
    neg.push_back(wrapSub<T>(0, v)); // -INT_MIN wraps to INT_MIN
    abs.push_back(v < 0 ? wrapSub<T>(0, v) : v);
    relu.push_back(v > 0 ? v : 0);
  }
  EXPECT_TRUE(matches<T>(out[0], {3, 4}, neg)) << "neg";
  EXPECT_TRUE(matches<T>(out[1], {3, 4}, abs)) << "abs";
  EXPECT_TRUE(matches<T>(out[2], {3, 4}, relu)) << "relu";
}

//===----------------------------------------------------------------------===//
// compare (all predicates) and select
//===----------------------------------------------------------------------===//

const char *kCompareIR = R"(
func.func @cmp(%a: tensor<$Nx$T>, %b: tensor<$Nx$T>)
    -> (tensor<$Nxi1>, tensor<$Nxi1>, tensor<$Nxi1>, tensor<$Nxi1>,
        tensor<$Nxi1>, tensor<$Nxi1>) {
  %eq = kiln.compare eq, %a, %b : tensor<$Nx$T>
  %ne = kiln.compare ne, %a, %b : tensor<$Nx$T>
  %lt = kiln.compare lt, %a, %b : tensor<$Nx$T>
  %le = kiln.compare le, %a, %b : tensor<$Nx$T>
  %gt = kiln.compare gt, %a, %b : tensor<$Nx$T>
  %ge = kiln.compare ge, %a, %b : tensor<$Nx$T>
  return %eq, %ne, %lt, %le, %gt, %ge
      : tensor<$Nxi1>, tensor<$Nxi1>, tensor<$Nxi1>, tensor<$Nxi1>,
        tensor<$Nxi1>, tensor<$Nxi1>
}
)";

/// Compiles @cmp for T, runs it on (a, b) and checks all six predicates
/// against C++'s operators (which, for floats, are IEEE: only != is true
/// when a NaN is involved).
template <typename T>
void checkCompare(const std::vector<T> &a, const std::vector<T> &b) {
  const int64_t n = static_cast<int64_t>(a.size());
  std::string ir = replaceAll(replaceAll(kCompareIR, "$N", std::to_string(n)),
                              "$T", mlirType<T>());
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "cmp", {Tensor::fromVector<T>({n}, a), Tensor::fromVector<T>({n}, b)},
      out));
  ASSERT_EQ(out.size(), 6u);
  std::vector<bool> eq, ne, lt, le, gt, ge;
  for (int64_t i = 0; i < n; ++i) {
    eq.push_back(a[i] == b[i]);
    ne.push_back(a[i] != b[i]);
    lt.push_back(a[i] < b[i]);
    le.push_back(a[i] <= b[i]);
    gt.push_back(a[i] > b[i]);
    ge.push_back(a[i] >= b[i]);
  }
  EXPECT_TRUE(matches<bool>(out[0], {n}, eq)) << "eq";
  EXPECT_TRUE(matches<bool>(out[1], {n}, ne)) << "ne";
  EXPECT_TRUE(matches<bool>(out[2], {n}, lt)) << "lt";
  EXPECT_TRUE(matches<bool>(out[3], {n}, le)) << "le";
  EXPECT_TRUE(matches<bool>(out[4], {n}, gt)) << "gt";
  EXPECT_TRUE(matches<bool>(out[5], {n}, ge)) << "ge";
}

template <typename T> void checkFloatCompare() {
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<T> a = {1,   2,    2,   -3, -5,  4,   -inf,
                      inf, -0.0, nan, 1,  nan, inf, 0.1};
  std::vector<T> b = {2, 1, 2, -3, 4, -5, inf, inf, 0.0, 1, nan, nan, nan, 0.1};
  checkCompare<T>(a, b);
}

TEST(Compare, F32WithNaN) {
  checkFloatCompare<float>();
  // Spelled out: with a NaN operand only `ne` is true.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const char *ir = R"(
func.func @nan(%a: tensor<f32>, %b: tensor<f32>) -> (tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>) {
  %eq = kiln.compare eq, %a, %b : tensor<f32>
  %ne = kiln.compare ne, %a, %b : tensor<f32>
  %lt = kiln.compare lt, %a, %b : tensor<f32>
  %le = kiln.compare le, %a, %b : tensor<f32>
  %gt = kiln.compare gt, %a, %b : tensor<f32>
  %ge = kiln.compare ge, %a, %b : tensor<f32>
  return %eq, %ne, %lt, %le, %gt, %ge : tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>, tensor<i1>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "nan",
                       {Tensor::fromVector<float>({}, {nan}),
                        Tensor::fromVector<float>({}, {nan})},
                       out));
  ASSERT_EQ(out.size(), 6u);
  const bool expected[6] = {false, true, false, false, false, false};
  for (int i = 0; i < 6; ++i)
    EXPECT_TRUE(matches<bool>(out[i], {}, {expected[i]})) << "predicate #" << i;
}

TEST(Compare, F64) { checkFloatCompare<double>(); }

TEST(Compare, I32Signed) {
  std::vector<int32_t> a = {1, 2, 2, -3, -5, 4, INT32_MIN, INT32_MAX, 0, -1};
  std::vector<int32_t> b = {2, 1, 2, -3, 4, -5, INT32_MAX, INT32_MIN, -1, 0};
  checkCompare<int32_t>(a, b);
}

TEST(Compare, I64Signed) {
  std::vector<int64_t> a = {1, 2, 2, INT64_MIN, INT64_MAX, -1, 1LL << 40};
  std::vector<int64_t> b = {2, 1, 2, INT64_MAX, INT64_MIN, 0, (1LL << 40) + 1};
  checkCompare<int64_t>(a, b);
}

TEST(Compare, I1FalseBeforeTrue) {
  // i1 orders false < true (not as signed 1-bit, where true would be -1).
  checkCompare<bool>({false, false, true, true}, {false, true, false, true});
}

TEST(Select, AllTypesAndComposite) {
  const char *ir = R"(
func.func @sel_f32(%c: tensor<2x4xi1>, %a: tensor<2x4xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = kiln.select %c, %a, %b : tensor<2x4xi1>, tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}
func.func @sel_i64(%c: tensor<2x4xi1>, %a: tensor<2x4xi64>, %b: tensor<2x4xi64>) -> tensor<2x4xi64> {
  %r = kiln.select %c, %a, %b : tensor<2x4xi1>, tensor<2x4xi64>
  return %r : tensor<2x4xi64>
}
func.func @sel_i1(%c: tensor<2x4xi1>, %a: tensor<2x4xi1>, %b: tensor<2x4xi1>) -> tensor<2x4xi1> {
  %r = kiln.select %c, %a, %b : tensor<2x4xi1>, tensor<2x4xi1>
  return %r : tensor<2x4xi1>
}
// |x| clipped to [lo, hi] via compare + select, in f64.
func.func @clip(%x: tensor<2x4xf64>) -> tensor<2x4xf64> {
  %lo = kiln.constant dense<-1.0> : tensor<2x4xf64>
  %hi = kiln.constant dense<2.0> : tensor<2x4xf64>
  %under = kiln.compare lt, %x, %lo : tensor<2x4xf64>
  %0 = kiln.select %under, %lo, %x : tensor<2x4xi1>, tensor<2x4xf64>
  %over = kiln.compare gt, %0, %hi : tensor<2x4xf64>
  %1 = kiln.select %over, %hi, %0 : tensor<2x4xi1>, tensor<2x4xf64>
  return %1 : tensor<2x4xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<bool> c = {true, false, false, true, true, true, false, false};
  std::vector<float> af = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> bf = {-1, -2, -3, -4, -5, -6, -7, -8};
  std::vector<int64_t> ai = {INT64_MIN, 2, 3, INT64_MAX, 5, 6, 7, 8};
  std::vector<int64_t> bi = {10, 20, 30, 40, 50, 60, 70, 80};
  std::vector<bool> ab = {true, true, false, false, true, false, true, false};
  std::vector<bool> bb = {false, true, true, false, false, true, false, true};
  std::vector<float> ef;
  std::vector<int64_t> ei;
  std::vector<bool> eb;
  for (size_t i = 0; i < c.size(); ++i) {
    ef.push_back(c[i] ? af[i] : bf[i]);
    ei.push_back(c[i] ? ai[i] : bi[i]);
    eb.push_back(c[i] ? ab[i] : bb[i]);
  }
  Tensor ct = Tensor::fromVector<bool>({2, 4}, c);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "sel_f32",
                       {ct, Tensor::fromVector<float>({2, 4}, af),
                        Tensor::fromVector<float>({2, 4}, bf)},
                       out));
  EXPECT_TRUE(matches<float>(out[0], {2, 4}, ef));
  ASSERT_TRUE(invokeFn(*m, "sel_i64",
                       {ct, Tensor::fromVector<int64_t>({2, 4}, ai),
                        Tensor::fromVector<int64_t>({2, 4}, bi)},
                       out));
  EXPECT_TRUE(matches<int64_t>(out[0], {2, 4}, ei));
  ASSERT_TRUE(invokeFn(*m, "sel_i1",
                       {ct, Tensor::fromVector<bool>({2, 4}, ab),
                        Tensor::fromVector<bool>({2, 4}, bb)},
                       out));
  EXPECT_TRUE(matches<bool>(out[0], {2, 4}, eb));

  std::vector<double> x = {-5, -1, -0.5, 0, 1.5, 2, 2.5, 1e9};
  ASSERT_TRUE(
      invokeFn(*m, "clip", {Tensor::fromVector<double>({2, 4}, x)}, out));
  EXPECT_TRUE(matches<double>(out[0], {2, 4}, {-1, -1, -0.5, 0, 1.5, 2, 2, 2}));
}

//===----------------------------------------------------------------------===//
// cast
//===----------------------------------------------------------------------===//

template <typename To, typename From>
std::vector<To> refCast(const std::vector<From> &in) {
  std::vector<To> out;
  for (From v : in) {
    if constexpr (std::is_same_v<To, bool>)
      out.push_back(v != From(0)); // non-zero (and NaN) is true
    else
      out.push_back(static_cast<To>(v)); // truncation toward zero; i1 -> 0/1
  }
  return out;
}

TEST(Cast, FloatToIntSaturatesAndNaNIsZero) {
  const char *ir = R"(
func.func @f(%x: tensor<8xf32>, %y: tensor<8xf64>) -> (tensor<8xi32>, tensor<8xi64>, tensor<8xi32>) {
  %0 = kiln.cast %x : tensor<8xf32> -> tensor<8xi32>
  %1 = kiln.cast %x : tensor<8xf32> -> tensor<8xi64>
  %2 = kiln.cast %y : tensor<8xf64> -> tensor<8xi32>
  return %0, %1, %2 : tensor<8xi32>, tensor<8xi64>, tensor<8xi32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {nan, inf, -inf, 3e9f, -3e9f, 1e19f, -1e19f, -2.5f};
  std::vector<double> y = {
      std::nan(""),  2147483647.9, 2147483648.0, -2147483648.0,
      -2147483649.0, 1e300,        -1e300,       7.9};
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "f",
      {Tensor::fromVector<float>({8}, x), Tensor::fromVector<double>({8}, y)},
      out));
  const int32_t i32min = INT32_MIN, i32max = INT32_MAX;
  const int64_t i64min = INT64_MIN, i64max = INT64_MAX;
  EXPECT_TRUE(matches<int32_t>(
      out[0], {8}, {0, i32max, i32min, i32max, i32min, i32max, i32min, -2}));
  EXPECT_TRUE(matches<int64_t>(
      out[1], {8},
      {0, i64max, i64min, 3000000000, -3000000000, i64max, i64min, -2}));
  EXPECT_TRUE(matches<int32_t>(
      out[2], {8}, {0, i32max, i32max, i32min, i32min, i32max, i32min, 7}));
}

TEST(Cast, AllPairs) {
  const char *ir = R"(
func.func @from_f32(%x: tensor<10xf32>) -> (tensor<10xf64>, tensor<10xi32>, tensor<10xi64>, tensor<10xi1>) {
  %0 = kiln.cast %x : tensor<10xf32> -> tensor<10xf64>
  %1 = kiln.cast %x : tensor<10xf32> -> tensor<10xi32>
  %2 = kiln.cast %x : tensor<10xf32> -> tensor<10xi64>
  %3 = kiln.cast %x : tensor<10xf32> -> tensor<10xi1>
  return %0, %1, %2, %3 : tensor<10xf64>, tensor<10xi32>, tensor<10xi64>, tensor<10xi1>
}
func.func @from_f64(%x: tensor<10xf64>) -> (tensor<10xf32>, tensor<10xi32>, tensor<10xi64>, tensor<10xi1>) {
  %0 = kiln.cast %x : tensor<10xf64> -> tensor<10xf32>
  %1 = kiln.cast %x : tensor<10xf64> -> tensor<10xi32>
  %2 = kiln.cast %x : tensor<10xf64> -> tensor<10xi64>
  %3 = kiln.cast %x : tensor<10xf64> -> tensor<10xi1>
  return %0, %1, %2, %3 : tensor<10xf32>, tensor<10xi32>, tensor<10xi64>, tensor<10xi1>
}
func.func @from_i32(%x: tensor<10xi32>) -> (tensor<10xf32>, tensor<10xf64>, tensor<10xi64>, tensor<10xi1>) {
  %0 = kiln.cast %x : tensor<10xi32> -> tensor<10xf32>
  %1 = kiln.cast %x : tensor<10xi32> -> tensor<10xf64>
  %2 = kiln.cast %x : tensor<10xi32> -> tensor<10xi64>
  %3 = kiln.cast %x : tensor<10xi32> -> tensor<10xi1>
  return %0, %1, %2, %3 : tensor<10xf32>, tensor<10xf64>, tensor<10xi64>, tensor<10xi1>
}
func.func @from_i64(%x: tensor<10xi64>) -> (tensor<10xf32>, tensor<10xf64>, tensor<10xi32>, tensor<10xi1>) {
  %0 = kiln.cast %x : tensor<10xi64> -> tensor<10xf32>
  %1 = kiln.cast %x : tensor<10xi64> -> tensor<10xf64>
  %2 = kiln.cast %x : tensor<10xi64> -> tensor<10xi32>
  %3 = kiln.cast %x : tensor<10xi64> -> tensor<10xi1>
  return %0, %1, %2, %3 : tensor<10xf32>, tensor<10xf64>, tensor<10xi32>, tensor<10xi1>
}
func.func @from_i1(%x: tensor<10xi1>) -> (tensor<10xf32>, tensor<10xf64>, tensor<10xi32>, tensor<10xi64>) {
  %0 = kiln.cast %x : tensor<10xi1> -> tensor<10xf32>
  %1 = kiln.cast %x : tensor<10xi1> -> tensor<10xf64>
  %2 = kiln.cast %x : tensor<10xi1> -> tensor<10xi32>
  %3 = kiln.cast %x : tensor<10xi1> -> tensor<10xi64>
  return %0, %1, %2, %3 : tensor<10xf32>, tensor<10xf64>, tensor<10xi32>, tensor<10xi64>
}
// Non-finite floats: NaN and inf survive f32 <-> f64 and are "true".
func.func @nonfinite(%x: tensor<3xf32>) -> (tensor<3xf64>, tensor<3xi1>, tensor<3xf32>) {
  %0 = kiln.cast %x : tensor<3xf32> -> tensor<3xf64>
  %1 = kiln.cast %x : tensor<3xf32> -> tensor<3xi1>
  %2 = kiln.cast %0 : tensor<3xf64> -> tensor<3xf32>
  return %0, %1, %2 : tensor<3xf64>, tensor<3xi1>, tensor<3xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  const std::vector<int64_t> s = {10};
  std::vector<Tensor> out;

  std::vector<float> f = {-2.7f, -0.5f, -0.0f,  0.0f,        0.5f,
                          1.0f,  2.9f,  -7.99f, 16777216.0f, -2147483520.0f};
  ASSERT_TRUE(invokeFn(*m, "from_f32", {Tensor::fromVector<float>(s, f)}, out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<double>(out[0], s, refCast<double>(f), kExact));
  EXPECT_TRUE(matches<int32_t>(out[1], s, refCast<int32_t>(f)));
  EXPECT_TRUE(matches<int64_t>(out[2], s, refCast<int64_t>(f)));
  EXPECT_TRUE(matches<bool>(out[3], s, refCast<bool>(f)));
  // Spelled out: truncation toward zero, and -0.0 is false.
  EXPECT_TRUE(matches<int32_t>(
      out[1], s, {-2, 0, 0, 0, 0, 1, 2, -7, 16777216, -2147483520}));
  EXPECT_TRUE(matches<bool>(
      out[3], s,
      {true, true, false, false, true, true, true, true, true, true}));

  std::vector<double> d = {-2.7, -0.5, -0.0,  0.0,    0.1,
                           1.0,  2.9,  -7.99, 1e-300, 2147483647.9};
  ASSERT_TRUE(
      invokeFn(*m, "from_f64", {Tensor::fromVector<double>(s, d)}, out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<float>(out[0], s, refCast<float>(d), kExact));
  EXPECT_TRUE(matches<int32_t>(out[1], s, refCast<int32_t>(d)));
  EXPECT_TRUE(matches<int64_t>(out[2], s, refCast<int64_t>(d)));
  EXPECT_TRUE(matches<bool>(out[3], s, refCast<bool>(d)));
  EXPECT_EQ(out[1].dataAs<int32_t>()[9], INT32_MAX);
  EXPECT_EQ(out[0].dataAs<float>()[8], 0.0f); // 1e-300 underflows in f32
  EXPECT_TRUE(out[3].dataAs<bool>()[8]);      // ... but is non-zero

  std::vector<int32_t> i32 = {INT32_MIN, -1,       0,         1,  2,
                              256,       16777217, INT32_MAX, -7, 65536};
  ASSERT_TRUE(
      invokeFn(*m, "from_i32", {Tensor::fromVector<int32_t>(s, i32)}, out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<float>(out[0], s, refCast<float>(i32), kExact));
  EXPECT_TRUE(matches<double>(out[1], s, refCast<double>(i32), kExact));
  EXPECT_TRUE(matches<int64_t>(out[2], s, refCast<int64_t>(i32)));
  EXPECT_TRUE(matches<bool>(out[3], s, refCast<bool>(i32)));
  EXPECT_EQ(out[2].dataAs<int64_t>()[0], -2147483648LL); // sign extension
  EXPECT_TRUE(out[3].dataAs<bool>()[5]); // 256 -> true, not truncated to 0

  std::vector<int64_t> i64 = {
      INT64_MIN,       -1,       0, 1, 2, 1LL << 32, (1LL << 32) + 5, 1LL << 31,
      (1LL << 53) + 1, INT64_MAX};
  ASSERT_TRUE(
      invokeFn(*m, "from_i64", {Tensor::fromVector<int64_t>(s, i64)}, out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<float>(out[0], s, refCast<float>(i64), kExact));
  EXPECT_TRUE(matches<double>(out[1], s, refCast<double>(i64), kExact));
  EXPECT_TRUE(matches<int32_t>(out[2], s, refCast<int32_t>(i64)));
  EXPECT_TRUE(matches<bool>(out[3], s, refCast<bool>(i64)));
  EXPECT_TRUE(
      matches<int32_t>(out[2], s, {0, -1, 0, 1, 2, 0, 5, INT32_MIN, 1, -1}));
  EXPECT_TRUE(out[3].dataAs<bool>()[5]); // 2^32 -> true, not truncated to 0

  std::vector<bool> b = {true,  false, true,  true, false,
                         false, true,  false, true, false};
  ASSERT_TRUE(invokeFn(*m, "from_i1", {Tensor::fromVector<bool>(s, b)}, out));
  ASSERT_EQ(out.size(), 4u);
  std::vector<int64_t> ones;
  for (bool v : b)
    ones.push_back(v ? 1 : 0); // 1, not -1
  EXPECT_TRUE(matches<float>(out[0], s, refCast<float>(ones)));
  EXPECT_TRUE(matches<double>(out[1], s, refCast<double>(ones)));
  EXPECT_TRUE(matches<int32_t>(out[2], s, refCast<int32_t>(ones)));
  EXPECT_TRUE(matches<int64_t>(out[3], s, ones));

  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ASSERT_TRUE(invokeFn(*m, "nonfinite",
                       {Tensor::fromVector<float>({3}, {nan, inf, -inf})},
                       out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<double>(out[0], {3}, {kNaN, kInf, -kInf}));
  EXPECT_TRUE(matches<bool>(out[1], {3}, {true, true, true}));
  EXPECT_TRUE(matches<float>(out[2], {3}, {nan, inf, -inf}));
}

} // namespace
