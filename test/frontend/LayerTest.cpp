//===- LayerTest.cpp - Layers against C++ references ----------------------===//
//
// Each layer's forward pass, run by the JIT with the graph's parameter
// values, against a double-precision reference loop written here.
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"
#include "NNReference.h"

#include <cmath>

using namespace kiln;
using namespace kiln::frontend_test;

TEST(Layers, LinearForwardAndInitialization) {
  Graph g("linear", 3);
  nn::Linear fc(nn::Scope(g).sub("fc"), 5, 4);
  EXPECT_EQ(fc.weight.shape(), (std::vector<int64_t>{4, 5}));
  double bound = 1.0 / std::sqrt(5.0);
  for (const char *name : {"fc.weight", "fc.bias"})
    for (double v : valuesOf(g.value(name))) {
      EXPECT_LE(std::fabs(v), bound) << name;
      EXPECT_NE(v, 0.0) << name;
    }
  Var x = g.input("x", {3, 5});
  g.output("y", fc(x));
  // Leading dimensions beyond the batch are kept.
  g.output("y3", fc(g.input("x3", {2, 3, 5})));
  std::vector<double> xs = randomValues<double>(15, -1, 1, 1);
  std::vector<double> x3 = randomValues<double>(30, -1, 1, 2);
  auto out = compileAndRun(
      g, {Tensor::fromVector<float>({3, 5}, castVector<float>(xs)),
          Tensor::fromVector<float>({2, 3, 5}, castVector<float>(x3))});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<float>(
      out[0], {3, 4},
      castVector<float>(
          linearRef(xs, g.value("fc.weight"), g.value("fc.bias"), 3, 5, 4))));
  EXPECT_TRUE(matches<float>(
      out[1], {2, 3, 4},
      castVector<float>(
          linearRef(x3, g.value("fc.weight"), g.value("fc.bias"), 6, 5, 4))));
}

TEST(Layers, LinearWithoutBias) {
  Graph g("nobias");
  nn::Linear fc(g, 2, 2, /*bias=*/false, DType::F64);
  EXPECT_TRUE(fc.bias.isNull());
  EXPECT_EQ(g.parameters().size(), 1u);
  EXPECT_EQ(g.arguments()[0].name, "weight");
  g.setValue("weight", Tensor::fromVector<double>({2, 2}, {1, 2, 3, 4}));
  g.output("y", fc(g.input("x", {1, 2}, DType::F64)));
  auto out = compileAndRun(g, {Tensor::fromVector<double>({1, 2}, {1, -1})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<double>(out[0], {1, 2}, {-1, -1}));
}

TEST(Layers, SequentialNamesAndForward) {
  Graph g("mlp", 5);
  nn::Sequential model(g);
  model.add<nn::Flatten>();
  model.add<nn::Linear>(6, 8);
  model.add<nn::ReLU>();
  model.add<nn::Linear>(8, 3);
  model.add<nn::Tanh>();
  model.add<nn::Sigmoid>();
  std::vector<std::string> names;
  for (const Graph::Argument &a : g.arguments())
    names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"1.weight", "1.bias", "3.weight",
                                             "3.bias"}));
  Var x = g.input("x", {4, 2, 3});
  g.output("y", model(x));
  std::vector<double> xs = randomValues<double>(24, -1, 1, 3);
  auto out = compileAndRun(
      g, {Tensor::fromVector<float>({4, 2, 3}, castVector<float>(xs))});
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> h =
      linearRef(xs, g.value("1.weight"), g.value("1.bias"), 4, 6, 8);
  for (double &v : h)
    v = std::max(v, 0.0);
  std::vector<double> y =
      linearRef(h, g.value("3.weight"), g.value("3.bias"), 4, 8, 3);
  for (double &v : y)
    v = 1.0 / (1.0 + std::exp(-std::tanh(v)));
  EXPECT_TRUE(matches<float>(out[0], {4, 3}, castVector<float>(y)));
}

