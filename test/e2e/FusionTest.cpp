//===- FusionTest.cpp - Fused code computes what unfused code computes ---===//
//
// Every pattern group of kiln-fuse (elementwise chains, matmul epilogues,
// reductions with their producers, whole training steps) is compiled with
// and without fusion (CompileOptions::fusion) and run on shapes with
// remainders, size-1 dimensions and odd sizes; both must match each other
// and a plain C++ reference. The loop-nest counts of the training steps
// show that fusion reaches the backward pass and the optimizer update.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include "backend/Backend.h"
#include "fashion_mnist/Models.h"
#include "frontend/Frontend.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassManager.h"

#include <algorithm>
#include <cmath>

using namespace kiln;
using namespace kiln::e2e;

namespace {

CompileOptions withFusion(bool fusion) {
  CompileOptions options;
  options.fusion = fusion;
  return options;
}

/// Runs `ir`'s function `name` compiled with and without fusion.
::testing::AssertionResult runBoth(const std::string &ir,
                                   const std::vector<Tensor> &inputs,
                                   std::vector<Tensor> &fused,
                                   std::vector<Tensor> &unfused) {
  for (bool fusion : {true, false}) {
    auto module = compileKilnSource(ir, withFusion(fusion));
    if (!module)
      return ::testing::AssertionFailure()
             << (fusion ? "fused" : "unfused") << " compile failed:\n"
             << llvm::toString(module.takeError()) << "\n--- IR ---\n"
             << ir;
    const FunctionSignature &fn = (*module)->functions().front();
    ::testing::AssertionResult ok =
        invokeFn(**module, fn.name, inputs, fusion ? fused : unfused);
    if (!ok)
      return ok;
  }
  return ::testing::AssertionSuccess();
}

/// "3x1x5x" for {3, 1, 5}: the dimensions of a tensor type.
std::string dimsOf(const std::vector<int64_t> &shape) {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s;
}

//===----------------------------------------------------------------------===//
// Elementwise chains
//===----------------------------------------------------------------------===//

class ElementwiseChain : public ::testing::TestWithParam<std::vector<int64_t>> {
};

TEST_P(ElementwiseChain, TanhAffineTimesXMatchesReference) {
  // The benchmark's chain, y = tanh(x * 0.5 + 1.0) * x, with the scalars
  // broadcast from rank-0 constants.
  std::vector<int64_t> shape = GetParam();
  std::string t = "tensor<" + dimsOf(shape) + "f32>";
  std::string ir = replaceAll(R"(
func.func @chain(%x: $T) -> $T {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %h = kiln.broadcast %half : tensor<f32> -> $T
  %o = kiln.broadcast %one : tensor<f32> -> $T
  %a = kiln.mul %x, %h : $T
  %b = kiln.add %a, %o : $T
  %c = kiln.tanh %b : $T
  %y = kiln.mul %c, %x : $T
  return %y : $T
})",
                              "$T", t);
  Tensor x = randomTensor<float>(shape, -6, 6, 11);
  std::vector<Tensor> fused, unfused;
  ASSERT_TRUE(runBoth(ir, {x}, fused, unfused));
  std::vector<float> xs = toVector<float>(x), expected(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    expected[i] = static_cast<float>(std::tanh(xs[i] * 0.5 + 1.0) * xs[i]);
  EXPECT_TRUE(matches<float>(fused[0], shape, expected, kF32Math));
  EXPECT_TRUE(
      matches<float>(unfused[0], shape, toVector<float>(fused[0]), kExact));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ElementwiseChain,
                         ::testing::Values(std::vector<int64_t>{1},
                                           std::vector<int64_t>{7},
                                           std::vector<int64_t>{3, 1, 5},
                                           std::vector<int64_t>{17, 33},
                                           std::vector<int64_t>{4099}));

TEST(Fusion, SharedProducerIsComputedOnceAndKept) {
  // e = exp(x) feeds two consumers and is a result itself: the fused code
  // must still return it, and both consumers see the same values.
  std::string ir = R"(
func.func @shared(%x: tensor<5x9xf32>, %b: tensor<9xf32>)
    -> (tensor<5x9xf32>, tensor<5x9xf32>, tensor<5x9xf32>) {
  %e = kiln.exp %x : tensor<5x9xf32>
  %bb = kiln.broadcast %b : tensor<9xf32> -> tensor<5x9xf32>
  %s = kiln.add %e, %bb : tensor<5x9xf32>
  %m = kiln.mul %e, %x : tensor<5x9xf32>
  return %e, %s, %m : tensor<5x9xf32>, tensor<5x9xf32>, tensor<5x9xf32>
})";
  Tensor x = randomTensor<float>({5, 9}, -3, 3, 5);
  Tensor b = randomTensor<float>({9}, -1, 1, 6);
  std::vector<Tensor> fused, unfused;
  ASSERT_TRUE(runBoth(ir, {x, b}, fused, unfused));
  std::vector<float> xs = toVector<float>(x), bs = toVector<float>(b);
  std::vector<float> e(45), s(45), m(45);
  for (int i = 0; i < 45; ++i) {
    e[i] = std::exp(xs[i]);
    s[i] = e[i] + bs[i % 9];
    m[i] = e[i] * xs[i];
  }
  EXPECT_TRUE(matches<float>(fused[0], {5, 9}, e, kF32Math));
  EXPECT_TRUE(matches<float>(fused[1], {5, 9}, s, kF32Math));
  EXPECT_TRUE(matches<float>(fused[2], {5, 9}, m, kF32Math));
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(
        matches<float>(unfused[i], {5, 9}, toVector<float>(fused[i]), kExact));
}

