//===- UnrollShortLoops.cpp - Fully unroll short static innermost loops ---===//

#include "backend/Backend.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNUNROLLSHORTLOOPS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {

/// The ops nested in `loop`'s body, its terminator excluded; nullopt if one
/// of them is a loop.
std::optional<int64_t> innermostBodySize(scf::ForOp loop) {
  int64_t ops = 0;
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    if (isa<LoopLikeOpInterface>(op))
      return WalkResult::interrupt();
    ++ops;
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return std::nullopt;
  return ops - 1;
}

struct UnrollShortLoops
    : kiln::impl::KilnUnrollShortLoopsBase<UnrollShortLoops> {
  using Base::Base;

  bool shouldUnroll(scf::ForOp loop) const {
    std::optional<APInt> tripCount = loop.getStaticTripCount();
    if (!tripCount || tripCount->ugt(maxTripCount))
      return false;
    std::optional<int64_t> bodyOps = innermostBodySize(loop);
    return bodyOps &&
           *bodyOps * static_cast<int64_t>(tripCount->getZExtValue()) <=
               maxUnrolledOps;
  }

  void runOnOperation() override {
    // Inside out: unrolling a loop may make its parent innermost.
    while (true) {
      SmallVector<scf::ForOp> candidates;
      getOperation().walk([&](scf::ForOp loop) {
        if (shouldUnroll(loop))
          candidates.push_back(loop);
      });
      if (candidates.empty())
        return;
      for (scf::ForOp loop : candidates)
        if (failed(loopUnrollFull(loop)))
          return signalPassFailure();
    }
  }
};

} // namespace
