//===- Layers.h - Neural-network layers on the graph builder ----*- C++ -*-===//
//
// Small composable layers with PyTorch's names, defaults and
// initialization. A layer creates its parameters (and buffers) in a Graph
// when it is constructed, under hierarchical names like PyTorch's state_dict
// keys ("0.weight", "fc1.bias"), and builds ops each time it is applied:
//
//   kiln::Graph g("mlp", /*seed=*/1);
//   kiln::nn::Sequential model(g);
//   model.add<kiln::nn::Linear>(784, 512);   // "0.weight", "0.bias"
//   model.add<kiln::nn::ReLU>();
//   model.add<kiln::nn::Linear>(512, 10);    // "2.weight", "2.bias"
//   kiln::Var logits = model(g.input("x", {128, 784}));
//
// A layer of your own takes a Scope and gives its children sub-scopes:
//
//   struct Block : kiln::nn::Module {
//     kiln::nn::Linear fc1, fc2;
//     explicit Block(kiln::nn::Scope s)
//         : fc1(s.sub("fc1"), 64, 64), fc2(s.sub("fc2"), 64, 64) {}
//     kiln::Var forward(const kiln::Var &x, const kiln::CallSite &at) override
//     {
//       return fc2(kiln::relu(fc1(x, at), at), at);
//     }
//   };
//
// Training and evaluation mode (train()/eval()) decide what a layer builds
// (BatchNorm2d: batch statistics and running-stat updates, or the running
// statistics); a graph is static, so an evaluation graph is a second Graph
// built in eval mode whose values come from the trained one (stateDict /
// loadStateDict).
//
// Dropout draws its masks from a graph input named "dropout_seed" (a
// rank-0 i64) that the caller passes on each call: see Dropout.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_LAYERS_H
#define KILN_FRONTEND_LAYERS_H

#include "frontend/Graph.h"
#include "frontend/GraphOps.h"

#include <memory>
#include <type_traits>
#include <vector>

