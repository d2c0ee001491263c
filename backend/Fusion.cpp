//===- Fusion.cpp - Fuse elementwise chains, reductions, epilogues -------===//
//
// Every elementwise kiln op lowers to its own linalg.generic, so a chain of
// n ops would be n loop nests, each writing a whole tensor that the next
// reads back from memory. This pass merges them on tensors, before
// bufferization, using upstream linalg elementwise fusion with a control
// function that refuses only the fusions that would recompute expensive
// work, then fuses the epilogues of matrix products into the column tiles
// of the contraction kernel.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNFUSE
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {

/// True if `op`'s body computes a transcendental function or a division:
/// work that should not be repeated per element of a broadcast.
bool hasExpensiveBody(linalg::GenericOp op) {
  bool expensive = false;
  op.getBody()->walk([&](Operation *inner) {
    if (isa<math::MathDialect>(inner->getDialect()) ||
        isa<arith::DivFOp, arith::DivSIOp, arith::RemFOp, arith::RemSIOp>(
            inner))
      expensive = true;
  });
  return expensive;
}

/// Ops a producer may have and still be recomputed.
constexpr int64_t kMaxRecomputedOps = 8;

/// True if `op`'s body costs little to compute again: no transcendental
/// function or division, a few ops.
bool hasCheapBody(linalg::GenericOp op) {
  return !hasExpensiveBody(op) &&
         static_cast<int64_t>(op.getBody()->getOperations().size()) - 1 <=
             kMaxRecomputedOps;
}

/// True if `value` is the result of an all-parallel generic: an op that
/// elementwise fusion could move into (and so recompute in) its users.
bool isFusableResult(Value value) {
  auto producer = value.getDefiningOp<linalg::GenericOp>();
  return producer && producer.getNumParallelLoops() == producer.getNumLoops();
}

/// True if recomputing `op` (which keeps other users) in a consumer costs
/// little and stays little: a cheap body, and no input that is itself
/// fusable, so that the body is all of the work recomputed. Without the
/// last condition each recomputed copy reads the producer's producers,
/// which then have one more user and are recomputed in turn: over a DAG
/// whose values feed two consumers each (the running `found` mask and
/// index of MaxPool's Indices, a step per kernel offset) every path got
/// its own copy, and the fused body grew as 2^depth.
bool isCheapToRecompute(linalg::GenericOp op) {
  return hasCheapBody(op) && llvm::none_of(op.getDpsInputs(), isFusableResult);
}

/// True if `consumer` reads a result of `producer` through an operand other
/// than `operand`. Fusion replaces one operand at a time, and a second
/// fusion of the same producer would copy its body again. Reads of the same
/// value through the same map are first merged into one operand (by the
/// operand deduplication among the fusion patterns, which wakes the
/// consumer up again); reads through different maps keep the producer a
/// loop nest of its own.
bool readsProducerElsewhere(linalg::GenericOp consumer, Operation *producer,
                            OpOperand *operand) {
  return llvm::any_of(consumer->getOpOperands(), [&](OpOperand &other) {
    return &other != operand && other.get().getDefiningOp() == producer;
  });
}

/// Decides whether the producer of `operand` is fused into its consumer.
/// Fusion moves the producer's body into the consumer, once per consumer.
/// If the consumer is the producer's only user and reads each element once,
/// that is free. A producer with other users keeps its result (upstream
/// fusion yields it from the fused op, unused) and its body is computed
/// again in each consumer it is fused into: allowed for cheap bodies only
/// (see isCheapToRecompute), so that recomputation never compounds. An
/// expensive producer with other users is fused into a reduction only: a
/// reduction, having a reduction loop, is never fused into anything else,
/// so its copy is made once (the exp of a softmax, summed in the same
/// pass that computes it).
bool shouldFuse(OpOperand *operand) {
  auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!producer || !consumer ||
      readsProducerElsewhere(consumer, producer, operand))
    return false;
  AffineMap map = consumer.getMatchingIndexingMap(operand);
  bool oneToOne =
      map.isPermutation() || (map.isProjectedPermutation() &&
                              map.getNumResults() == consumer.getNumLoops());
  bool onlyUser = llvm::all_of(producer->getUsers(), [&](Operation *user) {
    return user == consumer.getOperation();
  });
  if (onlyUser)
    // Through a broadcast, each producer element is computed once per
    // element it is broadcast to. (The producer's inputs only change
    // users, so nothing compounds.)
    return oneToOne || hasCheapBody(producer);
  if (!oneToOne)
    return false;
  return isCheapToRecompute(producer) || consumer.getNumReductionLoops() > 0;
}

