//===- LowerKilnNNToLinalg.cpp - NN kiln ops -> linalg/tensor/scf -------===//
//
// Convolutions are matrix products, so that the contraction code generation
// makes them fast: the padded input becomes its im2col patch matrix (a
// linalg.generic), and y = W x patches, dW^T = patches x dy^T and
// dcols = W^T x dy are each one linalg.matmul (linalg.batch_matmul over
// groups), with transposing copies around them, a few images of the batch
// at a time so that the patch matrix stays small; a depthwise convolution
// is one linalg.generic instead (no product to speak of). The input gradient
// scatters dcols back with col2im, and the pooling gradients scatter dy
// back the same way (accumulateWindows: one strided slice update per
// kernel offset, in a fixed order). Pooling itself uses
// linalg.pooling_nchw_max / _sum on the input padded by tensor.pad.
// Gather is a linalg.generic with tensor.extract; scatter_add is an scf.for
// over the indices adding rows in place; random_uniform is Philox-4x32-10
// in arith ops.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"
#include "ir/Kiln.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace kiln;

namespace {

using utils::IteratorType;

Value zeroOf(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// Index arithmetic with constants that skips the identities (x * 1, x + 0),
/// so that loop bodies stay readable.
Value mulIndex(OpBuilder &b, Location loc, Value x, int64_t c) {
  return c == 1 ? x
                : arith::MulIOp::create(b, loc, x, indexConstant(b, loc, c));
}
Value addIndex(OpBuilder &b, Location loc, Value x, int64_t c) {
  return c == 0 ? x
                : arith::AddIOp::create(b, loc, x, indexConstant(b, loc, c));
}

/// 0 <= x < size, for a signed integer or index `x`.
Value inRange(OpBuilder &b, Location loc, Value x, int64_t size) {
  using P = arith::CmpIPredicate;
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(x.getType(), v));
  };
  // One statement per op: the IR must not depend on the order in which a
  // compiler evaluates function arguments.
  Value nonNegative = arith::CmpIOp::create(b, loc, P::sge, x, constant(0));
  Value below = arith::CmpIOp::create(b, loc, P::slt, x, constant(size));
  return arith::AndIOp::create(b, loc, nonNegative, below);
}

