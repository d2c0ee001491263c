//===- GradTest.cpp - kiln::grad and training steps from a Graph --------===//

#include "e2e/E2ETestUtil.h"
#include "frontend/FrontendTestUtil.h"

#include "frontend/Frontend.h"

using namespace kiln;
using namespace kiln::frontend_test;

namespace {

// The seed, as a newcomer writes it: y = w x + b, mean squared error, the
// gradients by backpropagation, one step of gradient descent in the graph.
TEST(Grad, LinearRegressionGradientsAndOneStep) {
  Graph g("linear", 1);
  Var w = g.parameter("w", {1}, init::constant(0.5));
  Var b = g.parameter("b", {1}, init::constant(-0.25));
  Var x = g.input("x", {8});
  Var y = g.input("y", {8});
  Var loss = mseLoss(w * x + b, y);
  std::vector<Var> grads = grad(loss, {w, b});
  g.output("loss", loss);
  g.output("dw", grads[0]);
  g.output("db", grads[1]);
  g.output("w_next", w - grads[0] * 0.1);

  Rng rng(4);
  std::vector<float> xs(8), ys(8);
  double dw = 0, db = 0;
  for (int i = 0; i < 8; ++i) {
    xs[i] = static_cast<float>(rng.uniform(-1, 1));
    ys[i] = 3 * xs[i] + 2;
    double r = 0.5 * xs[i] - 0.25 - ys[i];
    dw += 2 * r * xs[i] / 8;
    db += 2 * r / 8;
  }
  auto out = compileAndRun(g, {Tensor::fromVector<float>({8}, xs),
                               Tensor::fromVector<float>({8}, ys)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<float>(out[1], {1}, {static_cast<float>(dw)}));
  EXPECT_TRUE(matches<float>(out[2], {1}, {static_cast<float>(db)}));
  EXPECT_TRUE(
      matches<float>(out[3], {1}, {static_cast<float>(0.5 - 0.1 * dw)}));
}

TEST(Grad, OrderOfWrtIsTheCallersOrder) {
  Graph g("order", 1);
  Var a = g.parameter("a", {2}, init::constant(2));
  Var c = g.parameter("c", {3}, init::constant(3));
  Var loss = sum(a * a) + sum(c);
  std::vector<Var> grads = grad(loss, {c, a});
  EXPECT_EQ(grads[0].shape(), (std::vector<int64_t>{3}));
  EXPECT_EQ(grads[1].shape(), (std::vector<int64_t>{2}));
  g.output("dc", grads[0]);
  g.output("da", grads[1]);
  auto out = compileAndRun(g, {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<float>(out[0], {3}, {1, 1, 1}));
  EXPECT_TRUE(matches<float>(out[1], {2}, {4, 4}));
}

TEST(Grad, ErrorsNameTheVar) {
  Graph g("errors", 1);
  Var w = g.parameter("w", {3}, init::ones());
  Var x = g.input("x", {3});
  Var v = w * x;
  Var loss = sum(v);
  int line = __LINE__ + 1;
  EXPECT_EQ(graphError([&] { grad(loss, {x}); }),
            KILN_AT(line) + "grad: gradients are taken with respect to "
                            "parameters, but input 'x' 3xf32 is not a "
                            "parameter");
  EXPECT_NE(graphError([&] {
              grad(v, {w});
            }).find("grad: the loss must be a float tensor of one element"),
            std::string::npos);
  EXPECT_NE(graphError([&] {
              grad(loss, {w, w});
            }).find("parameter 'w' is listed twice"),
            std::string::npos);
  Graph other("other", 1);
  Var p = other.parameter("p", {3}, init::ones());
  EXPECT_NE(graphError([&] {
              grad(loss, {p});
            }).find("must belong to the loss's graph"),
            std::string::npos);
}

TEST(TrainStepFromGraph, ClassifierTrains) {
  // Two classes in XOR-like quadrants, a hidden layer, cross-entropy,
  // Adam: the Graph's parameters become the step's.
  Graph g("classifier", 7);
  nn::Sequential model(g);
  model.add<nn::Linear>(2, 16);
  model.add<nn::ReLU>();
  model.add<nn::Linear>(16, 2);
  Var x = g.input("x", {64, 2});
  Var labels = g.input("labels", {64}, DType::I64);
  Var logits = model(x);
  g.output("loss", crossEntropy(logits, labels));
  g.output("logits", logits);
  auto created = TrainStep::create(g, Adam{0.05});
  ASSERT_TRUE(bool(created)) << llvm::toString(created.takeError());
  TrainStep &step = **created;
  EXPECT_EQ(step.numParameters(), 4u);

  Rng rng(9);
  std::vector<float> xs(128);
  std::vector<int64_t> ys(64);
  for (int i = 0; i < 64; ++i) {
    xs[2 * i] = static_cast<float>(rng.uniform(-1, 1));
    xs[2 * i + 1] = static_cast<float>(rng.uniform(-1, 1));
    ys[i] = xs[2 * i] * xs[2 * i + 1] > 0 ? 1 : 0; // XOR-like quadrants
  }
  Tensor xt = Tensor::fromVector<float>({64, 2}, xs);
  Tensor yt = Tensor::fromVector<int64_t>({64}, ys);
  double first = 0;
  for (int s = 0; s < 300; ++s) {
    ASSERT_TRUE(step.run({xt, yt}));
    if (s == 0)
      first = step.loss();
  }
  EXPECT_LT(step.loss(), 0.25 * first);
  int correct = 0;
  const float *z = step.outputs()[1].dataAs<float>();
  for (int i = 0; i < 64; ++i)
    correct += (z[2 * i + 1] > z[2 * i]) == (ys[i] == 1);
  EXPECT_GE(correct, 60);
}

} // namespace
