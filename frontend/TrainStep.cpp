//===- TrainStep.cpp - A compiled training step and its state -----------===//

#include "frontend/Frontend.h"
#include "runtime/data/Data.h"

#include "mlir/IR/MLIRContext.h"

#include <algorithm>

using namespace mlir;

namespace kiln {

TrainStep::~TrainStep() = default;

llvm::Expected<std::unique_ptr<TrainStep>>
TrainStep::create(ModuleOp module, llvm::StringRef lossFn,
                  llvm::ArrayRef<unsigned> params,
                  const std::vector<Tensor> &initialParams,
                  const Optimizer &optimizer, const CompileOptions &options,
                  const std::map<unsigned, Tensor> &ownedInputs) {
  if (initialParams.size() != params.size())
    return llvm::createStringError(
        "training step: " + std::to_string(params.size()) + " parameters but " +
        std::to_string(initialParams.size()) + " initial values");
  std::unique_ptr<TrainStep> result(new TrainStep());
  result->stepName = "_kiln_train_step";
  OwningOpRef<ModuleOp> clone = module.clone();
  {
    ErrorCollector errors(module.getContext());
    if (!buildTrainStep(*clone, lossFn, params, optimizer, result->stepName))
      return errors.takeError();
  }
  // Only the step is run: a private loss function is inlined into it and
  // dropped instead of being compiled a second time on its own.
  clone->lookupSymbol<func::FuncOp>(lossFn).setPrivate();
  auto compiled = CompiledModule::compile(*clone, options);
  if (!compiled)
    return compiled.takeError();
  result->compiled = std::move(*compiled);
  const FunctionSignature *sig = result->compiled->lookup(result->stepName);
  if (!sig)
    return llvm::createStringError("training step: no compiled step function");

  // The step's own copies of the parameters, zero state, step count 0.
  size_t index = 0;
  for (; index < params.size(); ++index) {
    const TensorSpec &spec = sig->inputs[index];
    const Tensor &init = initialParams[index];
    if (init.dtype() != spec.dtype || init.shape() != spec.shape)
      return llvm::createStringError(
          "training step: initial value of parameter '" + spec.name + "' is " +
          typeString(init.dtype(), init.shape()) + ", expected " +
          typeString(spec.dtype, spec.shape));
    Tensor copy = init.contiguous();
    copy = Tensor::fromData(copy.dtype(), copy.shape(), copy.data());
    result->named.emplace_back(spec.name, copy);
  }
  result->numParams = params.size();
  for (; index < sig->inputs.size() && sig->inputs[index].updatedInPlace;
       ++index) {
    const TensorSpec &spec = sig->inputs[index];
    result->named.emplace_back(spec.name,
                               Tensor::zeros(spec.dtype, spec.shape));
  }
  const TensorSpec &lrSpec = sig->inputs[index++];
  result->lrTensor = Tensor::zeros(lrSpec.dtype, {});
  result->setLearningRate(std::visit([](auto &o) { return o.lr; }, optimizer));
  for (auto &[name, tensor] : result->named) {
    result->namedSlots.push_back(result->arguments.size());
    result->arguments.push_back(tensor);
  }
  result->lrSlot = result->arguments.size();
  result->arguments.push_back(result->lrTensor);

  // The loss function's other arguments follow, in order: owned ones are
  // copied and kept, the rest are run()'s inputs.
  unsigned numLossArgs =
      params.size() + (sig->inputs.size() - result->arguments.size());
  for (unsigned lossArg = 0; lossArg < numLossArgs; ++lossArg) {
    if (llvm::is_contained(params, lossArg))
      continue;
    const TensorSpec &spec = sig->inputs[result->arguments.size()];
    auto owned = ownedInputs.find(lossArg);
    if (owned == ownedInputs.end()) {
      result->inputSlots.push_back(result->arguments.size());
      result->arguments.emplace_back();
      continue;
    }
    const Tensor &init = owned->second;
    if (init.dtype() != spec.dtype || init.shape() != spec.shape)
      return llvm::createStringError(
          "training step: initial value of '" + spec.name + "' is " +
          typeString(init.dtype(), init.shape()) + ", expected " +
          typeString(spec.dtype, spec.shape));
    Tensor copy = init.contiguous();
    copy = Tensor::fromData(copy.dtype(), copy.shape(), copy.data());
    result->named.emplace_back(spec.name, copy);
    result->namedSlots.push_back(result->arguments.size());
    result->arguments.push_back(copy);
  }
  for (const TensorSpec &spec : sig->results)
    result->results.push_back(Tensor::zeros(spec.dtype, spec.shape));
  return result;
}

llvm::Expected<std::unique_ptr<TrainStep>>
TrainStep::create(Graph &graph, const Optimizer &optimizer,
                  const CompileOptions &options) {
  std::vector<unsigned> params;
  std::vector<Tensor> initialParams;
  std::map<unsigned, Tensor> owned;
  for (auto [index, argument] : llvm::enumerate(graph.arguments())) {
    if (argument.role == TensorRole::Parameter) {
      params.push_back(index);
      initialParams.push_back(graph.value(argument.name));
    } else if (argument.role == TensorRole::Buffer) {
      owned[index] = graph.value(argument.name);
    }
  }
  if (graph.outputs().empty())
    return llvm::createStringError(
        "training step: the graph has no outputs; its first output must be "
        "the loss");
  return create(graph.module(), graph.function().getSymName(), params,
                initialParams, optimizer, options, owned);
}

Status TrainStep::run(const std::vector<Tensor> &inputs) {
  if (inputs.size() != inputSlots.size())
    return Status::error("training step expects " +
                         std::to_string(inputSlots.size()) + " inputs, got " +
                         std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    arguments[inputSlots[i]] = inputs[i];
  return compiled->invokeInto(stepName, arguments, results);
}

double TrainStep::loss() const {
  const Tensor &l = results.at(0);
  return l.dtype() == DType::F64 ? l.dataAs<double>()[0] : l.dataAs<float>()[0];
}

Tensor TrainStep::parameter(llvm::StringRef name) const {
  for (size_t i = 0; i < numParams; ++i)
    if (named[i].first == name)
      return named[i].second;
  return Tensor();
}

double TrainStep::learningRate() const {
  return lrTensor.dtype() == DType::F64 ? lrTensor.dataAs<double>()[0]
                                        : lrTensor.dataAs<float>()[0];
}

void TrainStep::setLearningRate(double value) {
  if (lrTensor.dtype() == DType::F64)
    lrTensor.dataAs<double>()[0] = value;
  else
    lrTensor.dataAs<float>()[0] = static_cast<float>(value);
}

Status TrainStep::shareState(const TrainStep &other) {
  // Entries compare in order; the first difference (a name, dtype or shape,
  // or an entry one side lacks) is the error.
  auto describe = [](const std::vector<std::pair<std::string, Tensor>> &state,
                     size_t i) {
    if (i >= state.size())
      return std::string("nothing");
    return "'" + state[i].first + "' " +
           typeString(state[i].second.dtype(), state[i].second.shape());
  };
  for (size_t i = 0; i < std::max(named.size(), other.named.size()); ++i) {
    bool same = i < named.size() && i < other.named.size() &&
                named[i].first == other.named[i].first &&
                named[i].second.dtype() == other.named[i].second.dtype() &&
                named[i].second.shape() == other.named[i].second.shape();
    if (!same)
      return Status::error("training step: cannot share state: state entry " +
                           std::to_string(i) + " is " + describe(named, i) +
                           " here but " + describe(other.named, i) +
                           " in the other step");
  }
  if (lrTensor.dtype() != other.lrTensor.dtype())
    return Status::error(
        "training step: cannot share state: learning rate is " +
        typeString(lrTensor.dtype(), {}) + " here and " +
        typeString(other.lrTensor.dtype(), {}) + " there");
  for (size_t i = 0; i < named.size(); ++i) {
    named[i].second = other.named[i].second;
    arguments[namedSlots[i]] = named[i].second;
  }
  lrTensor = other.lrTensor;
  arguments[lrSlot] = lrTensor;
  return Status::ok();
}

Status
TrainStep::save(const std::string &path,
                const std::map<std::string, std::string> &metadata) const {
  std::vector<NamedTensor> tensors;
  for (const auto &[name, tensor] : named)
    tensors.push_back({name, tensor});
  return saveSafetensors(path, tensors, metadata);
}

Status TrainStep::load(const std::string &path,
                       std::map<std::string, std::string> *metadata) {
  std::vector<NamedTensor> targets;
  for (const auto &[name, tensor] : named)
    targets.push_back({name, tensor});
  return loadSafetensorsInto(path, targets, metadata);
}

} // namespace kiln
