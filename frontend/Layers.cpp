//===- Layers.cpp - Neural-network layers ---------------------------------===//

#include "frontend/Layers.h"
#include "frontend/GraphDetail.h"
#include "frontend/GraphOps.h"

#include "ir/Kiln.h"

#include <cmath>

using namespace kiln;
using namespace kiln::nn;

//===----------------------------------------------------------------------===//
// Scope, Sequential
//===----------------------------------------------------------------------===//

Scope Scope::sub(const std::string &child) const {
  Scope scope = *this;
  scope.prefix_ = prefix_ + child + ".";
  return scope;
}

std::string Scope::path() const {
  return prefix_.empty() ? "" : prefix_.substr(0, prefix_.size() - 1);
}

/// "Linear 'fc1'" (or "Linear" at the root), for messages.
static std::string layerName(const char *kind, const Scope &scope) {
  std::string path = scope.path();
  return path.empty() ? kind : std::string(kind) + " '" + path + "'";
}

Var Sequential::forward(const Var &x, const CallSite &site) {
  Var y = x;
  for (auto &child : children_)
    y = child->forward(y, site);
  return y;
}

void Sequential::train(bool on) {
  Module::train(on);
  for (auto &child : children_)
    child->train(on);
}

//===----------------------------------------------------------------------===//
// Linear
//===----------------------------------------------------------------------===//

/// The parameters of Linear and Conv2d, initialized as PyTorch's
/// reset_parameters of both: weight [out, in, k...] kaiming_uniform(a =
/// sqrt(5)); bias [out] (if wanted) U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
static void addWeightAndBias(const Scope &scope,
                             const std::vector<int64_t> &weightShape,
                             bool withBias, DType dtype, const CallSite &site,
                             Var &weight, Var &bias) {
  Graph &graph = scope.graph();
  weight = graph.parameter(scope.name("weight"), weightShape,
                           init::kaimingUniform(std::sqrt(5.0)), dtype, site);
  if (!withBias)
    return;
  double fanIn = static_cast<double>(computeFans(weightShape).fanIn);
  double bound = 1.0 / std::sqrt(fanIn);
  bias = graph.parameter(scope.name("bias"), {weightShape[0]},
                         init::uniform(-bound, bound), dtype, site);
}

Linear::Linear(Scope scope, int64_t inFeatures, int64_t outFeatures, bool bias,
               DType dtype, CallSite site)
    : inFeatures(inFeatures), outFeatures(outFeatures),
      name_(layerName("Linear", scope)) {
  if (inFeatures <= 0 || outFeatures <= 0)
    throwGraphError(site, name_,
                    "in and out features must be positive, got " +
                        std::to_string(inFeatures) + " and " +
                        std::to_string(outFeatures));
  addWeightAndBias(scope, {outFeatures, inFeatures}, bias, dtype, site, weight,
                   this->bias);
}

Var Linear::forward(const Var &x, const CallSite &site) {
  if (x.isNull() || x.rank() < 1 || x.dim(-1) != inFeatures ||
      x.dtype() != weight.dtype())
    throwGraphError(site, name_,
                    "expects input [..., " + std::to_string(inFeatures) +
                        "] of " + dtypeName(weight.dtype()) + ", got " +
                        x.describe());
  // Leading dimensions are flattened into one batch dimension for the
  // matmul and restored after it.
  std::vector<int64_t> outShape = x.shape();
  outShape.back() = outFeatures;
  Var rows = reshape(x, {-1, inFeatures}, site);
  Var y =
      matmul(rows, weight, /*transposeLhs=*/false, /*transposeRhs=*/true, site);
  if (!bias.isNull())
    y = add(y, bias, site);
  return reshape(y, outShape, site);
}

//===----------------------------------------------------------------------===//
// Flatten and activations
//===----------------------------------------------------------------------===//

Var Flatten::forward(const Var &x, const CallSite &site) {
  if (x.isNull())
    throwGraphError(site, "Flatten", "got an empty Var");
  int64_t rank = std::max<int64_t>(x.rank(), 1);
  int64_t start = startDim < 0 ? startDim + rank : startDim;
  int64_t end = endDim < 0 ? endDim + rank : endDim;
  if (start < 0 || end >= rank || start > end)
    throwGraphError(site, "Flatten",
                    "dimensions " + std::to_string(startDim) + ".." +
                        std::to_string(endDim) + " do not fit " + x.describe());
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (d > start && d <= end)
      shape.back() *= x.shape()[d];
    else
      shape.push_back(x.shape()[d]);
  }
  return reshape(x, shape, site);
}

