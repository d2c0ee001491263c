//===- PolynomialMath.cpp - Vectorizable f32 transcendental functions ----===//
//
// A loop calling expf or tanhf stays scalar: LLVM cannot vectorize the
// call. Upstream's polynomial approximations are plain arithmetic, so the
// loops holding them vectorize like any other. They are accurate to a few
// ulp for normal numbers, but treat subnormals as zero: exp flushes results
// below FLT_MIN to 0 and log reads subnormal inputs as FLT_MIN (log of the
// smallest subnormal would be off by 16). Exact rescaling around them keeps
// libm's results there, for a compare and two selects.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNPOLYNOMIALMATH
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {

constexpr float kTwoTo24 = 16777216.0f;
constexpr float kLn2Times24 = 16.635532333438687f;
constexpr float kMinNormal = 1.17549435e-38f;
/// Below this, the approximation of exp would give a subnormal result.
constexpr float kExpSubnormalBound = -87.0f;

Value f32Constant(OpBuilder &b, Location loc, float value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

/// exp(x) = exp(x / 2)^2 where exp(x) is subnormal: halving is exact
/// (shifting x by a constant instead would round the argument, tens of ulp
/// off), and the square rounds into the subnormal range as the hardware
/// does.
void scaleSubnormalExp(math::ExpOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getOperand();
  Value low = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                    f32Constant(b, loc, kExpSubnormalBound));
  Value half = arith::MulFOp::create(b, loc, x, f32Constant(b, loc, 0.5f));
  Value input = arith::SelectOp::create(b, loc, low, half, x);
  Value e = math::ExpOp::create(b, loc, input);
  Value squared = arith::MulFOp::create(b, loc, e, e);
  op.replaceAllUsesWith(
      arith::SelectOp::create(b, loc, low, squared, e).getResult());
  op.erase();
}

/// log(x) = log(x * 2^24) - 24 ln 2 for subnormal x (zero and negative
/// inputs keep their -inf and NaN).
void scaleSubnormalLog(math::LogOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value x = op.getOperand();
  Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                     f32Constant(b, loc, kMinNormal));
  Value scaled =
      arith::MulFOp::create(b, loc, x, f32Constant(b, loc, kTwoTo24));
  Value input = arith::SelectOp::create(b, loc, tiny, scaled, x);
  Value l = math::LogOp::create(b, loc, input);
  Value shifted =
      arith::SubFOp::create(b, loc, l, f32Constant(b, loc, kLn2Times24));
  op.replaceAllUsesWith(
      arith::SelectOp::create(b, loc, tiny, shifted, l).getResult());
  op.erase();
}

struct KilnPolynomialMathPass
    : kiln::impl::KilnPolynomialMathBase<KilnPolynomialMathPass> {
  void runOnOperation() override {
    SmallVector<math::ExpOp> exps;
    SmallVector<math::LogOp> logs;
    getOperation().walk([&](Operation *op) {
      if (op->getNumOperands() != 1 || !op->getOperand(0).getType().isF32())
        return;
      if (auto exp = dyn_cast<math::ExpOp>(op))
        exps.push_back(exp);
      else if (auto log = dyn_cast<math::LogOp>(op))
        logs.push_back(log);
    });
    for (math::ExpOp op : exps)
      scaleSubnormalExp(op);
    for (math::LogOp op : logs)
      scaleSubnormalLog(op);

    RewritePatternSet patterns(&getContext());
    // The approximations match f32 operands only.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == math::ExpOp::getOperationName() ||
             name == math::LogOp::getOperationName() ||
             name == math::TanhOp::getOperationName();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
