//===- Autodiff.cpp - Reverse-mode differentiation of kiln.grad ops -----===//
//
// A static SSA graph needs no tape: the gradient function first clones the
// callee's body (the primal), then walks those ops backwards and appends
// each op's vector-Jacobian product. Forward values the rules use stay
// live as SSA values; bufferization decides their storage.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace kiln;

namespace {

bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// Builds the body of a gradient function: primal clone, then adjoints.
class GradientBuilder {
public:
  GradientBuilder(func::FuncOp callee, ArrayRef<int64_t> wrt)
      : callee(callee), wrt(wrt) {}

  /// Fills the entry block of `fn` (same arguments as the callee).
  LogicalResult build(func::FuncOp fn);

private:
  void findActiveValues(Block &entry, Value loss,
                        ArrayRef<Operation *> primalOps);
  bool isActive(Value value) const {
    return varied.contains(value) && useful.contains(value) &&
           isFloatTensor(value);
  }
  LogicalResult differentiate(Operation *op, OpBuilder &builder);

  func::FuncOp callee;
  ArrayRef<int64_t> wrt;
  // Values that depend on a differentiated argument / that the loss
  // depends on. Only values in both need a cotangent.
  llvm::DenseSet<Value> varied, useful;
  // Cotangent of each active value reached so far.
  DenseMap<Value, Value> cotangents;
};

void GradientBuilder::findActiveValues(Block &entry, Value loss,
                                       ArrayRef<Operation *> primalOps) {
  for (int64_t index : wrt)
    varied.insert(entry.getArgument(index));
  for (Operation *op : primalOps)
    if (llvm::any_of(op->getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      for (Value result : op->getResults())
        if (isFloatTensor(result))
          varied.insert(result);
  useful.insert(loss);
  for (Operation *op : llvm::reverse(primalOps))
    if (llvm::any_of(op->getResults(),
                     [&](Value v) { return useful.contains(v); }))
      for (Value operand : op->getOperands())
        useful.insert(operand);
}

LogicalResult GradientBuilder::differentiate(Operation *op,
                                             OpBuilder &builder) {
  SmallVector<Value> resultGrads;
  for (Value result : op->getResults())
    resultGrads.push_back(cotangents.lookup(result));
  if (llvm::all_of(resultGrads, [](Value v) { return !v; }))
    return success();
  SmallVector<bool> needed;
  for (Value operand : op->getOperands())
    needed.push_back(isActive(operand));
  if (llvm::none_of(needed, [](bool b) { return b; }))
    return success();

  auto rule = dyn_cast<DifferentiableOpInterface>(op);
  if (!rule)
    return op->emitError() << "kiln-autodiff: '" << op->getName()
                           << "' has no gradient rule, but it lies between a "
                              "differentiated argument of @"
                           << callee.getName() << " and its loss";
  SmallVector<Value> grads;
  if (failed(rule.buildGradients(builder, resultGrads, needed, grads)))
    return failure();
  if (grads.size() != op->getNumOperands())
    return op->emitError() << "kiln-autodiff: the gradient rule of '"
                           << op->getName() << "' returned " << grads.size()
                           << " gradients for " << op->getNumOperands()
                           << " operands";
  for (auto [index, operand, grad] :
       llvm::enumerate(op->getOperands(), grads)) {
    if (!needed[index] || !grad)
      continue;
    if (grad.getType() != operand.getType())
      return op->emitError()
             << "kiln-autodiff: the gradient rule of '" << op->getName()
             << "' built " << grad.getType() << " for operand #" << index
             << " of type " << operand.getType();
    // A value used more than once sums the cotangents of its uses.
    Value &sum = cotangents[operand];
    sum = sum ? AddOp::create(builder, op->getLoc(), sum, grad).getResult()
              : grad;
  }
  return success();
}

LogicalResult GradientBuilder::build(func::FuncOp fn) {
  Block &body = callee.front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Block *entry = fn.addEntryBlock();
  OpBuilder builder = OpBuilder::atBlockEnd(entry);

  IRMapping mapping;
  mapping.map(body.getArguments(), entry->getArguments());
  SmallVector<Operation *> primalOps;
  for (Operation &op : body.without_terminator())
    primalOps.push_back(builder.clone(op, mapping));
  SmallVector<Value> results;
  for (Value value : ret.getOperands())
    results.push_back(mapping.lookupOrDefault(value));

  Value loss = results.front();
  findActiveValues(*entry, loss, primalOps);
  if (isActive(loss)) {
    cotangents[loss] = buildSplat(builder, ret.getLoc(),
                                  cast<RankedTensorType>(loss.getType()), 1.0);
    for (Operation *op : llvm::reverse(primalOps))
      if (failed(differentiate(op, builder)))
        return failure();
  }
  for (int64_t index : wrt) {
    BlockArgument arg = entry->getArgument(index);
    Value grad = cotangents.lookup(arg);
    results.push_back(grad ? grad
                           : buildSplat(builder, ret.getLoc(),
                                        cast<RankedTensorType>(arg.getType()),
                                        0.0));
  }
  func::ReturnOp::create(builder, ret.getLoc(), results);
  return success();
}

struct KilnAutodiffPass : kiln::impl::KilnAutodiffBase<KilnAutodiffPass> {
  void runOnOperation() override;

private:
  FailureOr<func::FuncOp> getGradientFunction(GradOp op, SymbolTable &symbols);

  // One gradient function per (callee, wrt).
  llvm::StringMap<func::FuncOp> generated;
};

FailureOr<func::FuncOp>
KilnAutodiffPass::getGradientFunction(GradOp op, SymbolTable &symbols) {
  std::string key =
      op.getCallee().str() + "/" +
      llvm::join(llvm::map_range(op.getWrt(),
                                 [](int64_t i) { return std::to_string(i); }),
                 ",");
  if (func::FuncOp fn = generated.lookup(key))
    return fn;

  auto callee = symbols.lookup<func::FuncOp>(op.getCallee());
  if (!callee)
    return op.emitOpError()
           << "callee @" << op.getCallee() << " must be a func.func";
  if (!callee.getBody().hasOneBlock())
    return op.emitOpError()
           << "callee @" << op.getCallee() << " must have a body of one block";

  FunctionType calleeType = callee.getFunctionType();
  SmallVector<Type> resultTypes(calleeType.getResults());
  for (int64_t index : op.getWrt())
    resultTypes.push_back(calleeType.getInput(index));
  OpBuilder builder(callee);
  builder.setInsertionPointAfter(callee);
  auto fn = func::FuncOp::create(
      builder, callee.getLoc(), (callee.getName() + "_grad").str(),
      builder.getFunctionType(calleeType.getInputs(), resultTypes));
  fn.setPrivate();
  symbols.insert(fn); // Renames on a clash.
  if (failed(GradientBuilder(callee, op.getWrt()).build(fn))) {
    fn.erase();
    return failure();
  }
  generated[key] = fn;
  return fn;
}

void KilnAutodiffPass::runOnOperation() {
  ModuleOp module = getOperation();
  SymbolTable symbols(module);
  // Generated functions may contain kiln.grad ops cloned from their callee
  // (higher-order use); keep going until none is left. The cache makes
  // this terminate, even for a function that differentiates itself.
  while (true) {
    SmallVector<GradOp> pending;
    module.walk([&](GradOp op) { pending.push_back(op); });
    if (pending.empty())
      return;
    for (GradOp op : pending) {
      FailureOr<func::FuncOp> fn = getGradientFunction(op, symbols);
      if (failed(fn))
        return signalPassFailure();
      OpBuilder builder(op);
      auto call =
          func::CallOp::create(builder, op.getLoc(), *fn, op.getOperands());
      op.replaceAllUsesWith(call.getResults());
      op.erase();
    }
  }
}

} // namespace
