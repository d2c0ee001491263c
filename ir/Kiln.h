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

} // namespace kiln

#endif // KILN_IR_KILN_H
