//===- GraphNNOps.cpp - Checked builders of the neural-network ops -------===//
//
// Convolution, pooling, embedding lookup, random numbers and dropout. As in
// GraphOps.cpp, every operand and attribute is checked before an op is
// created: the ops infer their result types, and a failed inference inside
// MLIR would be an assertion, not a message at the user's line.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphDetail.h"
#include "frontend/GraphOps.h"

#include "ir/Kiln.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using kiln::detail::Accepts;
using kiln::detail::checkAccepts;
using kiln::detail::checkVar;
using kiln::detail::graphOf;
using kiln::detail::pairText;

namespace {

/// Throws unless `x` is a 4-D float tensor; `role` ("the input") and
/// `layout` describe what it should be.
void checkImage(const CallSite &site, const std::string &what, const Var &x,
                const char *role, const char *layout) {
  checkVar(site, what, x);
  if (!kiln::detail::isFloat(x.dtype()) || x.rank() != 4)
    throwGraphError(site, what,
                    std::string(role) + " must be a 4-D " + layout +
                        " float (f32 or f64) tensor, got " + x.describe());
}

/// The output height and width of `kernel` sliding over the padded spatial
/// dimensions of `x`; throws when the padded input is smaller than the
/// dilated kernel.
std::pair<int64_t, int64_t>
windowOutput(const CallSite &site, const std::string &what, const Var &x,
             const HeightWidth &kernel, const HeightWidth &stride,
             const Padding2d &padding, const HeightWidth &dilation) {
  HeightWidth padded(x.dim(2) + padding.top + padding.bottom,
                     x.dim(3) + padding.left + padding.right);
  HeightWidth extent(dilation.height * (kernel.height - 1) + 1,
                     dilation.width * (kernel.width - 1) + 1);
  if (padded.height < extent.height || padded.width < extent.width) {
    std::string spans = pairText(kernel);
    if (dilation.height != 1 || dilation.width != 1)
      spans += " dilated by " + pairText(dilation) + ", spanning " +
               pairText(extent);
    throwGraphError(site, what,
                    "the input " + x.describe() + " padded to " +
                        pairText(padded) + " is smaller than the " + spans +
                        " window");
  }
  return {(padded.height - extent.height) / stride.height + 1,
          (padded.width - extent.width) / stride.width + 1};
}

/// Checks a pooling of `x` by `kernel` (the input, the window, and that it
/// fits the padded input); returns its stride, the kernel's when `stride`
/// is none.
HeightWidth checkPool(const CallSite &site, const char *what, const Var &x,
                      const HeightWidth &kernel, const PoolStride &stride,
                      const Padding2d &padding, const HeightWidth &dilation) {
  checkImage(site, what, x, "the input", "[N, C, H, W]");
  HeightWidth step = stride.orKernel(kernel);
  kiln::detail::checkWindow(site, what, &kernel, step, padding, dilation);
  windowOutput(site, what, x, kernel, step, padding, dilation);
  return step;
}

void checkSeed(const CallSite &site, const std::string &what, const Var &seed) {
  checkVar(site, what, seed);
  if (seed.rank() != 0 || seed.dtype() != DType::I64)
    throwGraphError(site, what,
                    "the seed must be a rank-0 i64 tensor (tensor<i64>), got " +
                        seed.describe());
}

SmallVector<int64_t, 4> paddingArray(const Padding2d &padding) {
  return {padding.top, padding.left, padding.bottom, padding.right};
}

SmallVector<int64_t, 2> pairArray(const HeightWidth &pair) {
  return {pair.height, pair.width};
}

} // namespace

