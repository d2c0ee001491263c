//===- GraphIO.cpp - A graph as Kiln IR text, and back -------------------===//
//
// The IR holds the structure: which arguments are inputs, parameters and
// buffers (kiln.parameter, kiln.buffer), the outputs and buffer updates
// (results; kiln.updates = <buffer argument> on an update). Parameter values
// live outside it.
//
//===----------------------------------------------------------------------===//

#include "frontend/Frontend.h"
#include "frontend/Graph.h"
#include "frontend/GraphDetail.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln;

std::string Graph::toString(bool withLocations) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (withLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module_->print(os, flags);
  return text;
}

void Graph::save(const std::string &path, bool withLocations) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Text);
  if (!error) {
    os << toString(withLocations);
    os.close();
    error = os.error();
  }
  if (error)
    throw GraphError("cannot write the graph to '" + path +
                     "': " + error.message());
}

namespace {
/// Throws with `message` about the loaded text `source`.
[[noreturn]] void loadError(const std::string &source,
                            const std::string &message) {
  throw GraphError("cannot load a graph from " + source + ": " + message);
}
} // namespace

std::unique_ptr<Graph> Graph::parse(const std::string &text,
                                    const std::string &bufferName) {
  auto context = kiln::detail::newContext();
  OwningOpRef<ModuleOp> module;
  {
    ErrorCollector errors(context.get());
    module = parseKilnSource(text, *context, bufferName);
    if (!module)
      loadError(bufferName, llvm::toString(errors.takeError()));
  }
  std::unique_ptr<Graph> graph(
      new Graph(std::move(context), std::move(module)));
  auto functions = llvm::to_vector(graph->module_->getOps<func::FuncOp>());
  if (functions.size() != 1 ||
      &graph->module_->getBody()->front() != functions[0].getOperation() ||
      graph->module_->getBody()->getOperations().size() != 1)
    loadError(bufferName, "a graph is a module holding exactly one func.func");
  func::FuncOp function = functions[0];
  if (function.isExternal())
    loadError(bufferName,
              "function '" + function.getSymName().str() + "' has no body");
  if (!function.isPublic())
    loadError(bufferName, "function '" + function.getSymName().str() +
                              "' is private; a graph's function is public "
                              "(an entry point)");
  if (!function.getBody().hasOneBlock())
    loadError(bufferName, "function '" + function.getSymName().str() +
                              "' has more than one block");
  graph->function_ = function;
  graph->recoverStructure(bufferName);
  return graph;
}

void Graph::recoverStructure(const std::string &source) {
  for (unsigned i = 0, e = function_.getNumArguments(); i < e; ++i) {
    auto name = function_.getArgAttrOfType<StringAttr>(i, "kiln.name");
    TensorRole role =
        function_.getArgAttr(i, "kiln.parameter") ? TensorRole::Parameter
        : function_.getArgAttr(i, "kiln.buffer")  ? TensorRole::Buffer
                                                  : TensorRole::Data;
    std::string argName = name ? name.str() : "arg" + std::to_string(i);
    if (findArgument(argName))
      loadError(source, "two arguments are named '" + argName + "'");
    Var var;
    try {
      var = Var(*this, function_.getArgument(i));
    } catch (const GraphError &error) {
      loadError(source, "argument '" + argName + "': " + error.what());
    }
    arguments_.push_back({argName, role, var});
    if (role != TensorRole::Data)
      values_[argName] = Tensor(); // given later by loadStateDict
  }
  Operation *terminator = function_.getBody().front().getTerminator();
  for (unsigned i = 0, e = function_.getNumResults(); i < e; ++i) {
    auto name = function_.getResultAttrOfType<StringAttr>(i, "kiln.name");
    std::string resultName = name ? name.str() : "result" + std::to_string(i);
    Var var;
    try {
      var = Var(*this, terminator->getOperand(i));
    } catch (const GraphError &error) {
      loadError(source, "result '" + resultName + "': " + error.what());
    }
    auto updates =
        function_.getResultAttrOfType<IntegerAttr>(i, "kiln.updates");
    if (!updates) {
      if (!bufferUpdates_.empty())
        loadError(source, "output '" + resultName +
                              "' follows a buffer update; buffer updates "
                              "are the last results");
      for (const Output &output : outputs_)
        if (output.name == resultName)
          loadError(source, "two outputs are named '" + resultName + "'");
      outputs_.push_back({resultName, var});
      continue;
    }
    // The verifier checked the index, the type and that no argument is
    // updated twice.
    const Argument &argument = arguments_[updates.getInt()];
    if (argument.role != TensorRole::Buffer)
      loadError(source, "result '" + resultName + "' updates " +
                            argument.var.describe() +
                            ", which is not a buffer (kiln.buffer)");
    bufferUpdates_.push_back({argument.var, var});
  }
}

std::unique_ptr<Graph> Graph::load(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    loadError("'" + path + "'", buffer.getError().message());
  return parse((*buffer)->getBuffer().str(), path);
}
