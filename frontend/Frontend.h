//===- Frontend.h - Ways into Kiln: public header ---------------*- C++ -*-===//
//
// Two ways in:
//  * Kiln IR text. Parsing verifies the module; errors are reported through
//    the context's diagnostic handlers with file:line:col. The one-call
//    helpers load, verify and JIT-compile a module.
//  * The C++ builder: kiln::Graph (Graph.h) with the ops (GraphOps.h),
//    initializers (Initializers.h), layers (Layers.h) and losses
//    (Losses.h); Graph::compile gives a CompiledGraph (CompiledGraph.h).
// Training steps (below) compile forward + backward + optimizer update of a
// module's loss function into one function.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_FRONTEND_H
#define KILN_FRONTEND_FRONTEND_H

#include "backend/Backend.h"
#include "frontend/CompiledGraph.h"
#include "frontend/Graph.h"
#include "frontend/GraphOps.h"
#include "frontend/Initializers.h"
#include "frontend/Layers.h"
#include "frontend/Losses.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <variant>

namespace kiln {

/// Parses and verifies the Kiln IR file at `path` ("-" is stdin). Returns
/// null after reporting a diagnostic (missing file, syntax or verifier
/// error).
mlir::OwningOpRef<mlir::ModuleOp> parseKilnFile(llvm::StringRef path,
                                                mlir::MLIRContext &context);

/// Parses and verifies Kiln IR held in memory; `bufferName` names it in
/// diagnostics.
mlir::OwningOpRef<mlir::ModuleOp>
parseKilnSource(llvm::StringRef source, mlir::MLIRContext &context,
                llvm::StringRef bufferName = "<source>");

/// Loads a Kiln IR file and JIT-compiles it: the C++ way to run a model.
///   auto module = kiln::compileKilnFile("mlp.mlir");
///   if (!module) ... llvm::toString(module.takeError()) ...
///   (*module)->invoke("forward", inputs, outputs);
llvm::Expected<std::unique_ptr<CompiledModule>>
compileKilnFile(llvm::StringRef path, const CompileOptions &options = {});
llvm::Expected<std::unique_ptr<CompiledModule>>
compileKilnSource(llvm::StringRef source, const CompileOptions &options = {});

//===----------------------------------------------------------------------===//
// Gradients in the builder
//===----------------------------------------------------------------------===//

/// The gradients of `loss` (a float Var of one element) with respect to the
/// parameters `wrt` of the same graph, as Vars of the parameters' shapes:
///   auto grads = kiln::grad(loss, {w, b});
///   g.output("w_next", w - 0.1 * grads[0]);
/// The graph computed so far is outlined into a private function that a
/// `kiln.grad` op differentiates (kiln-autodiff). Throws GraphError naming
/// the offending Var when the loss is not a one-element float tensor or a
/// Var in `wrt` is not a parameter of the graph.
std::vector<Var> grad(const Var &loss, const std::vector<Var> &wrt,
                      CallSite site = {});

//===----------------------------------------------------------------------===//
// Training steps
//===----------------------------------------------------------------------===//

/// Stochastic gradient descent as PyTorch's torch.optim.SGD (dampening 0):
///   d = g + weightDecay * w;  v = momentum * v + d;
///   d = nesterov ? d + momentum * v : v;  w -= lr * d.
struct SGD {
  double lr = 0.01;
  double momentum = 0.0;
  double weightDecay = 0.0;
  bool nesterov = false;
};

/// Adam as torch.optim.Adam (weight decay added to the gradient), or, with
/// `decoupled`, AdamW (w *= 1 - lr * weightDecay before the Adam step).
struct Adam {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0.0;
  bool decoupled = false;
};

/// torch.optim.AdamW's defaults.
inline Adam AdamW(double lr = 1e-3, double weightDecay = 1e-2) {
  Adam adam;
  adam.lr = lr;
  adam.weightDecay = weightDecay;
  adam.decoupled = true;
  return adam;
}

using Optimizer = std::variant<SGD, Adam>;

/// The optimizer state a parameter named `param` has, as the names under
/// which checkpoints store it ("fc1.weight.momentum_buffer", ...; empty for
/// plain SGD).
std::vector<std::string> optimizerStateNames(const Optimizer &optimizer,
                                             const std::string &param);

/// Builds a public function `name` in `module` that performs one training
/// step of the loss function `lossFn`: forward, backward (a kiln.grad
/// differentiated by kiln-autodiff) and the optimizer update, as ONE graph.
///
/// `params` lists the arguments of `lossFn` that are trained (float
/// tensors of one element type). The step's arguments are: the parameters,
/// the optimizer state (optimizerStateNames order, per parameter), then for
/// Adam the step count `step` (tensor<f32>), the learning rate `lr` (a
/// scalar of the parameters' element type, so schedules need no
/// recompilation), then `lossFn`'s other arguments in order. Its results
/// are `lossFn`'s results (the loss first); the new parameters, state and
/// step are results marked `kiln.updates`, so they are written into the
/// argument buffers: no allocation or copy of weights per step.
///
/// Errors (unknown function, bad parameter index, non-float parameter, a
/// loss that is not a one-element float tensor) are diagnostics on the
/// module's context; the result is then null.
mlir::func::FuncOp buildTrainStep(mlir::ModuleOp module, llvm::StringRef lossFn,
                                  llvm::ArrayRef<unsigned> params,
                                  const Optimizer &optimizer,
                                  llvm::StringRef name = "train_step");

/// A compiled training step that owns its parameters and optimizer state.
///   auto step = kiln::TrainStep::create(*module, "loss", {0, 1},
///                                       {w, b}, kiln::SGD{0.1});
///   for (...) step->run({x, y});   // updates w and b in place
class TrainStep {
public:
  /// `initialParams` gives the starting value of each trained argument (in
  /// `params` order); the step keeps its own copies. The module is not
  /// modified.
  ///
  /// `ownedInputs` maps other arguments of `lossFn` (by index) to initial
  /// values the step keeps and passes itself: non-trainable state such as
  /// BatchNorm's running statistics, which `lossFn` updates in place. They
  /// follow the optimizer state in state() and are checkpointed with it.
  static llvm::Expected<std::unique_ptr<TrainStep>>
  create(mlir::ModuleOp module, llvm::StringRef lossFn,
         llvm::ArrayRef<unsigned> params,
         const std::vector<Tensor> &initialParams, const Optimizer &optimizer,
         const CompileOptions &options = {},
         const std::map<unsigned, Tensor> &ownedInputs = {});
  /// The training step of a Graph: its first output is the loss, its
  /// parameters are trained (starting from their current values), its
  /// buffers are owned and updated, its inputs are run()'s inputs, in
  /// order. Further outputs (logits, say) are outputs() after the loss.
  static llvm::Expected<std::unique_ptr<TrainStep>>
  create(Graph &graph, const Optimizer &optimizer,
         const CompileOptions &options = {});
  ~TrainStep();

