//===- KilnGradients.cpp - Reverse-mode gradient rules of kiln ops ------===//
//
// Each op's `DifferentiableOpInterface::buildGradients`: the vector-Jacobian
// product for its operands, built from kiln ops. `kiln-autodiff` calls these
// and only these; there is no central table of rules.
//
// Conventions: `dz` is the cotangent of the result, `operandGrads` gets one
// entry per operand (null when not needed or not differentiable). Ties and
// non-smooth points follow PyTorch (max/min split ties evenly, relu and abs
// have derivative 0 at 0, reduce_max spreads over all maxima).
//
//===----------------------------------------------------------------------===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln;

namespace {

using GradientBuilder = TensorArithmetic;

/// Runs `rule` to fill the single operand's gradient of a unary op.
template <typename Rule>
LogicalResult unaryGradient(Operation *op, OpBuilder &builder,
                            ArrayRef<Value> resultGrads, ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads, Rule rule) {
  GradientBuilder g{builder, op->getLoc()};
  operandGrads.push_back(
      needed[0] && resultGrads[0]
          ? rule(g, op->getOperand(0), op->getResult(0), resultGrads[0])
          : Value());
  return success();
}

/// Fills both gradients of a binary op; `rule(g, lhs, rhs, z, dz, which)`
/// builds the gradient of operand `which`.
template <typename Rule>
LogicalResult binaryGradient(Operation *op, OpBuilder &builder,
                             ArrayRef<Value> resultGrads, ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads, Rule rule) {
  GradientBuilder g{builder, op->getLoc()};
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  for (unsigned which = 0; which < 2; ++which)
    operandGrads.push_back(
        needed[which] && resultGrads[0]
            ? rule(g, lhs, rhs, op->getResult(0), resultGrads[0], which)
            : Value());
  return success();
}

/// Gradients of max (or min when `isMax` is false): the cotangent goes to
/// the larger operand; ties split it evenly.
LogicalResult extremumGradients(Operation *op, OpBuilder &builder,
                                ArrayRef<Value> resultGrads,
                                ArrayRef<bool> needed,
                                SmallVectorImpl<Value> &operandGrads,
                                bool isMax) {
  return binaryGradient(
      op, builder, resultGrads, needed, operandGrads,
      [isMax](GradientBuilder &g, Value lhs, Value rhs, Value, Value dz,
              unsigned which) {
        Value self = which == 0 ? lhs : rhs, other = which == 0 ? rhs : lhs;
        Value wins = g.cmp(isMax ? ComparePredicate::gt : ComparePredicate::lt,
                           self, other);
        Value ties = g.cmp(ComparePredicate::eq, self, other);
        return g.select(wins, dz,
                        g.select(ties, g.scale(dz, 0.5), g.zerosLike(dz)));
      });
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return binaryGradient(*this, builder, resultGrads, needed, operandGrads,
                        [](GradientBuilder &, Value, Value, Value, Value dz,
                           unsigned) { return dz; });
}

LogicalResult SubOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return binaryGradient(
      *this, builder, resultGrads, needed, operandGrads,
      [](GradientBuilder &g, Value, Value, Value, Value dz, unsigned which) {
        return which == 0 ? dz : g.neg(dz);
      });
}

LogicalResult MulOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return binaryGradient(
      *this, builder, resultGrads, needed, operandGrads,
      [](GradientBuilder &g, Value lhs, Value rhs, Value, Value dz,
         unsigned which) { return g.mul(dz, which == 0 ? rhs : lhs); });
}

LogicalResult DivOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  // z = a / b: dz/da = 1 / b, dz/db = -a / b^2 = -z / b.
  return binaryGradient(*this, builder, resultGrads, needed, operandGrads,
                        [](GradientBuilder &g, Value, Value rhs, Value z,
                           Value dz, unsigned which) {
                          if (which == 0)
                            return g.div(dz, rhs);
                          return g.neg(g.div(g.mul(dz, z), rhs));
                        });
}

