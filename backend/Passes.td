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

def KilnCopyRepeatedResults
    : Pass<"kiln-copy-repeated-results", "::mlir::func::FuncOp"> {
  let summary = "Give each result of a function its own tensor";
  let description = [{
    A value returned more than once (`return %v, %v`) is copied for each
    further use (`linalg.copy` into a `tensor.empty`). Each result then gets
    its own buffer, which `buffer-results-to-out-params` turns into the
    caller's out-parameter. Runs on tensors, before bufferization.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"
  ];
}

def KilnMarkEntryPoints : Pass<"kiln-mark-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give every public function a C interface, safe from clashes";
  let description = [{
    Sets `llvm.emit_c_interface` on each public `func.func`, so that the
    LLVM lowering emits `_mlir_ciface_<name>`, which takes one memref
    descriptor pointer per argument: the ABI the Kiln runtime calls, both
    for JIT-compiled and for ahead-of-time compiled modules.

    Every function defined in the module is renamed `_kiln_<name>`: the code
    calls C library functions (`exp`, `powf`, `malloc`, ...), and a user's
    function of the same name must not replace them.
    `kiln-finalize-entry-points` gives the C interfaces their names back.
    Drops the `kiln.name` argument and result attributes, which only the
    runtime's signature uses.
  }];
}

def KilnFinalizeEntryPoints
    : Pass<"kiln-finalize-entry-points", "::mlir::ModuleOp"> {
  let summary = "Name each C interface after its Kiln function";
  let description = [{
    After the conversion to the LLVM dialect, renames
    `_mlir_ciface__kiln_<name>` (see `kiln-mark-entry-points`) to
    `_mlir_ciface_<name>`, the symbol the runtime and AOT users call, and
    gives the renamed bodies internal linkage: an object exports only the
    C interfaces.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // KILN_BACKEND_PASSES_TD