namespace kiln::nn {

/// Where a layer puts its parameters: a graph and a name prefix.
class Scope {
public:
  /// The root scope of `graph` (no prefix). Implicit, so a Graph can be
  /// passed where a Scope is expected.
  Scope(Graph &graph) : graph_(&graph) {}
  /// The scope of a child named `child`: prefix "<prefix><child>.".
  Scope sub(const std::string &child) const;
  /// The full name of a parameter or buffer of this scope: prefix + leaf.
  std::string name(const std::string &leaf) const { return prefix_ + leaf; }
  /// The scope's own name ("fc1", "0"; "" for the root), for messages.
  std::string path() const;
  Graph &graph() const { return *graph_; }

private:
  Graph *graph_;
  std::string prefix_;
};

/// A layer: forward builds its ops on a Var.
class Module {
public:
  virtual ~Module() = default;
  /// Applies the layer; errors and the ops' locations name the caller's line.
  Var operator()(const Var &x, CallSite site = {}) { return forward(x, site); }
  virtual Var forward(const Var &x, const CallSite &site) = 0;
  /// Training mode (the default) or evaluation mode, for the layers built
  /// from now on; containers pass it to their children.
  virtual void train(bool on = true) { training_ = on; }
  void eval() { train(false); }
  bool isTraining() const { return training_; }

private:
  bool training_ = true;
};

/// Applies its children in order; child i is named "i".
class Sequential : public Module {
public:
  explicit Sequential(Scope scope) : scope_(scope) {}
  /// Constructs a T as the next child: with the child's scope first when T
  /// takes one (layers with parameters), else with `args` alone.
  template <typename T, typename... Args> T &add(Args &&...args) {
    std::string name = std::to_string(children_.size());
    std::unique_ptr<T> child;
    if constexpr (std::is_constructible_v<T, Scope, Args &&...>)
      child =
          std::make_unique<T>(scope_.sub(name), std::forward<Args>(args)...);
    else
      child = std::make_unique<T>(std::forward<Args>(args)...);
    child->train(isTraining());
    T &result = *child;
    children_.push_back(std::move(child));
    return result;
  }
  Var forward(const Var &x, const CallSite &site) override;
  void train(bool on = true) override;
  size_t size() const { return children_.size(); }
  Module &operator[](size_t i) { return *children_.at(i); }

private:
  Scope scope_;
  std::vector<std::unique_ptr<Module>> children_;
};

/// y = x W^T + b over the last dimension of x ([..., in] -> [..., out]).
/// weight [out, in]: kaiming_uniform(a = sqrt(5)); bias [out]:
/// U(-1/sqrt(in), 1/sqrt(in)) -- PyTorch's initialization.
class Linear : public Module {
public:
  Linear(Scope scope, int64_t inFeatures, int64_t outFeatures, bool bias = true,
         DType dtype = DType::F32, CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  int64_t inFeatures, outFeatures;
  Var weight, bias; ///< bias is null without one

private:
  std::string name_;
};

/// Flattens dimensions startDim..endDim (negative counts from the end) into
/// one, as torch.nn.Flatten (default: all but the batch dimension).
class Flatten : public Module {
public:
  explicit Flatten(int64_t startDim = 1, int64_t endDim = -1)
      : startDim(startDim), endDim(endDim) {}
  Var forward(const Var &x, const CallSite &site) override;
  int64_t startDim, endDim;
};

class ReLU : public Module {
public:
  Var forward(const Var &x, const CallSite &site) override;
};
class Sigmoid : public Module {
public:
  Var forward(const Var &x, const CallSite &site) override;
};
class Tanh : public Module {
public:
  Var forward(const Var &x, const CallSite &site) override;
};

/// Normalizes over the last dimensions (`normalizedShape`): (x - mean) /
/// sqrt(var + eps) * weight + bias, with the biased variance. weight ones,
/// bias zeros.
class LayerNorm : public Module {
public:
  LayerNorm(Scope scope, std::vector<int64_t> normalizedShape,
            double eps = 1e-5, bool elementwiseAffine = true,
            DType dtype = DType::F32, CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  std::vector<int64_t> normalizedShape;
  double eps;
  Var weight, bias; ///< null without elementwiseAffine

private:
  std::string name_;
};

/// Batch normalization of [N, C, H, W] per channel C.
/// Training: normalizes with the batch mean and biased variance over N, H,
/// W and updates the buffers running_mean and running_var (momentum 0.1:
/// new = (1 - momentum) * old + momentum * batch statistic; the variance
/// unbiased, n / (n - 1), as PyTorch). Evaluation: normalizes with the
/// running statistics. weight ones, bias zeros, running_mean zeros,
/// running_var ones. Without trackRunningStats, always batch statistics.
class BatchNorm2d : public Module {
public:
  BatchNorm2d(Scope scope, int64_t numFeatures, double eps = 1e-5,
              double momentum = 0.1, bool affine = true,
              bool trackRunningStats = true, DType dtype = DType::F32,
              CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  int64_t numFeatures;
  double eps, momentum;
  Var weight, bias;            ///< null without affine
  Var runningMean, runningVar; ///< null without trackRunningStats

private:
  std::string name_;
};

/// 2-D convolution of [N, inChannels, H, W] (see kiln::conv2d) plus a bias
/// per output channel. weight [outChannels, inChannels / groups, kH, kW]:
/// kaiming_uniform(a = sqrt(5)); bias [outChannels]: U(-1/sqrt(fanIn),
/// 1/sqrt(fanIn)) with fanIn = inChannels / groups * kH * kW -- PyTorch's
/// initialization. `padding` may also be asymmetric, {top, left, bottom,
/// right}.
class Conv2d : public Module {
public:
  Conv2d(Scope scope, int64_t inChannels, int64_t outChannels,
         HeightWidth kernelSize, HeightWidth stride = 1, Padding2d padding = 0,
         HeightWidth dilation = 1, int64_t groups = 1, bool bias = true,
         DType dtype = DType::F32, CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  int64_t inChannels, outChannels;
  HeightWidth kernelSize, stride;
  Padding2d padding;
  HeightWidth dilation;
  int64_t groups;
  Var weight, bias; ///< bias is null without one

private:
  std::string name_;
};

/// Max pooling of [N, C, H, W] (see kiln::maxPool2d); `stride` defaults to
/// the kernel. As PyTorch, padding is at most half the dilated kernel.
class MaxPool2d : public Module {
public:
  MaxPool2d(HeightWidth kernelSize, PoolStride stride = {},
            Padding2d padding = 0, HeightWidth dilation = 1,
            CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  HeightWidth kernelSize, stride;
  Padding2d padding;
  HeightWidth dilation;
};

/// Average pooling of [N, C, H, W], padding counted as zeros (see
/// kiln::avgPool2d); `stride` defaults to the kernel. As PyTorch, padding is
/// at most half the kernel.
class AvgPool2d : public Module {
public:
  AvgPool2d(HeightWidth kernelSize, PoolStride stride = {},
            Padding2d padding = 0, CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  HeightWidth kernelSize, stride;
  Padding2d padding;
};

/// A lookup table: integer indices (i32 or i64, any shape) to rows of
/// weight [numEmbeddings, embeddingDim], giving indices.shape +
/// [embeddingDim]. weight: N(0, 1), as PyTorch. An index outside
/// [0, numEmbeddings) gives a row of zeros (PyTorch raises an error; a
/// compiled graph cannot).
class Embedding : public Module {
public:
  Embedding(Scope scope, int64_t numEmbeddings, int64_t embeddingDim,
            DType dtype = DType::F32, CallSite site = {});
  Var forward(const Var &indices, const CallSite &site) override;
  int64_t numEmbeddings, embeddingDim;
  Var weight;

private:
  std::string name_;
};

/// The name of the graph input that Dropout layers draw their masks from.
inline constexpr const char *kDropoutSeed = "dropout_seed";

/// The graph input "dropout_seed", a rank-0 i64, created by the first call.
/// Calling it before building the model fixes the input's position among
/// the graph's inputs; otherwise the first Dropout in training mode creates
/// it where it is applied.
Var dropoutSeed(Graph &graph, CallSite site = {});

/// torch.nn.Dropout. Training: zeroes each element with probability p and
/// scales the others by 1 / (1 - p) (kiln::dropout); p = 0 is the identity
/// and p = 1 gives zeros, as PyTorch. Evaluation: the identity.
///
/// A graph is static, so the randomness is an input: in training mode the
/// layer uses the graph input dropoutSeed(graph), which the caller passes
/// on every call, a new value each step (the step number, say):
///
///   nn::dropoutSeed(g);                   // the first input
///   ... inputs x, y and a model with nn::Dropout layers ...
///   for (int64_t step = 0; ...; ++step)
///     compiled->run({Tensor::fromVector<int64_t>({}, {step}), x, y});
///
/// The same seed gives the same masks. Each application of a Dropout in a
/// graph draws from its own stream: the k-th random op of the graph uses
/// seed + k * 2^32, so its Philox key is (seed, k) for seeds below 2^32 and
/// no two applications share a mask.
class Dropout : public Module {
public:
  explicit Dropout(double p = 0.5, CallSite site = {});
  Var forward(const Var &x, const CallSite &site) override;
  double p;
};

} // namespace kiln::nn

#endif // KILN_FRONTEND_LAYERS_H
