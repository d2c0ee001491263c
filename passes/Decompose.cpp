//===- Decompose.cpp - Expand composite kiln ops into primitives --------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace kiln;

namespace {
// softmax(x)     = e / sum(e)           with e = exp(x - max(x))
// log_softmax(x) = (x - max(x)) - log(sum(e))
// Subtracting the maximum keeps exp from overflowing for large logits.
template <typename OpTy, bool isLog>
struct DecomposeSoftmax : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis();
    auto axes = rewriter.getDenseI64ArrayAttr({axis});
    auto keep = rewriter.getUnitAttr();

    Value max = ReduceMaxOp::create(rewriter, loc, x, axes, keep);
    Value shifted =
        SubOp::create(rewriter, loc, x,
                      BroadcastOp::create(rewriter, loc, max, type.getShape()));
    Value e = ExpOp::create(rewriter, loc, shifted);
    Value sum = ReduceSumOp::create(rewriter, loc, e, axes, keep);
    Value result;
    if constexpr (isLog) {
      Value logSum = LogOp::create(rewriter, loc, sum);
      result = SubOp::create(
          rewriter, loc, shifted,
          BroadcastOp::create(rewriter, loc, logSum, type.getShape()));
    } else {
      result = DivOp::create(
          rewriter, loc, e,
          BroadcastOp::create(rewriter, loc, sum, type.getShape()));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct KilnDecomposePass : kiln::impl::KilnDecomposeBase<KilnDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecompositionPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void kiln::populateDecompositionPatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeSoftmax<SoftmaxOp, false>,
               DecomposeSoftmax<LogSoftmaxOp, true>>(patterns.getContext());
}
