// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-dealloc-after-last-use))' | FileCheck %s

// A chain of intermediates, each freed by the deallocation pipeline at the
// end of the function: each is now freed right after the op that reads it
// last, so %a is dead (and its memory reusable) before %c is allocated.
// CHECK-LABEL: func.func @chain
// CHECK:      %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: linalg.copy ins(%{{.*}} : memref<4xf32>) outs(%[[A]] : memref<4xf32>)
// CHECK-NEXT: %[[B:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: linalg.copy ins(%[[A]] : memref<4xf32>) outs(%[[B]] : memref<4xf32>)
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: %[[C:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: linalg.copy ins(%[[B]] : memref<4xf32>) outs(%[[C]] : memref<4xf32>)
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: linalg.copy ins(%[[C]] : memref<4xf32>) outs(%{{.*}} : memref<4xf32>)
// CHECK-NEXT: memref.dealloc %[[C]]
// CHECK-NEXT: return
func.func @chain(%x: memref<4xf32>, %y: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  %b = memref.alloc() : memref<4xf32>
  linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>)
  %c = memref.alloc() : memref<4xf32>
  linalg.copy ins(%b : memref<4xf32>) outs(%c : memref<4xf32>)
  linalg.copy ins(%c : memref<4xf32>) outs(%y : memref<4xf32>)
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %b : memref<4xf32>
  memref.dealloc %c : memref<4xf32>
  return
}

// Uses through views and inside loops count: %a is last read through its
// reshaped view inside the loop, so it is freed after the loop, and %b,
// read by an op after the loop, after that op.
// CHECK-LABEL: func.func @views_and_loops
// CHECK:      scf.for
// CHECK:      }
// CHECK-NEXT: memref.dealloc %[[A:.*]] : memref<2x2xf32>
// CHECK-NEXT: linalg.copy
// CHECK-NEXT: memref.dealloc %{{.*}} : memref<4xf32>
// CHECK-NEXT: return
func.func @views_and_loops(%x: memref<4xf32>, %y: memref<4xf32>) {
  %a = memref.alloc() : memref<2x2xf32>
  %b = memref.alloc() : memref<4xf32>
  %view = memref.collapse_shape %a [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.copy ins(%view : memref<4xf32>) outs(%b : memref<4xf32>)
  }
  linalg.copy ins(%b : memref<4xf32>) outs(%y : memref<4xf32>)
  memref.dealloc %a : memref<2x2xf32>
  memref.dealloc %b : memref<4xf32>
  return
}

// A buffer a loop carries and returns may be the loop's result: it is
// freed only after the last use of that result. A buffer allocated in a
// nested block is left alone by the rules for its own block.
// CHECK-LABEL: func.func @loop_result
// CHECK:      %[[R:.*]] = scf.for
// CHECK:      linalg.copy ins(%[[R]] : memref<4xf32>)
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func @loop_result(%x: memref<4xf32>, %y: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %a) -> (memref<4xf32>) {
    linalg.copy ins(%x : memref<4xf32>) outs(%acc : memref<4xf32>)
    scf.yield %acc : memref<4xf32>
  }
  linalg.copy ins(%r : memref<4xf32>) outs(%y : memref<4xf32>)
  memref.dealloc %a : memref<4xf32>
  return
}
