//===- ContractionCodegen.cpp - Tiled, vectorized matrix products --------===//
//
// The CPU strategy for f32/f64 linalg.matmul and linalg.batch_matmul: BLIS's
// loop nest (cache tiles, then a register-blocked micro-kernel), built with
// upstream tiling, peeling and vectorization on tensors. The accumulator
// tile is hoisted out of the k loop before bufferization: afterwards it
// would be a subview that the hoisting cannot see through, and C would be
// loaded and stored at every k step.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstring>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNCONTRACTIONCODEGEN
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {

/// Marks the register tiles between tiling and vectorization.
constexpr llvm::StringLiteral kRegisterTile = "kiln.register_tile";

/// The tile sizes of the kernel for one element type.
struct KernelTiles {
  int64_t mc, nc, kc; ///< cache tiles
  int64_t mr, nr;     ///< register tile; its k extent is 1
};

int64_t floorPowerOf2(uint64_t x) {
  return x < 1 ? 1 : int64_t(1) << llvm::Log2_64(x);
}

KernelTiles chooseTiles(const kiln::CpuModel &cpu, Type elementType) {
  int64_t bytes = elementType.getIntOrFloatBitWidth() / 8;
  int64_t lanes = std::max<int64_t>(1, cpu.vectorBits / 8 / bytes);
  KernelTiles t;
  // Two vectors per row of C: each broadcast element of A feeds two FMAs.
  t.nr = 2 * lanes;
  // MR x 2 accumulators plus two B vectors and one A broadcast must fit in
  // the registers. Beyond 8 rows the register pressure makes LLVM spill.
  t.mr = std::clamp<int64_t>((cpu.vectorRegisters - 3) / 2, 1, 8);
  // A KC x NR panel of B fills at most half of L1; the rest holds the
  // lines of the MR rows of A it meets. (Measured at 1024 and 2048 on
  // AVX-512 with a 48 KiB L1: KC = 128 beats 256 by 10-20 %.)
  t.kc = std::clamp<int64_t>(floorPowerOf2(cpu.l1Bytes / 2 / (t.nr * bytes)),
                             16, 512);
  // An MC x KC block of A stays in L2 next to the KC x NC block of B.
  int64_t mc = std::clamp<int64_t>(
      floorPowerOf2(cpu.l2Bytes / 8 / (t.kc * bytes)), t.mr, 256);
  t.mc = std::max(t.mr, mc / t.mr * t.mr);
  t.nc = 8 * t.nr;
  return t;
}

bool isDim(AffineMap map, unsigned result, unsigned dim) {
  auto expr = dyn_cast<AffineDimExpr>(map.getResult(result));
  return expr && expr.getPosition() == dim;
}

/// A `linalg.matmul` on 2-D tensors; `transposeLhs` reads lhs as K x M.
Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
                  bool transposeLhs) {
  auto matmul =
      linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                               ValueRange{lhs, rhs}, ValueRange{init});
  if (transposeLhs) {
    MLIRContext *ctx = b.getContext();
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    matmul.setIndexingMapsAttr(b.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {k, m}, ctx), AffineMap::get(3, 0, {k, n}, ctx),
         AffineMap::get(3, 0, {m, n}, ctx)}));
  }
  return matmul.getResult(0);
}

/// `source[index]` of a 3-D tensor, as a 2-D tensor.
Value batchSlice(OpBuilder &b, Location loc, Value source, Value index) {
  auto type = cast<RankedTensorType>(source.getType());
  auto sliceType = RankedTensorType::get(type.getShape().drop_front(),
                                         type.getElementType());
  SmallVector<OpFoldResult> offsets = {index, b.getIndexAttr(0),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                     b.getIndexAttr(type.getDimSize(1)),
                                     b.getIndexAttr(type.getDimSize(2))};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, sliceType, source, offsets,
                                        sizes, strides);
}