Var kiln::conv2d(const Var &x, const Var &weight, HeightWidth stride,
                 Padding2d padding, HeightWidth dilation, int64_t groups,
                 CallSite site) {
  checkImage(site, "conv2d", x, "the input", "[N, C, H, W]");
  checkImage(site, "conv2d", weight, "the weight", "[O, C / groups, kH, kW]");
  Graph &graph = graphOf(site, "conv2d", {&x, &weight});
  if (x.dtype() != weight.dtype())
    throwGraphError(site, "conv2d",
                    "the input " + x.describe() + " and the weight " +
                        weight.describe() +
                        " have different dtypes; cast() one of them");
  kiln::detail::checkWindow(site, "conv2d", nullptr, stride, padding, dilation);
  int64_t channels = x.dim(1), outChannels = weight.dim(0);
  if (groups < 1 || channels % groups != 0 || outChannels % groups != 0)
    throwGraphError(
        site, "conv2d",
        "groups " + std::to_string(groups) +
            " must be >= 1 and divide the input channels (C = " +
            std::to_string(channels) + " in the input " + x.describe() +
            ") and the output channels (O = " + std::to_string(outChannels) +
            " in the weight " + weight.describe() + ")");
  if (weight.dim(1) * groups != channels)
    throwGraphError(
        site, "conv2d",
        "the weight " + weight.describe() + " has " +
            std::to_string(weight.dim(1)) +
            " input channels per group but the input " + x.describe() +
            " has C = " + std::to_string(channels) + " in " +
            std::to_string(groups) +
            " group(s), so C / groups = " + std::to_string(channels / groups));
  if (weight.dim(2) < 1 || weight.dim(3) < 1)
    throwGraphError(site, "conv2d",
                    "the weight " + weight.describe() +
                        " must have a kernel of at least 1x1");
  windowOutput(site, "conv2d", x, HeightWidth(weight.dim(2), weight.dim(3)),
               stride, padding, dilation);
  return Var(graph, Conv2DOp::create(graph.builder(), graph.location(site),
                                     x.value(), weight.value(),
                                     pairArray(stride), paddingArray(padding),
                                     pairArray(dilation), groups)
                        .getResult());
}

Var kiln::maxPool2d(const Var &x, HeightWidth kernel, PoolStride stride,
                    Padding2d padding, HeightWidth dilation, CallSite site) {
  HeightWidth step =
      checkPool(site, "maxPool2d", x, kernel, stride, padding, dilation);
  Graph &graph = x.graph();
  return Var(graph,
             MaxPool2DOp::create(graph.builder(), graph.location(site),
                                 x.value(), pairArray(kernel), pairArray(step),
                                 paddingArray(padding), pairArray(dilation))
                 .getResult());
}

Var kiln::avgPool2d(const Var &x, HeightWidth kernel, PoolStride stride,
                    Padding2d padding, CallSite site) {
  HeightWidth step =
      checkPool(site, "avgPool2d", x, kernel, stride, padding, 1);
  Graph &graph = x.graph();
  return Var(graph, AvgPool2DOp::create(graph.builder(), graph.location(site),
                                        x.value(), pairArray(kernel),
                                        pairArray(step), paddingArray(padding))
                        .getResult());
}

Var kiln::gather(const Var &table, const Var &indices, CallSite site) {
  checkVar(site, "gather", table);
  checkVar(site, "gather", indices);
  Graph &graph = graphOf(site, "gather", {&table, &indices});
  if (table.rank() != 2)
    throwGraphError(site, "gather",
                    "the table must be 2-D [V, D], got " + table.describe());
  if (!kiln::detail::isInteger(indices.dtype()))
    throwGraphError(site, "gather",
                    "indices must be i32 or i64, got " + indices.describe());
  return Var(graph, GatherOp::create(graph.builder(), graph.location(site),
                                     table.value(), indices.value())
                        .getResult());
}

Var kiln::randomUniform(const std::vector<int64_t> &shape, const Var &seed,
                        DType dtype, CallSite site) {
  checkSeed(site, "randomUniform", seed);
  kiln::detail::checkShape(site, "randomUniform", shape);
  if (!kiln::detail::isFloat(dtype))
    throwGraphError(site, "randomUniform",
                    std::string("makes f32 or f64 numbers, not ") +
                        dtypeName(dtype));
  Graph &graph = seed.graph();
  auto type = kiln::detail::tensorType(graph.context(), shape, dtype);
  return Var(graph,
             RandomUniformOp::create(graph.builder(), graph.location(site),
                                     type, seed.value())
                 .getResult());
}

Var kiln::dropout(const Var &x, double p, const Var &seed, CallSite site) {
  checkVar(site, "dropout", x);
  checkAccepts(site, "dropout", Accepts::Float, x, "");
  checkSeed(site, "dropout", seed);
  graphOf(site, "dropout", {&x, &seed});
  if (!(p >= 0.0 && p <= 1.0))
    throwGraphError(site, "dropout",
                    "the probability p must be between 0 and 1, got " +
                        kiln::detail::scalarText(p));
  // As PyTorch: p = 0 is the identity, p = 1 multiplies by zero (so NaN
  // stays NaN); neither draws random numbers.
  if (p == 0.0)
    return x;
  if (p == 1.0)
    return mul(x, 0.0, site);
  Var keep = ge(randomUniform(x.shape(), seed, x.dtype(), site), p, site);
  // x * mask / (1 - p) as PyTorch computes it: the scaled mask first, so a
  // dropped NaN or infinity gives NaN, not 0.
  Var scaledMask = mul(cast(keep, x.dtype(), site), 1.0 / (1.0 - p), site);
  return mul(x, scaledMask, site);
}