Var ReLU::forward(const Var &x, const CallSite &site) { return relu(x, site); }
Var Sigmoid::forward(const Var &x, const CallSite &site) {
  return sigmoid(x, site);
}
Var Tanh::forward(const Var &x, const CallSite &site) { return tanh(x, site); }

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

/// (x - mean) / sqrt(var + eps) over `axes`, with the biased variance; also
/// returns the statistics (keepdims).
namespace {
struct Normalized {
  Var y, mean, var;
};
Normalized normalize(const Var &x, const std::vector<int64_t> &axes, double eps,
                     const CallSite &site) {
  Var m = mean(x, axes, /*keepdims=*/true, site);
  Var centered = sub(x, m, site);
  Var v = mean(mul(centered, centered, site), axes, /*keepdims=*/true, site);
  Var y = mul(centered, rsqrt(add(v, eps, site), site), site);
  return {y, m, v};
}
} // namespace

LayerNorm::LayerNorm(Scope scope, std::vector<int64_t> normalizedShape,
                     double eps, bool elementwiseAffine, DType dtype,
                     CallSite site)
    : normalizedShape(std::move(normalizedShape)), eps(eps),
      name_(layerName("LayerNorm", scope)) {
  if (this->normalizedShape.empty())
    throwGraphError(site, name_, "needs a non-empty normalized shape");
  if (!elementwiseAffine)
    return;
  Graph &graph = scope.graph();
  weight = graph.parameter(scope.name("weight"), this->normalizedShape,
                           init::ones(), dtype, site);
  bias = graph.parameter(scope.name("bias"), this->normalizedShape,
                         init::zeros(), dtype, site);
}

Var LayerNorm::forward(const Var &x, const CallSite &site) {
  int64_t k = static_cast<int64_t>(normalizedShape.size());
  bool fits = !x.isNull() && x.rank() >= k &&
              kiln::detail::isFloat(x.dtype()) &&
              (weight.isNull() || x.dtype() == weight.dtype());
  std::vector<int64_t> axes;
  for (int64_t i = 0; fits && i < k; ++i) {
    fits = x.shape()[x.rank() - k + i] == normalizedShape[i];
    axes.push_back(x.rank() - k + i);
  }
  if (!fits)
    throwGraphError(site, name_,
                    "expects a float input whose last dimensions are " +
                        kiln::detail::shapeText(normalizedShape) + ", got " +
                        x.describe());
  Var y = normalize(x, axes, eps, site).y;
  if (weight.isNull())
    return y;
  return add(mul(y, weight, site), bias, site);
}

BatchNorm2d::BatchNorm2d(Scope scope, int64_t numFeatures, double eps,
                         double momentum, bool affine, bool trackRunningStats,
                         DType dtype, CallSite site)
    : numFeatures(numFeatures), eps(eps), momentum(momentum),
      name_(layerName("BatchNorm2d", scope)) {
  if (numFeatures <= 0)
    throwGraphError(site, name_,
                    "needs a positive number of features, got " +
                        std::to_string(numFeatures));
  Graph &graph = scope.graph();
  if (affine) {
    weight = graph.parameter(scope.name("weight"), {numFeatures}, init::ones(),
                             dtype, site);
    bias = graph.parameter(scope.name("bias"), {numFeatures}, init::zeros(),
                           dtype, site);
  }
  if (trackRunningStats) {
    runningMean = graph.buffer(scope.name("running_mean"), {numFeatures},
                               init::zeros(), dtype, site);
    runningVar = graph.buffer(scope.name("running_var"), {numFeatures},
                              init::ones(), dtype, site);
  }
}

