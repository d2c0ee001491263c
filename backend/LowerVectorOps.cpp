//===- LowerVectorOps.cpp - Vector ops down to FMAs and 1-D transfers ----===//
//
// After bufferization: what convert-vector-to-llvm cannot take directly is
// lowered here. A vector.contract becomes outer products, one per k, and
// each outer product one vector.fma per accumulator vector: the
// register-blocked micro-kernel (broadcast of A times rows of B).
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERVECTOROPS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {
struct KilnLowerVectorOpsPass
    : kiln::impl::KilnLowerVectorOpsBase<KilnLowerVectorOpsPass> {
  void runOnOperation() override {
    // First, masks become operands of the masked transfers; then
    // contractions become outer products; only then are transfers split
    // into 1-D ones (no pattern may expand an op inside a vector.mask).
    RewritePatternSet masks(&getContext());
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(masks);
    if (failed(applyPatternsGreedily(getOperation(), std::move(masks))))
      return signalPassFailure();

    RewritePatternSet contractions(&getContext());
    vector::populateVectorContractLoweringPatterns(
        contractions, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorTransferPermutationMapLoweringPatterns(contractions);
    if (failed(applyPatternsGreedily(getOperation(), std::move(contractions))))
      return signalPassFailure();

    RewritePatternSet rest(&getContext());
    vector::populateVectorMaskOpLoweringPatterns(rest);
    vector::populateVectorTransferPermutationMapLoweringPatterns(rest);
    vector::populateVectorMultiReductionLoweringPatterns(
        rest, vector::VectorMultiReductionLowering::InnerParallel);
    populateVectorToSCFConversionPatterns(
        rest, VectorTransferToSCFOptions().enableFullUnroll().setTargetRank(1));
    vector::populateVectorTransferLoweringPatterns(rest,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorShapeCastLoweringPatterns(rest);
    vector::populateVectorTransposeLoweringPatterns(
        rest, vector::VectorTransposeLowering::Shuffle1D);
    vector::populateVectorOuterProductLoweringPatterns(rest);
    vector::populateVectorBroadcastLoweringPatterns(rest);
    if (failed(applyPatternsGreedily(getOperation(), std::move(rest))))
      signalPassFailure();
  }
};
} // namespace
