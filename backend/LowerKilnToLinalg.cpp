//===- LowerKilnToLinalg.cpp - kiln -> linalg/tensor/arith/math ---------===//
//
// Each kiln op becomes destination-style tensor IR. Elementwise ops share
// one mechanism: a linalg.generic over identity maps whose body is the
// op's scalar computation (scalarFor below). Contractions, transposes and
// reductions use the named linalg ops.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERTOLINALG
#include "backend/Passes.h.inc"
} // namespace kiln

using namespace kiln;

namespace {

bool isFloat(Type type) { return isa<FloatType>(type); }

Value constantLike(OpBuilder &b, Location loc, Type type, double value) {
  if (isFloat(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

/// tensor.empty + linalg.fill: the initial value of a reduction or matmul.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value scalar) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

/// A linalg.generic computing `result[i] = fn(inputs[i]...)`, where each
/// input is read through its map (identity, or broadcasting).
Value buildGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                   ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  int64_t rank = resultType.getRank();
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, fn(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

Value buildElementwise(
    OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  SmallVector<AffineMap> maps(inputs.size(),
                              b.getMultiDimIdentityMap(resultType.getRank()));
  return buildGeneric(b, loc, resultType, inputs, maps, fn);
}

//===----------------------------------------------------------------------===//
// Scalar bodies of elementwise ops
//===----------------------------------------------------------------------===//

/// Integer division that cannot trap: x / 0 is 0 (as NumPy returns), and
/// INT_MIN / -1 wraps instead of raising SIGFPE.
Value safeIntDiv(OpBuilder &b, Location loc, Value x, Value y) {
  Type type = x.getType();
  Value zero = constantLike(b, loc, type, 0);
  Value one = constantLike(b, loc, type, 1);
  Value minusOne = constantLike(b, loc, type, -1);
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
  Value isMinusOne =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, minusOne);
  Value unsafe = arith::OrIOp::create(b, loc, isZero, isMinusOne);
  Value divisor = arith::SelectOp::create(b, loc, unsafe, one, y);
  Value quotient = arith::DivSIOp::create(b, loc, x, divisor);
  Value negated = arith::SubIOp::create(b, loc, zero, x);
  Value result = arith::SelectOp::create(b, loc, isMinusOne, negated, quotient);
  return arith::SelectOp::create(b, loc, isZero, zero, result);
}

template <typename FOp, typename IOp>
Value floatOrInt(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0].getType()))
    return FOp::create(b, loc, args);
  return IOp::create(b, loc, args);
}

Value scalarFor(AddOp, OpBuilder &b, Location l, ValueRange a) {
  return floatOrInt<arith::AddFOp, arith::AddIOp>(b, l, a);
}
Value scalarFor(SubOp, OpBuilder &b, Location l, ValueRange a) {
  return floatOrInt<arith::SubFOp, arith::SubIOp>(b, l, a);
}
Value scalarFor(MulOp, OpBuilder &b, Location l, ValueRange a) {
  return floatOrInt<arith::MulFOp, arith::MulIOp>(b, l, a);
}
Value scalarFor(DivOp, OpBuilder &b, Location l, ValueRange a) {
  if (isFloat(a[0].getType()))
    return arith::DivFOp::create(b, l, a[0], a[1]);
  return safeIntDiv(b, l, a[0], a[1]);
}
Value scalarFor(MaxOp, OpBuilder &b, Location l, ValueRange a) {
  return floatOrInt<arith::MaximumFOp, arith::MaxSIOp>(b, l, a);
}
Value scalarFor(MinOp, OpBuilder &b, Location l, ValueRange a) {
  return floatOrInt<arith::MinimumFOp, arith::MinSIOp>(b, l, a);
}
/// Integer power. A negative exponent gives the truncated reciprocal: 1 for
/// base 1, +-1 for base -1 (by parity), 0 otherwise, including base 0 (as
/// integer division by zero gives 0).
Value safeIntPow(OpBuilder &b, Location loc, Value x, Value n) {
  Type type = x.getType();
  Value zero = constantLike(b, loc, type, 0);
  Value one = constantLike(b, loc, type, 1);
  Value minusOne = constantLike(b, loc, type, -1);
  using P = arith::CmpIPredicate;
  Value negative = arith::CmpIOp::create(b, loc, P::slt, n, zero);
  Value oddN = arith::CmpIOp::create(
      b, loc, P::ne, arith::AndIOp::create(b, loc, n, one), zero);
  Value isOne = arith::CmpIOp::create(b, loc, P::eq, x, one);
  Value isMinusOne = arith::CmpIOp::create(b, loc, P::eq, x, minusOne);
  Value signOfMinusOne = arith::SelectOp::create(b, loc, oddN, minusOne, one);
  Value reciprocal = arith::SelectOp::create(
      b, loc, isOne, one,
      arith::SelectOp::create(b, loc, isMinusOne, signOfMinusOne, zero));
  Value power = math::IPowIOp::create(b, loc, x, n);
  return arith::SelectOp::create(b, loc, negative, reciprocal, power);
}

Value scalarFor(PowOp, OpBuilder &b, Location l, ValueRange a) {
  if (isFloat(a[0].getType()))
    return math::PowFOp::create(b, l, a[0], a[1]);
  return safeIntPow(b, l, a[0], a[1]);
}
Value scalarFor(NegOp, OpBuilder &b, Location l, ValueRange a) {
  if (isFloat(a[0].getType()))
    return arith::NegFOp::create(b, l, a[0]);
  return arith::SubIOp::create(b, l, constantLike(b, l, a[0].getType(), 0),
                               a[0]);
}
Value scalarFor(AbsOp, OpBuilder &b, Location l, ValueRange a) {
  return floatOrInt<math::AbsFOp, math::AbsIOp>(b, l, a);
}
Value scalarFor(ExpOp, OpBuilder &b, Location l, ValueRange a) {
  return math::ExpOp::create(b, l, a[0]);
}
Value scalarFor(LogOp, OpBuilder &b, Location l, ValueRange a) {
  return math::LogOp::create(b, l, a[0]);
}
Value scalarFor(SqrtOp, OpBuilder &b, Location l, ValueRange a) {
  return math::SqrtOp::create(b, l, a[0]);
}
Value scalarFor(RsqrtOp, OpBuilder &b, Location l, ValueRange a) {
  return math::RsqrtOp::create(b, l, a[0]);
}
Value scalarFor(TanhOp, OpBuilder &b, Location l, ValueRange a) {
  return math::TanhOp::create(b, l, a[0]);
}
Value scalarFor(ErfOp, OpBuilder &b, Location l, ValueRange a) {
  // convert-math-to-libm makes it a call of erf / erff.
  return math::ErfOp::create(b, l, a[0]);
}
Value scalarFor(SigmoidOp, OpBuilder &b, Location l, ValueRange a) {
  // 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving the
  // correct limit 0.
  Type type = a[0].getType();
  Value one = constantLike(b, l, type, 1.0);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, a[0]));
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}
Value scalarFor(ReluOp, OpBuilder &b, Location l, ValueRange a) {
  Value zero = constantLike(b, l, a[0].getType(), 0);
  if (isFloat(a[0].getType()))
    return arith::MaximumFOp::create(b, l, a[0], zero);
  return arith::MaxSIOp::create(b, l, a[0], zero);
}

