//===- LowerKilnNNToLinalg.cpp - NN kiln ops -> linalg/tensor/scf -------===//
//
// Convolutions and pooling pad with tensor.pad and use the named linalg ops
// (linalg.conv_2d_nchw_fchw, linalg.conv_2d_ngchw_gfchw for groups,
// linalg.pooling_nchw_max / _sum). The input gradient of a convolution is a
// convolution too: dy spread out by the stride (tensor.insert_slice with
// strides into zeros) and convolved with the flipped, transposed filter.
// The filter gradient is a linalg.generic contraction. The pooling
// gradients gather, for each input position, the windows that read it
// (tensor.extract in a linalg.generic body). Gather is a linalg.generic
// with tensor.extract; scatter_add is an scf.for over the indices adding
// rows in place; random_uniform is Philox-4x32-10 in arith ops.
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

/// Splits dimension `dim` of `value` into [groups, size / groups].
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassoc;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t next = static_cast<int64_t>(shape.size());
    if (d == dim) {
      shape.append({groups, type.getDimSize(d) / groups});
      reassoc.push_back({next, next + 1});
    } else {
      shape.push_back(type.getDimSize(d));
      reassoc.push_back({next});
    }
  }
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       reassoc);
}

/// The convolution of an already padded NCHW `input` by the OIHW `filter`:
/// linalg.conv_2d_nchw_fchw, or with groups linalg.conv_2d_ngchw_gfchw on
/// the channel dimensions split into [groups, channels / groups].
Value convolve(OpBuilder &b, Location loc, Value input, Value filter,
               ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
               int64_t groups, RankedTensorType resultType) {
  Value zero = zeroOf(b, loc, resultType.getElementType());
  Attribute strides = b.getI64TensorAttr(stride);
  Attribute dilations = b.getI64TensorAttr(dilation);
  if (groups == 1) {
    Value init = splat(b, loc, resultType, zero);
    return linalg::Conv2DNchwFchwOp::create(
               b, loc, TypeRange{resultType}, ValueRange{input, filter},
               ValueRange{init}, strides, dilations)
        .getResult(0);
  }
  Value groupedInput = splitGroups(b, loc, input, 1, groups);
  Value groupedFilter = splitGroups(b, loc, filter, 0, groups);
  SmallVector<int64_t> groupedShape(resultType.getShape());
  groupedShape[1] /= groups;
  groupedShape.insert(groupedShape.begin() + 1, groups);
  Value init = splat(b, loc, resultType.clone(groupedShape), zero);
  auto grouped = linalg::Conv2DNgchwGfchwOp::create(
      b, loc, TypeRange{init.getType()},
      ValueRange{groupedInput, groupedFilter}, ValueRange{init}, strides,
      dilations);
  return tensor::CollapseShapeOp::create(
      b, loc, resultType, grouped.getResult(0),
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value zero = zeroOf(rewriter, loc, op.getType().getElementType());
    Value padded =
        padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding(), zero);
    rewriter.replaceOp(op, convolve(rewriter, loc, padded, adaptor.getFilter(),
                                    op.getStride(), op.getDilation(),
                                    op.getGroups(), op.getType()));
    return success();
  }
};

