//===- InitializerTest.cpp - Seeded initializers: determinism, statistics -===//
//
// Statistics are checked on 200 000 draws against the formulas of
// torch.nn.init: the sample mean within 5 standard errors, the sample
// standard deviation within 1%, uniform draws inside their bounds (and
// reaching close to them).
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"

#include <cmath>

using namespace kiln;
using namespace kiln::frontend_test;

namespace {
struct Stats {
  double mean, std, min, max;
};

Stats statsOf(const Tensor &t) {
  double sum = 0, sq = 0, lo = 1e300, hi = -1e300;
  int64_t n = t.numElements();
  for (int64_t i = 0; i < n; ++i) {
    double v = t.getAsDouble(i);
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  double mean = sum / n;
  for (int64_t i = 0; i < n; ++i)
    sq += (t.getAsDouble(i) - mean) * (t.getAsDouble(i) - mean);
  return {mean, std::sqrt(sq / (n - 1)), lo, hi};
}

/// Checks mean and std of `t` against the distribution's.
void expectMoments(const Tensor &t, double mean, double std, const char *what) {
  Stats s = statsOf(t);
  double stderrOfMean = std / std::sqrt(static_cast<double>(t.numElements()));
  EXPECT_NEAR(s.mean, mean, 5 * stderrOfMean) << what;
  EXPECT_NEAR(s.std, std, 0.01 * std) << what;
}

/// Uniform on [-bound, bound): moments, inside the bounds, near them.
void expectSymmetricUniform(const Tensor &t, double bound, const char *what) {
  expectMoments(t, 0.0, bound / std::sqrt(3.0), what);
  Stats s = statsOf(t);
  EXPECT_GE(s.min, -bound) << what;
  EXPECT_LE(s.max, bound) << what;
  EXPECT_LT(s.min, -0.999 * bound) << what;
  EXPECT_GT(s.max, 0.999 * bound) << what;
}

constexpr int64_t kSamples = 200000;
} // namespace

TEST(Initializers, Fans) {
  Fans linear = computeFans({512, 784});
  EXPECT_EQ(linear.fanIn, 784);
  EXPECT_EQ(linear.fanOut, 512);
  // Conv2d weight [O, I/groups, kH, kW]: the receptive field multiplies.
  Fans conv = computeFans({64, 32 / 4, 5, 5});
  EXPECT_EQ(conv.fanIn, 8 * 25);
  EXPECT_EQ(conv.fanOut, 64 * 25);
  EXPECT_THROW(computeFans({10}), GraphError);
}

TEST(Initializers, Gains) {
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::Linear), 1.0);
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::Conv), 1.0);
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::Sigmoid), 1.0);
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::Tanh), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::ReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::LeakyReLU, 0.2),
                   std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(calculateGain(Nonlinearity::SELU), 0.75);
}

TEST(Initializers, SameSeedSameValuesOtherSeedOtherValues) {
  for (const Initializer &init :
       {init::uniform(-1, 1), init::normal(0, 1), init::xavierUniform(),
        init::xavierNormal(), init::kaimingUniform(), init::kaimingNormal()}) {
    Tensor a = init.generate({16, 8}, DType::F32, 42);
    Tensor b = init.generate({16, 8}, DType::F32, 42);
    Tensor c = init.generate({16, 8}, DType::F32, 43);
    EXPECT_EQ(toVector<float>(a), toVector<float>(b)) << init.describe();
    EXPECT_NE(toVector<float>(a), toVector<float>(c)) << init.describe();
    // The initializer's own seed wins over the one it is given.
    Tensor d = init.withSeed(7).generate({16, 8}, DType::F32, 42);
    Tensor e = init.withSeed(7).generate({16, 8}, DType::F32, 99);
    EXPECT_EQ(toVector<float>(d), toVector<float>(e)) << init.describe();
  }
}