/// The transpose of the last two dimensions of a constant, computed now;
/// null if `value` is not a constant with its elements at hand. (A model's
/// weights are constants: transposing them on every call, as for any other
/// B read transposed, cost ResNet-18's classifier a 2 MB copy per call.)
Value transposedConstant(OpBuilder &b, Location loc, Value value) {
  DenseElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return nullptr;
  auto type = cast<RankedTensorType>(attr.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t rank = type.getRank();
  int64_t rows = shape[rank - 2], cols = shape[rank - 1];
  std::swap(shape[rank - 2], shape[rank - 1]);
  auto transposedType = type.clone(shape);
  if (attr.isSplat())
    return arith::ConstantOp::create(b, loc, attr.reshape(transposedType));
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  ArrayRef<char> data = attr.getRawData();
  std::vector<char> transposed(data.size());
  for (int64_t matrix = 0; matrix < type.getNumElements();
       matrix += rows * cols)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        std::memcpy(&transposed[(matrix + j * rows + i) * bytes],
                    &data[(matrix + i * cols + j) * bytes], bytes);
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::getFromRawBuffer(transposedType, transposed));
}

/// Rewrites a matmul or batch_matmul into 2-D `linalg.matmul`s that read B
/// row by row: a transposed B is transposed once into a new tensor (K*N
/// copies against M*N*K multiply-adds; at compile time if it is a
/// constant), a batch becomes an scf.for.
/// A transposed A stays: its K x M layout gives the kernel contiguous
/// columns of A, which is what the outer products consume.
void normalize(RewriterBase &rewriter, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  bool batched = isa<linalg::BatchMatmulOp>(op);
  unsigned b0 = batched ? 1 : 0, rank = b0 + 2;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool transposeLhs = isDim(maps[0], rank - 1, b0);
  bool transposeRhs = isDim(maps[1], rank - 1, b0 + 2);
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  Value init = op.getDpsInits()[0];
  rewriter.setInsertionPoint(op);
  // CSE merges the zero-filled accumulators of products of one shape; each
  // product gets its own again, or bufferization copies one of them.
  if (auto fill = init.getDefiningOp<linalg::FillOp>();
      fill && !init.hasOneUse()) {
    auto type = cast<RankedTensorType>(init.getType());
    Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                          type.getElementType());
    init =
        linalg::FillOp::create(rewriter, loc, fill.value(), empty).getResult(0);
  }
  if (Value folded =
          transposeRhs ? transposedConstant(rewriter, loc, rhs) : nullptr) {
    rhs = folded;
  } else if (transposeRhs) {
    auto type = cast<RankedTensorType>(rhs.getType());
    SmallVector<int64_t> shape(type.getShape());
    std::swap(shape[rank - 2], shape[rank - 1]);
    SmallVector<int64_t> permutation = {1, 0};
    if (batched)
      permutation = {0, 2, 1};
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
    rhs = linalg::TransposeOp::create(rewriter, loc, rhs, empty, permutation)
              .getResult()[0];
  }
  Value result;
  if (!batched) {
    result = buildMatmul(rewriter, loc, lhs, rhs, init, transposeLhs);
  } else {
    auto type = cast<RankedTensorType>(init.getType());
    Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value ub =
        arith::ConstantIndexOp::create(rewriter, loc, type.getDimSize(0));
    Value step = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, lb, ub, step, ValueRange{init},
        [&](OpBuilder &b, Location loc, Value index, ValueRange args) {
          Value product =
              buildMatmul(b, loc, batchSlice(b, loc, lhs, index),
                          batchSlice(b, loc, rhs, index),
                          batchSlice(b, loc, args[0], index), transposeLhs);
          SmallVector<OpFoldResult> offsets = {index, b.getIndexAttr(0),
                                               b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {
              b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(1)),
              b.getIndexAttr(type.getDimSize(2))};
          SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
          Value updated = tensor::InsertSliceOp::create(
              b, loc, product, args[0], offsets, sizes, strides);
          scf::YieldOp::create(b, loc, updated);
        });
    result = loop.getResult(0);
  }
  rewriter.replaceOp(op, result);
}