/// dx = conv(z, flip(w)^T) with stride 1, where z is dy with stride - 1
/// zeros between its elements, shifted so that
/// dx[h] = sum_kh z[h + kh * d] * w[k - 1 - kh]:
/// z[j] = dy'[j + top - d * (k - 1)], dy' being the spread-out dy (zero
/// outside). Rows of the input that no window reads get zeros.
struct Conv2DBackwardInputLowering
    : OpConversionPattern<Conv2DBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dxType = op.getType();
    auto dyType = op.getDy().getType();
    auto wType = op.getFilter().getType();
    ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding(),
                      dilation = op.getDilation();
    Type elementType = dxType.getElementType();
    Value zero = zeroOf(rewriter, loc, elementType);

    // z, built as dy inserted with strides into a zero tensor large enough
    // for both the insertion and z, then cut out.
    SmallVector<int64_t, 2> insertAt, extractAt, bigSize, zSize;
    for (int d = 0; d < 2; ++d) {
      int64_t reach = dilation[d] * (wType.getDimSize(2 + d) - 1);
      int64_t shift = reach - padding[d];
      int64_t spread = (dyType.getDimSize(2 + d) - 1) * stride[d] + 1;
      insertAt.push_back(std::max<int64_t>(shift, 0));
      extractAt.push_back(std::max<int64_t>(-shift, 0));
      zSize.push_back(dxType.getDimSize(2 + d) + reach);
      bigSize.push_back(
          std::max(insertAt[d] + spread, extractAt[d] + zSize[d]));
    }
    int64_t n = dyType.getDimSize(0), o = dyType.getDimSize(1);
    Value big = splat(rewriter, loc,
                      dyType.clone({n, o, bigSize[0], bigSize[1]}), zero);
    Value spreadDy = tensor::InsertSliceOp::create(
        rewriter, loc, adaptor.getDy(), big,
        indexAttrs(rewriter, {0, 0, insertAt[0], insertAt[1]}),
        indexAttrs(rewriter, dyType.getShape()),
        indexAttrs(rewriter, {1, 1, stride[0], stride[1]}));
    Value z = spreadDy;
    if (bigSize != zSize)
      z = tensor::ExtractSliceOp::create(
          rewriter, loc, spreadDy,
          indexAttrs(rewriter, {0, 0, extractAt[0], extractAt[1]}),
          indexAttrs(rewriter, {n, o, zSize[0], zSize[1]}),
          indexAttrs(rewriter, {1, 1, 1, 1}));

    // flipped[c, og, kh, kw] = w[g * Og + og, c mod Cg, kH-1-kh, kW-1-kw]
    // with g = c floordiv Cg: an OIHW filter from O channels to C.
    int64_t groups = op.getGroups();
    int64_t c = dxType.getDimSize(1), cg = c / groups;
    int64_t og = wType.getDimSize(0) / groups;
    int64_t kH = wType.getDimSize(2), kW = wType.getDimSize(3);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr ci, oi, khi, kwi;
    bindDims(ctx, ci, oi, khi, kwi);
    AffineExpr readO = groups == 1 ? oi : ci.floorDiv(cg) * og + oi;
    AffineExpr readC = groups == 1 ? ci : ci % cg;
    auto flippedType = wType.clone({c, og, kH, kW});
    auto read =
        AffineMap::get(4, 0, {readO, readC, kH - 1 - khi, kW - 1 - kwi}, ctx);
    Value flipped =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{flippedType}, adaptor.getFilter(),
            ValueRange{tensor::EmptyOp::create(
                rewriter, loc, flippedType.getShape(), elementType)},
            ArrayRef<AffineMap>{read, rewriter.getMultiDimIdentityMap(4)},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(b, l, args[0]);
            })
            .getResult(0);
    rewriter.replaceOp(op, convolve(rewriter, loc, z, flipped, {1, 1}, dilation,
                                    groups, dxType));
    return success();
  }
};

/// dw[o, c, kh, kw] = sum over n, oh, ow of
/// xpad[n, g * Cg + c, oh * sH + kh * dH, ow * sW + kw * dW] * dy[n, o, oh, ow]
/// with g = o floordiv Og: one linalg.generic.
struct Conv2DBackwardFilterLowering
    : OpConversionPattern<Conv2DBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto dwType = op.getType();
    ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();
    Value zero = zeroOf(rewriter, loc, dwType.getElementType());
    Value padded =
        padSpatial(rewriter, loc, adaptor.getInput(), op.getPadding(), zero);
    int64_t groups = op.getGroups();
    int64_t og = dwType.getDimSize(0) / groups, cg = dwType.getDimSize(1);
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr o, c, kh, kw, n, oh, ow;
    bindDims(ctx, o, c, kh, kw, n, oh, ow);
    AffineExpr channel = groups == 1 ? c : o.floorDiv(og) * cg + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0,
                       {n, channel, oh * stride[0] + kh * dilation[0],
                        ow * stride[1] + kw * dilation[1]},
                       ctx),
        AffineMap::get(7, 0, {n, o, oh, ow}, ctx),
        AffineMap::get(7, 0, {o, c, kh, kw}, ctx)};
    SmallVector<IteratorType> iterators(4, IteratorType::parallel);
    iterators.append(3, IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{dwType}, ValueRange{padded, adaptor.getDy()},
        ValueRange{splat(rewriter, loc, dwType, zero)}, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args[2], product).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// A window op's geometry from its attributes (dilation 1 when absent).