TEST(Layers, NestedScopesNameLikeStateDictKeys) {
  Graph g("nested");
  nn::Scope root(g);
  nn::Sequential encoder(root.sub("encoder"));
  encoder.add<nn::Linear>(2, 2);
  nn::Linear head(root.sub("head"), 2, 1);
  std::vector<std::string> names;
  for (const auto &[name, value] : g.stateDict())
    names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"encoder.0.bias", "encoder.0.weight",
                                      "head.bias", "head.weight"}));
}

TEST(Layers, LayerNorm) {
  Graph g("layernorm");
  nn::LayerNorm ln(nn::Scope(g).sub("ln"), {2, 3}, 1e-5, true, DType::F64);
  std::vector<double> w = randomValues<double>(6, 0.5, 1.5, 1);
  std::vector<double> b = randomValues<double>(6, -1, 1, 2);
  EXPECT_TRUE(
      matches<double>(g.value("ln.weight"), {2, 3}, {1, 1, 1, 1, 1, 1}));
  g.setValue("ln.weight", Tensor::fromVector<double>({2, 3}, w));
  g.setValue("ln.bias", Tensor::fromVector<double>({2, 3}, b));
  g.output("y", ln(g.input("x", {4, 2, 3}, DType::F64)));
  std::vector<double> xs = randomValues<double>(24, -3, 3, 3);
  auto out = compileAndRun(g, {Tensor::fromVector<double>({4, 2, 3}, xs)});
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> want;
  for (int r = 0; r < 4; ++r) {
    double mean = 0, var = 0;
    for (int i = 0; i < 6; ++i)
      mean += xs[r * 6 + i] / 6;
    for (int i = 0; i < 6; ++i)
      var += (xs[r * 6 + i] - mean) * (xs[r * 6 + i] - mean) / 6;
    for (int i = 0; i < 6; ++i)
      want.push_back((xs[r * 6 + i] - mean) / std::sqrt(var + 1e-5) * w[i] +
                     b[i]);
  }
  EXPECT_TRUE(matches<double>(out[0], {4, 2, 3}, want));
}

namespace {
/// Per-channel batch statistics of x [N, C, H, W]: mean and biased variance.
void channelStats(const std::vector<double> &x, int n, int c, int hw,
                  std::vector<double> &mean, std::vector<double> &var) {
  mean.assign(c, 0.0);
  var.assign(c, 0.0);
  for (int ch = 0; ch < c; ++ch) {
    for (int i = 0; i < n; ++i)
      for (int p = 0; p < hw; ++p)
        mean[ch] += x[(i * c + ch) * hw + p] / (n * hw);
    for (int i = 0; i < n; ++i)
      for (int p = 0; p < hw; ++p) {
        double d = x[(i * c + ch) * hw + p] - mean[ch];
        var[ch] += d * d / (n * hw);
      }
  }
}

std::vector<double> normalizeRef(const std::vector<double> &x, int n, int c,
                                 int hw, const std::vector<double> &mean,
                                 const std::vector<double> &var,
                                 const std::vector<double> &w,
                                 const std::vector<double> &b) {
  std::vector<double> y(x.size());
  for (int i = 0; i < n; ++i)
    for (int ch = 0; ch < c; ++ch)
      for (int p = 0; p < hw; ++p) {
        int k = (i * c + ch) * hw + p;
        y[k] = (x[k] - mean[ch]) / std::sqrt(var[ch] + 1e-5) * w[ch] + b[ch];
      }
  return y;
}
} // namespace

