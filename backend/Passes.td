//===- Passes.td - Kiln backend passes ----------------------------------===//

#ifndef KILN_BACKEND_PASSES_TD
#define KILN_BACKEND_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnLowerToLinalg : Pass<"kiln-lower-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every kiln op becomes destination-style tensor IR: named linalg ops
    where they exist (`linalg.matmul`, `linalg.batch_matmul`,
    `linalg.transpose`, `linalg.reduce`, `linalg.fill`), `linalg.generic`
    with identity or broadcasting indexing maps for elementwise ops and
    `kiln.broadcast`, and tensor ops for reshape, slice and concat.
    Composite ops are first expanded as by `kiln-decompose`.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

def KilnMarkEntryPoints : Pass<"kiln-mark-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give every public function a C calling interface";
  let description = [{
    Sets `llvm.emit_c_interface` on each public `func.func`, so that the
    LLVM lowering emits `_mlir_ciface_<name>`, which takes one memref
    descriptor pointer per argument: the ABI the Kiln runtime calls, both
    for JIT-compiled and for ahead-of-time compiled modules. Drops the
    `kiln.name` argument and result attributes, which only the runtime's
    signature uses.
  }];
}

#endif // KILN_BACKEND_PASSES_TD
