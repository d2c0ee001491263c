//===- TrainStepTest.cpp - Optimizers and the compiled training step ----===//
//
// SGD (momentum, Nesterov, weight decay), Adam and AdamW against straight
// C++ transcriptions of torch.optim's update rules, step by step in f64;
// the seed's linear regression trained to its known solution; the errors.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include "mlir/IR/MLIRContext.h"

#include <cstdlib>
#include <map>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// A context with every dialect Kiln IR may use.
std::unique_ptr<mlir::MLIRContext> newContext() {
  mlir::DialectRegistry registry;
  registerDialects(registry);
  return std::make_unique<mlir::MLIRContext>(registry);
}

// loss = sum(c * (w - t)^2) + sum(u * v^2): gradients 2c(w - t) and 2uv
// vary from step to step, and two parameters of different shapes.
const char *kQuadratic = R"(
func.func @loss(%w: tensor<2x3xf64> {kiln.name = "w"}, %v: tensor<4xf64> {kiln.name = "v"},
                %t: tensor<2x3xf64>, %c: tensor<2x3xf64>, %u: tensor<4xf64>) -> tensor<f64> {
  %d = kiln.sub %w, %t : tensor<2x3xf64>
  %d2 = kiln.mul %d, %d : tensor<2x3xf64>
  %cd = kiln.mul %c, %d2 : tensor<2x3xf64>
  %s1 = kiln.reduce_sum %cd axes [0, 1] : tensor<2x3xf64> -> tensor<f64>
  %v2 = kiln.mul %v, %v : tensor<4xf64>
  %uv = kiln.mul %u, %v2 : tensor<4xf64>
  %s2 = kiln.reduce_sum %uv axes [0] : tensor<4xf64> -> tensor<f64>
  %l = kiln.add %s1, %s2 : tensor<f64>
  return %l : tensor<f64>
}
)";

struct Problem {
  std::vector<double> w, v, t, c, u;
};

Problem makeProblem() {
  Rng rng(5);
  Problem p;
  auto fill = [&](std::vector<double> &x, size_t n, double lo, double hi) {
    x.resize(n);
    for (double &e : x)
      e = rng.uniform(lo, hi);
  };
  fill(p.w, 6, -1, 1);
  fill(p.v, 4, -1, 1);
  fill(p.t, 6, -1, 1);
  fill(p.c, 6, 0.5, 2);
  fill(p.u, 4, 0.5, 2);
  return p;
}

/// Gradients of the quadratic loss.
void gradients(const Problem &p, const std::vector<double> &w,
               const std::vector<double> &v, std::vector<double> &gw,
               std::vector<double> &gv) {
  gw.resize(6);
  gv.resize(4);
  for (int i = 0; i < 6; ++i)
    gw[i] = 2 * p.c[i] * (w[i] - p.t[i]);
  for (int i = 0; i < 4; ++i)
    gv[i] = 2 * p.u[i] * v[i];
}

/// torch.optim.SGD's update for one tensor.
void sgdReference(const SGD &o, std::vector<double> &w,
                  std::vector<double> &buf, std::vector<double> g) {
  for (size_t i = 0; i < w.size(); ++i) {
    double d = g[i] + o.weightDecay * w[i];
    if (o.momentum != 0) {
      buf[i] = o.momentum * buf[i] + d;
      d = o.nesterov ? d + o.momentum * buf[i] : buf[i];
    }
    w[i] -= o.lr * d;
  }
}