/// A tensor of `type` filled with `value` (the init of a reduction).
Value splat(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

/// (d0, ..., d[numDims-1]) -> (d[first], ..., d[first+count-1]); unlike
/// AffineMap::getMajorSubMap, also for count 0 (a rank-0 operand).
AffineMap dimRange(MLIRContext *ctx, unsigned numDims, unsigned first,
                   unsigned count) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = first; d < first + count; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(
      values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

/// Pads H and W of an NCHW tensor with `value`; `padding` is
/// [top, left, bottom, right].
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padding, Value value) {
  if (llvm::all_of(padding, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += padding[0] + padding[2];
  shape[3] += padding[1] + padding[3];
  return tensor::PadOp::create(b, loc, type.clone(shape), input,
                               indexAttrs(b, {0, 0, padding[0], padding[1]}),
                               indexAttrs(b, {0, 0, padding[2], padding[3]}),
                               value);
}

/// out[i] = input[read(i)] for every index i of `resultType`: a
/// linalg.generic that copies with a permuting (or reshaping) read map.
Value copyWithMap(OpBuilder &b, Location loc, Value input, AffineMap read,
                  RankedTensorType resultType) {
  Value empty = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                        resultType.getElementType());
  unsigned rank = resultType.getRank();
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, input, ValueRange{empty},
             ArrayRef<AffineMap>{read, b.getMultiDimIdentityMap(rank)},
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// target[i] += term(i) over a whole tensor, where `term` builds the
/// addend from the generic's arguments (`inputs` first, then the current
/// target value, which it may ignore).
Value addInto(OpBuilder &b, Location loc, Value target, ValueRange inputs,
              ArrayRef<AffineMap> inputMaps,
              function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  auto type = cast<RankedTensorType>(target.getType());
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs, ValueRange{target}, maps,
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value sum =
                   arith::AddFOp::create(nb, l, args.back(), term(nb, l, args));
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// Windows
//===----------------------------------------------------------------------===//

/// The window of a convolution or pooling op over H and W: kernel extent,
/// stride, padding [top, left, bottom, right] and dilation.
struct Window {
  SmallVector<int64_t, 2> kernel, stride, dilation{1, 1};
  SmallVector<int64_t, 4> padding;
};

template <typename OpTy> Window windowOf(OpTy op) {
  Window window;
  window.stride.assign(op.getStride().begin(), op.getStride().end());
  window.padding.assign(op.getPadding().begin(), op.getPadding().end());
  if constexpr (std::is_same_v<OpTy, AvgPool2DOp> ||
                std::is_same_v<OpTy, AvgPool2DBackwardOp>) {
    window.kernel.assign(op.getKernel().begin(), op.getKernel().end());
  } else {
    window.dilation.assign(op.getDilation().begin(), op.getDilation().end());
    if constexpr (std::is_same_v<OpTy, MaxPool2DOp> ||
                  std::is_same_v<OpTy, MaxPool2DBackwardOp>)
      window.kernel.assign(op.getKernel().begin(), op.getKernel().end());
  }
  return window;
}

/// `step(kh, kw, values)` for the kernel offsets in row-major order,
/// threading `inits` through: two nested scf.for loops.
SmallVector<Value>
forEachKernelOffset(OpBuilder &b, Location loc, const Window &window,
                    ValueRange inits,
                    function_ref<SmallVector<Value>(OpBuilder &, Location,
                                                    Value, Value, ValueRange)>
                        step) {
  auto loop = [](OpBuilder &lb, Location l, int64_t extent, ValueRange init,
                 function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                                 ValueRange)>
                     body) -> SmallVector<Value> {
    return scf::ForOp::create(
               lb, l, indexConstant(lb, l, 0), indexConstant(lb, l, extent),
               indexConstant(lb, l, 1), init,
               [&](OpBuilder &bb, Location bl, Value iv, ValueRange acc) {
                 scf::YieldOp::create(bb, bl, body(bb, bl, iv, acc));
               })
        .getResults();
  };
  return loop(b, loc, window.kernel[0], inits,
              [&](OpBuilder &b1, Location l1, Value kh, ValueRange outer) {
                return loop(b1, l1, window.kernel[1], outer,
                            [&](OpBuilder &b2, Location l2, Value kw,
                                ValueRange inner) {
                              return step(b2, l2, kh, kw, inner);
                            });
              });
}

/// The positions of a padded NCHW tensor that kernel offset (kh, kw) reads
/// in the [N, C, OH, OW] windows of `windowsType`: the strided slice from
/// (kh * dH, kw * dW) with steps (sH, sW). Returns (offsets, sizes,
/// strides).
std::tuple<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>,
           SmallVector<OpFoldResult>>
offsetSlice(OpBuilder &b, Location loc, const Window &window,
            RankedTensorType windowsType, Value kh, Value kw) {
  return {{b.getIndexAttr(0), b.getIndexAttr(0),
           mulIndex(b, loc, kh, window.dilation[0]),
           mulIndex(b, loc, kw, window.dilation[1])},
          indexAttrs(b, windowsType.getShape()),
          indexAttrs(b, {1, 1, window.stride[0], window.stride[1]})};
}

/// The adjoint of reading windows: dx [N, C, H, W] as the sum, over kernel
/// offsets (kh, kw) in row-major order, of a [N, C, OH, OW] term (OH, OW
/// from `dyType`) added at the positions that offset reads in the padded
/// dx (offsetSlice), by `addTerm` (which returns the new slice). Within one
/// offset distinct windows read distinct positions, so each update is a
/// parallel map without conflicts, and the fixed order of the offsets makes
/// the sums deterministic. Padding rows are cut off at the end, and rows no
/// window reads stay zero.
Value accumulateWindows(
    OpBuilder &b, Location loc, RankedTensorType dxType,
    RankedTensorType dyType, const Window &window,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> addTerm) {
  ArrayRef<int64_t> padding = window.padding;
  SmallVector<int64_t> paddedShape(dxType.getShape());
  paddedShape[2] += padding[0] + padding[2];
  paddedShape[3] += padding[1] + padding[3];
  Value zeros = splat(b, loc, dxType.clone(paddedShape),
                      zeroOf(b, loc, dxType.getElementType()));
  // One offset's positions: [N, C, OH, OW].
  auto sliceType = dxType.clone({dxType.getDimSize(0), dxType.getDimSize(1),
                                 dyType.getDimSize(2), dyType.getDimSize(3)});
  Value sum = forEachKernelOffset(
                  b, loc, window, zeros,
                  [&](OpBuilder &ib, Location l, Value kh, Value kw,
                      ValueRange acc) -> SmallVector<Value> {
                    auto [offsets, sizes, strides] =
                        offsetSlice(ib, l, window, sliceType, kh, kw);
                    Value slice = tensor::ExtractSliceOp::create(
                        ib, l, sliceType, acc[0], offsets, sizes, strides);
                    Value updated = addTerm(ib, l, kh, kw, slice);
                    return {tensor::InsertSliceOp::create(
                                ib, l, updated, acc[0], offsets, sizes, strides)
                                .getResult()};
                  })
                  .front();
  if (llvm::all_of(padding, [](int64_t p) { return p == 0; }))
    return sum;
  return tensor::ExtractSliceOp::create(
      b, loc, dxType, sum, indexAttrs(b, {0, 0, padding[0], padding[1]}),
      indexAttrs(b, dxType.getShape()), indexAttrs(b, {1, 1, 1, 1}));
}

//===----------------------------------------------------------------------===//
// Convolution as matrix products (im2col)
//===----------------------------------------------------------------------===//

/// The patch matrix of one step over the batch stays below this size: half
/// of a typical per-core L2 cache.
constexpr int64_t kPatchBudgetBytes = 1 << 20;

/// A convolution of x [N, C, H, W] by w [O, Cg, kH, kW] into y [N, O, OH,
/// OW], Cg = C / groups, Og = O / groups. Its matrices have a leading group
/// dimension only when groups > 1: a plain convolution is one
/// linalg.matmul, a grouped one a linalg.batch_matmul over the groups.
struct ConvGeometry {
  int64_t n, c, o, oh, ow, groups;
  Window window;

  /// x, w and y are the types of the input, filter and output.
  template <typename OpTy>
  ConvGeometry(OpTy op, RankedTensorType x, RankedTensorType w,
               RankedTensorType y)
      : n(x.getDimSize(0)), c(x.getDimSize(1)), o(y.getDimSize(1)),
        oh(y.getDimSize(2)), ow(y.getDimSize(3)), groups(op.getGroups()),
        window(windowOf(op)) {
    window.kernel = {w.getDimSize(2), w.getDimSize(3)};
  }

  bool grouped() const { return groups != 1; }
  int64_t cg() const { return c / groups; }
  int64_t og() const { return o / groups; }
  /// The contraction length of the forward product: Cg * kH * kW.
  int64_t patchSize() const {
    return cg() * window.kernel[0] * window.kernel[1];
  }
  /// N * OH * OW.
  int64_t pixels() const { return n * oh * ow; }

  /// Images per step of the loop over the batch: the largest divisor of N
  /// whose patch matrix fits in kPatchBudgetBytes (at least 1), so that the
  /// patch matrix and the product stay in cache and their buffers are small
  /// enough to be reused rather than faulted in afresh on every call.
  int64_t imagesPerStep(Type elementType) const {
    int64_t perImage = groups * patchSize() * oh * ow *
                       elementType.getIntOrFloatBitWidth() / 8;
    int64_t fit = std::max<int64_t>(1, kPatchBudgetBytes / perImage);
    int64_t images = std::min(n, fit);
    while (n % images != 0)
      --images;
    return images;
  }
  /// The same convolution on `images` images.
  ConvGeometry forImages(int64_t images) const {
    ConvGeometry part = *this;
    part.n = images;
    return part;
  }

  /// [groups, rows, cols], or [rows, cols] without groups.
  SmallVector<int64_t> matrixShape(int64_t rows, int64_t cols) const {
    if (grouped())
      return {groups, rows, cols};
    return {rows, cols};
  }
  /// `reassociation` of a tensor whose dimension 0 is the group, with that
  /// dimension (of size 1 without groups) merged into the next group.
  SmallVector<ReassociationIndices>
  withGroups(SmallVector<ReassociationIndices> reassociation) const {
    if (!grouped()) {
      reassociation[1].insert(reassociation[1].begin(), 0);
      reassociation.erase(reassociation.begin());
    }
    return reassociation;
  }
  /// Channel `index` of group `group`, for a channel count per group of
  /// `perGroup`.
  AffineExpr channel(AffineExpr group, AffineExpr index,
                     int64_t perGroup) const {
    return grouped() ? group * perGroup + index : index;
  }
  /// The inverse: (group, index in the group) of `channel`.
  std::pair<AffineExpr, AffineExpr> splitChannel(AffineExpr channel,
                                                 int64_t perGroup) const {
    if (!grouped())
      return {getAffineConstantExpr(0, channel.getContext()), channel};
    return {channel.floorDiv(perGroup), channel % perGroup};
  }
};

/// Which operand of a product is read transposed (through its indexing
/// map, never copied here).
enum class Transposed { None, Lhs, Rhs };

/// acc + lhs x rhs, acc being a matrix (or, rank 3, a batch of them over
/// the leading group dimension): linalg.matmul or linalg.batch_matmul. A
/// transposed lhs is read as [K, M], a transposed rhs as [N, K].
Value multiplyAdd(OpBuilder &b, Location loc, Value lhs, Value rhs, Value acc,
                  Transposed transposed) {
  auto type = cast<RankedTensorType>(acc.getType());
  bool batched = type.getRank() == 3;
  Operation *product;
  if (batched)
    product = linalg::BatchMatmulOp::create(b, loc, TypeRange{type},
                                            ValueRange{lhs, rhs}, acc);
  else
    product = linalg::MatmulOp::create(b, loc, TypeRange{type},
                                       ValueRange{lhs, rhs}, acc);
  if (transposed == Transposed::None)
    return product->getResult(0);
  MLIRContext *ctx = b.getContext();
  unsigned first = batched ? 1 : 0, numDims = first + 3;
  AffineExpr m = getAffineDimExpr(first, ctx);
  AffineExpr n = getAffineDimExpr(first + 1, ctx);
  AffineExpr k = getAffineDimExpr(first + 2, ctx);
  auto map = [&](AffineExpr row, AffineExpr column) {
    SmallVector<AffineExpr> exprs;
    if (batched)
      exprs.push_back(getAffineDimExpr(0, ctx));
    exprs.append({row, column});
    return AffineMap::get(numDims, 0, exprs, ctx);
  };
  bool lhsT = transposed == Transposed::Lhs;
  auto maps = b.getAffineMapArrayAttr(
      {lhsT ? map(k, m) : map(m, k), lhsT ? map(k, n) : map(n, k), map(m, n)});
  if (batched)
    cast<linalg::BatchMatmulOp>(product).setIndexingMapsAttr(maps);
  else
    cast<linalg::MatmulOp>(product).setIndexingMapsAttr(maps);
  return product->getResult(0);
}

/// lhs x rhs into a zero matrix of `shape`.
Value multiply(OpBuilder &b, Location loc, Value lhs, Value rhs,
               ArrayRef<int64_t> shape, Transposed transposed) {
  Type elementType = cast<RankedTensorType>(lhs.getType()).getElementType();
  Value zeros = splat(b, loc, RankedTensorType::get(shape, elementType),
                      zeroOf(b, loc, elementType));
  return multiplyAdd(b, loc, lhs, rhs, zeros, transposed);
}

/// Images [first, first + count) of an NCHW tensor (all of it: itself).
Value images(OpBuilder &b, Location loc, Value value, OpFoldResult first,
             int64_t count) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getDimSize(0) == count)
    return value;
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = count;
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
  offsets[0] = first;
  return tensor::ExtractSliceOp::create(b, loc, type.clone(shape), value,
                                        offsets, indexAttrs(b, shape),
                                        indexAttrs(b, {1, 1, 1, 1}));
}

/// `into` with images [first, first + n) replaced by the NCHW `part`; a
/// null `into` stands for a result that `part` is all of.
Value withImages(OpBuilder &b, Location loc, Value part, Value into,
                 OpFoldResult first) {
  auto type = cast<RankedTensorType>(part.getType());
  if (!into)
    return part;
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
  offsets[0] = first;
  return tensor::InsertSliceOp::create(b, loc, part, into, offsets,
                                       indexAttrs(b, type.getShape()),
                                       indexAttrs(b, {1, 1, 1, 1}));
}

/// `step(first image, acc)` for the batch's steps of `perStep` images in
/// order, threading `init` through: an scf.for, or the body alone when one
/// step covers the batch (`init` may then be null).
Value overBatch(
    OpBuilder &b, Location loc, int64_t batch, int64_t perStep, Value init,
    function_ref<Value(OpBuilder &, Location, OpFoldResult, Value)> step) {
  if (perStep == batch)
    return step(b, loc, b.getIndexAttr(0), init);
  return scf::ForOp::create(
             b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, batch),
             indexConstant(b, loc, perStep), ValueRange{init},
             [&](OpBuilder &lb, Location l, Value first, ValueRange acc) {
               scf::YieldOp::create(lb, l, step(lb, l, first, acc[0]));
             })
      .getResult(0);
}

