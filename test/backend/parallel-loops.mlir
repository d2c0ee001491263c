// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-parallelize-loops))' | FileCheck %s
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-parallelize-loops{min-parallel-work=100000000}))' | FileCheck %s --check-prefix=SERIAL

// 256 x 512 elementwise: the rows are split into 64 chunks of 4.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.parallel (%[[I:.*]]) = (%{{.*}}) to (%c256) step (%{{.*}}) {
// CHECK: %[[A:.*]] = memref.subview %arg0[%[[I]], 0] [4, 512] [1, 1]
// CHECK: %[[B:.*]] = memref.subview %arg1[%[[I]], 0] [4, 512] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[A]] : {{.*}}) outs(%[[B]] : {{.*}})
// CHECK: math.tanh
// CHECK: scf.reduce
// SERIAL-LABEL: func.func @elementwise
// SERIAL-NOT: scf.parallel
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%a: memref<256x512xf32>, %b: memref<256x512xf32>) {
  linalg.generic {indexing_maps = [#id, #id],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<256x512xf32>) outs(%b : memref<256x512xf32>) {
  ^bb0(%x: f32, %y: f32):
    %t = math.tanh %x : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// One long dimension: 64 chunks of 16384, whole vectors each.
// CHECK-LABEL: func.func @flat
// SERIAL-LABEL: func.func @flat
// CHECK: scf.parallel ({{.*}}) = (%{{.*}}) to (%c1048576) step (%c16384{{.*}})
// CHECK: linalg.fill {{.*}} outs(%{{.*}} : memref<16384xf32, strided<[1], offset: ?>>)
func.func @flat(%a: memref<1048576xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<1048576xf32>)
  return
}

// -----

// Sums over the rows: only the kept columns are split (the innermost
// dimension, so in chunks of 64 columns); each column's sum is one ordered
// loop on one thread. A sum of everything is not split at all.
// CHECK-LABEL: func.func @reductions
// CHECK: scf.parallel (%[[J:.*]]) = (%{{.*}}) to (%c517) step (%c64{{.*}})
// CHECK: linalg.reduce ins(%{{.*}} : memref<300x?xf32, {{.*}}>) outs(%{{.*}} : memref<?xf32, {{.*}}>) dimensions = [0]
// CHECK: scf.reduce
// CHECK-NOT: scf.parallel
// CHECK: linalg.reduce ins(%arg0 : memref<300x517xf32>) outs(%arg2 : memref<f32>) dimensions = [0, 1]
func.func @reductions(%x: memref<300x517xf32>, %cols: memref<517xf32>,
                      %all: memref<f32>) {
  linalg.reduce ins(%x : memref<300x517xf32>) outs(%cols : memref<517xf32>)
      dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  linalg.reduce ins(%x : memref<300x517xf32>) outs(%all : memref<f32>)
      dimensions = [0, 1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// Below the threshold (16 x 16), nothing changes.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
func.func @small(%a: memref<16x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<16x16xf32>)
  return
}

// -----

// A body that writes memory (here: always the same element) stays serial.
// CHECK-LABEL: func.func @writes
// CHECK-NOT: scf.parallel
#id1 = affine_map<(d0) -> (d0)>
func.func @writes(%a: memref<1048576xf32>, %log: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  linalg.generic {indexing_maps = [#id1], iterator_types = ["parallel"]}
      ins(%a : memref<1048576xf32>) {
  ^bb0(%x: f32):
    memref.store %x, %log[%c0] : memref<1xf32>
    linalg.yield
  }
  return
}

// -----

// The row blocks of a matrix product (an scf.forall) become an
// scf.parallel; the ops inside are not split again.
// CHECK-LABEL: func.func @forall
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c1024) step (%c128)
// CHECK: memref.subview %arg0[%[[I]], 0] [128, 1024]
// CHECK-NOT: scf.parallel
// CHECK: linalg.fill
func.func @forall(%a: memref<1024x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  scf.forall (%i) = (0) to (1024) step (128) {
    %block = memref.subview %a[%i, 0] [128, 1024] [1, 1]
        : memref<1024x1024xf32> to memref<128x1024xf32, strided<[1024, 1], offset: ?>>
    linalg.fill ins(%zero : f32)
        outs(%block : memref<128x1024xf32, strided<[1024, 1], offset: ?>>)
  }
  return
}