/// torch.optim.Adam / AdamW's update for one tensor at step t (1-based).
void adamReference(const Adam &o, int t, std::vector<double> &w,
                   std::vector<double> &m, std::vector<double> &v,
                   std::vector<double> g) {
  double bc1 = 1 - std::pow(o.beta1, t), bc2 = 1 - std::pow(o.beta2, t);
  for (size_t i = 0; i < w.size(); ++i) {
    if (o.decoupled)
      w[i] *= 1 - o.lr * o.weightDecay;
    else
      g[i] += o.weightDecay * w[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
    double denom = std::sqrt(v[i]) / std::sqrt(bc2) + o.eps;
    w[i] -= o.lr / bc1 * m[i] / denom;
  }
}

std::unique_ptr<TrainStep> makeStep(mlir::MLIRContext &context,
                                    const Problem &p, const Optimizer &opt) {
  auto module = parseKilnSource(kQuadratic, context);
  EXPECT_TRUE(module);
  auto step = TrainStep::create(*module, "loss", {0, 1},
                                {Tensor::fromVector<double>({2, 3}, p.w),
                                 Tensor::fromVector<double>({4}, p.v)},
                                opt);
  if (!step) {
    ADD_FAILURE() << llvm::toString(step.takeError());
    return nullptr;
  }
  return std::move(*step);
}

std::vector<double> values(const Tensor &t) {
  return std::vector<double>(t.dataAs<double>(),
                             t.dataAs<double>() + t.numElements());
}

void expectClose(const Tensor &actual, const std::vector<double> &expected,
                 const std::string &what) {
  EXPECT_TRUE(
      matches<double>(actual, actual.shape(), expected, Tol{1e-12, 1e-14}))
      << what;
}

class SgdTest : public ::testing::TestWithParam<SGD> {};

TEST_P(SgdTest, MatchesTorchOptimSgd) {
  const SGD o = GetParam();
  auto context = newContext();
  Problem p = makeProblem();
  auto step = makeStep(*context, p, o);
  ASSERT_TRUE(step);
  std::vector<double> w = p.w, v = p.v, bw(6, 0.0), bv(4, 0.0), gw, gv;
  Tensor t = Tensor::fromVector<double>({2, 3}, p.t);
  Tensor c = Tensor::fromVector<double>({2, 3}, p.c);
  Tensor u = Tensor::fromVector<double>({4}, p.u);
  const void *storage = step->parameter("w").data();
  for (int s = 0; s < 6; ++s) {
    gradients(p, w, v, gw, gv);
    sgdReference(o, w, bw, gw);
    sgdReference(o, v, bv, gv);
    Status status = step->run({t, c, u});
    ASSERT_TRUE(status) << status.message();
    expectClose(step->parameter("w"), w, "w after step " + std::to_string(s));
    expectClose(step->parameter("v"), v, "v after step " + std::to_string(s));
    if (o.momentum != 0) {
      ASSERT_EQ(step->state().size(), 4u);
      EXPECT_EQ(step->state()[2].first, "w.momentum_buffer");
      expectClose(step->state()[2].second, bw, "momentum buffer of w");
    } else {
      ASSERT_EQ(step->state().size(), 2u);
    }
  }
  // Updated in place: the same buffer all along.
  EXPECT_EQ(step->parameter("w").data(), storage);
}

INSTANTIATE_TEST_SUITE_P(Variants, SgdTest,
                         ::testing::Values(SGD{0.1, 0, 0, false},
                                           SGD{0.05, 0.9, 0, false},
                                           SGD{0.05, 0.9, 0, true},
                                           SGD{0.05, 0.9, 0.01, false},
                                           SGD{0.1, 0, 0.1, false}));

class AdamTest : public ::testing::TestWithParam<Adam> {};

TEST_P(AdamTest, MatchesTorchOptimAdam) {
  const Adam o = GetParam();
  auto context = newContext();
  Problem p = makeProblem();
  auto step = makeStep(*context, p, o);
  ASSERT_TRUE(step);
  ASSERT_EQ(step->state().size(), 7u); // w, v, 2 x (exp_avg, exp_avg_sq), step
  EXPECT_EQ(step->state()[2].first, "w.exp_avg");
  EXPECT_EQ(step->state()[3].first, "w.exp_avg_sq");
  EXPECT_EQ(step->state()[6].first, "step");
  std::vector<double> w = p.w, v = p.v, mw(6, 0.0), vw(6, 0.0), mv(4, 0.0),
                      vv(4, 0.0), gw, gv;
  Tensor t = Tensor::fromVector<double>({2, 3}, p.t);
  Tensor c = Tensor::fromVector<double>({2, 3}, p.c);
  Tensor u = Tensor::fromVector<double>({4}, p.u);
  for (int s = 1; s <= 6; ++s) {
    gradients(p, w, v, gw, gv);
    adamReference(o, s, w, mw, vw, gw);
    adamReference(o, s, v, mv, vv, gv);
    Status status = step->run({t, c, u});
    ASSERT_TRUE(status) << status.message();
    expectClose(step->parameter("w"), w, "w after step " + std::to_string(s));
    expectClose(step->parameter("v"), v, "v after step " + std::to_string(s));
    expectClose(step->state()[3].second, vw, "exp_avg_sq of w");
    EXPECT_EQ(step->state()[6].second.dataAs<float>()[0], s);
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, AdamTest,
                         ::testing::Values(Adam{}, Adam{0.01, 0.8, 0.99, 1e-6},
                                           Adam{1e-2, 0.9, 0.999, 1e-8, 0.1},
                                           AdamW(1e-2, 0.1)));

// The seed: y = 3x + 2 plus noise, fitted by gradient descent.
TEST(TrainStep, LinearRegressionRecoversSlopeAndIntercept) {
  const char *ir = R"(
func.func @loss(%w: tensor<f32> {kiln.name = "w"}, %b: tensor<f32> {kiln.name = "b"},
                %x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<f32> {
  %wb = kiln.broadcast %w : tensor<f32> -> tensor<64xf32>
  %bb = kiln.broadcast %b : tensor<f32> -> tensor<64xf32>
  %wx = kiln.mul %wb, %x : tensor<64xf32>
  %p = kiln.add %wx, %bb : tensor<64xf32>
  %d = kiln.sub %p, %y : tensor<64xf32>
  %sq = kiln.mul %d, %d : tensor<64xf32>
  %l = kiln.reduce_mean %sq axes [0] : tensor<64xf32> -> tensor<f32>
  return %l : tensor<f32>
}
)";
  auto context = newContext();
  auto module = parseKilnSource(ir, *context);
  ASSERT_TRUE(module);
  auto step = TrainStep::create(*module, "loss", {0, 1},
                                {Tensor::fromVector<float>({}, {0.0f}),
                                 Tensor::fromVector<float>({}, {0.0f})},
                                SGD{0.1});
  ASSERT_TRUE(bool(step)) << llvm::toString(step.takeError());
  Rng rng(3);
  std::vector<float> x(64), y(64);
  for (int i = 0; i < 64; ++i) {
    x[i] = static_cast<float>(rng.uniform(-1, 1));
    y[i] = 3 * x[i] + 2 + static_cast<float>(rng.uniform(-0.05, 0.05));
  }
  Tensor xt = Tensor::fromVector<float>({64}, x);
  Tensor yt = Tensor::fromVector<float>({64}, y);
  for (int s = 0; s < 500; ++s)
    ASSERT_TRUE((*step)->run({xt, yt}));
  EXPECT_NEAR((*step)->parameter("w").dataAs<float>()[0], 3.0f, 1e-2);
  EXPECT_NEAR((*step)->parameter("b").dataAs<float>()[0], 2.0f, 1e-2);
  EXPECT_LT((*step)->loss(), 1e-3);
}

// The step module compiles the step, not the loss function on its own; the
// module's other public functions stay invocable, one that calls the loss
// function too.
TEST(TrainStep, CompilesTheStepAndOtherPublicFunctionsOnly) {
  const char *ir = R"(
func.func @loss(%w: tensor<3xf32> {kiln.name = "w"}, %x: tensor<3xf32>) -> tensor<f32> {
  %p = kiln.mul %w, %x : tensor<3xf32>
  %l = kiln.reduce_sum %p axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @twice(%w: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<f32> {
  %l = func.call @loss(%w, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  %t = kiln.add %l, %l : tensor<f32>
  return %t : tensor<f32>
}
)";
  auto context = newContext();
  auto module = parseKilnSource(ir, *context);
  ASSERT_TRUE(module);
  auto step =
      TrainStep::create(*module, "loss", {0},
                        {Tensor::fromVector<float>({3}, {1, 2, 3})}, SGD{0.5});
  ASSERT_TRUE(bool(step)) << llvm::toString(step.takeError());
  const CompiledModule &compiled = (*step)->module();
  EXPECT_EQ(compiled.lookup("loss"), nullptr);
  ASSERT_EQ(compiled.functions().size(), 2u);
  // The caller's module keeps its public loss function.
  EXPECT_TRUE(module->lookupSymbol<mlir::func::FuncOp>("loss").isPublic());

  // loss = w . x, so the gradient is x: w = [1 2 3] - 0.5 * [2 4 6] = 0.
  Tensor x = Tensor::fromVector<float>({3}, {2, 4, 6});
  ASSERT_TRUE((*step)->run({x}));
  EXPECT_EQ((*step)->loss(), 28.0);
  EXPECT_TRUE(matches<float>((*step)->parameter("w"), {3}, {0, 0, 0}));
  std::vector<Tensor> outputs;
  ASSERT_TRUE(compiled.invoke(
      "twice", {Tensor::fromVector<float>({3}, {1, 1, 1}), x}, outputs));
  EXPECT_TRUE(matches<float>(outputs[0], {}, {24}));
}

std::string createError(const char *ir, llvm::StringRef loss,
                        std::vector<unsigned> params,
                        std::vector<Tensor> init) {
  auto context = newContext();
  auto module = parseKilnSource(ir, *context);
  if (!module)
    return "parse failed";
  auto step = TrainStep::create(*module, loss, params, init, SGD{});
  if (step)
    return "no error";
  return llvm::toString(step.takeError());
}

TEST(TrainStep, ErrorsNameTheProblem) {
  const char *ir = R"(
func.func @loss(%w: tensor<3xf32> {kiln.name = "w"}, %n: tensor<3xi32> {kiln.name = "n"}) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @vector(%w: tensor<3xf32>) -> tensor<3xf32> {
  return %w : tensor<3xf32>
}
)";
  Tensor w = Tensor::fromVector<float>({3}, {1, 2, 3});
  EXPECT_NE(createError(ir, "nothing", {0}, {w})
                .find("training step: no function @nothing with a body"),
            std::string::npos);
  EXPECT_NE(createError(ir, "loss", {1}, {w})
                .find("training step: parameter 'n' has type 'tensor<3xi32>'; "
                      "parameters must be float tensors"),
            std::string::npos);
  EXPECT_NE(createError(ir, "vector", {0}, {w})
                .find("the first result of @vector must be the loss, a float "
                      "tensor of one element"),
            std::string::npos);
  EXPECT_NE(createError(ir, "loss", {5}, {w})
                .find("parameter index 5 is out of range"),
            std::string::npos);
  EXPECT_NE(
      createError(ir, "loss", {0}, {Tensor::fromVector<float>({2}, {1, 2})})
          .find("initial value of parameter 'w' is 2xf32, expected 3xf32"),
      std::string::npos);
}

/// A scratch directory for checkpoint files, removed afterwards.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    char tmpl[] = "/tmp/kiln-train-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~ScratchDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::vector<uint8_t> bytesOf(const Tensor &t) {
  const auto *p = static_cast<const uint8_t *>(t.data());
  return std::vector<uint8_t>(p, p + t.sizeInBytes());
}

TEST(TrainStep, ResumingFromACheckpointIsBitIdentical) {
  auto context = newContext();
  Problem p = makeProblem();
  Tensor t = Tensor::fromVector<double>({2, 3}, p.t);
  Tensor c = Tensor::fromVector<double>({2, 3}, p.c);
  Tensor u = Tensor::fromVector<double>({4}, p.u);
  ScratchDir dir;
  std::string file = dir.path + "/step.safetensors";

  // Uninterrupted: 10 steps.
  auto straight = makeStep(*context, p, Adam{0.05});
  ASSERT_TRUE(straight);
  for (int s = 0; s < 10; ++s)
    ASSERT_TRUE(straight->run({t, c, u}));

  // Interrupted after 4 steps, resumed by a fresh step object.
  auto first = makeStep(*context, p, Adam{0.05});
  ASSERT_TRUE(first);
  for (int s = 0; s < 4; ++s)
    ASSERT_TRUE(first->run({t, c, u}));
  Status saved = first->save(file, {{"epoch", "0"}, {"batch", "4"}});
  ASSERT_TRUE(saved) << saved.message();
  auto resumed = makeStep(*context, p, Adam{0.05});
  ASSERT_TRUE(resumed);
  std::map<std::string, std::string> metadata;
  Status loaded = resumed->load(file, &metadata);
  ASSERT_TRUE(loaded) << loaded.message();
  EXPECT_EQ(metadata["batch"], "4");
  for (int s = 4; s < 10; ++s)
    ASSERT_TRUE(resumed->run({t, c, u}));

  ASSERT_EQ(straight->state().size(), resumed->state().size());
  for (size_t i = 0; i < straight->state().size(); ++i)
    EXPECT_EQ(bytesOf(straight->state()[i].second),
              bytesOf(resumed->state()[i].second))
        << straight->state()[i].first;
}

TEST(TrainStep, BadCheckpointsChangeNothing) {
  auto context = newContext();
  Problem p = makeProblem();
  ScratchDir dir;
  std::string adamFile = dir.path + "/adam.safetensors";
  auto adam = makeStep(*context, p, Adam{});
  ASSERT_TRUE(adam);
  ASSERT_TRUE(adam->save(adamFile));

  // A checkpoint of another optimizer: the state names differ.
  auto sgd = makeStep(*context, p, SGD{0.1, 0.9});
  ASSERT_TRUE(sgd);
  std::vector<uint8_t> before = bytesOf(sgd->parameter("w"));
  Status status = sgd->load(adamFile);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("w.momentum_buffer"), std::string::npos)
      << status.message();
  EXPECT_EQ(bytesOf(sgd->parameter("w")), before);

  // A truncated file.
  std::string truncated = dir.path + "/truncated.safetensors";
  std::system(("head -c 100 '" + adamFile + "' > '" + truncated + "'").c_str());
  status = adam->load(truncated);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("truncated.safetensors"), std::string::npos)
      << status.message();

  // A missing file.
  status = adam->load(dir.path + "/missing.safetensors");
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("missing.safetensors"), std::string::npos);
}