//===----------------------------------------------------------------------===//
// Matmul epilogues
//===----------------------------------------------------------------------===//

struct EpilogueShape {
  int64_t m, k, n;
};

class MatmulEpilogue : public ::testing::TestWithParam<EpilogueShape> {};

TEST_P(MatmulEpilogue, BiasReluMatchesReference) {
  // relu(x w + b): n > 256 puts the epilogue into several column tiles of
  // the kernel, with a partial last one.
  auto [m, k, n] = GetParam();
  std::string ir = R"(
func.func @dense(%x: tensor<MxKxf32>, %w: tensor<KxNxf32>, %b: tensor<Nxf32>)
    -> tensor<MxNxf32> {
  %p = kiln.matmul %x, %w : tensor<MxKxf32>, tensor<KxNxf32> -> tensor<MxNxf32>
  %bb = kiln.broadcast %b : tensor<Nxf32> -> tensor<MxNxf32>
  %z = kiln.add %p, %bb : tensor<MxNxf32>
  %y = kiln.relu %z : tensor<MxNxf32>
  return %y : tensor<MxNxf32>
})";
  ir = replaceAll(ir, "Mx", std::to_string(m) + "x");
  ir = replaceAll(ir, "Kx", std::to_string(k) + "x");
  ir = replaceAll(ir, "Nx", std::to_string(n) + "x");
  Tensor x = randomTensor<float>({m, k}, -1, 1, 1);
  Tensor w = randomTensor<float>({k, n}, -1, 1, 2);
  Tensor b = randomTensor<float>({n}, -1, 1, 3);
  std::vector<Tensor> fused, unfused;
  ASSERT_TRUE(runBoth(ir, {x, w, b}, fused, unfused));
  std::vector<float> xs = toVector<float>(x), ws = toVector<float>(w),
                     bs = toVector<float>(b), expected(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = bs[j];
      for (int64_t l = 0; l < k; ++l)
        acc += double(xs[i * k + l]) * ws[l * n + j];
      expected[i * n + j] = static_cast<float>(std::max(acc, 0.0));
    }
  Tol tol{1e-5, 1e-5};
  EXPECT_TRUE(matches<float>(fused[0], {m, n}, expected, tol));
  EXPECT_TRUE(
      matches<float>(unfused[0], {m, n}, toVector<float>(fused[0]), tol));
}