/// The im2col matrix of the padded input, one per group: the window
/// element (c, kh, kw) of output position (n, oh, ow),
///   xpad[n, g * Cg + c, oh * sH + kh * dH, ow * sW + kw * dW],
/// copied by a linalg.generic. `pixelMajor` gives [groups, N * OH * OW,
/// Cg * kH * kW] (a row per output position), otherwise the transpose
/// [groups, Cg * kH * kW, N * OH * OW]; either way the products that use it
/// contract along its contiguous dimension.
Value patchMatrix(OpBuilder &b, Location loc, Value padded,
                  const ConvGeometry &geo, bool pixelMajor) {
  MLIRContext *ctx = b.getContext();
  const Window &w = geo.window;
  // Loop dimensions: g, then (n, oh, ow) and (c, kh, kw) in storage order.
  AffineExpr g = getAffineDimExpr(0, ctx);
  unsigned pixel = pixelMajor ? 1 : 4, element = pixelMajor ? 4 : 1;
  AffineExpr n = getAffineDimExpr(pixel, ctx),
             oh = getAffineDimExpr(pixel + 1, ctx),
             ow = getAffineDimExpr(pixel + 2, ctx);
  AffineExpr c = getAffineDimExpr(element, ctx),
             kh = getAffineDimExpr(element + 1, ctx),
             kw = getAffineDimExpr(element + 2, ctx);
  auto read = AffineMap::get(7, 0,
                             {n, geo.channel(g, c, geo.cg()),
                              oh * w.stride[0] + kh * w.dilation[0],
                              ow * w.stride[1] + kw * w.dilation[1]},
                             ctx);
  SmallVector<int64_t> pixels = {geo.n, geo.oh, geo.ow};
  SmallVector<int64_t> elements = {geo.cg(), w.kernel[0], w.kernel[1]};
  SmallVector<int64_t> shape = {geo.groups};
  shape.append(pixelMajor ? pixels : elements);
  shape.append(pixelMajor ? elements : pixels);
  auto type = cast<RankedTensorType>(padded.getType()).clone(shape);
  Value patches = copyWithMap(b, loc, padded, read, type);
  return tensor::CollapseShapeOp::create(
      b, loc, patches, geo.withGroups({{0}, {1, 2, 3}, {4, 5, 6}}));
}

