//===- PolynomialMath.cpp - Vectorizable f32 transcendental functions ----===//
//
// A loop calling expf or tanhf stays scalar: LLVM cannot vectorize the
// call. Upstream's polynomial approximations are plain arithmetic, so the
// loops holding them vectorize like any other.
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
struct KilnPolynomialMathPass
    : kiln::impl::KilnPolynomialMathBase<KilnPolynomialMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The approximations match f32 operands only.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return llvm::is_contained(
          {math::ExpOp::getOperationName(), math::ExpM1Op::getOperationName(),
           math::LogOp::getOperationName(), math::Log1pOp::getOperationName(),
           math::Log2Op::getOperationName(), math::TanhOp::getOperationName(),
           math::ErfOp::getOperationName()},
          name);
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