/// Tiles `op` as `options` say and replaces it with the loops' results.
/// Every tiling here does both: the steps that follow work on the tiled
/// op, and nothing may still use the untiled one.
FailureOr<scf::SCFTilingResult>
tileAndReplace(RewriterBase &rewriter, Operation *op,
               const scf::SCFTilingOptions &options) {
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (succeeded(tiled))
    rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// Tiles `op` with `sizes` (0: not tiled), loops nested in the order
/// `interchange` (outermost first); returns the tiled op and, per
/// dimension, its loop or null.
FailureOr<Operation *> tile(RewriterBase &rewriter, Operation *op,
                            ArrayRef<int64_t> sizes,
                            ArrayRef<int64_t> interchange,
                            SmallVectorImpl<scf::ForOp> &loops) {
  loops.assign(sizes.size(), nullptr);
  if (llvm::all_of(sizes, [](int64_t size) { return size == 0; }))
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setInterchange(interchange);
  FailureOr<scf::SCFTilingResult> tiled = tileAndReplace(rewriter, op, options);
  if (failed(tiled))
    return failure();
  unsigned next = 0;
  for (int64_t dim : interchange)
    if (sizes[dim] != 0)
      loops[dim] = cast<scf::ForOp>(tiled->loops[next++].getOperation());
  return tiled->tiledOps.back();
}

/// A tile size for a dimension of `extent`: 0 (no loop) if one tile holds
/// it all.
int64_t tileSizeFor(int64_t extent, int64_t tileSize) {
  return ShapedType::isStatic(extent) && extent <= tileSize ? 0 : tileSize;
}

/// Peels the last, partial iteration off `loop` (if it may have one);
/// returns the loops holding the partial iteration.
SmallVector<scf::ForOp> peel(RewriterBase &rewriter, scf::ForOp loop) {
  SmallVector<scf::ForOp> partial;
  scf::ForOp rest;
  if (loop &&
      succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, loop, rest)))
    partial.push_back(rest);
  return partial;
}

/// Copies the K x N block of B that one cache tile reads into panels of NR
/// columns, each K x NR panel contiguous (BLIS's packing): the register
/// tiles then stream through L1 instead of reading rows of B a whole row of
/// the matrix apart, which all fall into the same few L1 sets. The buffer
/// has the full tile's static shape, so that bufferization can hoist its
/// allocation out of the loops.
Value packPanels(OpBuilder &b, Location loc, Value block, int64_t kMax,
                 int64_t nMax, int64_t nr) {
  auto type = cast<RankedTensorType>(block.getType());
  Value packed = tensor::EmptyOp::create(
      b, loc, {llvm::divideCeil(nMax, nr), kMax, nr}, type.getElementType());
  OpFoldResult kSize = tensor::getMixedSize(b, loc, block, 0);
  OpFoldResult nSize = tensor::getMixedSize(b, loc, block, 1);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value step = arith::ConstantIndexOp::create(b, loc, nr);
  Value end = getValueOrCreateConstantIndexOp(b, loc, nSize);
  auto loop = scf::ForOp::create(
      b, loc, zero, end, step, ValueRange{packed},
      [&](OpBuilder &b, Location loc, Value column, ValueRange args) {
        AffineExpr d0, s0;
        bindDims(b.getContext(), d0);
        bindSymbols(b.getContext(), s0);
        OpFoldResult width = affine::makeComposedFoldedAffineMin(
            b, loc,
            AffineMap::get(1, 1, {b.getAffineConstantExpr(nr), s0 - d0},
                           b.getContext()),
            {column, nSize});
        OpFoldResult panel = affine::makeComposedFoldedAffineApply(
            b, loc, d0.floorDiv(nr), {column});
        OpFoldResult zeroAttr = b.getIndexAttr(0), one = b.getIndexAttr(1);
        Value source = tensor::ExtractSliceOp::create(
            b, loc, block, {zeroAttr, column}, {kSize, width}, {one, one});
        SmallVector<OpFoldResult> offsets = {panel, zeroAttr, zeroAttr};
        SmallVector<OpFoldResult> sizes = {one, kSize, width};
        SmallVector<OpFoldResult> strides(3, one);
        auto panelType = cast<RankedTensorType>(source.getType());
        Value dest = tensor::ExtractSliceOp::create(b, loc, panelType, args[0],
                                                    offsets, sizes, strides);
        Value copied =
            linalg::CopyOp::create(b, loc, source, dest).getResult(0);
        Value updated = tensor::InsertSliceOp::create(b, loc, copied, args[0],
                                                      offsets, sizes, strides);
        scf::YieldOp::create(b, loc, updated);
      });
  return loop.getResult(0);
}

