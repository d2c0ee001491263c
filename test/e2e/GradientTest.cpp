//===- GradientTest.cpp - Every differentiable core op vs finite diffs ---===//
//
// One finite-difference check (GradientCheck.h) per differentiable kiln op,
// in f64 with relative error < 1e-6, including broadcast and reduction
// cases; closed-form checks where finite differences cannot decide (ties,
// casts through f32); and the seed examples' gradients (linear and
// logistic regression) against their textbook formulas.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

using namespace kiln;
using namespace kiln::e2e;

namespace {

GradArg arg(std::vector<int64_t> shape, double lo = -2, double hi = 2) {
  GradArg a;
  a.shape = std::move(shape);
  a.lo = lo;
  a.hi = hi;
  return a;
}
GradArg awayFromZero(std::vector<int64_t> shape) {
  GradArg a = arg(std::move(shape));
  a.minAbs = 0.1;
  return a;
}
GradArg distinct(std::vector<int64_t> shape) {
  GradArg a = arg(std::move(shape));
  a.distinct = true;
  return a;
}
GradArg constantArg(std::vector<int64_t> shape) {
  GradArg a = arg(std::move(shape));
  a.wrt = false;
  return a;
}
GradArg fixed(Tensor value) {
  GradArg a;
  a.fixed = std::move(value);
  a.wrt = false;
  return a;
}

GradCase unary(const std::string &op, GradArg x) {
  std::vector<int64_t> shape = x.shape;
  std::string t = detail::tensorType(shape, "$T");
  return {"  %r = kiln." + op + " %a0 : " + t, {x}, shape};
}

GradCase binary(const std::string &op, GradArg a, GradArg b) {
  std::vector<int64_t> shape = a.shape;
  std::string t = detail::tensorType(shape, "$T");
  return {"  %r = kiln." + op + " %a0, %a1 : " + t, {a, b}, shape};
}

Tensor randomMask(std::vector<int64_t> shape, uint64_t seed) {
  Rng rng(seed);
  std::vector<bool> bits(static_cast<size_t>(numElementsOf(shape)));
  for (size_t i = 0; i < bits.size(); ++i)
    bits[i] = rng.unit() < 0.5;
  return Tensor::fromVector<bool>(std::move(shape), bits);
}

std::vector<NamedCase> allCases() {
  std::vector<NamedCase> cases = {
      // Elementwise binary.
      {"add", binary("add", arg({3, 4}), arg({3, 4}))},
      {"sub", binary("sub", arg({3, 4}), arg({3, 4}))},
      {"mul", binary("mul", arg({3, 4}), arg({3, 4}))},
      {"div", binary("div", arg({3, 4}), arg({3, 4}, 0.5, 2.0))},
      {"max", binary("max", distinct({3, 4}), distinct({3, 4}))},
      {"min", binary("min", distinct({3, 4}), distinct({3, 4}))},
      {"pow", binary("pow", arg({3, 4}, 0.5, 2.0), arg({3, 4}))},
      {"select",
       {"  %r = kiln.select %a0, %a1, %a2 : tensor<3x4xi1>, tensor<3x4x$T>",
        {fixed(randomMask({3, 4}, 7)), arg({3, 4}), arg({3, 4})},
        {3, 4}}},
      // Elementwise unary.
      {"neg", unary("neg", arg({5}))},
      {"abs", unary("abs", awayFromZero({5}))},
      {"exp", unary("exp", arg({2, 3}))},
      {"log", unary("log", arg({2, 3}, 0.2, 3.0))},
      {"sqrt", unary("sqrt", arg({2, 3}, 0.2, 3.0))},
      {"rsqrt", unary("rsqrt", arg({2, 3}, 0.2, 3.0))},
      {"tanh", unary("tanh", arg({2, 3}))},
      {"sigmoid", unary("sigmoid", arg({2, 3}, -4, 4))},
      {"relu", unary("relu", awayFromZero({2, 3}))},
      // Shape ops; broadcasting in every NumPy form.
      {"broadcast_leading",
       {"  %r = kiln.broadcast %a0 : tensor<4x$T> -> tensor<3x4x$T>",
        {arg({4})},
        {3, 4}}},
      {"broadcast_size1",
       {"  %r = kiln.broadcast %a0 : tensor<3x1x$T> -> tensor<2x3x4x$T>",
        {arg({3, 1})},
        {2, 3, 4}}},
      {"broadcast_scalar",
       {"  %r = kiln.broadcast %a0 : tensor<$T> -> tensor<2x3x$T>",
        {arg({})},
        {2, 3}}},
      {"broadcast_then_mul",
       {"  %b = kiln.broadcast %a1 : tensor<1x4x$T> -> tensor<3x4x$T>\n"
        "  %r = kiln.mul %a0, %b : tensor<3x4x$T>",
        {arg({3, 4}), arg({1, 4})},
        {3, 4}}},
      {"reshape",
       {"  %r = kiln.reshape %a0 : tensor<2x6x$T> -> tensor<3x2x2x$T>",
        {arg({2, 6})},
        {3, 2, 2}}},
      {"transpose",
       {"  %r = kiln.transpose %a0 [2, 0, 1] : tensor<2x3x4x$T> -> "
        "tensor<4x2x3x$T>",
        {arg({2, 3, 4})},
        {4, 2, 3}}},
      {"concat",
       {"  %r = kiln.concat %a0, %a1, %a2 axis 1 : tensor<2x1x$T>, "
        "tensor<2x3x$T>, tensor<2x2x$T> -> tensor<2x6x$T>",
        {arg({2, 1}), arg({2, 3}), arg({2, 2})},
        {2, 6}}},
      {"slice_strided",
       {"  %r = kiln.slice %a0 start [1, 0] limit [5, 7] stride [2, 3] : "
        "tensor<6x8x$T> -> tensor<2x3x$T>",
        {arg({6, 8})},
        {2, 3}}},
      {"pad",
       {"  %r = kiln.pad %a0 low [1, 0] high [0, 2] interior [1, 2] : "
        "tensor<2x3x$T> -> tensor<4x9x$T>",
        {arg({2, 3})},
        {4, 9}}},
      // Contractions, every transpose combination, batched.
      {"matmul",
       {"  %r = kiln.matmul %a0, %a1 : tensor<3x4x$T>, tensor<4x5x$T> -> "
        "tensor<3x5x$T>",
        {arg({3, 4}), arg({4, 5})},
        {3, 5}}},
      {"matmul_transpose_lhs",
       {"  %r = kiln.matmul %a0, %a1 {transpose_lhs} : tensor<4x3x$T>, "
        "tensor<4x5x$T> -> tensor<3x5x$T>",
        {arg({4, 3}), arg({4, 5})},
        {3, 5}}},
      {"matmul_transpose_rhs",
       {"  %r = kiln.matmul %a0, %a1 {transpose_rhs} : tensor<3x4x$T>, "
        "tensor<5x4x$T> -> tensor<3x5x$T>",
        {arg({3, 4}), arg({5, 4})},
        {3, 5}}},
      {"matmul_transpose_both",
       {"  %r = kiln.matmul %a0, %a1 {transpose_lhs, transpose_rhs} : "
        "tensor<4x3x$T>, tensor<5x4x$T> -> tensor<3x5x$T>",
        {arg({4, 3}), arg({5, 4})},
        {3, 5}}},
      {"matmul_batched",
       {"  %r = kiln.matmul %a0, %a1 {transpose_rhs} : tensor<2x3x4x$T>, "
        "tensor<2x5x4x$T> -> tensor<2x3x5x$T>",
        {arg({2, 3, 4}), arg({2, 5, 4})},
        {2, 3, 5}}},
      // Reductions.
      {"reduce_sum",
       {"  %r = kiln.reduce_sum %a0 axes [0, 2] : tensor<2x3x4x$T> -> "
        "tensor<3x$T>",
        {arg({2, 3, 4})},
        {3}}},
      {"reduce_sum_keepdims",
       {"  %r = kiln.reduce_sum %a0 axes [1] keepdims : tensor<2x3x4x$T> -> "
        "tensor<2x1x4x$T>",
        {arg({2, 3, 4})},
        {2, 1, 4}}},
      {"reduce_mean",
       {"  %r = kiln.reduce_mean %a0 axes [1, 2] : tensor<2x3x4x$T> -> "
        "tensor<2x$T>",
        {arg({2, 3, 4})},
        {2}}},
      {"reduce_mean_all_keepdims",
       {"  %r = kiln.reduce_mean %a0 axes [0, 1] keepdims : tensor<3x4x$T> "
        "-> tensor<1x1x$T>",
        {arg({3, 4})},
        {1, 1}}},
      {"reduce_max",
       {"  %r = kiln.reduce_max %a0 axes [1] : tensor<3x5x$T> -> tensor<3x$T>",
        {distinct({3, 5})},
        {3}}},
      {"reduce_max_keepdims",
       {"  %r = kiln.reduce_max %a0 axes [0] keepdims : tensor<4x3x$T> -> "
        "tensor<1x3x$T>",
        {distinct({4, 3})},
        {1, 3}}},
      {"softmax",
       {"  %r = kiln.softmax %a0 axis 1 : tensor<3x5x$T>",
        {arg({3, 5})},
        {3, 5}}},
      {"softmax_axis0",
       {"  %r = kiln.softmax %a0 axis 0 : tensor<3x5x$T>",
        {arg({3, 5})},
        {3, 5}}},
      {"log_softmax",
       {"  %r = kiln.log_softmax %a0 axis 1 : tensor<3x5x$T>",
        {arg({3, 5})},
        {3, 5}}},
      // A value used several times accumulates its cotangents.
      {"reuse",
       {"  %sq = kiln.mul %a0, %a0 : tensor<4x$T>\n"
        "  %t = kiln.tanh %a0 : tensor<4x$T>\n"
        "  %s = kiln.add %sq, %t : tensor<4x$T>\n"
        "  %r = kiln.mul %s, %a0 : tensor<4x$T>",
        {arg({4})},
        {4}}},
      // Only some arguments differentiated; a constant argument in the mix.
      {"partial_wrt",
       {"  %p = kiln.matmul %a0, %a1 : tensor<2x3x$T>, tensor<3x2x$T> -> "
        "tensor<2x2x$T>\n"
        "  %r = kiln.sigmoid %p : tensor<2x2x$T>",
        {constantArg({2, 3}), arg({3, 2})},
        {2, 2}}},
      // A two-layer network with softmax cross-entropy, end to end.
      {"mlp_cross_entropy",
       {"  %h = kiln.matmul %a0, %a1 : tensor<4x3x$T>, tensor<3x5x$T> -> "
        "tensor<4x5x$T>\n"
        "  %bb = kiln.broadcast %a2 : tensor<5x$T> -> tensor<4x5x$T>\n"
        "  %hb = kiln.add %h, %bb : tensor<4x5x$T>\n"
        "  %a = kiln.tanh %hb : tensor<4x5x$T>\n"
        "  %o = kiln.matmul %a, %a3 : tensor<4x5x$T>, tensor<5x2x$T> -> "
        "tensor<4x2x$T>\n"
        "  %r = kiln.log_softmax %o axis 1 : tensor<4x2x$T>",
        {constantArg({4, 3}), arg({3, 5}), arg({5}), arg({5, 2})},
        {4, 2}}},
  };
  // kiln.cast f64 -> f32 -> f64 is linear with slope 1 up to rounding:
  // with inputs on a coarse grid and an exact step of 0.5, the finite
  // difference is exact even through f32.
  GradCase cast{"  %s = kiln.cast %a0 : tensor<6x$T> -> tensor<6xf32>\n"
                "  %r = kiln.cast %s : tensor<6xf32> -> tensor<6x$T>",
                {arg({6})},
                {6}};
  cast.args[0].grid = 1.0 / 64;
  cast.step = 0.5;
  cases.push_back({"cast", cast});
  return cases;
}

class OpGradientTest : public ::testing::TestWithParam<NamedCase> {};

TEST_P(OpGradientTest, MatchesFiniteDifferences) {
  EXPECT_TRUE(checkGradient(GetParam().c));
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpGradientTest,
                         ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<NamedCase> &info) {
                           return std::string(info.param.name);
                         });

