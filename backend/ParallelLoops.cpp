//===- ParallelLoops.cpp - Outer loops on the thread pool ----------------===//
//
// Which loops run on threads, and with how many. The loops are marked as
// scf.parallel here; upstream convert-scf-to-openmp turns them into OpenMP
// worksharing loops, and the translation to LLVM IR into calls of the
// OpenMP runtime (libomp), whose pool of threads persists between calls.
//
// Determinism: only parallel dimensions are split, so no value is ever
// combined across chunks, and each element sees the same operations in the
// same order on any thread. The chunking depends on the shapes only.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNPARALLELIZELOOPS
#define GEN_PASS_DEF_KILNSETTHREADCOUNT
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {
/// Chunks of a parallelized linalg op: enough for the threads of a
/// many-core machine to balance, few enough that each is a real task.
constexpr int64_t kMaxChunks = 64;
/// A dimension with this many iterations splits evenly enough by itself.
constexpr int64_t kEnoughIterations = 16;
/// Chunks of the innermost loop keep whole vectors (of any width up to
/// 512 bits of bytes).
constexpr int64_t kInnerChunkMultiple = 64;

constexpr llvm::StringLiteral kThreadCountFunction = "kiln_num_threads";

bool insideParallelLoop(Operation *op) {
  return op->getParentOfType<scf::ParallelOp>() ||
         op->getParentOfType<scf::ForallOp>();
}

/// True if the op's body only computes: a body that writes memory might
/// write the same place from two chunks.
bool hasPureBody(linalg::LinalgOp op) {
  WalkResult result = op.getBlock()->walk([](Operation *inner) {
    if (isa<memref::LoadOp>(inner) || isMemoryEffectFree(inner))
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

/// The tile sizes splitting `op` into parallel chunks (one dimension
/// tiled, the others 0), or nothing if it is too small or has no
/// parallel dimension worth splitting.
std::optional<SmallVector<int64_t>> chunking(linalg::LinalgOp op,
                                             int64_t minWork) {
  if (!op.hasPureBufferSemantics() || op.hasDynamicShape() ||
      op.getNumLoops() == 0)
    return std::nullopt;
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  int64_t work = 1;
  for (int64_t extent : extents)
    work = extent > 0 && work > std::numeric_limits<int64_t>::max() / extent
               ? std::numeric_limits<int64_t>::max()
               : work * extent;
  if (work < minWork)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  std::optional<unsigned> dim;
  for (unsigned d = 0; d < extents.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || extents[d] < 2)
      continue;
    if (extents[d] >= kEnoughIterations) {
      dim = d;
      break;
    }
    if (!dim || extents[d] > extents[*dim])
      dim = d;
  }
  if (!dim)
    return std::nullopt;
  int64_t extent = extents[*dim];
  int64_t chunk = llvm::divideCeil(extent, std::min(extent, kMaxChunks));
  if (*dim + 1 == extents.size() && chunk < extent)
    chunk =
        std::min<int64_t>(extent, llvm::alignTo(chunk, kInnerChunkMultiple));
  if (chunk >= extent)
    return std::nullopt;
  SmallVector<int64_t> sizes(extents.size(), 0);
  sizes[*dim] = chunk;
  return sizes;
}

struct KilnParallelizeLoopsPass
    : kiln::impl::KilnParallelizeLoopsBase<KilnParallelizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    SmallVector<scf::ForallOp> foralls;
    func.walk([&](scf::ForallOp forall) {
      if (!insideParallelLoop(forall))
        foralls.push_back(forall);
    });
    for (scf::ForallOp forall : foralls) {
      rewriter.setInsertionPoint(forall);
      if (failed(scf::forallToParallelLoop(rewriter, forall))) {
        forall.emitError("cannot make this scf.forall an scf.parallel");
        return signalPassFailure();
      }
    }

    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (insideParallelLoop(op) || !hasPureBody(op))
        return;
      if (std::optional<SmallVector<int64_t>> sizes =
              chunking(op, minParallelWork))
        ops.emplace_back(op, std::move(*sizes));
    });
    for (auto &[op, sizes] : ops) {
      linalg::LinalgTilingOptions options;
      options.setTileSizes(sizes);
      options.setLoopType(linalg::LinalgTilingLoopType::ParallelLoops);
      rewriter.setInsertionPoint(op);
      if (failed(linalg::tileLinalgOp(rewriter, op, options))) {
        op.emitError("cannot split this op into parallel chunks");
        return signalPassFailure();
      }
      rewriter.eraseOp(op);
    }
  }
};

struct KilnSetThreadCountPass
    : kiln::impl::KilnSetThreadCountBase<KilnSetThreadCountPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // convert-scf-to-openmp wraps each loop body in a memref.alloca_scope,
    // whose region must stay one block: the loops inside it could not be
    // lowered to branches. Without allocas in it, it inlines away.
    SmallVector<Operation *> scopes;
    module.walk([&](memref::AllocaScopeOp scope) {
      if (scope->getParentOfType<omp::ParallelOp>())
        scopes.push_back(scope);
    });
    RewritePatternSet patterns(&getContext());
    memref::AllocaScopeOp::getCanonicalizationPatterns(patterns, &getContext());
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyOpPatternsGreedily(scopes, std::move(patterns), config)))
      return signalPassFailure();

    SmallVector<omp::ParallelOp> regions;
    module.walk([&](omp::ParallelOp region) {
      if (!region.getNumThreads())
        regions.push_back(region);
    });
    if (regions.empty())
      return;
    OpBuilder builder(&getContext());
    auto type = builder.getFunctionType({}, {builder.getI32Type()});
    auto callee = module.lookupSymbol<func::FuncOp>(kThreadCountFunction);
    if (!callee) {
      builder.setInsertionPointToStart(module.getBody());
      callee = func::FuncOp::create(builder, module.getLoc(),
                                    kThreadCountFunction, type);
      callee.setPrivate();
    } else if (callee.getFunctionType() != type) {
      callee.emitError() << "'" << kThreadCountFunction
                         << "' is the runtime's thread count function and "
                            "must have type "
                         << type;
      return signalPassFailure();
    }
    for (omp::ParallelOp region : regions) {
      builder.setInsertionPoint(region);
      Value count =
          func::CallOp::create(builder, region.getLoc(), callee).getResult(0);
      region.getNumThreadsMutable().assign(count);
    }
  }
};
} // namespace
