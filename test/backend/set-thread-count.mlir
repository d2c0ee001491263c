// RUN: kiln-opt %s --split-input-file --verify-diagnostics --kiln-set-thread-count | FileCheck %s

// Each parallel region asks the runtime for its thread count, at the
// region (so a change between calls applies without recompiling).
// CHECK: func.func private @kiln_num_threads() -> i32
// CHECK-LABEL: func.func @two_regions
// CHECK: %[[N0:.*]] = call @kiln_num_threads() : () -> i32
// CHECK: omp.parallel num_threads(%[[N0]] : i32)
// CHECK: %[[N1:.*]] = call @kiln_num_threads() : () -> i32
// CHECK: omp.parallel num_threads(%[[N1]] : i32)
func.func @two_regions() {
  omp.parallel {
    omp.terminator
  }
  omp.parallel {
    omp.terminator
  }
  return
}

// -----

// A region with an explicit count keeps it.
// CHECK-LABEL: func.func @explicit
// CHECK-NOT: call
// CHECK: omp.parallel num_threads(%{{.*}} : i32)
func.func @explicit(%n: i32) {
  omp.parallel num_threads(%n : i32) {
    omp.terminator
  }
  return
}

// -----

// expected-error @+1 {{'kiln_num_threads' is the runtime's thread count function and must have type '() -> i32'}}
func.func private @kiln_num_threads(i64) -> i32
func.func @clash() {
  omp.parallel {
    omp.terminator
  }
  return
}

// -----

// The scope convert-scf-to-openmp puts around a loop body is inlined when it
// holds no alloca, so that the loops inside can become branches.
// CHECK-LABEL: func.func @scopes
// CHECK: omp.loop_nest
// CHECK-NOT: memref.alloca_scope
// CHECK: scf.for
// CHECK: omp.yield
func.func @scopes(%a: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c8) {
        memref.alloca_scope {
          scf.for %j = %c0 to %c8 step %c1 {
            %k = arith.addi %i, %j : index
            memref.store %zero, %a[%k] : memref<64xf32>
          }
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