INSTANTIATE_TEST_SUITE_P(Shapes, MatmulEpilogue,
                         ::testing::Values(EpilogueShape{5, 7, 300},
                                           EpilogueShape{1, 3, 513},
                                           EpilogueShape{33, 17, 512},
                                           EpilogueShape{9, 1, 257},
                                           EpilogueShape{4, 6, 11}));

//===----------------------------------------------------------------------===//
// Reductions with their producers
//===----------------------------------------------------------------------===//

struct ReductionCase {
  std::vector<int64_t> shape;
  int64_t axis;
};

class FusedReductions : public ::testing::TestWithParam<ReductionCase> {};

/// softmax / log_softmax of `x` along `axis`, in double.
std::vector<double> softmaxRef(const std::vector<float> &x,
                               const std::vector<int64_t> &shape, int64_t axis,
                               bool log) {
  std::vector<int64_t> strides = stridesOf(shape);
  std::vector<double> out(x.size());
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    std::vector<int64_t> index = unravel(i, shape);
    if (index[axis] != 0)
      continue;
    double max = -INFINITY, sum = 0;
    for (int64_t j = 0; j < shape[axis]; ++j)
      max = std::max(max, double(x[i + j * strides[axis]]));
    for (int64_t j = 0; j < shape[axis]; ++j)
      sum += std::exp(x[i + j * strides[axis]] - max);
    for (int64_t j = 0; j < shape[axis]; ++j) {
      double v = x[i + j * strides[axis]] - max;
      out[i + j * strides[axis]] = log ? v - std::log(sum) : std::exp(v) / sum;
    }
  }
  return out;
}

TEST_P(FusedReductions, SoftmaxAndLogSoftmaxMatchReference) {
  auto [shape, axis] = GetParam();
  Graph g("softmaxes");
  Var x = g.input("x", shape);
  g.output("softmax", softmax(x, axis));
  g.output("log_softmax", logSoftmax(x, axis));
  Tensor input = randomTensor<float>(shape, -20, 20, 9);
  std::vector<Tensor> fused = g.compile(withFusion(true))->run({input});
  std::vector<Tensor> unfused = g.compile(withFusion(false))->run({input});
  std::vector<float> xs = toVector<float>(input);
  for (int log = 0; log < 2; ++log) {
    std::vector<double> ref = softmaxRef(xs, shape, axis, log);
    EXPECT_TRUE(matches<float>(fused[log], shape,
                               std::vector<float>(ref.begin(), ref.end()),
                               kF32Math));
    EXPECT_TRUE(
        matches<float>(unfused[log], shape, toVector<float>(fused[log]), kF32));
  }
}

TEST_P(FusedReductions, LayerNormMatchesReference) {
  // Normalizes over the last dimension (the case's axis is not used).
  auto [shape, axis] = GetParam();
  (void)axis;
  int64_t d = shape.back();
  Graph g("layer_norm", 3);
  nn::LayerNorm norm(nn::Scope(g).sub("norm"), {d});
  Var x = g.input("x", shape);
  g.output("y", norm(x));
  Tensor input = randomTensor<float>(shape, -4, 4, 12);
  std::vector<Tensor> fused = g.compile(withFusion(true))->run({input});
  std::vector<Tensor> unfused = g.compile(withFusion(false))->run({input});
  std::vector<float> xs = toVector<float>(input), expected(xs.size());
  for (size_t row = 0; row < xs.size() / d; ++row) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < d; ++j)
      mean += xs[row * d + j];
    mean /= d;
    for (int64_t j = 0; j < d; ++j)
      var += (xs[row * d + j] - mean) * (xs[row * d + j] - mean);
    var /= d;
    for (int64_t j = 0; j < d; ++j)
      expected[row * d + j] =
          static_cast<float>((xs[row * d + j] - mean) / std::sqrt(var + 1e-5));
  }
  Tol tol{1e-4, 1e-4};
  EXPECT_TRUE(matches<float>(fused[0], shape, expected, tol));
  EXPECT_TRUE(
      matches<float>(unfused[0], shape, toVector<float>(fused[0]), kF32));
}