/// y ~ x w + b over a batch of `batch` rows, Adam: the step of one batch size.
std::unique_ptr<TrainStep> linearStep(int64_t batch, const Optimizer &opt) {
  Graph g("linear", /*seed=*/3);
  Var x = g.input("x", {batch, 3});
  Var y = g.input("y", {batch, 1});
  Var w = g.parameter("w", {3, 1}, init::uniform(-1, 1));
  Var b = g.parameter("b", {1}, init::uniform(-1, 1));
  g.output("loss", mseLoss(add(matmul(x, w), b), y));
  auto step = TrainStep::create(g, opt);
  if (!step) {
    ADD_FAILURE() << llvm::toString(step.takeError());
    return nullptr;
  }
  return std::move(*step);
}

// The last, smaller batch of an epoch needs a step compiled for its own
// shape; sharing state makes the two steps train one set of weights. The
// reference hands the state over through checkpoints instead.
TEST(TrainStep, StepsOfTwoBatchSizesShareOneState) {
  Rng rng(11);
  auto batchOf = [&](int64_t n) {
    std::vector<float> x(n * 3), y(n);
    for (float &e : x)
      e = static_cast<float>(rng.uniform(-1, 1));
    for (int64_t i = 0; i < n; ++i)
      y[i] = 2 * x[3 * i] - x[3 * i + 1] + 0.5f * x[3 * i + 2] + 1;
    return std::vector<Tensor>{Tensor::fromVector<float>({n, 3}, x),
                               Tensor::fromVector<float>({n, 1}, y)};
  };
  std::vector<Tensor> full = batchOf(8), last = batchOf(3);

  auto big = linearStep(8, Adam{0.05});
  auto small = linearStep(3, Adam{0.05});
  ASSERT_TRUE(big && small);
  Status shared = small->shareState(*big);
  ASSERT_TRUE(shared) << shared.message();
  for (int epoch = 0; epoch < 3; ++epoch) {
    ASSERT_TRUE(big->run(full));
    ASSERT_TRUE(small->run(last));
  }
  small->setLearningRate(0.01);
  EXPECT_NEAR(big->learningRate(), 0.01, 1e-9) << "the rate is shared too";
  ASSERT_TRUE(big->run(full));

  ScratchDir dir;
  std::string file = dir.path + "/handover.safetensors";
  auto refBig = linearStep(8, Adam{0.05});
  auto refSmall = linearStep(3, Adam{0.05});
  ASSERT_TRUE(refBig && refSmall);
  for (int epoch = 0; epoch < 3; ++epoch) {
    ASSERT_TRUE(refBig->run(full));
    ASSERT_TRUE(refBig->save(file));
    ASSERT_TRUE(refSmall->load(file));
    ASSERT_TRUE(refSmall->run(last));
    ASSERT_TRUE(refSmall->save(file));
    ASSERT_TRUE(refBig->load(file));
  }
  refBig->setLearningRate(0.01);
  ASSERT_TRUE(refBig->run(full));

  ASSERT_EQ(big->state().size(), refBig->state().size());
  for (size_t i = 0; i < big->state().size(); ++i) {
    EXPECT_EQ(bytesOf(big->state()[i].second),
              bytesOf(refBig->state()[i].second))
        << big->state()[i].first;
    EXPECT_EQ(bytesOf(small->state()[i].second),
              bytesOf(big->state()[i].second))
        << "one buffer: " << big->state()[i].first;
  }
  EXPECT_EQ(bytesOf(big->outputs()[0]), bytesOf(refBig->outputs()[0]));
}