LogicalResult MaxOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return extremumGradients(*this, builder, resultGrads, needed, operandGrads,
                           /*isMax=*/true);
}

LogicalResult MinOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  return extremumGradients(*this, builder, resultGrads, needed, operandGrads,
                           /*isMax=*/false);
}

LogicalResult PowOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  // z = a^b: dz/da = b * a^(b-1), dz/db = z * log(a). As in PyTorch, the
  // first is 0 where b == 0 and the second is 0 where a == 0 and b >= 0
  // (instead of 0 * inf = NaN).
  return binaryGradient(
      *this, builder, resultGrads, needed, operandGrads,
      [](GradientBuilder &g, Value a, Value b, Value z, Value dz,
         unsigned which) {
        Value zero = g.zerosLike(dz);
        if (which == 0) {
          Value power = PowOp::create(g.b, g.loc, a, g.sub(b, g.splat(b, 1)));
          Value da = g.mul(dz, g.mul(b, power));
          return g.select(g.cmp(ComparePredicate::eq, b, zero), zero, da);
        }
        Value db = g.mul(dz, g.mul(z, LogOp::create(g.b, g.loc, a)));
        Value baseZero = g.cmp(ComparePredicate::eq, a, zero);
        Value expNonNeg = g.cmp(ComparePredicate::ge, b, zero);
        return g.select(baseZero, g.select(expNonNeg, zero, db), db);
      });
}

LogicalResult CompareOp::buildGradients(OpBuilder &, ArrayRef<Value>,
                                        ArrayRef<bool>,
                                        SmallVectorImpl<Value> &operandGrads) {
  // Piecewise constant: no gradient flows to either operand.
  operandGrads.append(2, Value());
  return success();
}

LogicalResult SelectOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  GradientBuilder g{builder, getLoc()};
  Value dz = resultGrads[0];
  operandGrads.push_back(Value()); // The condition is not differentiable.
  operandGrads.push_back(
      needed[1] ? g.select(getCondition(), dz, g.zerosLike(dz)) : Value());
  operandGrads.push_back(
      needed[2] ? g.select(getCondition(), g.zerosLike(dz), dz) : Value());
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

#define KILN_UNARY_GRADIENT(Op, ...)                                           \
  LogicalResult Op::buildGradients(                                            \
      OpBuilder &builder, ArrayRef<Value> resultGrads, ArrayRef<bool> needed,  \
      SmallVectorImpl<Value> &operandGrads) {                                  \
    return unaryGradient(*this, builder, resultGrads, needed, operandGrads, [  \
    ](GradientBuilder & g, Value x, Value z, Value dz) -> Value __VA_ARGS__);  \
  }

KILN_UNARY_GRADIENT(NegOp, { return g.neg(dz); })
KILN_UNARY_GRADIENT(AbsOp, {
  // sign(x) * dz, with sign(0) = 0.
  Value zero = g.zerosLike(dz);
  return g.select(
      g.cmp(ComparePredicate::gt, x, zero), dz,
      g.select(g.cmp(ComparePredicate::lt, x, zero), g.neg(dz), zero));
})
KILN_UNARY_GRADIENT(ExpOp, { return g.mul(dz, z); })
KILN_UNARY_GRADIENT(LogOp, { return g.div(dz, x); })
// d sqrt(x) = 1 / (2 sqrt(x)).
KILN_UNARY_GRADIENT(SqrtOp, { return g.div(g.scale(dz, 0.5), z); })
// d x^(-1/2) = -1/2 x^(-3/2) = -1/2 z^3.
KILN_UNARY_GRADIENT(RsqrtOp,
                    { return g.mul(g.scale(dz, -0.5), g.mul(z, g.mul(z, z))); })
KILN_UNARY_GRADIENT(TanhOp,
                    { return g.mul(dz, g.sub(g.splat(z, 1), g.mul(z, z))); })
KILN_UNARY_GRADIENT(SigmoidOp,
                    { return g.mul(dz, g.mul(z, g.sub(g.splat(z, 1), z))); })