  /// One step on `inputs` (the loss function's arguments that are neither
  /// parameters nor owned inputs, in order). Parameters and state are updated
  /// in place; outputs() then holds the loss function's results. No allocation
  /// in steady state.
  Status run(const std::vector<Tensor> &inputs);
  /// The loss function's results of the last run (the loss first).
  const std::vector<Tensor> &outputs() const { return results; }
  /// outputs()[0] as a double.
  double loss() const;

  /// Parameters, then optimizer state, then the step count (Adam), by
  /// name: what a checkpoint holds. The tensors alias the live buffers.
  const std::vector<std::pair<std::string, Tensor>> &state() const {
    return named;
  }
  /// The current value of the parameter named `name` (empty if none).
  Tensor parameter(llvm::StringRef name) const;
  /// Number of parameters (the first entries of state()).
  size_t numParameters() const { return numParams; }

  /// The learning rate of the next run (shared with steps that share state).
  double learningRate() const;
  void setLearningRate(double value);

  /// Makes this step train `other`'s parameters, optimizer state, owned
  /// buffers and learning rate: both then update the same buffers, so they
  /// can take turns, e.g. `other` compiled for full batches and this one for
  /// the smaller last batch of an epoch (static shapes need one step per
  /// batch size). Every name, dtype and shape must match, else nothing
  /// changes and the error names the first mismatch. Values held until now
  /// by this step are dropped.
  Status shareState(const TrainStep &other);

  /// Saves state() and `metadata` (say the epoch and batch to resume at) as
  /// a safetensors checkpoint, atomically: a failed or interrupted save
  /// leaves the previous file intact.
  Status save(const std::string &path,
              const std::map<std::string, std::string> &metadata = {}) const;
  /// Restores state() from a checkpoint saved by save(). Every name, dtype
  /// and shape is checked before anything is written: a truncated, corrupt
  /// or mismatched file (another model, another optimizer) changes nothing
  /// and the error names the file and the tensor. Training then continues
  /// bit-identically to a run that was never interrupted.
  Status load(const std::string &path,
              std::map<std::string, std::string> *metadata = nullptr);

  /// The underlying compiled module; its public functions other than the
  /// step (an evaluation function, say) can be invoked too, but not the loss
  /// function itself: it is compiled only as part of the step.
  const CompiledModule &module() const { return *compiled; }

private:
  TrainStep() = default;

  std::unique_ptr<CompiledModule> compiled;
  std::string stepName;
  std::vector<std::pair<std::string, Tensor>> named;
  size_t numParams = 0;
  Tensor lrTensor;
  std::vector<Tensor> arguments;  // of the step function, owned ones set
  std::vector<size_t> namedSlots; // where each state() entry is in `arguments`
  size_t lrSlot = 0;
  std::vector<size_t> inputSlots; // where run()'s inputs go in `arguments`
  std::vector<Tensor> results;
};

} // namespace kiln

#endif // KILN_FRONTEND_FRONTEND_H
