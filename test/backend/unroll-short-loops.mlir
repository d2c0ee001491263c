// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-unroll-short-loops))' | FileCheck %s
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-unroll-short-loops{max-unrolled-ops=4}))' | FileCheck %s --check-prefix=BUDGET

// A row of 4 copied elements: 4 copies of the body, in order.
// CHECK-LABEL: func.func @short_row
// CHECK-NOT: scf.for
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[V0:.*]] = memref.load %arg0[%[[C0]]]
// CHECK: memref.store %[[V0]], %arg1[%[[C0]]]
// CHECK: %[[C1:.*]] = arith.addi %[[C0]], %{{.*}} : index
// CHECK: memref.load %arg0[%[[C1]]]
// CHECK: memref.store
// CHECK: memref.load
// CHECK: memref.store
// CHECK: memref.load
// CHECK: memref.store
// CHECK-NOT: memref.load
// CHECK: return
// Its 8 unrolled ops are over a budget of 4: the loop stays.
// BUDGET-LABEL: func.func @short_row
// BUDGET: scf.for
func.func @short_row(%a: memref<4xf32>, %b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %a[%i] : memref<4xf32>
    memref.store %x, %b[%i] : memref<4xf32>
  }
  return
}

// -----

// A 2 x 2 pooling window, a reduction: the inner loop is unrolled, then
// the outer one, which became innermost. The maxima stay in the loops'
// order, a chain from the initial value.
// CHECK-LABEL: func.func @pool_window
// CHECK-NOT: scf.for
// CHECK: %[[M0:.*]] = arith.maximumf %arg1, %{{.*}} : f32
// CHECK: %[[M1:.*]] = arith.maximumf %[[M0]], %{{.*}} : f32
// CHECK: %[[M2:.*]] = arith.maximumf %[[M1]], %{{.*}} : f32
// CHECK: %[[M3:.*]] = arith.maximumf %[[M2]], %{{.*}} : f32
// CHECK-NOT: arith.maximumf
// CHECK: return %[[M3]]
func.func @pool_window(%in: memref<2x2xf32>, %init: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %init) -> (f32) {
    %row = scf.for %j = %c0 to %c2 step %c1 iter_args(%a = %acc) -> (f32) {
      %x = memref.load %in[%i, %j] : memref<2x2xf32>
      %m = arith.maximumf %a, %x : f32
      scf.yield %m : f32
    }
    scf.yield %row : f32
  }
  return %r : f32
}

// -----

// 64 iterations are over the trip-count limit of 16: the loop stays, and
// so does the short loop around it, which is not innermost.
// CHECK-LABEL: func.func @long_row
// CHECK: scf.for %{{.*}} = %{{.*}} to %c2
// CHECK: scf.for %{{.*}} = %{{.*}} to %c64
// CHECK: memref.load
// CHECK-NOT: memref.load
func.func @long_row(%a: memref<2x64xf32>, %b: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c0 to %c64 step %c1 {
      %x = memref.load %a[%i, %j] : memref<2x64xf32>
      memref.store %x, %b[%i, %j] : memref<2x64xf32>
    }
  }
  return
}

// -----

// A trip count known only at run time: the loop stays.
// CHECK-LABEL: func.func @dynamic_row
// CHECK: scf.for %{{.*}} = %{{.*}} to %arg2
func.func @dynamic_row(%a: memref<?xf32>, %b: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %x = memref.load %a[%i] : memref<?xf32>
    memref.store %x, %b[%i] : memref<?xf32>
  }
  return
}
