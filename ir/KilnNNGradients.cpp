//===- KilnNNGradients.cpp - Gradient rules of the NN kiln ops ----------===//
//
// `DifferentiableOpInterface::buildGradients` of the ops in KilnNNOps.td.
// Convolution and pooling differentiate into their backward ops. The
// backward ops that are linear in their operands (the convolution
// gradients, avg_pool2d_backward, scatter_add) get rules too, from the
// adjoint identities
//   <conv2d(x, w), dy> = <x, conv2d_backward_input(dy, w)>
//                      = <w, conv2d_backward_filter(x, dy)>,
// so a graph can be differentiated twice. max_pool2d_backward has no rule:
// its adjoint in dy (dy read back at each window's argmax) is no kiln op.
// Integer indices, the seed of random_uniform and non-float tables get no
// gradient.
//
//===----------------------------------------------------------------------===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

namespace {
/// `build()` for each needed operand, null for the others; `resultGrads[0]`
/// is the only cotangent (every op here has one result).
template <typename Build>
LogicalResult eachOperand(ArrayRef<Value> resultGrads, ArrayRef<bool> needed,
                          SmallVectorImpl<Value> &operandGrads,
                          ArrayRef<Build> builds) {
  for (auto [i, build] : llvm::enumerate(builds))
    operandGrads.push_back(
        needed[i] && resultGrads[0] && build ? build(resultGrads[0]) : Value());
  return success();
}

using Rule = std::function<Value(Value)>;

bool isFloatTensor(Value value) {
  return isa<FloatType>(
      cast<RankedTensorType>(value.getType()).getElementType());
}
} // namespace

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

namespace {
/// Builds the three convolution ops with the window attributes of `op`
/// (any of the three: they share stride, padding, dilation and groups).
struct ConvBuilder {
  OpBuilder &b;
  Location loc;
  DenseI64ArrayAttr stride, padding, dilation;
  IntegerAttr groups;

  template <typename OpTy>
  ConvBuilder(OpBuilder &b, OpTy op)
      : b(b), loc(op.getLoc()), stride(op.getStrideAttr()),
        padding(op.getPaddingAttr()), dilation(op.getDilationAttr()),
        groups(op.getGroupsAttr()) {}

  Value forward(Value x, Value w) {
    return Conv2DOp::create(b, loc, x, w, stride, padding, dilation, groups);
  }
  Value inputGrad(Type xType, Value dy, Value w) {
    return Conv2DBackwardInputOp::create(b, loc, xType, dy, w, stride, padding,
                                         dilation, groups);
  }
  Value filterGrad(Type wType, Value x, Value dy) {
    return Conv2DBackwardFilterOp::create(b, loc, wType, x, dy, stride, padding,
                                          dilation, groups);
  }
};
} // namespace

LogicalResult Conv2DOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  ConvBuilder conv(builder, *this);
  Rule input = [&](Value dy) {
    return conv.inputGrad(getInput().getType(), dy, getFilter());
  };
  Rule filter = [&](Value dy) {
    return conv.filterGrad(getFilter().getType(), getInput(), dy);
  };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {input, filter});
}

LogicalResult Conv2DBackwardInputOp::buildGradients(
    OpBuilder &builder, ArrayRef<Value> resultGrads, ArrayRef<bool> needed,
    SmallVectorImpl<Value> &operandGrads) {
  // dx = conv2d_backward_input(dy, w) is linear in dy (adjoint: conv2d)
  // and in w (adjoint: conv2d_backward_filter with g as the input).
  ConvBuilder conv(builder, *this);
  Rule dy = [&](Value g) { return conv.forward(g, getFilter()); };
  Rule filter = [&](Value g) {
    return conv.filterGrad(getFilter().getType(), g, getDy());
  };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {dy, filter});
}

LogicalResult Conv2DBackwardFilterOp::buildGradients(
    OpBuilder &builder, ArrayRef<Value> resultGrads, ArrayRef<bool> needed,
    SmallVectorImpl<Value> &operandGrads) {
  // dw = conv2d_backward_filter(x, dy): the adjoint in x is
  // conv2d_backward_input(dy, g), in dy it is conv2d(x, g).
  ConvBuilder conv(builder, *this);
  Rule input = [&](Value g) {
    return conv.inputGrad(getInput().getType(), getDy(), g);
  };
  Rule dy = [&](Value g) { return conv.forward(getInput(), g); };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {input, dy});
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult
MaxPool2DOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                            ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads) {
  Rule input = [&](Value dy) -> Value {
    return MaxPool2DBackwardOp::create(builder, getLoc(), getInput(), dy,
                                       getKernelAttr(), getStrideAttr(),
                                       getPaddingAttr(), getDilationAttr());
  };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {input});
}

LogicalResult
AvgPool2DOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                            ArrayRef<bool> needed,
                            SmallVectorImpl<Value> &operandGrads) {
  Rule input = [&](Value dy) -> Value {
    return AvgPool2DBackwardOp::create(builder, getLoc(), getInput().getType(),
                                       dy, getKernelAttr(), getStrideAttr(),
                                       getPaddingAttr());
  };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {input});
}

LogicalResult AvgPool2DBackwardOp::buildGradients(
    OpBuilder &builder, ArrayRef<Value> resultGrads, ArrayRef<bool> needed,
    SmallVectorImpl<Value> &operandGrads) {
  Rule dy = [&](Value g) -> Value {
    return AvgPool2DOp::create(builder, getLoc(), g, getKernelAttr(),
                               getStrideAttr(), getPaddingAttr());
  };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {dy});
}

//===----------------------------------------------------------------------===//
// Embedding lookup and random numbers
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::buildGradients(OpBuilder &builder,
                                       ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needed,
                                       SmallVectorImpl<Value> &operandGrads) {
  Rule table = [&](Value dy) -> Value {
    return ScatterAddOp::create(builder, getLoc(), getTable().getType(), dy,
                                getIndices());
  };
  return eachOperand<Rule>(
      resultGrads, needed, operandGrads,
      {isFloatTensor(getTable()) ? table : Rule(), Rule()});
}

LogicalResult
ScatterAddOp::buildGradients(OpBuilder &builder, ArrayRef<Value> resultGrads,
                             ArrayRef<bool> needed,
                             SmallVectorImpl<Value> &operandGrads) {
  // Out-of-range indices dropped their rows; gather reads zeros for them.
  Rule updates = [&](Value g) -> Value {
    return GatherOp::create(builder, getLoc(), g, getIndices());
  };
  return eachOperand<Rule>(
      resultGrads, needed, operandGrads,
      {isFloatTensor(getUpdates()) ? updates : Rule(), Rule()});
}

LogicalResult
RandomUniformOp::buildGradients(OpBuilder &, ArrayRef<Value>, ArrayRef<bool>,
                                SmallVectorImpl<Value> &operandGrads) {
  // The numbers do not depend differentiably on the (integer) seed.
  operandGrads.push_back(Value());
  return success();
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult ErfOp::buildGradients(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    ArrayRef<bool> needed,
                                    SmallVectorImpl<Value> &operandGrads) {
  // d erf(x) = 2 / sqrt(pi) * exp(-x^2).
  TensorArithmetic g{builder, getLoc()};
  Value x = getInput();
  Rule rule = [&](Value dy) {
    Value slope = g.scale(ExpOp::create(builder, getLoc(), g.neg(g.mul(x, x))),
                          2.0 / std::sqrt(M_PI));
    return g.mul(dy, slope);
  };
  return eachOperand<Rule>(resultGrads, needed, operandGrads, {rule});
}