/// The filter w [O, Cg, kH, kW] as the matrices [groups, Og, Cg * kH * kW]:
/// a reshape.
Value filterMatrix(OpBuilder &b, Location loc, Value filter,
                   const ConvGeometry &geo) {
  Value matrix = tensor::CollapseShapeOp::create(
      b, loc, filter, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  if (!geo.grouped())
    return matrix;
  auto type = cast<RankedTensorType>(matrix.getType());
  return tensor::ExpandShapeOp::create(
      b, loc, type.clone({geo.groups, geo.og(), geo.patchSize()}), matrix,
      ArrayRef<ReassociationIndices>{{0, 1}, {2}});
}

/// dy [N, O, OH, OW] as the matrices [groups, Og, N * OH * OW] (the
/// layout of the forward product's result): a transposing copy.
Value channelMajor(OpBuilder &b, Location loc, Value dy,
                   const ConvGeometry &geo) {
  MLIRContext *ctx = b.getContext();
  AffineExpr g, o, n, oh, ow;
  bindDims(ctx, g, o, n, oh, ow);
  auto read =
      AffineMap::get(5, 0, {n, geo.channel(g, o, geo.og()), oh, ow}, ctx);
  auto type = cast<RankedTensorType>(dy.getType())
                  .clone({geo.groups, geo.og(), geo.n, geo.oh, geo.ow});
  Value copy = copyWithMap(b, loc, dy, read, type);
  return tensor::CollapseShapeOp::create(b, loc, copy,
                                         geo.withGroups({{0}, {1}, {2, 3, 4}}));
}

/// A depthwise convolution (one input channel per group; any number of
/// output channels per group) directly: a matrix product per group would
/// be a single row of Og x kH*kW, nothing to tile. One linalg.generic
/// accumulates y[n, o, oh, ow] += xpad[n, o / Og, oh * sH + kh * dH,
/// ow * sW + kw * dW] * w[o, 0, kh, kw] over the loops (n, o, kh, kw, oh,
/// ow): the innermost loop runs along a row of y and of the input, which
/// LLVM vectorizes, and the row of y stays in cache over the window.
Value depthwiseConvolution(OpBuilder &b, Location loc, Value input,
                           Value filter, RankedTensorType yType,
                           const ConvGeometry &geo) {
  MLIRContext *ctx = b.getContext();
  Type elementType = yType.getElementType();
  const Window &w = geo.window;
  Value padded =
      padSpatial(b, loc, input, w.padding, zeroOf(b, loc, elementType));
  AffineExpr n, o, kh, kw, oh, ow;
  bindDims(ctx, n, o, kh, kw, oh, ow);
  AffineExpr channel = geo.og() == 1 ? o : o.floorDiv(geo.og());
  auto read = AffineMap::get(6, 0,
                             {n, channel, oh * w.stride[0] + kh * w.dilation[0],
                              ow * w.stride[1] + kw * w.dilation[1]},
                             ctx);
  auto weight =
      AffineMap::get(6, 0, {o, getAffineConstantExpr(0, ctx), kh, kw}, ctx);
  auto write = AffineMap::get(6, 0, {n, o, oh, ow}, ctx);
  SmallVector<IteratorType> iterators = {
      IteratorType::parallel,  IteratorType::parallel, IteratorType::reduction,
      IteratorType::reduction, IteratorType::parallel, IteratorType::parallel};
  Value zeros = splat(b, loc, yType, zeroOf(b, loc, elementType));
  return linalg::GenericOp::create(
             b, loc, TypeRange{yType}, ValueRange{padded, filter},
             ValueRange{zeros}, ArrayRef<AffineMap>{read, weight, write},
             iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   arith::AddFOp::create(nb, l, args[2], product).getResult());
             })
      .getResult(0);
}