TEST(Initializers, FixedValuesForAFixedSeed) {
  // The generator is Kiln's own: these values are the same on every
  // platform and standard library (splitmix64, 53-bit uniforms).
  Tensor u = init::uniform(0, 1).generate({3}, DType::F64, 0);
  std::vector<double> got = toVector<double>(u);
  const double kExpected[3] = {
      static_cast<double>(0xE220A8397B1DCDAFull >> 11) * 0x1.0p-53,
      static_cast<double>(0x6E789E6AA1B965F4ull >> 11) * 0x1.0p-53,
      static_cast<double>(0x06C45D188009454Full >> 11) * 0x1.0p-53};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(got[i], kExpected[i]) << i;
}

TEST(Initializers, ConstantKinds) {
  EXPECT_TRUE(
      matches<float>(init::zeros().generate({2}, DType::F32, 1), {2}, {0, 0}));
  EXPECT_TRUE(
      matches<double>(init::ones().generate({2}, DType::F64, 1), {2}, {1, 1}));
  EXPECT_TRUE(matches<int64_t>(init::constant(7).generate({3}, DType::I64, 1),
                               {3}, {7, 7, 7}));
}

TEST(Initializers, UniformAndNormalStatistics) {
  Tensor u = init::uniform(-0.5, 2.0).generate({kSamples}, DType::F64, 1);
  expectMoments(u, 0.75, 2.5 / std::sqrt(12.0), "uniform");
  Stats s = statsOf(u);
  EXPECT_GE(s.min, -0.5);
  EXPECT_LT(s.max, 2.0);
  Tensor n = init::normal(1.5, 0.2).generate({kSamples}, DType::F32, 2);
  expectMoments(n, 1.5, 0.2, "normal");
}

TEST(Initializers, XavierStatistics) {
  // fanIn 400, fanOut 500.
  std::vector<int64_t> shape = {500, 400};
  double a = 2.0 * std::sqrt(6.0 / 900.0);
  expectSymmetricUniform(
      init::xavierUniform(2.0).generate(shape, DType::F64, 3), a,
      "xavier_uniform");
  expectMoments(init::glorotNormal().generate(shape, DType::F64, 4), 0.0,
                std::sqrt(2.0 / 900.0), "xavier_normal");
}

TEST(Initializers, KaimingStatistics) {
  // Conv weight [O=32, I=16, 5, 5]: fanIn 400, fanOut 800.
  std::vector<int64_t> shape = {32, 16, 5, 5};
  // PyTorch's default: a = 0, fan_in, leaky_relu -> gain sqrt(2).
  double bound = std::sqrt(2.0) * std::sqrt(3.0 / 400.0);
  expectSymmetricUniform(init::kaimingUniform().generate(shape, DType::F64, 5),
                         bound, "kaiming_uniform");
  expectMoments(init::heNormal(0.0, FanMode::FanOut, Nonlinearity::ReLU)
                    .generate(shape, DType::F64, 6),
                0.0, std::sqrt(2.0) / std::sqrt(800.0), "kaiming_normal");
  // Linear's weight: kaiming_uniform(a = sqrt(5)) is U(-1/sqrt(in), ..).
  std::vector<int64_t> linear = {300, 700};
  expectSymmetricUniform(
      init::kaimingUniform(std::sqrt(5.0)).generate(linear, DType::F64, 7),
      1.0 / std::sqrt(700.0), "kaiming_uniform(a=sqrt(5))");
}

TEST(Initializers, GraphSeedsEachParameterByName) {
  Graph a("a", 11), b("b", 11), c("c", 12);
  a.parameter("w", {64}, init::normal());
  a.parameter("v", {64}, init::normal());
  b.parameter("v", {64}, init::normal()); // declared in another order
  b.parameter("w", {64}, init::normal());
  c.parameter("w", {64}, init::normal());
  EXPECT_EQ(toVector<float>(a.value("w")), toVector<float>(b.value("w")));
  EXPECT_EQ(toVector<float>(a.value("v")), toVector<float>(b.value("v")));
  EXPECT_NE(toVector<float>(a.value("w")), toVector<float>(a.value("v")));
  EXPECT_NE(toVector<float>(a.value("w")), toVector<float>(c.value("w")));
}

TEST(Initializers, ZeroElementsIsANoOp) {
  Tensor t = init::kaimingUniform().generate({0, 4}, DType::F32, 1);
  EXPECT_FALSE(t.empty());
  EXPECT_EQ(t.numElements(), 0);
}