//===----------------------------------------------------------------------===//
// Closed forms: ties and the seed examples
//===----------------------------------------------------------------------===//

/// Runs `ir` (which defines @g) and returns its outputs.
std::vector<Tensor> run(const std::string &ir, const std::vector<Tensor> &in) {
  std::unique_ptr<CompiledModule> module;
  EXPECT_TRUE(compileIR(ir, module));
  std::vector<Tensor> out;
  if (module) {
    EXPECT_TRUE(invokeFn(*module, "g", in, out));
  }
  return out;
}

TEST(GradientClosedForm, MaxTiesSplitEvenly) {
  // As PyTorch: where a == b each side gets half of the cotangent.
  std::string ir = R"(
    func.func @f(%a: tensor<3xf64>, %b: tensor<3xf64>) -> tensor<f64> {
      %m = kiln.max %a, %b : tensor<3xf64>
      %s = kiln.reduce_sum %m axes [0] : tensor<3xf64> -> tensor<f64>
      return %s : tensor<f64>
    }
    func.func @g(%a: tensor<3xf64>, %b: tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>, tensor<3xf64>) {
      %l, %da, %db = kiln.grad @f(%a, %b) wrt [0, 1] : (tensor<3xf64>, tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>, tensor<3xf64>)
      return %l, %da, %db : tensor<f64>, tensor<3xf64>, tensor<3xf64>
    })";
  auto out = run(ir, {Tensor::fromVector<double>({3}, {1, 2, 3}),
                      Tensor::fromVector<double>({3}, {0, 2, 5})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<double>(out[1], {3}, {1, 0.5, 0}));
  EXPECT_TRUE(matches<double>(out[2], {3}, {0, 0.5, 1}));
}

