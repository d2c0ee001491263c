// RUN: kiln-opt %s --kiln-autodiff | FileCheck %s
// RUN: kiln-opt %s --kiln-autodiff --inline --symbol-dce --canonicalize --cse | FileCheck %s --check-prefix=INLINED

// kiln-autodiff replaces kiln.grad by a call to a generated function that
// recomputes the callee (the primal) and then appends each op's
// vector-Jacobian product in reverse order.

// The seed: linear regression y = w x + b with mean squared error.
// dL/dp = 2 (p - y) / N reaches w through the broadcast (a reduce_sum) and
// b likewise; the squared difference uses %d twice, so its two
// contributions are added.
// CHECK-LABEL: func.func private @linear_loss_grad
// CHECK-SAME: (%[[W:[a-z0-9_]+]]: tensor<f32>, %[[B:[a-z0-9_]+]]: tensor<f32>, %[[X:[a-z0-9_]+]]: tensor<8xf32>, %[[Y:[a-z0-9_]+]]: tensor<8xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
// CHECK:      %[[D:.*]] = kiln.sub
// CHECK:      %[[L:.*]] = kiln.reduce_mean
// CHECK-NEXT: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[ONE1:.*]] = kiln.reshape %[[ONE]] : tensor<f32> -> tensor<1xf32>
// CHECK-NEXT: %[[SEED:.*]] = kiln.broadcast %[[ONE1]] : tensor<1xf32> -> tensor<8xf32>
// CHECK-NEXT: %[[INV_N:.*]] = kiln.constant dense<1.250000e-01> : tensor<8xf32>
// CHECK-NEXT: %[[DSQ:.*]] = kiln.mul %[[SEED]], %[[INV_N]] : tensor<8xf32>
// CHECK-NEXT: %[[DD1:.*]] = kiln.mul %[[DSQ]], %[[D]] : tensor<8xf32>
// CHECK-NEXT: %[[DD2:.*]] = kiln.mul %[[DSQ]], %[[D]] : tensor<8xf32>
// CHECK-NEXT: %[[DD:.*]] = kiln.add %[[DD1]], %[[DD2]] : tensor<8xf32>
// CHECK-NEXT: %[[DWB:.*]] = kiln.mul %[[DD]], %[[X]] : tensor<8xf32>
// CHECK-NEXT: %[[DB:.*]] = kiln.reduce_sum %[[DD]] axes [0] : tensor<8xf32> -> tensor<f32>
// CHECK-NEXT: %[[DW:.*]] = kiln.reduce_sum %[[DWB]] axes [0] : tensor<8xf32> -> tensor<f32>
// CHECK-NEXT: return %[[L]], %[[DW]], %[[DB]] : tensor<f32>, tensor<f32>, tensor<f32>
// CHECK-LABEL: func.func @linear_step
// CHECK: %[[R:.*]]:3 = call @linear_loss_grad
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @linear_loss(%w: tensor<f32>, %b: tensor<f32>, %x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<f32> {
  %wb = kiln.broadcast %w : tensor<f32> -> tensor<8xf32>
  %bb = kiln.broadcast %b : tensor<f32> -> tensor<8xf32>
  %wx = kiln.mul %wb, %x : tensor<8xf32>
  %p = kiln.add %wx, %bb : tensor<8xf32>
  %d = kiln.sub %p, %y : tensor<8xf32>
  %sq = kiln.mul %d, %d : tensor<8xf32>
  %l = kiln.reduce_mean %sq axes [0] : tensor<8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @linear_step(%w: tensor<f32>, %b: tensor<f32>, %x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %l, %dw, %db = kiln.grad @linear_loss(%w, %b, %x, %y) wrt [0, 1] : (tensor<f32>, tensor<f32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>)
  return %l, %dw, %db : tensor<f32>, tensor<f32>, tensor<f32>
}

// A dense layer with ReLU. Only the weight is differentiated, so no
// gradient is built for the input x (no matmul with the weight
// transposed): dW = x^T dH, as one matmul with transpose_lhs.
// CHECK-LABEL: func.func private @dense_loss_grad
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x3xf32>, %[[W:[a-z0-9_]+]]: tensor<3x2xf32>)
// CHECK:      %[[H:.*]] = kiln.matmul %[[X]], %[[W]]
// CHECK:      %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<4x2xf32>
// CHECK:      %[[POS:.*]] = kiln.compare gt, %[[H]], %[[ZERO]] : tensor<4x2xf32>
// CHECK-NEXT: %[[DH:.*]] = kiln.select %[[POS]], %{{.*}}, %[[ZERO]] : tensor<4x2xi1>, tensor<4x2xf32>
// CHECK-NEXT: %[[DW:.*]] = kiln.matmul %[[X]], %[[DH]] {transpose_lhs} : tensor<4x3xf32>, tensor<4x2xf32> -> tensor<3x2xf32>
// CHECK-NOT:  kiln.matmul
// CHECK:      return %{{.*}}, %[[DW]] : tensor<f32>, tensor<3x2xf32>
func.func @dense_loss(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> tensor<f32> {
  %h = kiln.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  %a = kiln.relu %h : tensor<4x2xf32>
  %l = kiln.reduce_sum %a axes [0, 1] : tensor<4x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @dense_step(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %l, %dw = kiln.grad @dense_loss(%x, %w) wrt [1] : (tensor<4x3xf32>, tensor<3x2xf32>) -> (tensor<f32>, tensor<3x2xf32>)
  return %dw : tensor<3x2xf32>
}

// After inlining and canonicalization, the step is one graph and the
// primal loss, which nothing uses, is gone: the reduce_sum of the forward
// pass is not kept alive.
// INLINED-LABEL: func.func @dense_step
// INLINED-NOT:   call
// INLINED:       kiln.matmul
// INLINED-NOT:   kiln.reduce_sum
// INLINED:       kiln.matmul {{.*}} {transpose_lhs}
// INLINED-NEXT:  return
// INLINED-NOT:   func.func private @dense_loss_grad

// Auxiliary results (here the logits) are returned, not differentiated;
// two kiln.grad ops on one (callee, wrt) share one gradient function.
// CHECK-LABEL: func.func private @aux_loss_grad
// CHECK-SAME: -> (tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NOT: func.func private @aux_loss_grad_0
// CHECK-LABEL: func.func @aux_step
// CHECK: call @aux_loss_grad
// CHECK: call @aux_loss_grad
func.func @aux_loss(%z: tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>) {
  %p = kiln.log_softmax %z axis 1 : tensor<2x3xf32>
  %s = kiln.reduce_mean %p axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %s, %z : tensor<f32>, tensor<2x3xf32>
}
func.func @aux_step(%z: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %l, %logits, %dz = kiln.grad @aux_loss(%z) wrt [0] : (tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>)
  %l2, %logits2, %dz2 = kiln.grad @aux_loss(%z) wrt [0] : (tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>)
  return %logits, %dz2 : tensor<2x3xf32>, tensor<2x3xf32>
}
