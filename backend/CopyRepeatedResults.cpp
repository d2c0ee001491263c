//===- CopyRepeatedResults.cpp - One tensor per function result ----------===//

#include "backend/Backend.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCOPYREPEATEDRESULTS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {
struct KilnCopyRepeatedResultsPass
    : kiln::impl::KilnCopyRepeatedResultsBase<KilnCopyRepeatedResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 4> seen;
      OpBuilder builder(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || seen.insert(value).second)
          continue;
        // alloc_tensor, unlike tensor.empty, is never merged with another
        // one, so the copy surely gets a buffer of its own.
        Value empty = bufferization::AllocTensorOp::create(
            builder, ret.getLoc(), type, ValueRange{});
        operand.set(linalg::CopyOp::create(builder, ret.getLoc(), value, empty)
                        .getResult(0));
      }
    });
  }
};
} // namespace