TEST(GradientClosedForm, ReduceMaxSharesAmongEqualMaxima) {
  std::string ir = R"(
    func.func @f(%x: tensor<2x3xf64>) -> tensor<f64> {
      %m = kiln.reduce_max %x axes [1] : tensor<2x3xf64> -> tensor<2xf64>
      %s = kiln.reduce_sum %m axes [0] : tensor<2xf64> -> tensor<f64>
      return %s : tensor<f64>
    }
    func.func @g(%x: tensor<2x3xf64>) -> (tensor<f64>, tensor<2x3xf64>) {
      %l, %dx = kiln.grad @f(%x) wrt [0] : (tensor<2x3xf64>) -> (tensor<f64>, tensor<2x3xf64>)
      return %l, %dx : tensor<f64>, tensor<2x3xf64>
    })";
  auto out = run(ir, {Tensor::fromVector<double>({2, 3}, {4, 1, 4, 0, 7, 2})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<double>(out[1], {2, 3}, {0.5, 0, 0.5, 0, 1, 0}));
}

TEST(GradientClosedForm, ReluAndAbsAtZeroAreZero) {
  std::string ir = R"(
    func.func @f(%x: tensor<3xf64>) -> tensor<f64> {
      %r = kiln.relu %x : tensor<3xf64>
      %a = kiln.abs %x : tensor<3xf64>
      %s = kiln.add %r, %a : tensor<3xf64>
      %t = kiln.reduce_sum %s axes [0] : tensor<3xf64> -> tensor<f64>
      return %t : tensor<f64>
    }
    func.func @g(%x: tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>) {
      %l, %dx = kiln.grad @f(%x) wrt [0] : (tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>)
      return %l, %dx : tensor<f64>, tensor<3xf64>
    })";
  auto out = run(ir, {Tensor::fromVector<double>({3}, {-1, 0, 2})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<double>(out[1], {3}, {-1, 0, 2}));
}

