//===- NNGradientTest.cpp - NN op gradients vs finite differences --------===//
//
// Every differentiable op of KilnNNOps.td through kiln-autodiff, checked by
// GradientCheck.h against central finite differences in f64 (relative error
// < 1e-6): the forward ops, the linear backward ops (second derivatives),
// and dropout built from random_uniform, whose seed gets no gradient.
//
//===----------------------------------------------------------------------===//

#include "GradientCheck.h"

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// A random f64 argument. `distinct` draws values at least 0.25 apart, so
/// no max-pooling window has a tie that a finite-difference step could
/// cross.
GradArg arg(std::vector<int64_t> shape, bool distinct = false) {
  GradArg a;
  a.shape = std::move(shape);
  a.distinct = distinct;
  return a;
}
GradArg distinct(std::vector<int64_t> shape) {
  return arg(std::move(shape), true);
}
/// An operand that is not differentiated (indices, a seed).
GradArg constant(Tensor value) {
  GradArg a;
  a.wrt = false;
  a.fixed = std::move(value);
  return a;
}

std::string t(const std::vector<int64_t> &shape) {
  return detail::tensorType(shape, "$T");
}

/// `%r = kiln.<op> %a0[, %a1] <attributes> : <operand types> -> <result>`
/// for an op of float operands.
GradCase opCase(const std::string &op, const std::string &attributes,
                std::vector<GradArg> args, std::vector<int64_t> resultShape) {
  std::string operands, types;
  for (size_t i = 0; i < args.size(); ++i) {
    operands += (i ? ", %a" : " %a") + std::to_string(i);
    types += (i ? ", " : "") + t(args[i].shape);
  }
  return {"  %r = kiln." + op + operands + attributes + " : " + types + " -> " +
              t(resultShape),
          std::move(args), std::move(resultShape)};
}

/// The three convolution ops of one geometry: x [N, C, H, W], w [O, C/g,
/// kH, kW], y [N, O, OH, OW].
void addConvolution(std::vector<NamedCase> &cases, const char *forward,
                    const char *inputGrad, const char *filterGrad,
                    std::vector<int64_t> x, std::vector<int64_t> w,
                    std::vector<int64_t> y, const std::string &attributes) {
  cases.push_back({forward, opCase("conv2d", attributes, {arg(x), arg(w)}, y)});
  cases.push_back({inputGrad, opCase("conv2d_backward_input", attributes,
                                     {arg(y), arg(w)}, x)});
  cases.push_back({filterGrad, opCase("conv2d_backward_filter", attributes,
                                      {arg(x), arg(y)}, w)});
}