struct PoolWindow {
  ArrayRef<int64_t> kernel, stride, padding;
  SmallVector<int64_t, 2> dilation{1, 1};
};

template <typename OpTy> PoolWindow windowOf(OpTy op) {
  PoolWindow window{op.getKernel(), op.getStride(), op.getPadding()};
  if constexpr (std::is_same_v<OpTy, MaxPool2DOp> ||
                std::is_same_v<OpTy, MaxPool2DBackwardOp>)
    window.dilation.assign(op.getDilation().begin(), op.getDilation().end());
  return window;
}

/// A tensor of the window's shape, never read: it gives the kernel loops of
/// a linalg op their extent (as the named pooling ops take one).
Value windowShape(OpBuilder &b, Location loc, const PoolWindow &window,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, window.kernel, elementType);
}

/// linalg.pooling_nchw_max / _sum over `input` padded with `padValue`.
template <typename PoolOp>
Value pool(OpBuilder &b, Location loc, Value input, const PoolWindow &window,
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
    PoolWindow window = windowOf(op);
    Value sum = pool<linalg::PoolingNchwSumOp>(
        rewriter, loc, adaptor.getInput(), window, zero, zero, type);
    Value count = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getFloatAttr(type.getElementType(),
                              window.kernel[0] * window.kernel[1]));
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

/// The window that reads input position `position` (h or w) at kernel
/// offset `offset` (kh or kw) along one spatial dimension: window
/// (position + before - offset * dilation) / stride when that divides and is
/// in [0, outSize). Returns (valid, the window index or 0 when invalid).
std::pair<Value, Value> windowReading(OpBuilder &b, Location loc,
                                      Value position, Value offset,
                                      int64_t before, int64_t stride,
                                      int64_t dilation, int64_t outSize) {
  Value shifted = addIndex(b, loc, position, before);
  Value t = arith::SubIOp::create(b, loc, shifted,
                                  mulIndex(b, loc, offset, dilation));
  // t in [0, outSize * stride) and a multiple of stride.
  Value valid = inRange(b, loc, t, outSize * stride);
  Value window = t;
  if (stride != 1) {
    Value s = indexConstant(b, loc, stride);
    Value remainder = arith::RemSIOp::create(b, loc, t, s);
    valid = arith::AndIOp::create(
        b, loc, valid,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, remainder,
                              indexConstant(b, loc, 0)));
    window = arith::DivSIOp::create(b, loc, t, s);
  }
  return {valid, arith::SelectOp::create(b, loc, valid, window,
                                         indexConstant(b, loc, 0))};
}

