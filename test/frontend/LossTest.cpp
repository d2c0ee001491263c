//===- LossTest.cpp - Losses against closed forms in f64 ------------------===//

#include "FrontendTestUtil.h"

#include <cmath>
#include <limits>

using namespace kiln;
using namespace kiln::frontend_test;

TEST(Losses, MeanSquaredError) {
  std::vector<double> x = randomValues<double>(6, -2, 2, 1);
  std::vector<double> t = randomValues<double>(6, -2, 2, 2);
  Graph g("mse");
  Var input = g.input("x", {2, 3}, DType::F64);
  Var target = g.input("t", {2, 3}, DType::F64);
  g.output("mean", mseLoss(input, target));
  g.output("sum", mseLoss(input, target, Reduction::Sum));
  g.output("none", mseLoss(input, target, Reduction::None));
  auto out = compileAndRun(g, {Tensor::fromVector<double>({2, 3}, x),
                               Tensor::fromVector<double>({2, 3}, t)});
  ASSERT_EQ(out.size(), 3u);
  std::vector<double> each;
  double sum = 0;
  for (int i = 0; i < 6; ++i) {
    each.push_back((x[i] - t[i]) * (x[i] - t[i]));
    sum += each.back();
  }
  EXPECT_TRUE(matches<double>(out[0], {}, {sum / 6}));
  EXPECT_TRUE(matches<double>(out[1], {}, {sum}));
  EXPECT_TRUE(matches<double>(out[2], {2, 3}, each));
}

TEST(Losses, BinaryCrossEntropyWithLogitsIsStable) {
  // Large logits would overflow exp() in the naive form.
  std::vector<double> x = {-800, -30, -1.5, 0, 0.25, 2, 40, 750};
  std::vector<double> y = {0, 1, 0.3, 1, 0, 1, 0, 1};
  Graph g("bce");
  Var logits = g.input("x", {8}, DType::F64);
  Var targets = g.input("y", {8}, DType::F64);
  g.output("mean", binaryCrossEntropyWithLogits(logits, targets));
  g.output("none",
           binaryCrossEntropyWithLogits(logits, targets, Reduction::None));
  auto out = compileAndRun(g, {Tensor::fromVector<double>({8}, x),
                               Tensor::fromVector<double>({8}, y)});
  ASSERT_EQ(out.size(), 2u);
  std::vector<double> each;
  double sum = 0;
  for (int i = 0; i < 8; ++i) {
    // -y log p - (1 - y) log(1 - p), p = sigmoid(x), with log p =
    // -log1p(exp(-x)) and log(1 - p) = -x - log1p(exp(-x)) for x >= 0 (and
    // the mirrored forms for x < 0), exact in double.
    double logP = x[i] >= 0 ? -std::log1p(std::exp(-x[i]))
                            : x[i] - std::log1p(std::exp(x[i]));
    double log1mP = x[i] >= 0 ? -x[i] - std::log1p(std::exp(-x[i]))
                              : -std::log1p(std::exp(x[i]));
    each.push_back(-y[i] * logP - (1 - y[i]) * log1mP);
    sum += each.back();
  }
  EXPECT_TRUE(matches<double>(out[1], {8}, each, {1e-12, 1e-14}));
  EXPECT_TRUE(matches<double>(out[0], {}, {sum / 8}, {1e-12, 1e-14}));
}

TEST(Losses, CrossEntropyWithIntegerLabels) {
  const int n = 4, c = 5;
  std::vector<double> logits = randomValues<double>(n * c, -4, 4, 3);
  logits[7] = 500; // log-sum-exp must not overflow
  std::vector<int64_t> labels = {0, 1, 4, 2};
  std::vector<double> each;
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    double m = -1e300;
    for (int j = 0; j < c; ++j)
      m = std::max(m, logits[i * c + j]);
    double z = 0;
    for (int j = 0; j < c; ++j)
      z += std::exp(logits[i * c + j] - m);
    each.push_back(m + std::log(z) - logits[i * c + labels[i]]);
    sum += each.back();
  }
  for (DType labelType : {DType::I64, DType::I32}) {
    Graph g("xent");
    Var x = g.input("logits", {n, c}, DType::F64);
    Var l = g.input("labels", {n}, labelType);
    g.output("mean", crossEntropy(x, l));
    g.output("sum", crossEntropy(x, l, Reduction::Sum));
    g.output("none", crossEntropy(x, l, Reduction::None));
    Tensor labelTensor =
        labelType == DType::I64
            ? Tensor::fromVector<int64_t>({n}, labels)
            : Tensor::fromVector<int32_t>(
                  {n}, std::vector<int32_t>(labels.begin(), labels.end()));
    auto out = compileAndRun(
        g, {Tensor::fromVector<double>({n, c}, logits), labelTensor});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_TRUE(matches<double>(out[0], {}, {sum / n}));
    EXPECT_TRUE(matches<double>(out[1], {}, {sum}));
    EXPECT_TRUE(matches<double>(out[2], {n}, each));
  }
}

TEST(Losses, CrossEntropyOfAnOutOfRangeLabelIsNaN) {
  Graph g("xent_bad");
  Var x = g.input("logits", {2, 3}, DType::F32);
  Var l = g.input("labels", {2}, DType::I64);
  g.output("none", crossEntropy(x, l, Reduction::None));
  auto out =
      compileAndRun(g, {Tensor::fromVector<float>({2, 3}, {0, 0, 0, 1, 2, 3}),
                        Tensor::fromVector<int64_t>({2}, {1, 3})});
  ASSERT_EQ(out.size(), 1u);
  float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(matches<float>(out[0], {2}, {std::log(3.0f), nan}));
}
