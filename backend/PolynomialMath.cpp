//===- PolynomialMath.cpp - Vectorizable f32 transcendental functions ----===//
//
// A loop calling expf or tanhf stays scalar: LLVM cannot vectorize the
// call. Upstream's polynomial approximations are plain arithmetic, so the
// loops holding them vectorize like any other. They are accurate to a few
// ulp for normal numbers, but exp flushes results below FLT_MIN to 0; an
// exact rescaling around it keeps libm's results there, for a compare and
// two selects.
//
// log keeps the C library's logf. Upstream's approximation is within 4 ulp,
// but in a cross-entropy that error enters every softmax of the backward
// pass (exp(x - max - log(sum))), and over 200 SGD steps of the
// Fashion-MNIST MLP it moved the losses 1.5e-4 away from PyTorch's, where
// logf keeps them within 1e-4 (test/examples/TrainsLikePyTorchTest.cpp).
// Training graphs take one log per row (of the row's sum), not per
// element, so the scalar call costs little.
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

struct KilnPolynomialMathPass
    : kiln::impl::KilnPolynomialMathBase<KilnPolynomialMathPass> {
  void runOnOperation() override {
    SmallVector<math::ExpOp> exps;
    getOperation().walk([&](math::ExpOp op) {
      if (op.getOperand().getType().isF32())
        exps.push_back(op);
    });
    for (math::ExpOp op : exps)
      scaleSubnormalExp(op);

    RewritePatternSet patterns(&getContext());
    // The approximations match f32 operands only.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == math::ExpOp::getOperationName() ||
             name == math::TanhOp::getOperationName();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