/// dx[n, c, h, w] = sum over kernel offsets (kh, kw) whose window (oh, ow)
/// exists of `contribution(n, c, oh, ow, h, w)`: the adjoint of reading
/// windows, as a linalg.generic over (n, c, h, w, kh, kw) whose body finds
/// the window; `contribution` reads what it needs with tensor.extract.
Value gatherFromWindows(
    OpBuilder &b, Location loc, RankedTensorType dxType,
    RankedTensorType dyType, const PoolWindow &window,
    function_ref<Value(OpBuilder &, Location, ValueRange)> contribution) {
  MLIRContext *ctx = b.getContext();
  Type elementType = dxType.getElementType();
  SmallVector<IteratorType> iterators(4, IteratorType::parallel);
  iterators.append(2, IteratorType::reduction);
  Value shape = windowShape(b, loc, window, elementType);
  Value zeros = splat(b, loc, dxType, zeroOf(b, loc, elementType));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{dxType}, shape, zeros,
      ArrayRef<AffineMap>{dimRange(ctx, 6, 4, 2), dimRange(ctx, 6, 0, 4)},
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value, 6> i;
        for (int64_t d = 0; d < 6; ++d)
          i.push_back(linalg::IndexOp::create(nb, l, d));
        auto [validH, oh] = windowReading(nb, l, i[2], i[4], window.padding[0],
                                          window.stride[0], window.dilation[0],
                                          dyType.getDimSize(2));
        auto [validW, ow] = windowReading(nb, l, i[3], i[5], window.padding[1],
                                          window.stride[1], window.dilation[1],
                                          dyType.getDimSize(3));
        Value valid = arith::AndIOp::create(nb, l, validH, validW);
        Value value =
            contribution(nb, l, ValueRange{i[0], i[1], oh, ow, i[2], i[3]});
        Value term = arith::SelectOp::create(nb, l, valid, value,
                                             zeroOf(nb, l, elementType));
        linalg::YieldOp::create(
            nb, l, arith::AddFOp::create(nb, l, args[1], term).getResult());
      });
  return generic.getResult(0);
}

/// Position of (h, w) in its NCHW plane, as i64: the order of windows'
/// elements is the order of these positions.
Value planePosition(OpBuilder &b, Location loc, Value h, Value w,
                    int64_t width) {
  Value linear = arith::AddIOp::create(b, loc, mulIndex(b, loc, h, width), w);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), linear);
}

/// For every window, the plane position of its first maximum (row-major
/// window order; NaN counts as the largest value), or -1 when the window
/// holds only padding: a linalg.generic reducing (value, position) pairs
/// over (kh, kw). The rule does not depend on the iteration order.
Value argmaxOfWindows(OpBuilder &b, Location loc, Value input,
                      RankedTensorType dyType, const PoolWindow &window) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  Type elementType = inType.getElementType();
  Value padded =
      padSpatial(b, loc, input, window.padding, zeroOf(b, loc, elementType));
  AffineExpr n, c, oh, ow, kh, kw;
  bindDims(ctx, n, c, oh, ow, kh, kw);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {n, c, oh * window.stride[0] + kh * window.dilation[0],
                      ow * window.stride[1] + kw * window.dilation[1]},
                     ctx),
      AffineMap::get(6, 0, {kh, kw}, ctx),
      AffineMap::get(6, 0, {n, c, oh, ow}, ctx),
      AffineMap::get(6, 0, {n, c, oh, ow}, ctx)};
  SmallVector<IteratorType> iterators(4, IteratorType::parallel);
  iterators.append(2, IteratorType::reduction);
  auto positionsType = dyType.clone(b.getI64Type());
  Value noPosition = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(-1));
  Value shape = windowShape(b, loc, window, elementType);
  Value noValue = splat(b, loc, dyType, negativeInfinity(b, loc, elementType));
  Value noPositions = splat(b, loc, positionsType, noPosition);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{dyType, positionsType}, ValueRange{padded, shape},
      ValueRange{noValue, noPositions}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        using P = arith::CmpIPredicate;
        using F = arith::CmpFPredicate;
        Value value = args[0], best = args[2], bestAt = args[3];
        // The input position read, and whether it is inside the image.
        SmallVector<Value, 2> at;
        Value inside;
        for (int d = 0; d < 2; ++d) {
          Value o = linalg::IndexOp::create(nb, l, 2 + d);
          Value k = linalg::IndexOp::create(nb, l, 4 + d);
          Value start = mulIndex(nb, l, o, window.stride[d]);
          Value p = addIndex(
              nb, l,
              arith::AddIOp::create(nb, l, start,
                                    mulIndex(nb, l, k, window.dilation[d])),
              -window.padding[d]);
          Value ok = inRange(nb, l, p, inType.getDimSize(2 + d));
          at.push_back(p);
          inside = d == 0 ? ok : arith::AndIOp::create(nb, l, inside, ok);
        }
        Value position =
            planePosition(nb, l, at[0], at[1], inType.getDimSize(3));
        Value isNaN = arith::CmpFOp::create(nb, l, F::UNO, value, value);
        Value bestIsNaN = arith::CmpFOp::create(nb, l, F::UNO, best, best);
        // greater: value > best, or value is the first NaN.
        Value bestIsNumber = arith::XOrIOp::create(
            nb, l, bestIsNaN,
            arith::ConstantOp::create(nb, l, nb.getBoolAttr(true)));
        Value firstNaN = arith::AndIOp::create(nb, l, isNaN, bestIsNumber);
        Value above = arith::CmpFOp::create(nb, l, F::OGT, value, best);
        Value greater = arith::OrIOp::create(nb, l, above, firstNaN);
        // equal: value == best, NaN equal to NaN.
        Value bothNaN = arith::AndIOp::create(nb, l, isNaN, bestIsNaN);
        Value same = arith::CmpFOp::create(nb, l, F::OEQ, value, best);
        Value equal = arith::OrIOp::create(nb, l, same, bothNaN);
        Value earlier = arith::CmpIOp::create(nb, l, P::slt, position, bestAt);
        Value tieWon = arith::AndIOp::create(nb, l, equal, earlier);
        Value none = arith::CmpIOp::create(nb, l, P::eq, bestAt, noPosition);
        Value better = arith::OrIOp::create(
            nb, l, arith::OrIOp::create(nb, l, none, greater), tieWon);
        Value wins = arith::AndIOp::create(nb, l, inside, better);
        Value newBest = arith::SelectOp::create(nb, l, wins, value, best);
        Value newAt = arith::SelectOp::create(nb, l, wins, position, bestAt);
        linalg::YieldOp::create(nb, l, ValueRange{newBest, newAt});
      });
  return generic.getResult(1);
}

