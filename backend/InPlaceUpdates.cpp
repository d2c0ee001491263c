//===- InPlaceUpdates.cpp - Results that overwrite their argument -------===//
//
// A training step returns new parameters and optimizer state. Returning
// them as fresh buffers would allocate and copy every weight on every step;
// instead a result marked `kiln.updates = i` is computed straight into
// argument i's buffer. Bufferization, not this code, decides whether that
// is safe, so a graph that still reads the old value after computing the
// new one is rejected instead of silently corrupted.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNPREPAREINPLACEUPDATES
#define GEN_PASS_DEF_KILNDROPINPLACERESULTS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {

constexpr llvm::StringLiteral kUpdates = "kiln.updates";

/// The argument index result `index` of `func` updates, if it is marked.
std::optional<unsigned> updatedArgument(func::FuncOp func, unsigned index) {
  if (auto attr = func.getResultAttrOfType<IntegerAttr>(index, kUpdates))
    return static_cast<unsigned>(attr.getInt());
  return std::nullopt;
}

std::string argumentName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "kiln.name"))
    return "'" + name.getValue().str() + "'";
  return "#" + std::to_string(index);
}

struct KilnPrepareInPlaceUpdatesPass
    : kiln::impl::KilnPrepareInPlaceUpdatesBase<KilnPrepareInPlaceUpdatesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    auto ret = cast<func::ReturnOp>(func.front().getTerminator());
    OpBuilder builder(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      std::optional<unsigned> arg =
          updatedArgument(func, operand.getOperandNumber());
      if (!arg)
        continue;
      auto materialize = bufferization::MaterializeInDestinationOp::create(
          builder, ret.getLoc(), operand.get(), func.getArgument(*arg));
      operand.set(materialize.getResult());
    }
  }
};

struct KilnDropInPlaceResultsPass
    : kiln::impl::KilnDropInPlaceResultsBase<KilnDropInPlaceResultsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    auto ret = cast<func::ReturnOp>(func.front().getTerminator());
    llvm::BitVector drop(func.getNumResults());
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
      std::optional<unsigned> arg = updatedArgument(func, i);
      if (!arg)
        continue;
      if (ret.getOperand(i) != func.getArgument(*arg)) {
        func.emitError() << "result #" << i << " of '" << func.getSymName()
                         << "' updates argument " << argumentName(func, *arg)
                         << " but could not be computed in its buffer";
        return signalPassFailure();
      }
      drop.set(i);
    }
    if (drop.none())
      return;
    // Bufferizing materialize_in_destination left a self-copy.
    func.walk([](memref::CopyOp copy) {
      if (copy.getSource() == copy.getTarget())
        copy.erase();
    });
    ret->eraseOperands(drop);
    if (failed(func.eraseResults(drop)))
      return signalPassFailure();
  }
};

} // namespace