/// Makes a register tile read its B operand (a slice of `block`) from
/// `packed`, the panels of `block`.
void readPackedPanels(RewriterBase &rewriter, linalg::LinalgOp tile,
                      Value block, Value packed, int64_t nr) {
  OpOperand *operand = tile.getDpsInputOperand(1);
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  SmallVector<OpFoldResult> offsets, sizes;
  if (auto slice = operand->get().getDefiningOp<tensor::ExtractSliceOp>();
      slice && slice.getSource() == block) {
    offsets = slice.getMixedOffsets();
    sizes = slice.getMixedSizes();
  } else {
    offsets = {rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
    sizes = tensor::getMixedSizes(rewriter, loc, block);
  }
  AffineExpr d0;
  bindDims(rewriter.getContext(), d0);
  // Register tiles start at multiples of NR.
  OpFoldResult panel = affine::makeComposedFoldedAffineApply(
      rewriter, loc, d0.floorDiv(nr), {offsets[1]});
  OpFoldResult one = rewriter.getIndexAttr(1);
  Value slice = tensor::ExtractSliceOp::create(
      rewriter, loc, cast<RankedTensorType>(operand->get().getType()), packed,
      {panel, offsets[0], rewriter.getIndexAttr(0)}, {one, sizes[0], sizes[1]},
      {one, one, one});
  rewriter.modifyOpInPlace(tile, [&] { operand->set(slice); });
}

/// Work below which a cache block's rows are not split among threads: a
/// fork and join costs a few microseconds.
constexpr int64_t kMinParallelFlops = int64_t(1) << 20;
/// Row blocks a parallel product aims for, so that the threads of a
/// many-core machine balance (the blocks depend on the shape alone).
constexpr int64_t kParallelRowBlocks = 8;

/// Rows per parallel block of an M-row product at `t`, or 0 if the rows
/// of a cache block are not worth splitting among threads.
int64_t parallelRows(ArrayRef<int64_t> extents, const KernelTiles &t) {
  int64_t m = extents[0];
  int64_t rows = std::min<int64_t>(
      t.mc, llvm::alignTo(llvm::divideCeil(m, kParallelRowBlocks), t.mr));
  int64_t flops =
      2 * m * std::min(extents[1], t.nc) * std::min(extents[2], t.kc);
  return rows < m && flops >= kMinParallelFlops ? rows : 0;
}

/// Tiles the rows of `op` into blocks of `rows`, an scf.forall that
/// kiln-parallelize-loops later runs on threads.
FailureOr<Operation *> tileRowsInParallel(RewriterBase &rewriter, Operation *op,
                                          int64_t rows) {
  scf::SCFTilingOptions options;
  options.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), {rows, 0, 0}));
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  FailureOr<scf::SCFTilingResult> tiled = tileAndReplace(rewriter, op, options);
  if (failed(tiled))
    return failure();
  return tiled->tiledOps.back();
}

