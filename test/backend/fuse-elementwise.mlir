// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize,kiln-fuse,canonicalize,cse))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize))' | FileCheck %s --check-prefix=UNFUSED

// Elementwise chains: every elementwise kiln op lowers to a linalg.generic
// of its own; kiln-fuse merges a chain into one, with broadcast scalars
// folded into the body as constants.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>

// The benchmark's chain y = tanh(x * 0.5 + 1.0) * x: four generics, which
// read the broadcast scalars as splat tensor constants, become one loop
// nest that reads only x.
// UNFUSED-LABEL: func.func @chain
// UNFUSED-COUNT-4: linalg.generic
// UNFUSED-NOT: linalg.generic
// UNFUSED: return
// UNFUSED-NEXT: }
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<17x33xf32>)
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<17x33xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[A:.*]] = arith.mulf %[[IN]], %[[HALF]] : f32
// CHECK-NEXT: %[[B:.*]] = arith.addf %[[A]], %[[ONE]] : f32
// CHECK-NEXT: %[[C:.*]] = math.tanh %[[B]] : f32
// CHECK-NEXT: %[[D:.*]] = arith.mulf %[[C]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[D]] : f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @chain(%x: tensor<17x33xf32>) -> tensor<17x33xf32> {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %h = kiln.broadcast %half : tensor<f32> -> tensor<17x33xf32>
  %o = kiln.broadcast %one : tensor<f32> -> tensor<17x33xf32>
  %a = kiln.mul %x, %h : tensor<17x33xf32>
  %b = kiln.add %a, %o : tensor<17x33xf32>
  %c = kiln.tanh %b : tensor<17x33xf32>
  %y = kiln.mul %c, %x : tensor<17x33xf32>
  return %y : tensor<17x33xf32>
}

// A broadcast operand is read through its indexing map, not materialized.
// CHECK-LABEL: func.func @bias_relu
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x9xf32>, %[[B:[a-z0-9_]+]]: tensor<9xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[B]] : tensor<4x9xf32>, tensor<9xf32>)
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @bias_relu(%x: tensor<4x9xf32>, %b: tensor<9xf32>) -> tensor<4x9xf32> {
  %bb = kiln.broadcast %b : tensor<9xf32> -> tensor<4x9xf32>
  %z = kiln.add %x, %bb : tensor<4x9xf32>
  %y = kiln.relu %z : tensor<4x9xf32>
  return %y : tensor<4x9xf32>
}

// A producer with several users keeps its result, and is recomputed in a
// consumer only if that is cheap. exp is not: it is computed once, and
// both consumers read it.
// CHECK-LABEL: func.func @shared
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x9xf32>, %[[B:[a-z0-9_]+]]: tensor<9xf32>)
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<5x9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.exp
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[B]] : tensor<5x9xf32>, tensor<9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[X]] : tensor<5x9xf32>, tensor<5x9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK: return %[[E]], %[[S]], %[[M]]
func.func @shared(%x: tensor<5x9xf32>, %b: tensor<9xf32>)
    -> (tensor<5x9xf32>, tensor<5x9xf32>, tensor<5x9xf32>) {
  %e = kiln.exp %x : tensor<5x9xf32>
  %bb = kiln.broadcast %b : tensor<9xf32> -> tensor<5x9xf32>
  %s = kiln.add %e, %bb : tensor<5x9xf32>
  %m = kiln.mul %e, %x : tensor<5x9xf32>
  return %e, %s, %m : tensor<5x9xf32>, tensor<5x9xf32>, tensor<5x9xf32>
}

// exp of a row vector, then broadcast over 5 rows: fusing would compute
// every exp 5 times, so the exp stays a loop nest of its own (9 elements)
// and the broadcast is fused into the product.
// CHECK-LABEL: func.func @broadcast_expensive
// CHECK-SAME: (%[[V:[a-z0-9_]+]]: tensor<9xf32>, %[[X:[a-z0-9_]+]]: tensor<5x9xf32>)
// CHECK: %[[E:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[V]] : tensor<9xf32>)
// CHECK: math.exp
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[E]], %[[X]] : tensor<9xf32>, tensor<5x9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK: return %[[Y]]
func.func @broadcast_expensive(%v: tensor<9xf32>, %x: tensor<5x9xf32>) -> tensor<5x9xf32> {
  %e = kiln.exp %v : tensor<9xf32>
  %eb = kiln.broadcast %e : tensor<9xf32> -> tensor<5x9xf32>
  %y = kiln.mul %eb, %x : tensor<5x9xf32>
  return %y : tensor<5x9xf32>
}

// A cheap producer is fused even through a broadcast (recomputing an add
// is cheaper than storing and reloading it).
// CHECK-LABEL: func.func @broadcast_cheap
// CHECK-SAME: (%[[V:[a-z0-9_]+]]: tensor<9xf32>, %[[W:[a-z0-9_]+]]: tensor<9xf32>, %[[X:[a-z0-9_]+]]: tensor<5x9xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ROW]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[V]], %[[W]], %[[X]] : tensor<9xf32>, tensor<9xf32>, tensor<5x9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @broadcast_cheap(%v: tensor<9xf32>, %w: tensor<9xf32>, %x: tensor<5x9xf32>) -> tensor<5x9xf32> {
  %e = kiln.add %v, %w : tensor<9xf32>
  %eb = kiln.broadcast %e : tensor<9xf32> -> tensor<5x9xf32>
  %y = kiln.mul %eb, %x : tensor<5x9xf32>
  return %y : tensor<5x9xf32>
}

// A cheap producer with several users is recomputed in each (a subtract and
// a multiply cost less than a store and two loads).
// CHECK-LABEL: func.func @shared_cheap
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x9xf32>, %[[Y:[a-z0-9_]+]]: tensor<5x9xf32>)
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[Y]] : tensor<5x9xf32>, tensor<5x9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[Y]] : tensor<5x9xf32>, tensor<5x9xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: math.exp
// CHECK: return %[[A]], %[[B]]
func.func @shared_cheap(%x: tensor<5x9xf32>, %y: tensor<5x9xf32>) -> (tensor<5x9xf32>, tensor<5x9xf32>) {
  %d = kiln.sub %x, %y : tensor<5x9xf32>
  %a = kiln.mul %d, %d : tensor<5x9xf32>
  %b = kiln.exp %d : tensor<5x9xf32>
  return %a, %b : tensor<5x9xf32>, tensor<5x9xf32>
}

// Each value feeds its successor twice: fusing the chain keeps one copy of
// each step (no duplication that would double at every link).
// CHECK-LABEL: func.func @chain_of_shared
// CHECK-COUNT-3: math.tanh
// CHECK-NOT: math.tanh
// CHECK: return
func.func @chain_of_shared(%x: tensor<16xf32>) -> tensor<16xf32> {
  %t0 = kiln.tanh %x : tensor<16xf32>
  %y0 = kiln.mul %t0, %x : tensor<16xf32>
  %t1 = kiln.tanh %y0 : tensor<16xf32>
  %y1 = kiln.mul %t1, %y0 : tensor<16xf32>
  %t2 = kiln.tanh %y1 : tensor<16xf32>
  %y2 = kiln.mul %t2, %y1 : tensor<16xf32>
  return %y2 : tensor<16xf32>
}
