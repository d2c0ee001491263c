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
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/KilnDialect.h.inc"
#include "ir/KilnEnums.h.inc"

#define GET_OP_CLASSES
#include "ir/KilnOps.h.inc"

#endif // KILN_IR_KILN_H