std::vector<NamedCase> allCases() {
  std::vector<NamedCase> cases;
  addConvolution(
      cases, "conv2d", "conv2d_backward_input", "conv2d_backward_filter",
      {2, 2, 5, 4}, {3, 2, 3, 2}, {2, 3, 3, 3},
      " stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1");
  // (7 + 2 - 3) / 2 + 1 = 4 rows and (6 + 1 - 3) / 2 + 1 = 3 columns; the
  // last input column is read by no window.
  addConvolution(
      cases, "conv2d_stride_padding_rounding",
      "conv2d_backward_input_stride_padding_rounding",
      "conv2d_backward_filter_stride_padding_rounding", {1, 2, 7, 6},
      {2, 2, 3, 3}, {1, 2, 4, 3},
      " stride [2, 2] padding [1, 0, 1, 1] dilation [1, 1] groups 1");
  addConvolution(
      cases, "conv2d_groups_dilation", "conv2d_backward_input_groups_dilation",
      "conv2d_backward_filter_groups_dilation", {2, 4, 6, 5}, {6, 2, 2, 2},
      {2, 6, 5, 5},
      " stride [1, 1] padding [1, 1, 0, 1] dilation [2, 2] groups 2");

  const std::string pool2 = " kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0]";
  const std::string pool3 = " kernel [3, 3] stride [2, 2] padding [1, 1, 1, 1]";
  const std::string pool3d =
      " kernel [2, 3] stride [1, 2] padding [0, 1, 1, 0]";
  cases.push_back(
      {"max_pool2d", opCase("max_pool2d", pool2 + " dilation [1, 1]",
                            {distinct({2, 2, 5, 4})}, {2, 2, 2, 2})});
  cases.push_back({"max_pool2d_overlapping_padded",
                   opCase("max_pool2d", pool3 + " dilation [1, 1]",
                          {distinct({1, 2, 5, 6})}, {1, 2, 3, 3})});
  cases.push_back(
      {"max_pool2d_dilated", opCase("max_pool2d", pool3d + " dilation [2, 1]",
                                    {distinct({1, 2, 5, 5})}, {1, 2, 4, 2})});
  cases.push_back({"avg_pool2d", opCase("avg_pool2d", pool2,
                                        {arg({2, 2, 5, 4})}, {2, 2, 2, 2})});
  cases.push_back(
      {"avg_pool2d_padded",
       opCase("avg_pool2d", pool3, {arg({1, 2, 5, 6})}, {1, 2, 3, 3})});
  cases.push_back(
      {"avg_pool2d_backward", opCase("avg_pool2d_backward", pool3,
                                     {arg({1, 2, 3, 3})}, {1, 2, 5, 6})});

  cases.push_back(
      {"erf", {"  %r = kiln.erf %a0 : " + t({2, 5}), {arg({2, 5})}, {2, 5}}});

  // Repeated and out-of-range indices (fixed: indices get no gradient).
  Tensor indices = Tensor::fromVector<int64_t>({2, 3}, {4, 0, 4, -1, 2, 5});
  std::string iT = "tensor<2x3xi64>";
  cases.push_back({"gather",
                   {"  %r = kiln.gather %a0[%a1] : " + t({5, 3}) + ", " + iT +
                        " -> " + t({2, 3, 3}),
                    {arg({5, 3}), constant(indices)},
                    {2, 3, 3}}});
  cases.push_back({"scatter_add",
                   {"  %r = kiln.scatter_add %a0[%a1] : " + t({2, 3, 3}) +
                        ", " + iT + " -> " + t({5, 3}),
                    {arg({2, 3, 3}), constant(indices)},
                    {5, 3}}});
  return cases;
}

class NNGradientTest : public ::testing::TestWithParam<NamedCase> {};

TEST_P(NNGradientTest, MatchesFiniteDifferences) {
  EXPECT_TRUE(checkGradient(GetParam().c));
}

INSTANTIATE_TEST_SUITE_P(NNOps, NNGradientTest, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<NamedCase> &info) {
                           return std::string(info.param.name);
                         });

TEST(NNGradient, DropoutMaskFromRandomUniform) {
  // y = select(u < 0.7, x / 0.7, 0) with u from a fixed seed: the gradient
  // is the scaled mask; the seed (an i64 operand) gets none.
  GradCase c{R"(
  %u = kiln.random_uniform %a1 : tensor<i64> -> tensor<4x6x$T>
  %p = kiln.constant dense<0.7> : tensor<4x6x$T>
  %keep = kiln.compare lt, %u, %p : tensor<4x6x$T>
  %scaled = kiln.div %a0, %p : tensor<4x6x$T>
  %zero = kiln.constant dense<0.0> : tensor<4x6x$T>
  %r = kiln.select %keep, %scaled, %zero : tensor<4x6xi1>, tensor<4x6x$T>)",
             {arg({4, 6}), constant(Tensor::fromVector<int64_t>({}, {2024}))},
             {4, 6}};
  EXPECT_TRUE(checkGradient(c));
}

TEST(NNGradient, ConvReluMaxPoolChain) {
  // The CNN block: conv (padding 1) -> relu -> 2x2 max pool, w.r.t. the
  // input and the filter. Distinct inputs keep ties away; relu kinks are
  // avoided by the fixed seed of the data (checked by the tolerance).
  GradArg x = distinct({1, 2, 6, 6});
  GradArg w = arg({3, 2, 3, 3});
  GradCase c{R"(
  %y = kiln.conv2d %a0, %a1 stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<1x2x6x6x$T>, tensor<3x2x3x3x$T> -> tensor<1x3x6x6x$T>
  %h = kiln.relu %y : tensor<1x3x6x6x$T>
  %r = kiln.max_pool2d %h kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<1x3x6x6x$T> -> tensor<1x3x3x3x$T>)",
             {x, w},
             {1, 3, 3, 3}};
  EXPECT_TRUE(checkGradient(c));
}

} // namespace