TEST(TrainStep, SharingStateOfAnotherModelChangesNothing) {
  auto adam = linearStep(8, Adam{0.05});
  auto sgd = linearStep(3, SGD{0.1, 0.9});
  ASSERT_TRUE(adam && sgd);
  std::vector<uint8_t> before = bytesOf(sgd->parameter("w"));
  Status status = sgd->shareState(*adam);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("cannot share state"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("momentum"), std::string::npos)
      << status.message();
  sgd->parameter("w").dataAs<float>()[0] += 1;
  EXPECT_NE(bytesOf(sgd->parameter("w")), bytesOf(adam->parameter("w")))
      << "still separate buffers";
  sgd->parameter("w").dataAs<float>()[0] -= 1;
  EXPECT_EQ(bytesOf(sgd->parameter("w")), before);
}

// State the loss function itself updates (like BatchNorm's running mean) is
// owned by the step, updated in place and checkpointed with the rest.
TEST(TrainStep, OwnsStateTheLossFunctionUpdates) {
  const char *ir = R"(
func.func @loss(%w: tensor<3xf32> {kiln.name = "w"}, %x: tensor<3xf32> {kiln.name = "x"},
                %rm: tensor<3xf32> {kiln.name = "running_mean"})
    -> (tensor<f32> {kiln.name = "loss"}, tensor<3xf32> {kiln.updates = 2 : i64}) {
  %p = kiln.mul %w, %x : tensor<3xf32>
  %l = kiln.reduce_sum %p axes [0] : tensor<3xf32> -> tensor<f32>
  %k = kiln.constant dense<0.9> : tensor<3xf32>
  %j = kiln.constant dense<0.1> : tensor<3xf32>
  %a = kiln.mul %rm, %k : tensor<3xf32>
  %b = kiln.mul %x, %j : tensor<3xf32>
  %nrm = kiln.add %a, %b : tensor<3xf32>
  return %l, %nrm : tensor<f32>, tensor<3xf32>
}
)";
  auto context = newContext();
  auto module = parseKilnSource(ir, *context);
  ASSERT_TRUE(module);
  auto created = TrainStep::create(
      *module, "loss", {0}, {Tensor::fromVector<float>({3}, {1, 1, 1})},
      SGD{0.5}, {}, {{2u, Tensor::fromVector<float>({3}, {0, 0, 0})}});
  ASSERT_TRUE(bool(created)) << llvm::toString(created.takeError());
  TrainStep &step = **created;
  ASSERT_EQ(step.state().size(), 2u);
  EXPECT_EQ(step.state()[1].first, "running_mean");
  Tensor x = Tensor::fromVector<float>({3}, {10, 20, 30});
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(step.run({x}));
  ASSERT_EQ(step.outputs().size(), 1u) << "the update is not an output";
  // running_mean: 0 -> 0.1 x -> 0.19 x; w: 1 - 2 * 0.5 * x.
  EXPECT_TRUE(matches<float>(step.state()[1].second, {3}, {1.9f, 3.8f, 5.7f}));
  EXPECT_TRUE(
      matches<float>(step.parameter("w"), {3}, {-9.0f, -19.0f, -29.0f}));
  EXPECT_FALSE(step.run({x, x})) << "owned inputs are not passed";
}

} // namespace