Value scalarCompare(ComparePredicate predicate, OpBuilder &b, Location l,
                    Value x, Value y) {
  Type type = x.getType();
  if (isFloat(type)) {
    // Ordered comparisons, except `ne`: NaN != anything is true (IEEE 754).
    arith::CmpFPredicate p = arith::CmpFPredicate::OEQ;
    switch (predicate) {
    case ComparePredicate::eq:
      p = arith::CmpFPredicate::OEQ;
      break;
    case ComparePredicate::ne:
      p = arith::CmpFPredicate::UNE;
      break;
    case ComparePredicate::lt:
      p = arith::CmpFPredicate::OLT;
      break;
    case ComparePredicate::le:
      p = arith::CmpFPredicate::OLE;
      break;
    case ComparePredicate::gt:
      p = arith::CmpFPredicate::OGT;
      break;
    case ComparePredicate::ge:
      p = arith::CmpFPredicate::OGE;
      break;
    }
    return arith::CmpFOp::create(b, l, p, x, y);
  }
  // i1 compares as unsigned so that false < true; wider integers as signed.
  bool isBool = type.isInteger(1);
  arith::CmpIPredicate p = arith::CmpIPredicate::eq;
  switch (predicate) {
  case ComparePredicate::eq:
    p = arith::CmpIPredicate::eq;
    break;
  case ComparePredicate::ne:
    p = arith::CmpIPredicate::ne;
    break;
  case ComparePredicate::lt:
    p = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case ComparePredicate::le:
    p = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case ComparePredicate::gt:
    p = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case ComparePredicate::ge:
    p = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return arith::CmpIOp::create(b, l, p, x, y);
}

/// Float to integer, truncating toward zero and saturating at the integer
/// range; NaN gives 0. (A bare fptosi is poison out of range.)
Value saturatingFPToSI(OpBuilder &b, Location l, Value x, Type to) {
  Type from = x.getType();
  unsigned bits = to.getIntOrFloatBitWidth();
  // +-2^(bits-1) are exact in any float format.
  double limit = std::ldexp(1.0, bits - 1);
  Value low = constantLike(b, l, from, -limit);
  Value high = constantLike(b, l, from, limit);
  Value min = arith::ConstantOp::create(
      b, l, b.getIntegerAttr(to, APInt::getSignedMinValue(bits)));
  Value max = arith::ConstantOp::create(
      b, l, b.getIntegerAttr(to, APInt::getSignedMaxValue(bits)));
  using P = arith::CmpFPredicate;
  Value truncated = arith::FPToSIOp::create(b, l, to, x);
  Value tooLow = arith::CmpFOp::create(b, l, P::OLT, x, low);
  Value tooHigh = arith::CmpFOp::create(b, l, P::OGE, x, high);
  Value isNaN = arith::CmpFOp::create(b, l, P::UNO, x, x);
  Value result = arith::SelectOp::create(
      b, l, tooHigh, max,
      arith::SelectOp::create(b, l, tooLow, min, truncated));
  return arith::SelectOp::create(b, l, isNaN, constantLike(b, l, to, 0),
                                 result);
}

Value scalarCast(OpBuilder &b, Location l, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    // Non-zero is true, as NumPy's astype(bool); NaN is true too.
    Value zero = constantLike(b, l, from, 0);
    if (isFloat(from))
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, x, zero);
  }
  bool fromFloat = isFloat(from), toFloat = isFloat(to);
  if (fromFloat && toFloat) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, l, to, x);
    return arith::TruncFOp::create(b, l, to, x);
  }
  if (fromFloat)
    return saturatingFPToSI(b, l, x, to);
  bool fromBool = from.isInteger(1);
  if (toFloat)
    return fromBool ? Value(arith::UIToFPOp::create(b, l, to, x))
                    : Value(arith::SIToFPOp::create(b, l, to, x));
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return fromBool ? Value(arith::ExtUIOp::create(b, l, to, x))
                    : Value(arith::ExtSIOp::create(b, l, to, x));
  return arith::TruncIOp::create(b, l, to, x);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), type, adaptor.getOperands(),
                             [&](OpBuilder &b, Location l, ValueRange args) {
                               return scalarFor(op, b, l, args);
                             }));
    return success();
  }
};