TEST_P(FusedReductions, CrossEntropyMatchesReference) {
  // Rows are samples, the last dimension the classes.
  auto [shape, axis] = GetParam();
  (void)axis;
  int64_t classes = shape.back(), n = numElementsOf(shape) / classes;
  Graph g("cross_entropy");
  Var logits = g.input("logits", {n, classes});
  Var labels = g.input("labels", {n}, DType::I64);
  g.output("loss", crossEntropy(logits, labels));
  Tensor x = randomTensor<float>({n, classes}, -10, 10, 21);
  Tensor y = randomTensor<int64_t>({n}, 0, double(classes - 1), 22);
  std::vector<Tensor> fused = g.compile(withFusion(true))->run({x, y});
  std::vector<Tensor> unfused = g.compile(withFusion(false))->run({x, y});
  std::vector<float> xs = toVector<float>(x);
  std::vector<int64_t> ys = toVector<int64_t>(y);
  std::vector<double> logp = softmaxRef(xs, {n, classes}, 1, true);
  double loss = 0;
  for (int64_t i = 0; i < n; ++i)
    loss -= logp[i * classes + ys[i]];
  loss /= n;
  EXPECT_TRUE(
      matches<float>(fused[0], {}, {static_cast<float>(loss)}, kF32Math));
  EXPECT_TRUE(matches<float>(unfused[0], {}, toVector<float>(fused[0]), kF32));
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedReductions,
                         ::testing::Values(ReductionCase{{3, 257}, 1},
                                           ReductionCase{{1, 5}, 1},
                                           ReductionCase{{33, 1}, 1},
                                           ReductionCase{{7, 10}, 0},
                                           ReductionCase{{2, 3, 19}, 2},
                                           ReductionCase{{2, 3, 19}, 1}));

//===----------------------------------------------------------------------===//
// Whole training steps
//===----------------------------------------------------------------------===//

/// Counts the loop nests of function `name` after lowering to linalg: each
/// top-level linalg op and each top-level loop is one.
int64_t countLoopNests(mlir::ModuleOp module, llvm::StringRef name,
                       bool fusion) {
  mlir::OwningOpRef<mlir::ModuleOp> clone = module.clone();
  mlir::PassManager pm(module.getContext());
  PipelineOptions options;
  options.fusion = fusion;
  buildLoweringPipeline(pm, Stage::Linalg, options);
  if (mlir::failed(pm.run(*clone)))
    return -1;
  auto fn = clone->lookupSymbol<mlir::func::FuncOp>(name);
  if (!fn)
    return -1;
  int64_t nests = 0;
  for (mlir::Operation &op : fn.getBody().front())
    if (mlir::isa<mlir::linalg::LinalgOp, mlir::LoopLikeOpInterface>(op))
      ++nests;
  return nests;
}

/// Trains a copy of `g` with and without fusion for a few steps and
/// compares every parameter and optimizer state after each step.
void expectSameTraining(Graph &g, const Optimizer &optimizer,
                        const std::vector<Tensor> &inputs, int steps, Tol tol) {
  auto fused = TrainStep::create(g, optimizer, withFusion(true));
  ASSERT_TRUE(bool(fused)) << llvm::toString(fused.takeError());
  auto unfused = TrainStep::create(g, optimizer, withFusion(false));
  ASSERT_TRUE(bool(unfused)) << llvm::toString(unfused.takeError());
  for (int step = 0; step < steps; ++step) {
    Status a = (*fused)->run(inputs), b = (*unfused)->run(inputs);
    ASSERT_TRUE(a.isOk()) << a.message();
    ASSERT_TRUE(b.isOk()) << b.message();
    EXPECT_NEAR((*fused)->loss(), (*unfused)->loss(),
                tol.atol + tol.rtol * std::abs((*unfused)->loss()))
        << "step " << step;
    const auto &state = (*fused)->state(), &reference = (*unfused)->state();
    ASSERT_EQ(state.size(), reference.size());
    for (size_t i = 0; i < state.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(step) + ", " + state[i].first);
      EXPECT_TRUE(matches<float>(state[i].second, reference[i].second.shape(),
                                 toVector<float>(reference[i].second), tol));
    }
  }
}