/// Cache tiles, then register tiles whose i and j loops are peeled; marks
/// every register tile for vectorization. A large product's row blocks
/// are an scf.forall (its threads share each packed block of B); every
/// element of C sees the same k order either way, so the result does not
/// depend on how rows are split.
LogicalResult tileMatmul(RewriterBase &rewriter, linalg::MatmulOp matmul,
                         const KernelTiles &t) {
  SmallVector<int64_t> extents = matmul.getStaticLoopRanges();
  int64_t rows = parallelRows(extents, t);
  // BLIS's order: loops over j and k outside, i inside, so that a packed
  // block of B serves every block of A.
  SmallVector<scf::ForOp> cacheLoops, loops;
  FailureOr<Operation *> block =
      tile(rewriter, matmul,
           {rows ? 0 : tileSizeFor(extents[0], t.mc),
            tileSizeFor(extents[1], t.nc), tileSizeFor(extents[2], t.kc)},
           {1, 2, 0}, cacheLoops);
  if (failed(block))
    return matmul.emitError("cannot tile the matmul for the caches");
  auto blockOp = cast<linalg::LinalgOp>(*block);
  // Packing B pays off once several register rows reuse each panel.
  Value blockB = blockOp.getDpsInputs()[1], packed;
  if (extents[0] >= 2 * t.mr) {
    rewriter.setInsertionPoint(blockOp);
    packed = packPanels(rewriter, matmul.getLoc(), blockB,
                        std::min(extents[2], t.kc), std::min(extents[1], t.nc),
                        t.nr);
  }
  if (rows) {
    FailureOr<Operation *> rowBlock =
        tileRowsInParallel(rewriter, blockOp, rows);
    if (failed(rowBlock))
      return matmul.emitError("cannot split the matmul's rows among threads");
    blockOp = cast<linalg::LinalgOp>(*rowBlock);
    // The row block reads B whole, directly or through an identity slice.
    blockB = blockOp.getDpsInputs()[1];
  }
  SmallVector<int64_t> blockExtents = blockOp.getStaticLoopRanges();
  FailureOr<Operation *> registers = tile(rewriter, blockOp,
                                          {tileSizeFor(blockExtents[0], t.mr),
                                           tileSizeFor(blockExtents[1], t.nr),
                                           tileSizeFor(blockExtents[2], 1)},
                                          {0, 1, 2}, loops);
  if (failed(registers))
    return matmul.emitError("cannot tile the matmul for the registers");
  if (packed) {
    readPackedPanels(rewriter, cast<linalg::LinalgOp>(*registers), blockB,
                     packed, t.nr);
    // The packing depends on j and k only: out of the i loop, which runs
    // at least once (so even ops LICM cannot speculate may move).
    if (scf::ForOp loop = cacheLoops[0])
      moveLoopInvariantCode(
          &loop.getRegion(),
          [&](Value value, Region *) {
            return loop.isDefinedOutsideOfLoop(value);
          },
          [](Operation *op, Region *) { return isMemoryEffectFree(op); },
          [&](Operation *op, Region *) { loop.moveOutOfLoop(op); });
  }
  (*registers)->setAttr(kRegisterTile, rewriter.getUnitAttr());
  // Peel i, then j in both the main and the partial i loops. The clones of
  // the j loop are the loops directly inside the partial i loop.
  SmallVector<scf::ForOp> jLoops = {loops[1]};
  for (scf::ForOp partial : peel(rewriter, loops[0]))
    if (loops[1])
      llvm::append_range(jLoops, partial.getBody()->getOps<scf::ForOp>());
  for (scf::ForOp jLoop : jLoops)
    peel(rewriter, jLoop);
  return success();
}

/// Splits a static register tile whose width (N) is not a power of two
/// into one that is and the rest (peeled off, static after
/// canonicalization); returns whether it did. LLVM legalizes accumulators
/// of such widths, e.g. vector<8x17xf32> or vector<8x24xf32>, by moving
/// them through the stack element by element in every step of the k loop,
/// which made a product with a 49-column edge 13 times slower than one with
/// 48 columns. The pieces of a width below NR are at most log2(NR) tiles of
/// 2^k columns.
bool splitToPowerOfTwoWidth(RewriterBase &rewriter, linalg::LinalgOp tile) {
  SmallVector<int64_t> extents = tile.getStaticLoopRanges();
  int64_t width = extents[1];
  if (ShapedType::isDynamic(width) || llvm::isPowerOf2_64(width))
    return false;
  SmallVector<scf::ForOp> loops;
  FailureOr<Operation *> tiled =
      ::tile(rewriter, tile, {0, floorPowerOf2(width), 0}, {0, 1, 2}, loops);
  if (failed(tiled))
    return false;
  peel(rewriter, loops[1]);
  return true;
}