struct CompareLowering : OpConversionPattern<CompareOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CompareOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             adaptor.getOperands(),
                             [&](OpBuilder &b, Location l, ValueRange args) {
                               return scalarCompare(op.getPredicate(), b, l,
                                                    args[0], args[1]);
                             }));
    return success();
  }
};

struct SelectLowering : OpConversionPattern<SelectOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             adaptor.getOperands(),
                             [](OpBuilder &b, Location l, ValueRange args) {
                               return arith::SelectOp::create(b, l, args[0],
                                                              args[1], args[2]);
                             }));
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type to = op.getType().getElementType();
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), op.getType(),
                             adaptor.getOperands(),
                             [&](OpBuilder &b, Location l, ValueRange args) {
                               return scalarCast(b, l, args[0], to);
                             }));
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValueAttr()));
    return success();
  }
};

/// NumPy broadcasting as an indexing map: dimensions of size 1 that grow
/// read index 0; missing leading dimensions are simply not read.
struct BroadcastLowering : OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    auto out = op.getType();
    int64_t lead = out.getRank() - in.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < in.getRank(); ++i) {
      bool grows = in.getDimSize(i) == 1 && out.getDimSize(lead + i) != 1;
      exprs.push_back(grows ? rewriter.getAffineConstantExpr(0)
                            : rewriter.getAffineDimExpr(lead + i));
    }
    auto map = AffineMap::get(out.getRank(), 0, exprs, rewriter.getContext());
    rewriter.replaceOp(
        op, buildGeneric(rewriter, op.getLoc(), out, adaptor.getInput(), {map},
                         [](OpBuilder &, Location, ValueRange args) {
                           return args[0];
                         }));
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto out = op.getType();
    auto shapeType =
        RankedTensorType::get({out.getRank()}, rewriter.getI64Type());
    Value shape = arith::ConstantOp::create(
        rewriter, op.getLoc(),
        DenseIntElementsAttr::get(shapeType, out.getShape()));
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, out, adaptor.getInput(),
                                                   shape);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto out = op.getType();
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), out.getShape(),
                                         out.getElementType());
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto out = op.getType();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, out, adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
        op.getStart(), out.getShape(), op.getStride());
    return success();
  }
};