/// dx[n, c, h, w] = sum of dy over the windows whose first maximum is at
/// (h, w).
struct MaxPool2DBackwardLowering : OpConversionPattern<MaxPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    PoolWindow window = windowOf(op);
    auto dyType = op.getDy().getType();
    int64_t width = op.getType().getDimSize(3);
    Value argmax =
        argmaxOfWindows(rewriter, loc, adaptor.getInput(), dyType, window);
    Value dy = adaptor.getDy();
    rewriter.replaceOp(
        op,
        gatherFromWindows(
            rewriter, loc, op.getType(), dyType, window,
            [&](OpBuilder &b, Location l, ValueRange i) {
              ValueRange windowIndex = i.take_front(4);
              Value winner =
                  tensor::ExtractOp::create(b, l, argmax, windowIndex);
              Value here = planePosition(b, l, i[4], i[5], width);
              Value gradient = tensor::ExtractOp::create(b, l, dy, windowIndex);
              Value isWinner = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::eq, winner, here);
              return arith::SelectOp::create(b, l, isWinner, gradient,
                                             zeroOf(b, l, gradient.getType()));
            }));
    return success();
  }
};

/// dx[n, c, h, w] = sum of dy / (kH * kW) over the windows reading (h, w).
struct AvgPool2DBackwardLowering : OpConversionPattern<AvgPool2DBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPool2DBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    PoolWindow window = windowOf(op);
    Type elementType = op.getType().getElementType();
    Value count = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getFloatAttr(elementType,
                              window.kernel[0] * window.kernel[1]));
    Value dy = adaptor.getDy();
    rewriter.replaceOp(
        op,
        gatherFromWindows(rewriter, loc, op.getType(), op.getDy().getType(),
                          window, [&](OpBuilder &b, Location l, ValueRange i) {
                            Value gradient = tensor::ExtractOp::create(
                                b, l, dy, i.take_front(4));
                            return arith::DivFOp::create(b, l, gradient, count);
                          }));
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