Var BatchNorm2d::forward(const Var &x, const CallSite &site) {
  DType dtype = !weight.isNull()        ? weight.dtype()
                : !runningMean.isNull() ? runningMean.dtype()
                                        : x.dtype();
  if (x.isNull() || x.rank() != 4 || x.dim(1) != numFeatures ||
      x.dtype() != dtype || !kiln::detail::isFloat(dtype))
    throwGraphError(site, name_,
                    "expects input [N, " + std::to_string(numFeatures) +
                        ", H, W] of " + dtypeName(dtype) + ", got " +
                        x.describe());
  const std::vector<int64_t> channelShape = {1, numFeatures, 1, 1};
  Var y;
  if (isTraining() || runningMean.isNull()) {
    int64_t n = x.dim(0) * x.dim(2) * x.dim(3);
    if (n <= 1 && isTraining())
      throwGraphError(site, name_,
                      "training needs more than one value per channel, got " +
                          x.describe());
    Normalized batch = normalize(x, {0, 2, 3}, eps, site);
    y = batch.y;
    if (isTraining() && !runningMean.isNull()) {
      Graph &graph = x.graph();
      Var mean = reshape(batch.mean, {numFeatures}, site);
      Var unbiased =
          mul(reshape(batch.var, {numFeatures}, site),
              static_cast<double>(n) / static_cast<double>(n - 1), site);
      auto blend = [&](const Var &old, const Var &statistic) {
        return add(mul(old, 1.0 - momentum, site),
                   mul(statistic, momentum, site), site);
      };
      graph.updateBuffer(runningMean, blend(runningMean, mean), site);
      graph.updateBuffer(runningVar, blend(runningVar, unbiased), site);
    }
  } else {
    Var mean = reshape(runningMean, channelShape, site);
    Var var = reshape(runningVar, channelShape, site);
    y = mul(sub(x, mean, site), rsqrt(add(var, eps, site), site), site);
  }
  if (weight.isNull())
    return y;
  return add(mul(y, reshape(weight, channelShape, site), site),
             reshape(bias, channelShape, site), site);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

Conv2d::Conv2d(Scope scope, int64_t inChannels, int64_t outChannels,
               HeightWidth kernelSize, HeightWidth stride, Padding2d padding,
               HeightWidth dilation, int64_t groups, bool bias, DType dtype,
               CallSite site)
    : inChannels(inChannels), outChannels(outChannels), kernelSize(kernelSize),
      stride(stride), padding(padding), dilation(dilation), groups(groups),
      name_(layerName("Conv2d", scope)) {
  if (inChannels <= 0 || outChannels <= 0)
    throwGraphError(site, name_,
                    "in and out channels must be positive, got " +
                        std::to_string(inChannels) + " and " +
                        std::to_string(outChannels));
  if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
    throwGraphError(site, name_,
                    "groups " + std::to_string(groups) +
                        " must be >= 1 and divide the in channels (" +
                        std::to_string(inChannels) +
                        ") and the out channels (" +
                        std::to_string(outChannels) + ")");
  kiln::detail::checkWindow(site, name_, &kernelSize, stride, padding,
                            dilation);
  addWeightAndBias(
      scope,
      {outChannels, inChannels / groups, kernelSize.height, kernelSize.width},
      bias, dtype, site, weight, this->bias);
}

Var Conv2d::forward(const Var &x, const CallSite &site) {
  if (x.isNull() || x.rank() != 4 || x.dim(1) != inChannels ||
      x.dtype() != weight.dtype())
    throwGraphError(site, name_,
                    "expects input [N, " + std::to_string(inChannels) +
                        ", H, W] of " + dtypeName(weight.dtype()) + ", got " +
                        x.describe());
  Var y = conv2d(x, weight, stride, padding, dilation, groups, site);
  if (bias.isNull())
    return y;
  return add(y, reshape(bias, {1, outChannels, 1, 1}, site), site);
}

namespace {
/// Throws unless a pooling layer's window is valid (checkWindow) and within
/// PyTorch's limit on pooling padding: each side at most half the (dilated)
/// kernel extent in its dimension.
void checkPoolWindow(const CallSite &site, const char *what,
                     const HeightWidth &kernel, const HeightWidth &stride,
                     const Padding2d &padding, const HeightWidth &dilation) {
  kiln::detail::checkWindow(site, what, &kernel, stride, padding, dilation);
  int64_t halfHeight = (dilation.height * (kernel.height - 1) + 1) / 2;
  int64_t halfWidth = (dilation.width * (kernel.width - 1) + 1) / 2;
  if (std::max(padding.top, padding.bottom) > halfHeight ||
      std::max(padding.left, padding.right) > halfWidth)
    throwGraphError(site, what,
                    "padding " + kiln::detail::paddingText(padding) +
                        " (top, left, bottom, right) must be at most half the "
                        "kernel " +
                        kiln::detail::pairText(kernel) +
                        (dilation.height != 1 || dilation.width != 1
                             ? " dilated by " + kiln::detail::pairText(dilation)
                             : std::string()) +
                        ", i.e. at most " + std::to_string(halfHeight) +
                        " in height and " + std::to_string(halfWidth) +
                        " in width (as PyTorch)");
}
} // namespace

MaxPool2d::MaxPool2d(HeightWidth kernelSize, PoolStride stride,
                     Padding2d padding, HeightWidth dilation, CallSite site)
    : kernelSize(kernelSize), stride(stride.orKernel(kernelSize)),
      padding(padding), dilation(dilation) {
  checkPoolWindow(site, "MaxPool2d", kernelSize, this->stride, padding,
                  dilation);
}

Var MaxPool2d::forward(const Var &x, const CallSite &site) {
  return maxPool2d(x, kernelSize, stride, padding, dilation, site);
}

AvgPool2d::AvgPool2d(HeightWidth kernelSize, PoolStride stride,
                     Padding2d padding, CallSite site)
    : kernelSize(kernelSize), stride(stride.orKernel(kernelSize)),
      padding(padding) {
  checkPoolWindow(site, "AvgPool2d", kernelSize, this->stride, padding, 1);
}

Var AvgPool2d::forward(const Var &x, const CallSite &site) {
  return avgPool2d(x, kernelSize, stride, padding, site);
}

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

Embedding::Embedding(Scope scope, int64_t numEmbeddings, int64_t embeddingDim,
                     DType dtype, CallSite site)
    : numEmbeddings(numEmbeddings), embeddingDim(embeddingDim),
      name_(layerName("Embedding", scope)) {
  if (numEmbeddings <= 0 || embeddingDim <= 0)
    throwGraphError(site, name_,
                    "the number of embeddings and their size must be "
                    "positive, got " +
                        std::to_string(numEmbeddings) + " and " +
                        std::to_string(embeddingDim));
  weight = scope.graph().parameter(scope.name("weight"),
                                   {numEmbeddings, embeddingDim},
                                   init::normal(0.0, 1.0), dtype, site);
}

Var Embedding::forward(const Var &indices, const CallSite &site) {
  if (indices.isNull() || !kiln::detail::isInteger(indices.dtype()))
    throwGraphError(site, name_,
                    "expects integer indices (i32 or i64), got " +
                        indices.describe());
  return gather(weight, indices, site);
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

Var nn::dropoutSeed(Graph &graph, CallSite site) {
  const Graph::Argument *existing = graph.findArgument(kDropoutSeed);
  if (!existing)
    return graph.input(kDropoutSeed, {}, DType::I64, site);
  const Var &seed = existing->var;
  if (existing->role != TensorRole::Data || seed.rank() != 0 ||
      seed.dtype() != DType::I64)
    throwGraphError(site, "Dropout",
                    std::string("the dropout seed '") + kDropoutSeed +
                        "' must be a rank-0 i64 input, but the graph has " +
                        seed.describe());
  return seed;
}

Dropout::Dropout(double p, CallSite site) : p(p) {
  if (!(p >= 0.0 && p <= 1.0))
    throwGraphError(site, "Dropout",
                    "the probability p must be between 0 and 1, got " +
                        kiln::detail::scalarText(p));
}

Var Dropout::forward(const Var &x, const CallSite &site) {
  if (x.isNull())
    throwGraphError(site, "Dropout", "got an empty Var");
  if (!isTraining())
    return x;
  kiln::detail::checkAccepts(site, "Dropout", kiln::detail::Accepts::Float, x,
                             "");
  Graph &graph = x.graph();
  Var seed = dropoutSeed(graph, site);
  if (p > 0.0 && p < 1.0) {
    // The k-th random op of the graph draws with key (seed, k): no two
    // applications share a mask (random_uniform is pure, so equal seeds
    // would even be merged into one op).
    int64_t k = 0;
    graph.function().walk([&](RandomUniformOp) { ++k; });
    if (k > 0)
      seed = add(seed, static_cast<double>(k) * 0x1p32, site);
  }
  return dropout(x, p, seed, site);
}
