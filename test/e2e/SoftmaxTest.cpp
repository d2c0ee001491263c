//===- SoftmaxTest.cpp - softmax and log_softmax
//----------------------------===//

#include "E2ETestUtil.h"

#include <algorithm>
#include <cmath>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// Reference (log-)softmax along `axis` of a row-major tensor, in double,
/// in the stable form.
template <typename T>
std::vector<T> softmaxRef(const std::vector<T> &x,
                          const std::vector<int64_t> &shape, int64_t axis,
                          bool log) {
  std::vector<int64_t> strides = stridesOf(shape);
  const int64_t len = shape[axis], step = strides[axis];
  std::vector<T> out(x.size());
  for (int64_t i = 0; i < static_cast<int64_t>(x.size()); ++i) {
    std::vector<int64_t> idx = unravel(i, shape);
    if (idx[axis] != 0)
      continue; // visit each line once, from its first element
    double mx = -INFINITY;
    for (int64_t j = 0; j < len; ++j)
      mx = std::max(mx, static_cast<double>(x[i + j * step]));
    double sum = 0;
    for (int64_t j = 0; j < len; ++j)
      sum += std::exp(static_cast<double>(x[i + j * step]) - mx);
    for (int64_t j = 0; j < len; ++j) {
      double shifted = static_cast<double>(x[i + j * step]) - mx;
      out[i + j * step] = static_cast<T>(log ? shifted - std::log(sum)
                                             : std::exp(shifted) / sum);
    }
  }
  return out;
}

/// Sums along `axis` (to check that probabilities sum to 1).
template <typename T>
std::vector<double> sumsAlong(const Tensor &t, int64_t axis) {
  std::vector<T> v = toVector<T>(t);
  std::vector<int64_t> shape = t.shape(), strides = stridesOf(shape);
  std::vector<double> sums;
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    if (unravel(i, shape)[axis] != 0)
      continue;
    double s = 0;
    for (int64_t j = 0; j < shape[axis]; ++j)
      s += v[i + j * strides[axis]];
    sums.push_back(s);
  }
  return sums;
}

const char *kSoftmaxIR = R"(
func.func @sm(%x: tensor<4x5x$T>) -> (tensor<4x5x$T>, tensor<4x5x$T>, tensor<4x5x$T>, tensor<4x5x$T>) {
  %0 = kiln.softmax %x axis 0 : tensor<4x5x$T>
  %1 = kiln.softmax %x axis 1 : tensor<4x5x$T>
  %2 = kiln.log_softmax %x axis 0 : tensor<4x5x$T>
  %3 = kiln.log_softmax %x axis 1 : tensor<4x5x$T>
  return %0, %1, %2, %3 : tensor<4x5x$T>, tensor<4x5x$T>, tensor<4x5x$T>, tensor<4x5x$T>
}
// The middle axis of a 3-D tensor.
func.func @mid(%x: tensor<2x3x4x$T>) -> (tensor<2x3x4x$T>, tensor<2x3x4x$T>) {
  %0 = kiln.softmax %x axis 1 : tensor<2x3x4x$T>
  %1 = kiln.log_softmax %x axis 1 : tensor<2x3x4x$T>
  return %0, %1 : tensor<2x3x4x$T>, tensor<2x3x4x$T>
}
)";

