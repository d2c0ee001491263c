//===- Kiln.h - The kiln dialect: public header -------------------*- C++
//-*-===//
//
// Everything a user of the kiln dialect needs: the dialect, its enums and
// its ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILN_H
#define KILN_IR_KILN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/KilnDialect.h.inc"
#include "ir/KilnEnums.h.inc"
#include "ir/KilnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "ir/KilnOps.h.inc"
#define GET_OP_CLASSES
#include "ir/KilnNNOps.h.inc"

namespace kiln {

// Builders shared by gradient rules and transformations. Each builds kiln
// ops at the builder's insertion point.

/// A constant tensor of `type` with every element equal to `value`.
mlir::Value buildSplat(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::RankedTensorType type, double value);

/// Sums `grad`, which has a shape `target` broadcasts to by NumPy rules,
/// back down to `target`'s shape: the adjoint of `kiln.broadcast`.
mlir::Value buildSumToShape(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value grad, mlir::RankedTensorType target);

/// Broadcasts `reduced`, the result of reducing a tensor of `inputType` over
/// `axes` (with or without kept dimensions), back to `inputType`'s shape.
mlir::Value buildExpandReduced(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::Value reduced,
                               mlir::RankedTensorType inputType,
                               llvm::ArrayRef<int64_t> axes, bool keepdims);

/// Elementwise arithmetic on kiln tensors that reads like the formulas it
/// builds (gradient rules, optimizer updates). Scalars are splatted to the
/// type of the tensor they combine with.
struct TensorArithmetic {
  mlir::OpBuilder &b;
  mlir::Location loc;

  mlir::Value splat(mlir::Value like, double value);
  mlir::Value zerosLike(mlir::Value like) { return splat(like, 0.0); }
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value div(mlir::Value x, mlir::Value y);
  mlir::Value neg(mlir::Value x);
  /// x * factor.
  mlir::Value scale(mlir::Value x, double factor) {
    return mul(x, splat(x, factor));
  }
  mlir::Value cmp(ComparePredicate predicate, mlir::Value x, mlir::Value y);
  mlir::Value select(mlir::Value condition, mlir::Value x, mlir::Value y);
  /// Sum over one axis, keeping it with size 1.
  mlir::Value sumKeep(mlir::Value x, int64_t axis);
  /// buildExpandReduced to the type of `like`.
  mlir::Value expand(mlir::Value reduced, mlir::Value like,
                     llvm::ArrayRef<int64_t> axes, bool keepdims);
  /// A rank-0 tensor broadcast to the shape of `like`.
  mlir::Value spread(mlir::Value scalar, mlir::Value like);
};

} // namespace kiln

#endif // KILN_IR_KILN_H