/// Per step over the batch: y = W x patches per group ([groups, Og,
/// n * OH * OW]): the filter is the product's A, read in place row by row
/// (a constant filter is never copied or transposed), and the element-major
/// patch matrix its B. With one image per step the product is already NCHW
/// (a reshape); several are transposed into it.
struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto yType = op.getType();
    Type elementType = yType.getElementType();
    ConvGeometry geo(op, op.getInput().getType(), op.getFilter().getType(),
                     yType);
    if (geo.grouped() && geo.cg() == 1) {
      rewriter.replaceOp(op,
                         depthwiseConvolution(rewriter, loc, adaptor.getInput(),
                                              adaptor.getFilter(), yType, geo));
      return success();
    }
    int64_t perStep = geo.imagesPerStep(elementType);
    ConvGeometry part = geo.forImages(perStep);
    Value filter = filterMatrix(rewriter, loc, adaptor.getFilter(), geo);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, o, oh, ow;
    bindDims(ctx, n, o, oh, ow);
    auto [group, member] = geo.splitChannel(o, geo.og());
    auto read = AffineMap::get(4, 0, {group, member, n, oh, ow}, ctx);
    Value y;
    if (perStep != geo.n)
      y = tensor::EmptyOp::create(rewriter, loc, yType.getShape(), elementType);
    y = overBatch(
        rewriter, loc, geo.n, perStep, y,
        [&](OpBuilder &b, Location l, OpFoldResult first, Value acc) {
          Value x = images(b, l, adaptor.getInput(), first, perStep);
          Value padded = padSpatial(b, l, x, geo.window.padding,
                                    zeroOf(b, l, elementType));
          Value patches = patchMatrix(b, l, padded, part, false);
          Value product = multiply(b, l, filter, patches,
                                   part.matrixShape(geo.og(), part.pixels()),
                                   Transposed::None);
          SmallVector<int64_t> shape(yType.getShape());
          shape[0] = perStep;
          Value nchw;
          if (perStep == 1) {
            // [groups, Og, OH * OW] is [1, O, OH, OW] in memory.
            if (geo.grouped())
              product = tensor::CollapseShapeOp::create(
                  b, l, product, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
            nchw = tensor::ExpandShapeOp::create(
                b, l, yType.clone(shape), product,
                ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}});
          } else {
            Value expanded = tensor::ExpandShapeOp::create(
                b, l,
                yType.clone({geo.groups, geo.og(), perStep, geo.oh, geo.ow}),
                product, geo.withGroups({{0}, {1}, {2, 3, 4}}));
            nchw = copyWithMap(b, l, expanded, read, yType.clone(shape));
          }
          return withImages(b, l, nchw, acc, first);
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// Per step over the batch: the columns dcols = W^T x dy per group
/// ([groups, Cg * kH * kW, n * OH * OW], W read transposed through the
/// matmul's indexing map), then col2im: each kernel offset's rows added into
/// dx at the positions they were read from (accumulateWindows). No
/// multiply-adds are spent on the zeros a transposed convolution would
/// insert between dy's elements for stride > 1, and the scatter is
/// race-free and deterministic.
struct Conv2DBackwardInputLowering
    : OpConversionPattern<Conv2DBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dxType = op.getType();
    auto dyType = op.getDy().getType();
    Type elementType = dxType.getElementType();
    ConvGeometry geo(op, dxType, op.getFilter().getType(), dyType);
    int64_t perStep = geo.imagesPerStep(elementType);
    ConvGeometry part = geo.forImages(perStep);
    const Window &w = geo.window;
    Value filter = filterMatrix(rewriter, loc, adaptor.getFilter(), geo);
    // One kernel offset's rows: [groups, Cg, 1, 1, n, OH, OW].
    SmallVector<int64_t> rowsShape = {geo.groups, geo.cg(), 1,     1,
                                      perStep,    geo.oh,   geo.ow};
    auto rowsType = dxType.clone(rowsShape);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr n, c, oh, ow;
    bindDims(ctx, n, c, oh, ow);
    auto [group, member] = geo.splitChannel(c, geo.cg());
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    auto read =
        AffineMap::get(4, 0, {group, member, zero, zero, n, oh, ow}, ctx);
    SmallVector<int64_t> partShape(dxType.getShape());
    partShape[0] = perStep;
    SmallVector<int64_t> dyPartShape(dyType.getShape());
    dyPartShape[0] = perStep;
    Value dx;
    if (perStep != geo.n)
      dx = tensor::EmptyOp::create(rewriter, loc, dxType.getShape(),
                                   elementType);
    dx = overBatch(
        rewriter, loc, geo.n, perStep, dx,
        [&](OpBuilder &b, Location l, OpFoldResult first, Value acc) {
          Value dy = images(b, l, adaptor.getDy(), first, perStep);
          Value columns =
              multiply(b, l, filter, channelMajor(b, l, dy, part),
                       part.matrixShape(geo.patchSize(), part.pixels()),
                       Transposed::Lhs);
          Value expanded = tensor::ExpandShapeOp::create(
              b, l,
              dxType.clone({geo.groups, geo.cg(), w.kernel[0], w.kernel[1],
                            perStep, geo.oh, geo.ow}),
              columns, geo.withGroups({{0}, {1, 2, 3}, {4, 5, 6}}));
          Value dxPart = accumulateWindows(
              b, l, dxType.clone(partShape), dyType.clone(dyPartShape), w,
              [&](OpBuilder &ib, Location il, Value kh, Value kw,
                  Value target) {
                SmallVector<OpFoldResult> offsets(7, ib.getIndexAttr(0));
                offsets[2] = kh;
                offsets[3] = kw;
                Value rows = tensor::ExtractSliceOp::create(
                    ib, il, rowsType, expanded, offsets,
                    indexAttrs(ib, rowsShape),
                    indexAttrs(ib, SmallVector<int64_t>(7, 1)));
                return addInto(ib, il, target, rows, read,
                               [](OpBuilder &, Location, ValueRange args) {
                                 return args[0];
                               });
              });
          return withImages(b, l, dxPart, acc, first);
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

/// dw^T = patches x dy^T per group: [groups, Cg * kH * kW, Og], contracting
/// over N * OH * OW along the rows of both the patch matrix and the
/// channel-major dy (read transposed through the matmul's indexing map),
/// accumulated over the steps of the batch in order, then transposed into
/// OIHW.
struct Conv2DBackwardFilterLowering
    : OpConversionPattern<Conv2DBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dwType = op.getType();
    auto dyType = op.getDy().getType();
    Type elementType = dwType.getElementType();
    ConvGeometry geo(op, op.getInput().getType(), dwType, dyType);
    int64_t perStep = geo.imagesPerStep(elementType);
    ConvGeometry part = geo.forImages(perStep);
    const Window &w = geo.window;
    Value zeros = splat(
        rewriter, loc, dwType.clone(geo.matrixShape(geo.patchSize(), geo.og())),
        zeroOf(rewriter, loc, elementType));
    Value product = overBatch(
        rewriter, loc, geo.n, perStep, zeros,
        [&](OpBuilder &b, Location l, OpFoldResult first, Value acc) {
          Value x = images(b, l, adaptor.getInput(), first, perStep);
          Value padded =
              padSpatial(b, l, x, w.padding, zeroOf(b, l, elementType));
          Value patches = patchMatrix(b, l, padded, part, false);
          Value dy = images(b, l, adaptor.getDy(), first, perStep);
          return multiplyAdd(b, l, patches, channelMajor(b, l, dy, part), acc,
                             Transposed::Rhs);
        });
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc,
        dwType.clone(
            {geo.groups, geo.cg(), w.kernel[0], w.kernel[1], geo.og()}),
        product, geo.withGroups({{0}, {1, 2, 3}, {4}}));
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr oi, ci, kh, kw;
    bindDims(ctx, oi, ci, kh, kw);
    auto [group, member] = geo.splitChannel(oi, geo.og());
    auto read = AffineMap::get(4, 0, {group, ci, kh, kw, member}, ctx);
    rewriter.replaceOp(op, copyWithMap(rewriter, loc, expanded, read, dwType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// A tensor of the window's shape, never read: it gives the kernel loops of
/// a linalg op their extent (as the named pooling ops take one).
Value windowShape(OpBuilder &b, Location loc, const Window &window,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, window.kernel, elementType);
}

/// linalg.pooling_nchw_max / _sum over `input` padded with `padValue`.
template <typename PoolOp>
Value pool(OpBuilder &b, Location loc, Value input, const Window &window,
           Value padValue, Value initValue, RankedTensorType resultType) {
  Value padded = padSpatial(b, loc, input, window.padding, padValue);
  Value shape = windowShape(b, loc, window, resultType.getElementType());
  return PoolOp::create(b, loc, TypeRange{resultType},
                        ValueRange{padded, shape},
                        ValueRange{splat(b, loc, resultType, initValue)},
                        b.getI64TensorAttr(window.stride),
                        b.getI64TensorAttr(window.dilation))
      .getResult(0);
}

/// kH * kW as a constant of `elementType`: what average pooling divides by
/// (count_include_pad), forward and backward.
Value windowSize(OpBuilder &b, Location loc, const Window &window,
                 Type elementType) {
  return arith::ConstantOp::create(
      b, loc, b.getFloatAttr(elementType, window.kernel[0] * window.kernel[1]));
}

/// The kernel offset (kh, kw) as the i64 kh * kW + kw: what argmaxOfWindows
/// records and max pooling's backward compares with.
Value flatKernelOffset(OpBuilder &b, Location loc, const Window &window,
                       Value kh, Value kw) {
  return arith::IndexCastOp::create(
      b, loc, b.getI64Type(),
      arith::AddIOp::create(b, loc, mulIndex(b, loc, kh, window.kernel[1]),
                            kw));
}

Value negativeInfinity(OpBuilder &b, Location loc, Type type) {
  auto floatType = cast<FloatType>(type);
  return arith::ConstantOp::create(
      b, loc,
      b.getFloatAttr(floatType, -std::numeric_limits<double>::infinity()));
}

/// Padding never wins: it is -inf, and a window entirely in the padding
/// gives -inf.
struct MaxPool2DLowering : OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value minusInf =
        negativeInfinity(rewriter, loc, op.getType().getElementType());
    rewriter.replaceOp(op, pool<linalg::PoolingNchwMaxOp>(
                               rewriter, loc, adaptor.getInput(), windowOf(op),
                               minusInf, minusInf, op.getType()));
    return success();
  }
};

/// Window sum (zero padding) divided by kH * kW: count_include_pad.
struct AvgPool2DLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Value zero = zeroOf(rewriter, loc, type.getElementType());
    Window window = windowOf(op);
    Value sum = pool<linalg::PoolingNchwSumOp>(
        rewriter, loc, adaptor.getInput(), window, zero, zero, type);
    Value count = windowSize(rewriter, loc, window, type.getElementType());
    auto identity = rewriter.getMultiDimIdentityMap(4);
    auto average = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, sum,
        ValueRange{tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType())},
        ArrayRef<AffineMap>{identity, identity},
        SmallVector<IteratorType>(4, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(
              b, l, arith::DivFOp::create(b, l, args[0], count).getResult());
        });
    rewriter.replaceOp(op, average.getResult(0));
    return success();
  }
};