/// Vectorizes a register tile: static tiles exactly, partial ones masked
/// to the full register tile.
LogicalResult vectorizeTile(RewriterBase &rewriter, linalg::LinalgOp op,
                            const KernelTiles &t) {
  SmallVector<int64_t> vectorSizes;
  if (op.hasDynamicShape()) {
    SmallVector<int64_t> extents = op.getStaticLoopRanges();
    int64_t bounds[] = {t.mr, t.nr, 1};
    for (auto [extent, bound] : llvm::zip(extents, bounds))
      vectorSizes.push_back(ShapedType::isStatic(extent) ? extent : bound);
  }
  SmallVector<bool> scalable(vectorSizes.size(), false);
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
      rewriter, op, vectorSizes, scalable,
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      /*createNamedContraction=*/true);
  if (failed(vectorized))
    return op.emitError("cannot vectorize the register tile");
  rewriter.replaceOp(op, vectorized->replacements);
  return success();
}

bool isCandidate(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) ||
      !op.hasPureTensorSemantics() || op.hasDynamicShape())
    return false;
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  if (llvm::is_contained(extents, 0))
    return false;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  return llvm::all_of(op->getOperandTypes(),
                      [&](Type type) {
                        return getElementTypeOrSelf(type) == element;
                      }) &&
         (element.isF32() || element.isF64());
}

struct KilnContractionCodegenPass
    : kiln::impl::KilnContractionCodegenBase<KilnContractionCodegenPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    kiln::CpuModel cpu = kiln::hostCpuModel();
    if (vectorBits)
      cpu.vectorBits = vectorBits;
    if (vectorRegisters)
      cpu.vectorRegisters = vectorRegisters;
    if (l1Bytes)
      cpu.l1Bytes = l1Bytes;
    if (l2Bytes)
      cpu.l2Bytes = l2Bytes;

    SmallVector<linalg::LinalgOp> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (isCandidate(op))
        candidates.push_back(op);
    });
    if (candidates.empty())
      return;
    IRRewriter rewriter(ctx);
    for (linalg::LinalgOp op : candidates)
      normalize(rewriter, op);

    SmallVector<linalg::MatmulOp> matmuls;
    func.walk([&](linalg::MatmulOp op) {
      if (isCandidate(op))
        matmuls.push_back(op);
    });
    for (linalg::MatmulOp matmul : matmuls) {
      Type element = getElementTypeOrSelf(matmul.getResult(0).getType());
      if (failed(tileMatmul(rewriter, matmul, chooseTiles(cpu, element))))
        return signalPassFailure();
    }
    // Folds the peeled tiles' sizes, so that full tiles get static shapes;
    // then splits edge tiles until every width is a power of two.
    SmallVector<linalg::LinalgOp> tiles;
    for (bool split = true; split;) {
      if (failed(applyPatternsGreedily(func, canonicalization(ctx))))
        return signalPassFailure();
      tiles.clear();
      func.walk([&](linalg::LinalgOp op) {
        if (op->hasAttr(kRegisterTile))
          tiles.push_back(op);
      });
      split = false;
      for (linalg::LinalgOp op : tiles)
        split |= splitToPowerOfTwoWidth(rewriter, op);
    }
    for (linalg::LinalgOp op : tiles) {
      Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
      if (failed(vectorizeTile(rewriter, op, chooseTiles(cpu, element))))
        return signalPassFailure();
    }
    // Transfers read and write the operands directly instead of slices, so
    // that the accumulator's read/write pair is a subset of the loop's
    // iter_arg.
    RewritePatternSet patterns = canonicalization(ctx);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    // Masked transfers take their mask as an operand: no vector.mask region
    // is left around an op that bufferization turns into a memref access.
    RewritePatternSet masks(ctx);
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(masks);
    if (failed(applyPatternsGreedily(func, std::move(masks))))
      return signalPassFailure();

    // The k loops (innermost): the accumulator becomes an iter_arg.
    SmallVector<scf::ForOp> innermost;
    func.walk([&](scf::ForOp loop) {
      if (loop.getBody()->getOps<scf::ForOp>().empty())
        innermost.push_back(loop);
    });
    for (scf::ForOp loop : innermost)
      hoistLoopInvariantSubsets(rewriter, loop);
  }

  static RewritePatternSet canonicalization(MLIRContext *ctx) {
    RewritePatternSet patterns(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    return patterns;
  }
};

} // namespace

int64_t kiln::contractionTileColumns(const CpuModel &cpu, Type element) {
  return chooseTiles(cpu, element).nc;
}