TEST(GradientClosedForm, UnreachedArgumentGetsZeros) {
  std::string ir = R"(
    func.func @f(%x: tensor<2xf64>, %unused: tensor<3xf64>) -> tensor<f64> {
      %s = kiln.reduce_sum %x axes [0] : tensor<2xf64> -> tensor<f64>
      return %s : tensor<f64>
    }
    func.func @g(%x: tensor<2xf64>, %u: tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>) {
      %l, %du = kiln.grad @f(%x, %u) wrt [1] : (tensor<2xf64>, tensor<3xf64>) -> (tensor<f64>, tensor<3xf64>)
      return %l, %du : tensor<f64>, tensor<3xf64>
    })";
  auto out = run(ir, {Tensor::fromVector<double>({2}, {1, 2}),
                      Tensor::fromVector<double>({3}, {1, 2, 3})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<double>(out[0], {}, {3}));
  EXPECT_TRUE(matches<double>(out[1], {3}, {0, 0, 0}));
}

// The seed: y = w x + b fitted by mean squared error. The textbook
// gradients are dL/dw = 2/N sum (wx + b - y) x and dL/db = 2/N sum (wx+b-y).
TEST(GradientClosedForm, LinearRegression) {
  std::string ir = R"(
    func.func @loss(%w: tensor<f64>, %b: tensor<f64>, %x: tensor<8xf64>, %y: tensor<8xf64>) -> tensor<f64> {
      %wb = kiln.broadcast %w : tensor<f64> -> tensor<8xf64>
      %bb = kiln.broadcast %b : tensor<f64> -> tensor<8xf64>
      %wx = kiln.mul %wb, %x : tensor<8xf64>
      %p = kiln.add %wx, %bb : tensor<8xf64>
      %d = kiln.sub %p, %y : tensor<8xf64>
      %sq = kiln.mul %d, %d : tensor<8xf64>
      %l = kiln.reduce_mean %sq axes [0] : tensor<8xf64> -> tensor<f64>
      return %l : tensor<f64>
    }
    func.func @g(%w: tensor<f64>, %b: tensor<f64>, %x: tensor<8xf64>, %y: tensor<8xf64>) -> (tensor<f64>, tensor<f64>, tensor<f64>) {
      %l, %dw, %db = kiln.grad @loss(%w, %b, %x, %y) wrt [0, 1] : (tensor<f64>, tensor<f64>, tensor<8xf64>, tensor<8xf64>) -> (tensor<f64>, tensor<f64>, tensor<f64>)
      return %l, %dw, %db : tensor<f64>, tensor<f64>, tensor<f64>
    })";
  Rng rng(11);
  std::vector<double> x(8), y(8);
  for (int i = 0; i < 8; ++i) {
    x[i] = rng.uniform(-1, 1);
    y[i] = 3 * x[i] + 2 + rng.uniform(-0.1, 0.1);
  }
  double w = 0.5, b = -0.25, loss = 0, dw = 0, db = 0;
  for (int i = 0; i < 8; ++i) {
    double r = w * x[i] + b - y[i];
    loss += r * r / 8;
    dw += 2 * r * x[i] / 8;
    db += 2 * r / 8;
  }
  auto out = run(ir, {Tensor::fromVector<double>({}, {w}),
                      Tensor::fromVector<double>({}, {b}),
                      Tensor::fromVector<double>({8}, x),
                      Tensor::fromVector<double>({8}, y)});
  ASSERT_EQ(out.size(), 3u);
  Tol tol{1e-12, 1e-12};
  EXPECT_TRUE(matches<double>(out[0], {}, {loss}, tol));
  EXPECT_TRUE(matches<double>(out[1], {}, {dw}, tol));
  EXPECT_TRUE(matches<double>(out[2], {}, {db}, tol));
}