/// For every window, the kernel offset kh * kW + kw of its first maximum
/// (row-major window order; NaN counts as the largest value), or -1 when
/// the window holds only padding. The offsets are visited in row-major
/// order, each by a parallel linalg.generic over the windows that reads the
/// offset's strided slice of the padded input (offsetSlice) and takes the
/// value when it is inside the image and the window has none yet, or it is
/// greater (or the first NaN): a later offset never wins a tie.
Value argmaxOfWindows(OpBuilder &b, Location loc, Value input,
                      RankedTensorType dyType, const Window &window) {
  auto inType = cast<RankedTensorType>(input.getType());
  Type elementType = inType.getElementType();
  Value padded =
      padSpatial(b, loc, input, window.padding, zeroOf(b, loc, elementType));
  auto offsetsType = dyType.clone(b.getI64Type());
  Value noOffset = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(-1));
  Value noValue = splat(b, loc, dyType, negativeInfinity(b, loc, elementType));
  Value noOffsets = splat(b, loc, offsetsType, noOffset);
  bool padding = llvm::any_of(window.padding, [](int64_t p) { return p; });
  auto identity = b.getMultiDimIdentityMap(4);
  SmallVector<Value> best = forEachKernelOffset(
      b, loc, window, ValueRange{noValue, noOffsets},
      [&](OpBuilder &ob, Location ol, Value kh, Value kw,
          ValueRange acc) -> SmallVector<Value> {
        auto [offsets, sizes, strides] =
            offsetSlice(ob, ol, window, dyType, kh, kw);
        Value values = tensor::ExtractSliceOp::create(ob, ol, dyType, padded,
                                                      offsets, sizes, strides);
        Value offset = flatKernelOffset(ob, ol, window, kh, kw);
        SmallVector<Value, 2> kernel = {kh, kw};
        auto generic = linalg::GenericOp::create(
            ob, ol, TypeRange{dyType, offsetsType}, ValueRange{values}, acc,
            ArrayRef<AffineMap>{identity, identity, identity},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [&](OpBuilder &nb, Location l, ValueRange args) {
              using F = arith::CmpFPredicate;
              Value value = args[0], best = args[1], bestAt = args[2];
              Value isNaN = arith::CmpFOp::create(nb, l, F::UNO, value, value);
              Value bestIsNaN =
                  arith::CmpFOp::create(nb, l, F::UNO, best, best);
              // greater: value > best, or value is the first NaN.
              Value bestIsNumber = arith::XOrIOp::create(
                  nb, l, bestIsNaN,
                  arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
              Value firstNaN =
                  arith::AndIOp::create(nb, l, isNaN, bestIsNumber);
              Value above = arith::CmpFOp::create(nb, l, F::OGT, value, best);
              Value greater = arith::OrIOp::create(nb, l, above, firstNaN);
              Value none = arith::CmpIOp::create(
                  nb, l, arith::CmpIPredicate::eq, bestAt, noOffset);
              Value wins = arith::OrIOp::create(nb, l, none, greater);
              if (padding) {
                // Whether the position read is inside the image.
                for (int d = 0; d < 2; ++d) {
                  Value o = linalg::IndexOp::create(nb, l, 2 + d);
                  Value start = mulIndex(nb, l, o, window.stride[d]);
                  Value p = addIndex(
                      nb, l,
                      arith::AddIOp::create(
                          nb, l, start,
                          mulIndex(nb, l, kernel[d], window.dilation[d])),
                      -window.padding[d]);
                  wins = arith::AndIOp::create(
                      nb, l, wins, inRange(nb, l, p, inType.getDimSize(2 + d)));
                }
              }
              Value newBest = arith::SelectOp::create(nb, l, wins, value, best);
              Value newAt =
                  arith::SelectOp::create(nb, l, wins, offset, bestAt);
              linalg::YieldOp::create(nb, l, ValueRange{newBest, newAt});
            });
        return SmallVector<Value>(generic.getResults());
      });
  return best[1];
}