KILN_UNARY_GRADIENT(ReluOp, {
  Value zero = g.zerosLike(dz);
  return g.select(g.cmp(ComparePredicate::gt, x, zero), dz, zero);
})
#undef KILN_UNARY_GRADIENT

LogicalResult CastOp::buildGradients(OpBuilder &builder,
                                     ArrayRef<Value> resultGrads,
                                     ArrayRef<bool> needed,
                                     SmallVectorImpl<Value> &operandGrads) {
  // Only a float-to-float cast carries a gradient; it casts back.
  Type from = getInput().getType().getElementType();
  bool differentiable =
      isa<FloatType>(from) && isa<FloatType>(getType().getElementType());
  operandGrads.push_back(
      needed[0] && differentiable
          ? Value(CastOp::create(builder, getLoc(), resultGrads[0], from))
          : Value());
  return success();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult
BroadcastOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                            ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(needed[0] ? buildSumToShape(builder, getLoc(),
                                                     resultGrads[0],
                                                     getInput().getType())
                                   : Value());
  return success();
}

LogicalResult ReshapeOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGrads,
                                        ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      needed[0] ? Value(ReshapeOp::create(builder, getLoc(), resultGrads[0],
                                          getInput().getType().getShape()))
                : Value());
  return success();
}

LogicalResult
TransposeOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                            ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads) {
  if (!needed[0]) {
    operandGrads.push_back(Value());
    return success();
  }
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  operandGrads.push_back(
      TransposeOp::create(builder, getLoc(), resultGrads[0], inverse));
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  // Each operand's gradient is its slab of the result's cotangent.
  auto resultType = getType();
  int64_t axis = getAxis(), offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    int64_t size = cast<RankedTensorType>(input.getType()).getDimSize(axis);
    if (needed[i]) {
      SmallVector<int64_t> start(resultType.getRank(), 0);
      SmallVector<int64_t> limit(resultType.getShape());
      SmallVector<int64_t> stride(resultType.getRank(), 1);
      start[axis] = offset;
      limit[axis] = offset + size;
      operandGrads.push_back(SliceOp::create(builder, getLoc(), resultGrads[0],
                                             start, limit, stride));
    } else {
      operandGrads.push_back(Value());
    }
    offset += size;
  }
  return success();
}

LogicalResult SliceOp::buildGradients(OpBuilder &builder,
                                      ArrayRef<Value> resultGrads,
                                      ArrayRef<bool> needed,
                                      SmallVectorImpl<Value> &operandGrads) {
  // Scatter the cotangent back with zeros around and between the taken
  // elements: a pad whose interior padding is stride - 1.
  return unaryGradient(
      *this, builder, resultGrads, needed, operandGrads,
      [&](GradientBuilder &g, Value x, Value z, Value dz) -> Value {
        auto in = cast<RankedTensorType>(x.getType());
        auto out = cast<RankedTensorType>(z.getType());
        SmallVector<int64_t> low, high, interior;
        for (int64_t d = 0; d < in.getRank(); ++d) {
          int64_t taken = out.getDimSize(d), stride = getStride()[d];
          int64_t span = taken > 0 ? (taken - 1) * stride + 1 : 0;
          low.push_back(getStart()[d]);
          high.push_back(in.getDimSize(d) - getStart()[d] - span);
          interior.push_back(stride - 1);
        }
        return PadOp::create(g.b, g.loc, dz, low, high, interior,
                             llvm::APFloat(0.0));
      });
}

LogicalResult PadOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  // The input's elements sit at low + i * (interior + 1).
  return unaryGradient(
      *this, builder, resultGrads, needed, operandGrads,
      [&](GradientBuilder &g, Value x, Value, Value dz) -> Value {
        auto in = cast<RankedTensorType>(x.getType());
        SmallVector<int64_t> start, limit, stride;
        for (int64_t d = 0; d < in.getRank(); ++d) {
          int64_t size = in.getDimSize(d), step = getInterior()[d] + 1;
          start.push_back(getLow()[d]);
          limit.push_back(getLow()[d] + (size > 0 ? (size - 1) * step + 1 : 0));
          stride.push_back(step);
        }
        return SliceOp::create(g.b, g.loc, dz, start, limit, stride);
      });
}

