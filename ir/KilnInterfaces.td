//===- KilnInterfaces.td - Interfaces of kiln ops ------------------------===//
//
// Op interfaces shared by every file of kiln ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_INTERFACES_TD
#define KILN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Kiln_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::kiln";
  let description = [{
    An op that knows its own reverse-mode derivative: given the cotangent
    of each result, it builds the vector-Jacobian product for its operands.
    `kiln-autodiff` walks a function backwards and asks each op on the path
    from the differentiated arguments to the loss; it never switches over
    op names, so a new op becomes differentiable by implementing this
    interface next to its definition.

    An op whose operands get no gradient (a comparison, an integer index)
    implements the interface and returns null cotangents: "not
    differentiable" is then a statement of the op, not a missing rule.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the cotangents of the operands at the builder's insertion
        point, after the op.

        `resultGrads` has one entry per result: the cotangent of that result
        (same type), or null when the result does not reach the loss.
        At least one entry is non-null.

        `needed[i]` says whether the cotangent of operand `i` is wanted; a
        rule should build nothing for the other operands.

        On success, `operandGrads` receives exactly one entry per operand:
        a value of the operand's type, or null when it is not needed or the
        operand is not differentiable (integer and boolean operands never
        are). On failure the rule has emitted an error on the op.
      }],
      "::llvm::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::ArrayRef<bool>":$needed,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // KILN_INTERFACES_TD