/// dx = the sum of dy over the windows whose first maximum is at that
/// position: at kernel offset (kh, kw) each window adds its dy where its
/// argmax is that offset (accumulateWindows).
struct MaxPool2DBackwardLowering : OpConversionPattern<MaxPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window window = windowOf(op);
    auto dyType = op.getDy().getType();
    Value argmax =
        argmaxOfWindows(rewriter, loc, adaptor.getInput(), dyType, window);
    auto identity = rewriter.getMultiDimIdentityMap(4);
    Value dx = accumulateWindows(
        rewriter, loc, op.getType(), dyType, window,
        [&](OpBuilder &b, Location l, Value kh, Value kw, Value target) {
          Value offset = flatKernelOffset(b, l, window, kh, kw);
          return addInto(
              b, l, target, ValueRange{argmax, adaptor.getDy()},
              {identity, identity},
              [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                Value wins = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::eq, args[0], offset);
                return arith::SelectOp::create(
                    nb, nl, wins, args[1], zeroOf(nb, nl, args[1].getType()));
              });
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

/// dx = the sum of dy / (kH * kW) over the windows reading each position
/// (accumulateWindows).
struct AvgPool2DBackwardLowering : OpConversionPattern<AvgPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Window window = windowOf(op);
    Value count =
        windowSize(rewriter, loc, window, op.getType().getElementType());
    auto identity = rewriter.getMultiDimIdentityMap(4);
    Value dx = accumulateWindows(
        rewriter, loc, op.getType(), op.getDy().getType(), window,
        [&](OpBuilder &b, Location l, Value, Value, Value target) {
          return addInto(b, l, target, adaptor.getDy(), identity,
                         [&](OpBuilder &nb, Location nl, ValueRange args) {
                           return arith::DivFOp::create(nb, nl, args[0], count)
                               .getResult();
                         });
        });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Embedding lookup
//===----------------------------------------------------------------------===//

/// Whether integer `index` is in [0, size), and the index (0 when not) as
/// an `index` value: out-of-range indices never address memory.
std::pair<Value, Value> checkedRow(OpBuilder &b, Location loc, Value index,
                                   int64_t size) {
  Value wide = index;
  if (!index.getType().isInteger(64))
    wide = arith::ExtSIOp::create(b, loc, b.getI64Type(), index);
  Value valid = inRange(b, loc, wide, size);
  Value row = arith::IndexCastOp::create(b, loc, b.getIndexType(), wide);
  return {valid, arith::SelectOp::create(b, loc, valid, row,
                                         indexConstant(b, loc, 0))};
}

/// result[i..., d] = table[indices[i...], d], zero for out-of-range
/// indices: a linalg.generic reading the index through its map and the
/// table with tensor.extract.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    auto tableType = op.getTable().getType();
    int64_t rank = type.getRank();
    Value table = adaptor.getTable();
    MLIRContext *ctx = rewriter.getContext();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, adaptor.getIndices(),
        ValueRange{tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType())},
        ArrayRef<AffineMap>{dimRange(ctx, rank, 0, rank - 1),
                            dimRange(ctx, rank, 0, rank)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto [valid, row] =
              checkedRow(b, l, args[0], tableType.getDimSize(0));
          Value column = linalg::IndexOp::create(b, l, rank - 1);
          Value value =
              tensor::ExtractOp::create(b, l, table, ValueRange{row, column});
          linalg::YieldOp::create(
              b, l,
              arith::SelectOp::create(b, l, valid, value,
                                      zeroOf(b, l, type.getElementType()))
                  .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Reshapes `value` to `shape` (same element count).
Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(shape.size())},
                                         b.getI64Type());
  Value target = arith::ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(shapeType, shape));
  return tensor::ReshapeOp::create(b, loc, type.clone(shape), value, target);
}