/// Generalizes the named ops that elementwise fusion should see: reductions,
/// transposes and broadcasts. Contractions, convolutions and pooling stay
/// named for their own code generation.
void generalizeFusableNamedOps(func::FuncOp func) {
  SmallVector<linalg::LinalgOp> named;
  func.walk([&](linalg::LinalgOp op) {
    if (isa<linalg::ReduceOp, linalg::TransposeOp, linalg::BroadcastOp>(op) &&
        op.hasPureTensorSemantics())
      named.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    (void)linalg::generalizeNamedOp(rewriter, op);
  }
}

/// The all-parallel generic on tensors that is the only user of `value`
/// and reads it, and writes its results, element for element (identity
/// maps), or null.
linalg::GenericOp elementwiseUserOf(Value value) {
  if (value.use_empty())
    return nullptr;
  auto consumer = dyn_cast<linalg::GenericOp>(*value.user_begin());
  if (!consumer || !consumer.hasPureTensorSemantics() ||
      consumer.getNumParallelLoops() != consumer.getNumLoops())
    return nullptr;
  for (OpOperand &use : value.getUses())
    if (use.getOwner() != consumer ||
        !consumer.getMatchingIndexingMap(&use).isIdentity())
      return nullptr;
  for (OpOperand &init : consumer.getDpsInitsMutable())
    if (!consumer.getMatchingIndexingMap(&init).isIdentity())
      return nullptr;
  return consumer;
}

/// The consumer whose tile a matmul's result is computed in: the one
/// all-parallel generic that reads the (2-D) product through an identity
/// map, with static shapes.
linalg::GenericOp epilogueOf(linalg::MatmulOp matmul) {
  Value product = matmul.getResult(0);
  auto type = cast<RankedTensorType>(product.getType());
  if (!type.hasStaticShape() || type.getRank() != 2 ||
      !isa<FloatType>(type.getElementType()))
    return nullptr;
  linalg::GenericOp consumer = elementwiseUserOf(product);
  return consumer && consumer.getNumLoops() == 2 ? consumer : nullptr;
}

/// Tiles `epilogue` by `columns` columns and computes its product tile by
/// tile inside the loop; the last, partial tile is peeled off so that both
/// loops hold products of static shape.
LogicalResult fuseIntoColumnTiles(RewriterBase &rewriter,
                                  linalg::GenericOp epilogue,
                                  linalg::MatmulOp matmul, int64_t columns) {
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), {0, columns}));
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        // The product and its zero-filled accumulator, nothing else: other
        // producers stay whole loop nests.
        Operation *op = producer.getOwner();
        if (isDestination || !(op == matmul || isa<linalg::FillOp>(op)))
          return std::nullopt;
        return scf::SCFTileAndFuseOptions::ControlFnResult{};
      });
  rewriter.setInsertionPoint(epilogue);
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
  if (failed(fused))
    return failure();
  for (OpResult result : epilogue->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  rewriter.eraseOp(epilogue);
  if (matmul->use_empty())
    rewriter.eraseOp(matmul);
  if (fused->loops.empty())
    return success();
  auto loop = cast<scf::ForOp>(fused->loops.front().getOperation());
  scf::ForOp partial;
  (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
  return success();
}

/// True if every iteration of `loop` (its only iter_arg) writes its own
/// slab of the result and nothing else: it yields the iter_arg with one
/// unit-stride slice replaced, at offset iv along one dimension, `step`
/// wide, whole along the others. (A convolution computes its output a few
/// images at a time so; a scatter loop, which may write a row twice, is not
/// such a loop.)
bool writesDisjointSlabs(scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() != 1)
    return false;
  auto insert =
      loop.getYieldedValues()[0].getDefiningOp<tensor::InsertSliceOp>();
  if (!insert || insert.getDest() != loop.getRegionIterArgs()[0])
    return false;
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
  if (!step || !lower || *lower != 0 || !insert.hasUnitStride())
    return false;
  auto destType = cast<RankedTensorType>(insert.getDest().getType());
  int64_t slabs = 0;
  for (auto [dim, offset, size] :
       llvm::enumerate(insert.getMixedOffsets(), insert.getMixedSizes())) {
    std::optional<int64_t> staticSize = getConstantIntValue(size);
    if (!staticSize)
      return false;
    if (auto value = dyn_cast<Value>(offset);
        value && value == loop.getInductionVar() && *staticSize == *step) {
      ++slabs;
      continue;
    }
    std::optional<int64_t> staticOffset = getConstantIntValue(offset);
    if (!staticOffset || *staticOffset != 0 ||
        *staticSize != destType.getDimSize(dim))
      return false;
  }
  return slabs == 1;
}

