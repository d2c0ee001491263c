//===- Grad.cpp - kiln::grad: gradients while building a graph ----------===//
//
// A Graph is one function, but kiln.grad differentiates a function: the
// ops built so far are cloned into a private function returning the loss,
// and a kiln.grad of it, placed where the builder is, yields the gradients
// as ordinary Vars. kiln-autodiff and inlining later turn this into one
// graph again; the clone's unused ops disappear.
//
//===----------------------------------------------------------------------===//

#include "frontend/Frontend.h"
#include "ir/Kiln.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace kiln {

std::vector<Var> grad(const Var &loss, const std::vector<Var> &wrt,
                      CallSite site) {
  if (loss.isNull())
    throwGraphError(site, "grad", "the loss is a null Var");
  Graph &graph = loss.graph();
  if ((loss.dtype() != DType::F32 && loss.dtype() != DType::F64) ||
      loss.numElements() != 1)
    throwGraphError(site, "grad",
                    "the loss must be a float tensor of one element, got " +
                        loss.describe());
  if (wrt.empty())
    throwGraphError(site, "grad", "no parameters to differentiate");

  func::FuncOp function = graph.function();
  Block &body = function.front();
  SmallVector<int64_t> indices;
  for (const Var &var : wrt) {
    if (var.isNull() || &var.graph() != &graph)
      throwGraphError(site, "grad",
                      "every Var in wrt must belong to the loss's graph");
    auto arg = dyn_cast<BlockArgument>(var.value());
    const Graph::Argument *argument =
        arg && arg.getOwner() == &body ? &graph.arguments()[arg.getArgNumber()]
                                       : nullptr;
    if (!argument || argument->role != TensorRole::Parameter)
      throwGraphError(site, "grad",
                      "gradients are taken with respect to parameters, but " +
                          var.describe() + " is not a parameter");
    if (llvm::is_contained(indices, arg.getArgNumber()))
      throwGraphError(site, "grad",
                      "parameter '" + argument->name + "' is listed twice");
    indices.push_back(arg.getArgNumber());
  }
  // kiln.grad lists its wrt arguments in order; give the caller's order back.
  SmallVector<int64_t> sorted(indices);
  llvm::sort(sorted);

  // Outline what has been built so far, returning the loss.
  OpBuilder outliner(function);
  auto lossType = loss.value().getType();
  auto outlined = func::FuncOp::create(
      outliner, function.getLoc(), (function.getSymName() + "_loss").str(),
      outliner.getFunctionType(function.getArgumentTypes(), {lossType}));
  outlined.setPrivate();
  SymbolTable(graph.module()).insert(outlined); // unique name
  Block *entry = outlined.addEntryBlock();
  OpBuilder inner = OpBuilder::atBlockEnd(entry);
  IRMapping mapping;
  mapping.map(body.getArguments(), entry->getArguments());
  for (Operation &op : body.without_terminator())
    inner.clone(op, mapping);
  func::ReturnOp::create(inner, function.getLoc(),
                         mapping.lookup(loss.value()));

  OpBuilder &builder = graph.builder();
  SmallVector<Type> resultTypes{lossType};
  for (int64_t index : sorted)
    resultTypes.push_back(body.getArgument(index).getType());
  auto op = GradOp::create(
      builder, graph.location(site), resultTypes,
      FlatSymbolRefAttr::get(&graph.context(), outlined.getSymName()),
      body.getArguments(), builder.getDenseI64ArrayAttr(sorted));
  std::vector<Var> grads;
  for (int64_t index : indices) {
    unsigned position = llvm::find(sorted, index) - sorted.begin();
    grads.emplace_back(graph, op.getResult(1 + position));
  }
  return grads;
}

} // namespace kiln