/// Fill with the padding value, then insert the input with a stride of
/// interior + 1.
struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    Value value =
        constantLike(rewriter, op.getLoc(), op.getType().getElementType(),
                     op.getValue().convertToDouble());
    Value filled = filledTensor(rewriter, op.getLoc(), op.getType(), value);
    SmallVector<int64_t> strides;
    for (int64_t interior : op.getInterior())
      strides.push_back(interior + 1);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getInput(), filled, ValueRange{}, ValueRange{},
        ValueRange{}, op.getLow(), in.getShape(), strides);
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto out = op.getType();
    int64_t axis = op.getAxis();
    Value result = tensor::EmptyOp::create(
        rewriter, op.getLoc(), out.getShape(), out.getElementType());
    SmallVector<int64_t> offsets(out.getRank(), 0);
    SmallVector<int64_t> strides(out.getRank(), 1);
    for (Value input : adaptor.getInputs()) {
      auto type = cast<RankedTensorType>(input.getType());
      result = tensor::InsertSliceOp::create(
          rewriter, op.getLoc(), input, result, ValueRange{}, ValueRange{},
          ValueRange{}, offsets, type.getShape(), strides);
      offsets[axis] += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// 2-D matmul -> linalg.matmul, batched -> linalg.batch_matmul (leading batch
/// dimensions collapsed into one); transposes are folded into the indexing
/// maps rather than materialized.
struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto out = op.getType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    int64_t rank = out.getRank();
    MLIRContext *ctx = rewriter.getContext();

    // Collapse B1 x B2 x ... into one batch dimension.
    RankedTensorType resultType = out;
    SmallVector<ReassociationIndices> batchReassoc(3);
    if (rank > 3) {
      for (int64_t i = 0; i < rank - 2; ++i)
        batchReassoc[0].push_back(i);
      batchReassoc[1] = {rank - 2};
      batchReassoc[2] = {rank - 1};
      lhs = tensor::CollapseShapeOp::create(rewriter, loc, lhs, batchReassoc);
      rhs = tensor::CollapseShapeOp::create(rewriter, loc, rhs, batchReassoc);
      int64_t batch = 1;
      for (int64_t i = 0; i < rank - 2; ++i)
        batch *= out.getDimSize(i);
      resultType = out.clone(
          {batch, out.getDimSize(rank - 2), out.getDimSize(rank - 1)});
    }

    Value zero = constantLike(rewriter, loc, out.getElementType(), 0);
    Value init = filledTensor(rewriter, loc, resultType, zero);
    bool batched = resultType.getRank() == 3;
    unsigned nd = batched ? 4 : 3;
    // Loop order (batch?, m, n, k).
    unsigned b0 = batched ? 1 : 0;
    AffineExpr m = getAffineDimExpr(b0, ctx), n = getAffineDimExpr(b0 + 1, ctx),
               k = getAffineDimExpr(b0 + 2, ctx);
    auto withBatch = [&](AffineExpr x, AffineExpr y) {
      SmallVector<AffineExpr> exprs;
      if (batched)
        exprs.push_back(getAffineDimExpr(0, ctx));
      exprs.push_back(x);
      exprs.push_back(y);
      return AffineMap::get(nd, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = {
        op.getTransposeLhs() ? withBatch(k, m) : withBatch(m, k),
        op.getTransposeRhs() ? withBatch(n, k) : withBatch(k, n),
        withBatch(m, n)};
    Value result;
    if (batched) {
      auto mm =
          linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{resultType},
                                        ValueRange{lhs, rhs}, ValueRange{init});
      mm.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      result = mm.getResult(0);
    } else {
      auto mm =
          linalg::MatmulOp::create(rewriter, loc, TypeRange{resultType},
                                   ValueRange{lhs, rhs}, ValueRange{init});
      mm.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      result = mm.getResult(0);
    }
    if (rank > 3)
      result = tensor::ExpandShapeOp::create(rewriter, loc, out, result,
                                             batchReassoc);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Re-inserts the reduced dimensions as size 1 (keepdims): each kept
/// dimension absorbs the unit dimensions that follow it (the leading ones go
/// to the first group).
Value expandReducedDims(OpBuilder &b, Location loc, Value reduced,
                        RankedTensorType keepType, ArrayRef<int64_t> axes) {
  SmallVector<ReassociationIndices> reassoc;
  ReassociationIndices pending;
  for (int64_t d = 0; d < keepType.getRank(); ++d) {
    pending.push_back(d);
    if (!llvm::is_contained(axes, d)) {
      reassoc.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !reassoc.empty())
    reassoc.back().append(pending.begin(), pending.end());
  return tensor::ExpandShapeOp::create(b, loc, keepType, reduced, reassoc);
}

template <typename OpTy> struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto in = cast<RankedTensorType>(op.getInput().getType());
    auto out = cast<RankedTensorType>(op.getType());
    Type elementType = in.getElementType();
    SmallVector<int64_t> axes(op.getAxes());
    llvm::sort(axes);
    SmallVector<int64_t> reducedShape;
    int64_t count = 1;
    for (int64_t d = 0; d < in.getRank(); ++d) {
      if (llvm::is_contained(axes, d))
        count *= in.getDimSize(d);
      else
        reducedShape.push_back(in.getDimSize(d));
    }
    auto reducedType = in.clone(reducedShape);
    constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;

    Value identity;
    if constexpr (isMax) {
      if (auto ft = dyn_cast<FloatType>(elementType))
        identity = arith::ConstantOp::create(
            rewriter, loc,
            rewriter.getFloatAttr(
                ft, APFloat::getInf(ft.getFloatSemantics(), true)));
      else
        identity = arith::ConstantOp::create(
            rewriter, loc,
            rewriter.getIntegerAttr(
                elementType,
                APInt::getSignedMinValue(elementType.getIntOrFloatBitWidth())));
    } else {
      identity = constantLike(rewriter, loc, elementType, 0);
    }
    Value init = filledTensor(rewriter, loc, reducedType, identity);
    auto reduce = linalg::ReduceOp::create(
        rewriter, loc, ValueRange{adaptor.getInput()}, ValueRange{init}, axes,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value next =
              isMax ? floatOrInt<arith::MaximumFOp, arith::MaxSIOp>(b, l, args)
                    : floatOrInt<arith::AddFOp, arith::AddIOp>(b, l, args);
          // A float sum may be reassociated, so that LLVM vectorizes it
          // (partial sums per lane, added at the end): a fixed order chosen
          // at compile time, the same on every run.
          if (auto add = next.getDefiningOp<arith::AddFOp>())
            add.setFastmath(arith::FastMathFlags::reassoc);
          linalg::YieldOp::create(b, l, next);
        });
    Value result = reduce.getResult(0);
    if constexpr (std::is_same_v<OpTy, ReduceMeanOp>) {
      Value n =
          constantLike(rewriter, loc, elementType, static_cast<double>(count));
      result =
          buildElementwise(rewriter, loc, reducedType, result,
                           [&](OpBuilder &b, Location l, ValueRange args) {
                             return arith::DivFOp::create(b, l, args[0], n);
                           });
    }
    if (reducedType != out)
      result = expandReducedDims(rewriter, loc, result, out, axes);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct KilnLowerToLinalgPass
    : kiln::impl::KilnLowerToLinalgBase<KilnLowerToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    populateDecompositionPatterns(patterns);
    populateKilnToLinalgPatterns(patterns);
    populateKilnNNToLinalgPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void kiln::populateKilnToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<MaxOp>, ElementwiseLowering<MinOp>,
               ElementwiseLowering<PowOp>, ElementwiseLowering<NegOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<RsqrtOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<SigmoidOp>, ElementwiseLowering<ReluOp>,
               CompareLowering, SelectLowering, CastLowering, ConstantLowering,
               BroadcastLowering, ReshapeLowering, TransposeLowering,
               SliceLowering, PadLowering, ConcatLowering, MatmulLowering,
               ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceMaxOp>>(patterns.getContext());
  patterns.add<ElementwiseLowering<ErfOp>>(patterns.getContext());
}
