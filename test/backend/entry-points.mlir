// kiln-mark-entry-points renames every function body to _kiln_<name> (no
// clash with C library symbols such as `exp`), asks for a C interface on
// public ones and drops kiln.name, kiln.parameter and kiln.buffer;
// kiln-finalize-entry-points, after the LLVM lowering, names the C
// interfaces back and makes the bodies internal.
// RUN: kiln-opt %s --kiln-mark-entry-points | FileCheck %s --check-prefix=MARK
// RUN: kiln-opt %s --kiln-lower-to-llvm | FileCheck %s --check-prefix=FINAL

func.func private @helper(%x: memref<3xf32>) {
  return
}
func.func @exp(%x: memref<3xf32> {kiln.name = "x"},
                %w: memref<3xf32> {kiln.name = "w", kiln.parameter},
                %m: memref<3xf32> {kiln.name = "m", kiln.buffer}) {
  call @helper(%x) : (memref<3xf32>) -> ()
  call @declared(%x) : (memref<3xf32>) -> ()
  return
}
func.func private @declared(%x: memref<3xf32>)

// MARK-LABEL: func.func private @_kiln_helper(
// MARK-LABEL: func.func @_kiln_exp(
// MARK-SAME: %{{.*}}: memref<3xf32>, %{{.*}}: memref<3xf32>, %{{.*}}: memref<3xf32>)
// MARK-SAME: attributes {llvm.emit_c_interface}
// MARK: call @_kiln_helper(
// MARK-NOT: kiln.
// A declaration is an external symbol: its name stays.
// MARK: func.func private @declared(

// The pipeline inlines calls to functions with a body (the helper is gone)
// and keeps calls to declarations.
// FINAL-NOT: @_kiln_helper
// FINAL-DAG: llvm.func internal @_kiln_exp(
// FINAL-DAG: llvm.func @_mlir_ciface_exp(%{{.*}}: !llvm.ptr)
// FINAL-DAG: llvm.func @declared(
// FINAL-NOT: @_mlir_ciface__kiln_