TEST(Layers, BatchNorm2dTrainingUpdatesRunningStatistics) {
  const int n = 2, c = 3, h = 2, w = 2, hw = h * w;
  Graph g("bn_train");
  nn::BatchNorm2d bn(nn::Scope(g).sub("bn"), c, 1e-5, 0.1, true, true,
                     DType::F64);
  std::vector<double> gamma = {0.5, 1.0, 2.0}, beta = {0.0, -1.0, 1.0};
  g.setValue("bn.weight", Tensor::fromVector<double>({c}, gamma));
  g.setValue("bn.bias", Tensor::fromVector<double>({c}, beta));
  g.output("y", bn(g.input("x", {n, c, h, w}, DType::F64)));
  ASSERT_EQ(g.bufferUpdates().size(), 2u);
  EXPECT_EQ(g.buffers().size(), 2u);
  auto compiled = g.compile();
  std::vector<double> runningMean(c, 0.0), runningVar(c, 1.0);
  for (int step = 0; step < 2; ++step) {
    std::vector<double> xs = randomValues<double>(n * c * hw, -2, 3, 10 + step);
    auto out = compiled->run({Tensor::fromVector<double>({n, c, h, w}, xs)});
    ASSERT_EQ(out.size(), 1u);
    std::vector<double> mean, var;
    channelStats(xs, n, c, hw, mean, var);
    EXPECT_TRUE(
        matches<double>(out[0], {n, c, h, w},
                        normalizeRef(xs, n, c, hw, mean, var, gamma, beta)));
    for (int ch = 0; ch < c; ++ch) {
      double unbiased = var[ch] * (n * hw) / (n * hw - 1.0);
      runningMean[ch] = 0.9 * runningMean[ch] + 0.1 * mean[ch];
      runningVar[ch] = 0.9 * runningVar[ch] + 0.1 * unbiased;
    }
    EXPECT_TRUE(matches<double>(compiled->state().at("bn.running_mean"), {c},
                                runningMean))
        << "step " << step;
    EXPECT_TRUE(matches<double>(compiled->state().at("bn.running_var"), {c},
                                runningVar))
        << "step " << step;
  }
  // The graph's own values are the initial ones.
  EXPECT_TRUE(matches<double>(g.value("bn.running_mean"), {c}, {0, 0, 0}));
}

TEST(Layers, BatchNorm2dEvaluationUsesRunningStatistics) {
  const int n = 2, c = 2, hw = 3;
  Graph g("bn_eval");
  nn::BatchNorm2d bn(nn::Scope(g).sub("bn"), c, 1e-5, 0.1, true, true,
                     DType::F64);
  bn.eval();
  EXPECT_FALSE(bn.isTraining());
  std::vector<double> mean = {0.5, -1.0}, var = {2.0, 0.25};
  std::vector<double> gamma = {1.5, 0.5}, beta = {0.1, 0.2};
  g.loadStateDict({{"bn.running_mean", Tensor::fromVector<double>({c}, mean)},
                   {"bn.running_var", Tensor::fromVector<double>({c}, var)},
                   {"bn.weight", Tensor::fromVector<double>({c}, gamma)},
                   {"bn.bias", Tensor::fromVector<double>({c}, beta)}});
  g.output("y", bn(g.input("x", {n, c, 1, hw}, DType::F64)));
  EXPECT_TRUE(g.bufferUpdates().empty());
  std::vector<double> xs = randomValues<double>(n * c * hw, -2, 2, 4);
  auto out = compileAndRun(g, {Tensor::fromVector<double>({n, c, 1, hw}, xs)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(
      matches<double>(out[0], {n, c, 1, hw},
                      normalizeRef(xs, n, c, hw, mean, var, gamma, beta)));
}

TEST(Layers, SequentialPassesTrainingModeToChildren) {
  Graph g("modes");
  nn::Sequential model(g);
  auto &bn = model.add<nn::BatchNorm2d>(2);
  EXPECT_TRUE(bn.isTraining());
  model.eval();
  EXPECT_FALSE(bn.isTraining());
  auto &later = model.add<nn::BatchNorm2d>(2);
  EXPECT_FALSE(later.isTraining());
  EXPECT_TRUE(g.findArgument("1.running_var") != nullptr);
}
