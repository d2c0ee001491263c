//===- KilnDialect.td - The kiln dialect, its types and op base ---------===//
//
// The `kiln` dialect: a static-shape tensor graph language. Everything that
// is shared by the op definitions (the dialect itself, element and tensor
// type constraints, enums, the op base class) lives here.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Static-shape tensor graphs for deep-learning models";
  let description = [{
    The `kiln` dialect is the IR of a Kiln model: a function over ranked,
    statically shaped tensors of `f32`, `f64`, `i32`, `i64` or `i1`.

    Design rules:
    * Elementwise ops take operands of one shape. Broadcasting is explicit:
      the builder and the importers insert `kiln.broadcast`, so every
      elementwise op stays simple and the gradient of a broadcast is, by
      construction, a reduce-sum.
    * Result types are inferred from operands and attributes. Ops whose
      result is a *target* (broadcast, reshape, cast) take it from their
      result type, which the builder computes from the requested shape or
      element type.
    * Verifiers name the operand and the shapes involved, so a malformed
      graph is reported at the op that built it.
  }];
  let hasConstantMaterializer = 1;
  // Function argument and result attributes (verified in KilnDialect.cpp):
  // `kiln.name` names them for the runtime (kiln-run --input name=...,
  // error messages); `kiln.parameter` and `kiln.buffer` mark a model's
  // trainable parameters and its non-trainable state; `kiln.updates = i` on
  // a result makes it the new value of argument i.
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let usePropertiesForAttributes = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Kiln_Element : AnyTypeOf<[F32, F64, I32, I64, I1]>;
def Kiln_Tensor : StaticShapeTensorOf<[F32, F64, I32, I64, I1]>;
// Arithmetic is defined on numbers, not on booleans.
def Kiln_NumericTensor : StaticShapeTensorOf<[F32, F64, I32, I64]>;
def Kiln_FloatTensor : StaticShapeTensorOf<[F32, F64]>;
def Kiln_BoolTensor : StaticShapeTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Kiln_CmpEq : I64EnumAttrCase<"eq", 0>;
def Kiln_CmpNe : I64EnumAttrCase<"ne", 1>;
def Kiln_CmpLt : I64EnumAttrCase<"lt", 2>;
def Kiln_CmpLe : I64EnumAttrCase<"le", 3>;
def Kiln_CmpGt : I64EnumAttrCase<"gt", 4>;
def Kiln_CmpGe : I64EnumAttrCase<"ge", 5>;
def Kiln_ComparePredicateAttr : I64EnumAttr<
    "ComparePredicate", "comparison predicate",
    [Kiln_CmpEq, Kiln_CmpNe, Kiln_CmpLt, Kiln_CmpLe, Kiln_CmpGt, Kiln_CmpGe]> {
  let cppNamespace = "::kiln";
}

//===----------------------------------------------------------------------===//
// Op base class
//===----------------------------------------------------------------------===//

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

#endif // KILN_DIALECT_TD