template <typename T> void checkSoftmax(double lo, double hi, Tol tol) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(replaceAll(kSoftmaxIR, "$T", mlirType<T>()), m));
  std::vector<T> x = randomValues<T>(20, lo, hi, 0x50F7);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "sm", {Tensor::fromVector<T>({4, 5}, x)}, out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<T>(out[0], {4, 5}, softmaxRef(x, {4, 5}, 0, false), tol))
      << "softmax axis 0";
  EXPECT_TRUE(matches<T>(out[1], {4, 5}, softmaxRef(x, {4, 5}, 1, false), tol))
      << "softmax axis 1";
  EXPECT_TRUE(matches<T>(out[2], {4, 5}, softmaxRef(x, {4, 5}, 0, true), tol))
      << "log_softmax axis 0";
  EXPECT_TRUE(matches<T>(out[3], {4, 5}, softmaxRef(x, {4, 5}, 1, true), tol))
      << "log_softmax axis 1";
  for (double s : sumsAlong<T>(out[0], 0))
    EXPECT_NEAR(s, 1.0, 1e-5);
  for (double s : sumsAlong<T>(out[1], 1))
    EXPECT_NEAR(s, 1.0, 1e-5);

  std::vector<T> y = randomValues<T>(24, lo, hi, 0x50F8);
  ASSERT_TRUE(invokeFn(*m, "mid", {Tensor::fromVector<T>({2, 3, 4}, y)}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(
      matches<T>(out[0], {2, 3, 4}, softmaxRef(y, {2, 3, 4}, 1, false), tol));
  EXPECT_TRUE(
      matches<T>(out[1], {2, 3, 4}, softmaxRef(y, {2, 3, 4}, 1, true), tol));
  for (double s : sumsAlong<T>(out[0], 1))
    EXPECT_NEAR(s, 1.0, 1e-5);
}

TEST(Softmax, RandomF32) { checkSoftmax<float>(-4, 4, kF32Math); }
TEST(Softmax, RandomF64) { checkSoftmax<double>(-4, 4, kF64); }

TEST(Softmax, LargeLogitsDoNotOverflow) {
  // exp(1000) overflows f32 and f64: only the max-subtracting form works.
  const char *ir = R"(
func.func @big(%x: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>) {
  %0 = kiln.softmax %x axis 1 : tensor<3x3xf32>
  %1 = kiln.log_softmax %x axis 1 : tensor<3x3xf32>
  %2 = kiln.softmax %x axis 0 : tensor<3x3xf32>
  %3 = kiln.log_softmax %x axis 0 : tensor<3x3xf32>
  return %0, %1, %2, %3 : tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>
}
func.func @big64(%x: tensor<2x2xf64>) -> (tensor<2x2xf64>, tensor<2x2xf64>) {
  %0 = kiln.softmax %x axis 1 : tensor<2x2xf64>
  %1 = kiln.log_softmax %x axis 1 : tensor<2x2xf64>
  return %0, %1 : tensor<2x2xf64>, tensor<2x2xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  // Rows: large and close; large with a huge spread; ordinary.
  std::vector<float> x = {1000, 1001, 1002, -1000, 0, 1000, 1, 2, 3};
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "big", {Tensor::fromVector<float>({3, 3}, x)}, out));
  ASSERT_EQ(out.size(), 4u);

  // Hand-derived: softmax([0, 1, 2]) = e^k / (1 + e + e^2).
  const double z = 1 + std::exp(1.0) + std::exp(2.0);
  const std::vector<float> p012 = {static_cast<float>(1 / z),
                                   static_cast<float>(std::exp(1.0) / z),
                                   static_cast<float>(std::exp(2.0) / z)};
  const std::vector<float> expected1 = {p012[0], p012[1], p012[2], 0,      0,
                                        1,       p012[0], p012[1], p012[2]};
  EXPECT_TRUE(matches<float>(out[0], {3, 3}, expected1, kF32Math));
  EXPECT_TRUE(matches<float>(out[0], {3, 3}, softmaxRef(x, {3, 3}, 1, false),
                             kF32Math));
  EXPECT_TRUE(
      matches<float>(out[1], {3, 3}, softmaxRef(x, {3, 3}, 1, true), kF32Math));
  const double lz = std::log(z);
  EXPECT_NEAR(out[1].dataAs<float>()[0], -lz, 1e-4);   // log(e^0 / z)
  EXPECT_NEAR(out[1].dataAs<float>()[3], -2000, 1e-2); // -1000 - 1000
  EXPECT_TRUE(matches<float>(out[2], {3, 3}, softmaxRef(x, {3, 3}, 0, false),
                             kF32Math));
  EXPECT_TRUE(
      matches<float>(out[3], {3, 3}, softmaxRef(x, {3, 3}, 0, true), kF32Math));
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 9; ++i)
      EXPECT_TRUE(std::isfinite(out[r].dataAs<float>()[i]))
          << "result " << r << " element " << i;
  for (double s : sumsAlong<float>(out[0], 1))
    EXPECT_NEAR(s, 1.0, 1e-5);
  for (double s : sumsAlong<float>(out[2], 0))
    EXPECT_NEAR(s, 1.0, 1e-5);

  std::vector<double> xd = {1000, 1001, -5000, 5000};
  ASSERT_TRUE(
      invokeFn(*m, "big64", {Tensor::fromVector<double>({2, 2}, xd)}, out));
  ASSERT_EQ(out.size(), 2u);
  const double e1 = std::exp(1.0);
  EXPECT_TRUE(
      matches<double>(out[0], {2, 2}, {1 / (1 + e1), e1 / (1 + e1), 0, 1}));
  EXPECT_TRUE(matches<double>(out[1], {2, 2},
                              {-std::log1p(e1), 1 - std::log1p(e1), -10000, 0},
                              Tol{1e-12, 1e-12}));
}

} // namespace
