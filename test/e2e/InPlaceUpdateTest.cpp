//===- InPlaceUpdateTest.cpp - Results marked kiln.updates --------------===//
//
// A result `{kiln.updates = i}` is written into argument i's buffer: the
// training-step contract (parameters and optimizer state are updated in
// place, with no per-step copy of weights). Checked: the values, that the
// caller's storage is the one updated, that a graph reading the old value
// after the new one still computes the right numbers, and the runtime's
// refusal of aliasing or non-contiguous arguments.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

using namespace kiln;
using namespace kiln::e2e;

namespace {

// Linear least squares by gradient descent: w <- w - 0.1 * dL/dw.
const char *kSgdStep = R"(
func.func private @loss(%w: tensor<3xf32>, %x: tensor<4x3xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  %w2 = kiln.reshape %w : tensor<3xf32> -> tensor<3x1xf32>
  %p = kiln.matmul %x, %w2 : tensor<4x3xf32>, tensor<3x1xf32> -> tensor<4x1xf32>
  %p1 = kiln.reshape %p : tensor<4x1xf32> -> tensor<4xf32>
  %d = kiln.sub %p1, %y : tensor<4xf32>
  %sq = kiln.mul %d, %d : tensor<4xf32>
  %l = kiln.reduce_mean %sq axes [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @sgd_step(%w: tensor<3xf32> {kiln.name = "w"}, %x: tensor<4x3xf32> {kiln.name = "x"}, %y: tensor<4xf32> {kiln.name = "y"})
    -> (tensor<f32> {kiln.name = "loss"}, tensor<3xf32> {kiln.updates = 0 : i64}) {
  %l, %g = kiln.grad @loss(%w, %x, %y) wrt [0] : (tensor<3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> (tensor<f32>, tensor<3xf32>)
  %lr = kiln.constant dense<0.1> : tensor<3xf32>
  %t = kiln.mul %g, %lr : tensor<3xf32>
  %nw = kiln.sub %w, %t : tensor<3xf32>
  return %l, %nw : tensor<f32>, tensor<3xf32>
}
)";

const std::vector<float> kX = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};

/// One reference step in double precision; returns the loss.
double referenceStep(std::vector<double> &w, const std::vector<double> &y) {
  double loss = 0;
  std::vector<double> grad(3, 0.0);
  for (int i = 0; i < 4; ++i) {
    double p = 0;
    for (int j = 0; j < 3; ++j)
      p += kX[i * 3 + j] * w[j];
    double d = p - y[i];
    loss += d * d / 4;
    for (int j = 0; j < 3; ++j)
      grad[j] += 2 * d * kX[i * 3 + j] / 4;
  }
  for (int j = 0; j < 3; ++j)
    w[j] -= 0.1 * grad[j];
  return loss;
}

TEST(InPlaceUpdate, SgdStepUpdatesTheCallersBuffer) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kSgdStep, m));
  const FunctionSignature *sig = m->lookup("sgd_step");
  ASSERT_NE(sig, nullptr);
  ASSERT_EQ(sig->results.size(), 1u) << "the update is not an output";
  EXPECT_TRUE(sig->inputs[0].updatedInPlace);
  EXPECT_FALSE(sig->inputs[1].updatedInPlace);

  std::vector<float> y = {1, 2, 3, 6.5f};
  Tensor w = Tensor::fromVector<float>({3}, {0, 0, 0});
  Tensor x = Tensor::fromVector<float>({4, 3}, kX);
  Tensor yt = Tensor::fromVector<float>({4}, y);
  const void *storage = w.data();
  std::vector<double> wRef(3, 0.0), yRef(y.begin(), y.end());
  std::vector<Tensor> out;
  for (int step = 0; step < 200; ++step) {
    double loss = referenceStep(wRef, yRef);
    ASSERT_TRUE(invokeFn(*m, "sgd_step", {w, x, yt}, out));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_NEAR(out[0].dataAs<float>()[0], loss, 1e-5 * (1 + loss))
        << "step " << step;
  }
  EXPECT_EQ(w.data(), storage);
  for (int j = 0; j < 3; ++j)
    EXPECT_NEAR(w.dataAs<float>()[j], wRef[j], 1e-5) << "w[" << j << "]";
  // Least squares solution of the 4 equations: w = (1.125, 2.125, 3.125).
  EXPECT_NEAR(w.dataAs<float>()[0], 1.125f, 1e-3);
  EXPECT_NEAR(w.dataAs<float>()[2], 3.125f, 1e-3);
}

TEST(InPlaceUpdate, OldValueReadAfterTheUpdateStaysCorrect) {
  // %late reads the old %w after %nw is computed: the update cannot be
  // computed in w's buffer first; bufferization must keep it correct.
  const char *ir = R"(
func.func @late(%w: tensor<3xf32>, %g: tensor<3xf32>) -> (tensor<3xf32> {kiln.updates = 0 : i64}, tensor<3xf32>) {
  %nw = kiln.sub %w, %g : tensor<3xf32>
  %late = kiln.mul %w, %nw : tensor<3xf32>
  return %nw, %late : tensor<3xf32>, tensor<3xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  Tensor w = Tensor::fromVector<float>({3}, {1, 2, 3});
  Tensor g = Tensor::fromVector<float>({3}, {0.5f, 1, -1});
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "late", {w, g}, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<float>(w, {3}, {0.5f, 1, 4}));
  EXPECT_TRUE(matches<float>(out[0], {3}, {0.5f, 2, 12}));
}

TEST(InPlaceUpdate, RuntimeRejectsAliasingAndStridedArguments) {
  const char *ir = R"(
func.func @step(%w: tensor<2x3xf32> {kiln.name = "w"}, %g: tensor<2x3xf32> {kiln.name = "g"}) -> (tensor<2x3xf32> {kiln.updates = 0 : i64}) {
  %nw = kiln.sub %w, %g : tensor<2x3xf32>
  return %nw : tensor<2x3xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  Tensor g = Tensor::fromVector<float>({2, 3}, {1, 1, 1, 1, 1, 1});
  std::vector<Tensor> out;

  // A transposed view is not contiguous: updating it through a copy would
  // silently lose the update, so it is refused.
  Tensor strided =
      Tensor::fromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6}).transposed({1, 0});
  Status status = m->invoke("step", {strided, g}, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "argument 'w' (#0) of 'step' is updated in "
                              "place and must be contiguous");

  // Updating w while reading it as g as well would read half-updated data.
  Tensor w = Tensor::fromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  status = m->invoke("step", {w, w}, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(),
            "argument 'w' (#0) of 'step' is updated in place but shares "
            "memory with argument 'g' (#1) of 'step'");
  EXPECT_TRUE(matches<float>(w, {2, 3}, {1, 2, 3, 4, 5, 6})) << "untouched";

  ASSERT_TRUE(invokeFn(*m, "step", {w, g}, out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(matches<float>(w, {2, 3}, {0, 1, 2, 3, 4, 5}));
}

} // namespace
