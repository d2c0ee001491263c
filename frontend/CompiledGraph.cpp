//===- CompiledGraph.cpp - Running a builder graph with its state --------===//

#include "frontend/CompiledGraph.h"
#include "frontend/Graph.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln;

std::unique_ptr<CompiledGraph> Graph::compile() {
  return compile(CompileOptions());
}

std::unique_ptr<CompiledGraph> Graph::compile(const CompileOptions &options) {
  {
    ErrorCollector errors(context_.get());
    if (failed(verify(*module_)))
      throw GraphError("compile: the graph does not verify:\n" +
                       llvm::toString(errors.takeError()));
  }
  auto module = CompiledModule::compile(*module_, options);
  if (!module)
    throw GraphError("compile: " + llvm::toString(module.takeError()));
  // The graph's names, also for arguments without kiln.name ("arg0", ...).
  FunctionSignature signature = (*module)->functions().front();
  for (size_t i = 0; i < arguments_.size(); ++i)
    signature.inputs[i].name = arguments_[i].name;
  for (size_t i = 0; i < outputs_.size(); ++i)
    signature.results[i].name = outputs_[i].name;
  return std::make_unique<CompiledGraph>(std::move(*module),
                                         std::move(signature), values_);
}

CompiledGraph::CompiledGraph(std::unique_ptr<CompiledModule> module,
                             FunctionSignature signature,
                             std::map<std::string, Tensor> state)
    : module_(std::move(module)), signature_(std::move(signature)),
      state_(std::move(state)) {
  for (const TensorSpec &spec : signature_.inputs)
    if (spec.updatedInPlace)
      state_[spec.name] = ownCopy(state_[spec.name]);
}

namespace {
const char *roleName(TensorRole role) {
  return role == TensorRole::Parameter ? "parameter" : "buffer";
}
} // namespace

Tensor CompiledGraph::ownCopy(const Tensor &value) {
  if (value.empty())
    return value;
  return Tensor::fromData(value.dtype(), value.shape(),
                          value.contiguous().data());
}

std::vector<Tensor> CompiledGraph::run(const std::vector<Tensor> &inputs) {
  std::vector<Tensor> arguments;
  std::string inputNames;
  size_t numInputs = 0;
  for (const TensorSpec &spec : signature_.inputs) {
    if (spec.role != TensorRole::Data)
      continue;
    inputNames += (numInputs++ ? ", " : "") + spec.name;
  }
  if (inputs.size() != numInputs)
    throw GraphError("run: '" + signature_.name + "' takes " +
                     std::to_string(numInputs) + " inputs (" + inputNames +
                     "), got " + std::to_string(inputs.size()));
  size_t next = 0;
  for (const TensorSpec &spec : signature_.inputs) {
    if (spec.role == TensorRole::Data) {
      arguments.push_back(inputs[next++]);
      continue;
    }
    const Tensor &value = state_[spec.name];
    if (value.empty())
      throw GraphError("run: " + std::string(roleName(spec.role)) + " '" +
                       spec.name +
                       "' has no value (a graph loaded from text gets its "
                       "values from Graph::loadStateDict or "
                       "CompiledGraph::setState)");
    arguments.push_back(value);
  }
  std::vector<Tensor> results;
  Status status = module_->invoke(signature_.name, arguments, results);
  if (!status)
    throw GraphError("run: " + status.message());
  // Buffer updates were written into the state tensors in place.
  return results;
}

void CompiledGraph::setState(const std::string &name, const Tensor &value) {
  for (const TensorSpec &spec : signature_.inputs) {
    if (spec.name != name || spec.role == TensorRole::Data)
      continue;
    if (value.empty() || value.dtype() != spec.dtype ||
        value.shape() != spec.shape)
      throw GraphError(
          "setState: " + std::string(roleName(spec.role)) + " '" + name +
          "' is " + typeString(spec.dtype, spec.shape) + ", got " +
          (value.empty() ? std::string("an empty tensor")
                         : typeString(value.dtype(), value.shape())));
    state_[name] = spec.updatedInPlace ? ownCopy(value) : value;
    return;
  }
  throw GraphError("setState: '" + name +
                   "' is not a parameter or buffer of '" + signature_.name +
                   "'");
}