//===----------------------------------------------------------------------===//
// Contraction
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  // C = op(A) op(B), op transposing the last two dimensions when its flag is
  // set. d op(A) = dC op(B)^T and d op(B) = op(A)^T dC; each is written as
  // one matmul with transpose flags instead of explicit transposes.
  Value a = getLhs(), b = getRhs(), dc = resultGrads[0];
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  Location loc = getLoc();
  Value da, db;
  if (needed[0])
    da = ta ? MatmulOp::create(builder, loc, b, dc, tb, true)
            : MatmulOp::create(builder, loc, dc, b, false, !tb);
  if (needed[1])
    db = tb ? MatmulOp::create(builder, loc, dc, a, true, ta)
            : MatmulOp::create(builder, loc, a, dc, !ta, false);
  operandGrads.push_back(da);
  operandGrads.push_back(db);
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

LogicalResult
ReduceSumOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                            ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads) {
  GradientBuilder g{builder, getLoc()};
  operandGrads.push_back(
      needed[0] ? g.expand(resultGrads[0], getInput(), getAxes(), getKeepdims())
                : Value());
  return success();
}

LogicalResult
ReduceMeanOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  if (!needed[0]) {
    operandGrads.push_back(Value());
    return success();
  }
  GradientBuilder g{builder, getLoc()};
  int64_t count = 1;
  for (int64_t axis : getAxes())
    count *= getInput().getType().getDimSize(axis);
  Value spread = g.expand(resultGrads[0], getInput(), getAxes(), getKeepdims());
  operandGrads.push_back(g.scale(spread, count ? 1.0 / count : 0.0));
  return success();
}

LogicalResult
ReduceMaxOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                            ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads) {
  if (!needed[0]) {
    operandGrads.push_back(Value());
    return success();
  }
  // Every element equal to the maximum gets an equal share.
  GradientBuilder g{builder, getLoc()};
  Value x = getInput();
  Value isMax = g.cmp(ComparePredicate::eq, x,
                      g.expand(getResult(), x, getAxes(), getKeepdims()));
  Value ones =
      CastOp::create(builder, getLoc(), isMax, getType().getElementType());
  Value count = ReduceSumOp::create(builder, getLoc(), ones, getAxes(),
                                    /*keepdims=*/true);
  Value share = g.div(g.expand(resultGrads[0], x, getAxes(), getKeepdims()),
                      g.expand(count, x, getAxes(), /*keepdims=*/true));
  operandGrads.push_back(g.select(isMax, share, g.zerosLike(share)));
  return success();
}

LogicalResult SoftmaxOp::buildGradients(OpBuilder &builder,
                                        ArrayRef<Value> resultGrads,
                                        ArrayRef<bool> needed,
                                        SmallVectorImpl<Value> &operandGrads) {
  // y = softmax(x): dx = y * (dy - sum(dy * y)).
  return unaryGradient(*this, builder, resultGrads, needed, operandGrads,
                       [axis = static_cast<int64_t>(getAxis())](
                           GradientBuilder &g, Value, Value y, Value dy) {
                         Value dot = g.expand(g.sumKeep(g.mul(dy, y), axis), y,
                                              {axis}, true);
                         return g.mul(y, g.sub(dy, dot));
                       });
}

LogicalResult
LogSoftmaxOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // y = log_softmax(x): dx = dy - softmax(x) * sum(dy).
  return unaryGradient(
      *this, builder, resultGrads, needed, operandGrads,
      [axis = static_cast<int64_t>(getAxis())](GradientBuilder &g, Value,
                                               Value y, Value dy) {
        Value total = g.expand(g.sumKeep(dy, axis), y, {axis}, true);
        return g.sub(dy, g.mul(ExpOp::create(g.b, g.loc, y), total));
      });
}