/// A loop over the (flattened) indices; each in-range index adds its row of
/// updates to its row of the result (a slice updated in place), in order.
struct ScatterAddLowering : OpConversionPattern<ScatterAddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Type elementType = type.getElementType();
    int64_t rows = type.getDimSize(0), width = type.getDimSize(1);
    int64_t count = op.getIndices().getType().getNumElements();
    Value indices = reshapeTo(rewriter, loc, adaptor.getIndices(), {count});
    Value updates =
        reshapeTo(rewriter, loc, adaptor.getUpdates(), {count, width});
    Value init = splat(rewriter, loc, type, zeroOf(rewriter, loc, elementType));
    auto rowType = RankedTensorType::get({1, width}, elementType);
    auto rowSizes = indexAttrs(rewriter, {1, width});
    auto unitStrides = indexAttrs(rewriter, {1, 1});
    Value begin = indexConstant(rewriter, loc, 0);
    Value end = indexConstant(rewriter, loc, count);
    Value step = indexConstant(rewriter, loc, 1);
    auto loop = scf::ForOp::create(
        rewriter, loc, begin, end, step, ValueRange{init},
        [&](OpBuilder &b, Location l, Value i, ValueRange acc) {
          Value index = tensor::ExtractOp::create(b, l, indices, i);
          auto [valid, row] = checkedRow(b, l, index, rows);
          auto add = [&](OpBuilder &tb, Location tl) {
            Value source = tensor::ExtractSliceOp::create(
                tb, tl, rowType, updates,
                SmallVector<OpFoldResult>{i, tb.getIndexAttr(0)}, rowSizes,
                unitStrides);
            SmallVector<OpFoldResult> at = {row, tb.getIndexAttr(0)};
            Value target = tensor::ExtractSliceOp::create(
                tb, tl, rowType, acc[0], at, rowSizes, unitStrides);
            auto identity = tb.getMultiDimIdentityMap(2);
            Value sum =
                linalg::GenericOp::create(
                    tb, tl, TypeRange{rowType}, source, target,
                    ArrayRef<AffineMap>{identity, identity},
                    SmallVector<IteratorType>(2, IteratorType::parallel),
                    [](OpBuilder &gb, Location gl, ValueRange args) {
                      Value next = isa<FloatType>(args[0].getType())
                                       ? Value(arith::AddFOp::create(
                                             gb, gl, args[1], args[0]))
                                       : Value(arith::AddIOp::create(
                                             gb, gl, args[1], args[0]));
                      linalg::YieldOp::create(gb, gl, next);
                    })
                    .getResult(0);
            scf::YieldOp::create(
                tb, tl,
                tensor::InsertSliceOp::create(tb, tl, sum, acc[0], at, rowSizes,
                                              unitStrides)
                    .getResult());
          };
          auto skip = [&](OpBuilder &eb, Location el) {
            scf::YieldOp::create(eb, el, acc[0]);
          };
          auto ifOp = scf::IfOp::create(b, l, valid, add, skip);
          scf::YieldOp::create(b, l, ifOp.getResults());
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

/// Philox-4x32-10 (Salmon et al., SC 2011) of a 128-bit counter under a
/// 64-bit key, as i32 arith ops; returns the four output words.
SmallVector<Value, 4> philox4x32x10(OpBuilder &b, Location loc,
                                    SmallVector<Value, 4> counter,
                                    SmallVector<Value, 2> key) {
  auto i32 = [&](uint32_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, b.getI32IntegerAttr(static_cast<int32_t>(v)));
  };
  Value m0 = i32(0xD2511F53u), m1 = i32(0xCD9E8D57u);
  Value w0 = i32(0x9E3779B9u), w1 = i32(0xBB67AE85u);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] = arith::AddIOp::create(b, loc, key[0], w0);
      key[1] = arith::AddIOp::create(b, loc, key[1], w1);
    }
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, counter[0]);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, counter[2]);
    auto xor3 = [&](Value x, Value y, Value z) -> Value {
      return arith::XOrIOp::create(b, loc, arith::XOrIOp::create(b, loc, x, y),
                                   z);
    };
    counter = {xor3(p1.getHigh(), counter[1], key[0]), p1.getLow(),
               xor3(p0.getHigh(), counter[3], key[1]), p0.getLow()};
  }
  return counter;
}

/// The low and high 32-bit halves of an i64.
std::pair<Value, Value> halves(OpBuilder &b, Location loc, Value v) {
  Type i32 = b.getI32Type();
  Value high = arith::ShRUIOp::create(
      b, loc, v, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32)));
  return {arith::TruncIOp::create(b, loc, i32, v),
          arith::TruncIOp::create(b, loc, i32, high)};
}

/// result[i] = uniform(philox(counter = linear index i, key = seed)): a
/// linalg.generic whose body computes the row-major linear index.
struct RandomUniformLowering : OpConversionPattern<RandomUniformOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RandomUniformOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    bool isF64 = type.getElementType().isF64();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, adaptor.getSeed(),
        ValueRange{tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType())},
        ArrayRef<AffineMap>{dimRange(rewriter.getContext(), rank, 0, 0),
                            rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value linear = rank == 0 ? indexConstant(b, l, 0)
                                   : Value(linalg::IndexOp::create(b, l, 0));
          for (int64_t d = 1; d < rank; ++d) {
            Value scaled = mulIndex(b, l, linear, type.getDimSize(d));
            linear = arith::AddIOp::create(b, l, scaled,
                                           linalg::IndexOp::create(b, l, d));
          }
          Value index =
              arith::IndexCastUIOp::create(b, l, b.getI64Type(), linear);
          auto [c0, c1] = halves(b, l, index);
          auto [k0, k1] = halves(b, l, args[0]);
          Value zero = zeroOf(b, l, b.getI32Type());
          SmallVector<Value, 4> words =
              philox4x32x10(b, l, {c0, c1, zero, zero}, {k0, k1});
          // f32: the top 24 bits of w0; f64: 53 bits, w0 then the top 21 of
          // w1. Either is an integer exactly representable in the type.
          Value bits, scale;
          if (isF64) {
            Type i64 = b.getI64Type();
            auto shift = [&](Value v, int64_t amount, bool left) -> Value {
              Value by =
                  arith::ConstantOp::create(b, l, b.getI64IntegerAttr(amount));
              Value wide = arith::ExtUIOp::create(b, l, i64, v);
              return left ? Value(arith::ShLIOp::create(b, l, wide, by))
                          : Value(arith::ShRUIOp::create(b, l, wide, by));
            };
            Value high = shift(words[0], 21, true);
            bits = arith::OrIOp::create(b, l, high, shift(words[1], 11, false));
            scale = arith::ConstantOp::create(
                b, l, b.getF64FloatAttr(std::ldexp(1.0, -53)));
          } else {
            bits = arith::ShRUIOp::create(
                b, l, words[0],
                arith::ConstantOp::create(b, l, b.getI32IntegerAttr(8)));
            scale = arith::ConstantOp::create(
                b, l, b.getF32FloatAttr(std::ldexp(1.0f, -24)));
          }
          Value asFloat =
              arith::UIToFPOp::create(b, l, type.getElementType(), bits);
          linalg::YieldOp::create(
              b, l, arith::MulFOp::create(b, l, asFloat, scale).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void kiln::populateKilnNNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, Conv2DBackwardInputLowering,
               Conv2DBackwardFilterLowering, MaxPool2DLowering,
               MaxPool2DBackwardLowering, AvgPool2DLowering,
               AvgPool2DBackwardLowering, GatherLowering, ScatterAddLowering,
               RandomUniformLowering>(patterns.getContext());
}