// The seed: p = sigmoid(x w + b) with binary cross-entropy. The textbook
// gradients are dL/dw = X^T (p - y) / N and dL/db = mean(p - y).
TEST(GradientClosedForm, LogisticRegression) {
  std::string ir = R"(
    func.func @loss(%w: tensor<2x1xf64>, %b: tensor<1xf64>, %x: tensor<6x2xf64>, %y: tensor<6x1xf64>) -> tensor<f64> {
      %xw = kiln.matmul %x, %w : tensor<6x2xf64>, tensor<2x1xf64> -> tensor<6x1xf64>
      %bb = kiln.broadcast %b : tensor<1xf64> -> tensor<6x1xf64>
      %z = kiln.add %xw, %bb : tensor<6x1xf64>
      %p = kiln.sigmoid %z : tensor<6x1xf64>
      %one = kiln.constant dense<1.0> : tensor<6x1xf64>
      %logp = kiln.log %p : tensor<6x1xf64>
      %q = kiln.sub %one, %p : tensor<6x1xf64>
      %logq = kiln.log %q : tensor<6x1xf64>
      %ny = kiln.sub %one, %y : tensor<6x1xf64>
      %t1 = kiln.mul %y, %logp : tensor<6x1xf64>
      %t2 = kiln.mul %ny, %logq : tensor<6x1xf64>
      %t = kiln.add %t1, %t2 : tensor<6x1xf64>
      %m = kiln.reduce_mean %t axes [0, 1] : tensor<6x1xf64> -> tensor<f64>
      %l = kiln.neg %m : tensor<f64>
      return %l : tensor<f64>
    }
    func.func @g(%w: tensor<2x1xf64>, %b: tensor<1xf64>, %x: tensor<6x2xf64>, %y: tensor<6x1xf64>) -> (tensor<f64>, tensor<2x1xf64>, tensor<1xf64>) {
      %l, %dw, %db = kiln.grad @loss(%w, %b, %x, %y) wrt [0, 1] : (tensor<2x1xf64>, tensor<1xf64>, tensor<6x2xf64>, tensor<6x1xf64>) -> (tensor<f64>, tensor<2x1xf64>, tensor<1xf64>)
      return %l, %dw, %db : tensor<f64>, tensor<2x1xf64>, tensor<1xf64>
    })";
  Rng rng(12);
  std::vector<double> x(12), y(6), w = {0.3, -0.7}, b = {0.1};
  for (double &v : x)
    v = rng.uniform(-2, 2);
  for (int i = 0; i < 6; ++i)
    y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
  double dw0 = 0, dw1 = 0, db = 0;
  for (int i = 0; i < 6; ++i) {
    double z = x[2 * i] * w[0] + x[2 * i + 1] * w[1] + b[0];
    double p = 1 / (1 + std::exp(-z));
    dw0 += (p - y[i]) * x[2 * i] / 6;
    dw1 += (p - y[i]) * x[2 * i + 1] / 6;
    db += (p - y[i]) / 6;
  }
  auto out = run(ir, {Tensor::fromVector<double>({2, 1}, w),
                      Tensor::fromVector<double>({1}, b),
                      Tensor::fromVector<double>({6, 2}, x),
                      Tensor::fromVector<double>({6, 1}, y)});
  ASSERT_EQ(out.size(), 3u);
  Tol tol{1e-12, 1e-12};
  EXPECT_TRUE(matches<double>(out[1], {2, 1}, {dw0, dw1}, tol));
  EXPECT_TRUE(matches<double>(out[2], {1}, {db}, tol));
}

} // namespace
