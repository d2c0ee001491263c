// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-autodiff,inline,symbol-dce,canonicalize,cse,func.func(kiln-lower-to-linalg),canonicalize,func.func(kiln-fuse{epilogue-columns=128}),canonicalize,cse)' | FileCheck %s

// A whole training step: forward, the backward ops kiln-autodiff generates
// and the SGD update are one function, and kiln-fuse fuses across all of
// them: the update of w runs in the column tiles of its own gradient's
// product, the tanh derivative is fused into dz and into the bias
// gradient's reduction, and the softmax cross-entropy's gradient is one
// loop nest.

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[W:[a-z0-9_]+]]: tensor<13x300xf32> {kiln.name = "w"}, %[[B:[a-z0-9_]+]]: tensor<300xf32>, %[[W2:[a-z0-9_]+]]: tensor<300x7xf32>, %[[X:[a-z0-9_]+]]: tensor<5x13xf32>, %[[Y:[a-z0-9_]+]]: tensor<5x7xf32>)
// Forward: z = x w, then tanh(z + b) as one loop nest.
// CHECK: %[[Z:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<5x13xf32>, tensor<13x300xf32>)
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%[[Z]], %[[B]] : tensor<5x300xf32>, tensor<300xf32>)
// CHECK: arith.addf
// CHECK-NEXT: math.tanh
// CHECK: %[[O:.*]] = linalg.matmul ins(%[[H]], %[[W2]] : tensor<5x300xf32>, tensor<300x7xf32>)
// The gradient of the mean cross-entropy with respect to the logits: the
// softmax, minus the targets, scaled, in one loop nest.
// CHECK: %[[DO:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[Y]], %[[O]], {{.*}}) outs(%{{.*}} : tensor<5x7xf32>)
// CHECK: math.exp
// CHECK: arith.subf
// CHECK: %[[DH:.*]] = linalg.matmul {{.*}} ins(%[[DO]], %[[W2]] : tensor<5x7xf32>, tensor<300x7xf32>)
// CHECK: %[[DW2:.*]] = linalg.matmul {{.*}} ins(%[[H]], %[[DO]] : tensor<5x300xf32>, tensor<5x7xf32>)
// dz = dh * (1 - h^2) reads the stored h (tanh is not recomputed in an
// elementwise loop nest) ...
// CHECK: %[[DZ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[DH]], %[[H]] : tensor<5x300xf32>, tensor<5x300xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// ... while db = sum over the batch of dz is one loop nest from dh and z,
// which recomputes tanh (an expensive producer fuses into reductions).
// CHECK: %[[DB:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[DH]], %[[Z]], %[[B]] : tensor<5x300xf32>, tensor<5x300xf32>, tensor<300xf32>)
// CHECK: math.tanh
// CHECK: arith.addf
// w - lr * dw, 128 columns at a time, right after each tile of dw = x^T dz.
// CHECK: %[[NW:.*]] = scf.for
// CHECK: %[[DWT:.*]] = linalg.matmul {{.*}} ins(%[[X]], %{{.*}} : tensor<5x13xf32>, tensor<5x128xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[DWT]] : tensor<13x128xf32>, tensor<13x128xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.subf
// CHECK: scf.yield
// The last 44 columns.
// CHECK: linalg.matmul {{.*}} -> tensor<13x44xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<13x44xf32>, tensor<13x44xf32>)
// The bias and w2 updates: a reduction's and a narrow product's results.
// CHECK: linalg.generic {{.*}} ins(%[[B]], %[[DB]] : tensor<300xf32>, tensor<300xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[W2]], %[[DW2]] : tensor<300x7xf32>, tensor<300x7xf32>)
// CHECK: return
func.func @loss(%w: tensor<13x300xf32>, %b: tensor<300xf32>, %w2: tensor<300x7xf32>, %x: tensor<5x13xf32>, %y: tensor<5x7xf32>) -> tensor<f32> {
  %p = kiln.matmul %x, %w : tensor<5x13xf32>, tensor<13x300xf32> -> tensor<5x300xf32>
  %bb = kiln.broadcast %b : tensor<300xf32> -> tensor<5x300xf32>
  %z = kiln.add %p, %bb : tensor<5x300xf32>
  %h = kiln.tanh %z : tensor<5x300xf32>
  %o = kiln.matmul %h, %w2 : tensor<5x300xf32>, tensor<300x7xf32> -> tensor<5x7xf32>
  %ls = kiln.log_softmax %o axis 1 : tensor<5x7xf32>
  %m = kiln.mul %ls, %y : tensor<5x7xf32>
  %s = kiln.reduce_mean %m axes [0, 1] : tensor<5x7xf32> -> tensor<f32>
  %l = kiln.neg %s : tensor<f32>
  return %l : tensor<f32>
}
func.func @step(%w: tensor<13x300xf32> {kiln.name = "w"}, %b: tensor<300xf32>, %w2: tensor<300x7xf32>, %x: tensor<5x13xf32>, %y: tensor<5x7xf32>) -> (tensor<f32>, tensor<13x300xf32> {kiln.updates = 0 : i64}, tensor<300xf32> {kiln.updates = 1 : i64}, tensor<300x7xf32> {kiln.updates = 2 : i64}) {
  %l, %dw, %db, %dw2 = kiln.grad @loss(%w, %b, %w2, %x, %y) wrt [0, 1, 2] : (tensor<13x300xf32>, tensor<300xf32>, tensor<300x7xf32>, tensor<5x13xf32>, tensor<5x7xf32>) -> (tensor<f32>, tensor<13x300xf32>, tensor<300xf32>, tensor<300x7xf32>)
  %lr = kiln.constant dense<0.1> : tensor<f32>
  %lr1 = kiln.broadcast %lr : tensor<f32> -> tensor<13x300xf32>
  %u1 = kiln.mul %lr1, %dw : tensor<13x300xf32>
  %n1 = kiln.sub %w, %u1 : tensor<13x300xf32>
  %lr2 = kiln.broadcast %lr : tensor<f32> -> tensor<300xf32>
  %u2 = kiln.mul %lr2, %db : tensor<300xf32>
  %n2 = kiln.sub %b, %u2 : tensor<300xf32>
  %lr3 = kiln.broadcast %lr : tensor<f32> -> tensor<300x7xf32>
  %u3 = kiln.mul %lr3, %dw2 : tensor<300x7xf32>
  %n3 = kiln.sub %w2, %u3 : tensor<300x7xf32>
  return %l, %n1, %n2, %n3 : tensor<f32>, tensor<13x300xf32>, tensor<300xf32>, tensor<300x7xf32>
}