TEST(FusedTraining, MlpWithSgdMomentumMatchesUnfused) {
  // 300 hidden units: the epilogues run in two column tiles, one partial.
  const int64_t batch = 5, features = 13, hidden = 300, classes = 7;
  Graph g("mlp", 17);
  nn::Sequential net(g);
  net.add<nn::Linear>(features, hidden);
  net.add<nn::ReLU>();
  net.add<nn::Linear>(hidden, hidden);
  net.add<nn::Tanh>();
  net.add<nn::Linear>(hidden, classes);
  Var x = g.input("x", {batch, features});
  Var y = g.input("y", {batch}, DType::I64);
  g.output("loss", crossEntropy(net(x), y));
  std::vector<Tensor> inputs = {
      randomTensor<float>({batch, features}, -1, 1, 4),
      randomTensor<int64_t>({batch}, 0, classes - 1, 5)};
  expectSameTraining(g, SGD{0.05, 0.9}, inputs, 4, {2e-5, 2e-6});
}

TEST(FusedTraining, CnnWithAdamMatchesUnfused) {
  const int64_t batch = 3, classes = 5;
  Graph g("cnn", 23);
  nn::Sequential net(g);
  net.add<nn::Conv2d>(1, 3, 5, /*stride=*/1, /*padding=*/2);
  net.add<nn::ReLU>();
  net.add<nn::MaxPool2d>(2);
  net.add<nn::Conv2d>(3, 4, 3, /*stride=*/1, /*padding=*/1);
  net.add<nn::ReLU>();
  net.add<nn::Flatten>();
  net.add<nn::Linear>(4 * 4 * 4, classes);
  Var x = g.input("x", {batch, 1, 9, 9});
  Var y = g.input("y", {batch}, DType::I64);
  g.output("loss", crossEntropy(net(x), y));
  std::vector<Tensor> inputs = {
      randomTensor<float>({batch, 1, 9, 9}, 0, 1, 6),
      randomTensor<int64_t>({batch}, 0, classes - 1, 7)};
  expectSameTraining(g, Adam{1e-2}, inputs, 4, {1e-4, 1e-5});
}

TEST(FusedTraining, FusionReachesBackwardAndUpdate) {
  // The MLP of the Fashion-MNIST example (SGD momentum) and the CNN (Adam):
  // fusion must merge most of the forward, backward and update loop nests.
  for (bool cnn : {false, true}) {
    SCOPED_TRACE(cnn ? "cnn" : "mlp");
    Graph g(cnn ? "cnn" : "mlp", 0);
    int64_t batch = cnn ? 64 : 128;
    Var x = g.input("images", {batch, 1, 28, 28});
    Var y = g.input("labels", {batch}, DType::I64);
    Var logits = cnn ? examples::cnnClassifier(g, x, /*training=*/true)
                     : examples::mlpClassifier(g, x, /*training=*/true);
    g.output("loss", crossEntropy(logits, y));
    std::vector<unsigned> params;
    for (auto [i, argument] : llvm::enumerate(g.arguments()))
      if (argument.role == TensorRole::Parameter)
        params.push_back(i);
    Optimizer optimizer = cnn ? Optimizer(Adam{}) : Optimizer(SGD{0.01, 0.9});
    ASSERT_TRUE(buildTrainStep(g.module(), g.function().getSymName(), params,
                               optimizer));
    int64_t fused = countLoopNests(g.module(), "train_step", true);
    int64_t unfused = countLoopNests(g.module(), "train_step", false);
    std::printf("%s train step: %lld loop nests unfused, %lld fused\n",
                cnn ? "cnn" : "mlp", static_cast<long long>(unfused),
                static_cast<long long>(fused));
    ASSERT_GT(fused, 0);
    // At least half of the loop nests disappear.
    EXPECT_LE(2 * fused, unfused);
  }
}

} // namespace
