//===- GradientBuilders.cpp - Builders shared by gradient rules ---------===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace kiln {

Value buildSplat(OpBuilder &builder, Location loc, RankedTensorType type,
                 double value) {
  Type element = type.getElementType();
  Attribute scalar;
  if (auto floatType = dyn_cast<FloatType>(element))
    scalar = builder.getFloatAttr(floatType, value);
  else
    scalar = builder.getIntegerAttr(element, static_cast<int64_t>(value));
  return ConstantOp::create(builder, loc, DenseElementsAttr::get(type, scalar));
}

Value buildSumToShape(OpBuilder &builder, Location loc, Value grad,
                      RankedTensorType target) {
  auto type = cast<RankedTensorType>(grad.getType());
  if (type == target)
    return grad;
  // Shapes align at their last dimension: leading dimensions that `target`
  // lacks, and dimensions where it has size 1, were broadcast.
  int64_t lead = type.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d < lead ||
        (target.getDimSize(d - lead) == 1 && type.getDimSize(d) != 1))
      axes.push_back(d);
  Value sum = grad;
  if (!axes.empty())
    sum = ReduceSumOp::create(builder, loc, grad, axes, /*keepdims=*/false);
  if (sum.getType() != target)
    sum = ReshapeOp::create(builder, loc, sum, target.getShape());
  return sum;
}

Value buildExpandReduced(OpBuilder &builder, Location loc, Value reduced,
                         RankedTensorType inputType, ArrayRef<int64_t> axes,
                         bool keepdims) {
  if (!keepdims) {
    SmallVector<int64_t> kept(inputType.getShape());
    for (int64_t axis : axes)
      kept[axis] = 1;
    reduced = ReshapeOp::create(builder, loc, reduced, kept);
  }
  if (cast<RankedTensorType>(reduced.getType()).getShape() ==
      inputType.getShape())
    return reduced;
  return BroadcastOp::create(builder, loc, reduced, inputType.getShape());
}

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value TensorArithmetic::splat(Value like, double value) {
  return buildSplat(b, loc, typeOf(like), value);
}
Value TensorArithmetic::add(Value x, Value y) {
  return AddOp::create(b, loc, x, y);
}
Value TensorArithmetic::sub(Value x, Value y) {
  return SubOp::create(b, loc, x, y);
}
Value TensorArithmetic::mul(Value x, Value y) {
  return MulOp::create(b, loc, x, y);
}
Value TensorArithmetic::div(Value x, Value y) {
  return DivOp::create(b, loc, x, y);
}
Value TensorArithmetic::neg(Value x) { return NegOp::create(b, loc, x); }
Value TensorArithmetic::cmp(ComparePredicate predicate, Value x, Value y) {
  return CompareOp::create(b, loc, predicate, x, y);
}
Value TensorArithmetic::select(Value condition, Value x, Value y) {
  return SelectOp::create(b, loc, condition, x, y);
}
Value TensorArithmetic::sumKeep(Value x, int64_t axis) {
  return ReduceSumOp::create(b, loc, x, ArrayRef<int64_t>{axis},
                             /*keepdims=*/true);
}
Value TensorArithmetic::expand(Value reduced, Value like,
                               ArrayRef<int64_t> axes, bool keepdims) {
  return buildExpandReduced(b, loc, reduced, typeOf(like), axes, keepdims);
}
Value TensorArithmetic::spread(Value scalar, Value like) {
  return BroadcastOp::create(b, loc, scalar, typeOf(like).getShape());
}

} // namespace kiln