/// Moves the elementwise consumer of a loop that computes its result slab
/// by slab (a convolution over chunks of the batch) into the loop, where
/// it runs on each slab right after the slab is computed: the bias and
/// activation of a convolution join its layout-changing copy.
void fuseIntoSlabLoops(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<std::pair<scf::ForOp, linalg::GenericOp>> candidates;
  for (scf::ForOp loop : func.getBody().getOps<scf::ForOp>())
    if (writesDisjointSlabs(loop))
      if (linalg::GenericOp consumer = elementwiseUserOf(loop.getResult(0)))
        candidates.push_back({loop, consumer});
  for (auto [loop, consumer] : candidates) {
    SmallVector<LoopLikeOpInterface> loops = {loop};
    // Not fusable (the tiling would not match the slabs): left as it is.
    if (succeeded(scf::tileAndFuseConsumer(rewriter, consumer, loops)) &&
        consumer->use_empty())
      rewriter.eraseOp(consumer);
  }
  // The loop still yields the slabs the consumer read, which nothing uses
  // now: it yields its iter_arg unchanged instead, and canonicalization
  // drops the iter_arg and the ops that computed the slabs. (The greedy
  // driver without patterns first erases the dead slices tiling left.)
  (void)applyPatternsGreedily(func, RewritePatternSet(func.getContext()));
  func.walk([&](scf::ForOp loop) {
    auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
    for (auto [result, arg, yielded] :
         llvm::zip(loop.getResults(), loop.getRegionIterArgs(),
                   yield->getOpOperands())) {
      auto insert = yielded.get().getDefiningOp<tensor::InsertSliceOp>();
      // Nothing reads the loop-carried value: it is only the destination
      // of the slice insertion that is yielded.
      bool onlyUpdated = llvm::all_of(arg.getUsers(), [&](Operation *user) {
        auto update = dyn_cast<tensor::InsertSliceOp>(user);
        return update && update.getDest() == arg &&
               llvm::all_of(update->getUses(),
                            [&](OpOperand &use) { return &use == &yielded; });
      });
      if (result.use_empty() && onlyUpdated)
        rewriter.modifyOpInPlace(yield, [&] { yielded.set(arg); });
    }
  });
}

/// Upstream elementwise fusion with `shouldFuse`, and the folding of the
/// reshapes and empty tensors it leaves. Every fusion that does not
/// recompute removes a generic, and every recomputation removes a read of
/// a fusable result (see isCheapToRecompute), so this reaches a fixpoint
/// after a number of fusions linear in the number of ops and operands.
LogicalResult fuseElementwise(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
  // Merges a consumer's reads of one value through one map (which
  // shouldFuse waits for).
  linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
  tensor::EmptyOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
  linalg::FillOp::getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsGreedily(func, std::move(patterns));
}

struct KilnFusePass : kiln::impl::KilnFuseBase<KilnFusePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    generalizeFusableNamedOps(func);

    if (failed(fuseElementwise(func)))
      return signalPassFailure();
    // Epilogues of slab loops, then the chains they now meet in the loops.
    IRRewriter slabRewriter(ctx);
    fuseIntoSlabLoops(slabRewriter, func);
    if (failed(fuseElementwise(func)))
      return signalPassFailure();

    if (epilogueColumns < 0)
      return;
    SmallVector<std::pair<linalg::MatmulOp, linalg::GenericOp>> epilogues;
    func.walk([&](linalg::MatmulOp matmul) {
      if (linalg::GenericOp epilogue = epilogueOf(matmul))
        epilogues.push_back({matmul, epilogue});
    });
    IRRewriter rewriter(ctx);
    kiln::CpuModel cpu = kiln::hostCpuModel();
    for (auto [matmul, epilogue] : epilogues) {
      Type element = getElementTypeOrSelf(matmul.getResult(0).getType());
      int64_t columns = epilogueColumns;
      if (columns == 0)
        columns = kiln::contractionTileColumns(cpu, element);
      int64_t n =
          cast<RankedTensorType>(matmul.getResult(0).getType()).getDimSize(1);
      // A product of one column tile is already computed in one piece.
      if (n <= columns)
        continue;
      if (failed(fuseIntoColumnTiles(rewriter, epilogue, matmul, columns)))
        return signalPassFailure();
    }
    // A product's accumulator tile is a slice of the whole epilogue's empty
    // tensor; as an empty tensor of its own it shares no buffer with the
    // loop's result.
    RewritePatternSet cleanup(ctx);
    tensor::populateFoldTensorEmptyPatterns(cleanup);
    if (failed(applyPatternsGreedily(func, std::move(cleanup))))
      return signalPassFailure();
  }
};

} // namespace
