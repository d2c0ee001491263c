// RUN: kiln-opt %s --kiln-autodiff | FileCheck %s
// RUN: kiln-opt %s --kiln-autodiff --inline --symbol-dce --canonicalize --cse | FileCheck %s --check-prefix=INLINED

// Gradients through the ops of KilnNNOps.td.

// A CNN block: conv -> relu -> 2x2 max pool -> sum, differentiated with
// respect to the filter only: max_pool2d_backward routes the cotangent to
// each window's maximum, relu masks it, and conv2d_backward_filter makes
// the filter gradient. No input gradient (conv2d_backward_input) is built.
// CHECK-LABEL: func.func private @cnn_loss_grad
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x1x6x6xf32>, %[[W:[a-z0-9_]+]]: tensor<4x1x3x3xf32>) -> (tensor<f32>, tensor<4x1x3x3xf32>)
// CHECK-NEXT: %[[Y:.*]] = kiln.conv2d %[[X]], %[[W]] stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<2x1x6x6xf32>, tensor<4x1x3x3xf32> -> tensor<2x4x6x6xf32>
// CHECK-NEXT: %[[H:.*]] = kiln.relu %[[Y]] : tensor<2x4x6x6xf32>
// CHECK-NEXT: %[[P:.*]] = kiln.max_pool2d %[[H]] kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<2x4x6x6xf32> -> tensor<2x4x3x3xf32>
// CHECK-NEXT: %[[L:.*]] = kiln.reduce_sum %[[P]] axes [0, 1, 2, 3] : tensor<2x4x3x3xf32> -> tensor<f32>
// CHECK-NEXT: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[ONE4:.*]] = kiln.reshape %[[ONE]] : tensor<f32> -> tensor<1x1x1x1xf32>
// CHECK-NEXT: %[[DP:.*]] = kiln.broadcast %[[ONE4]] : tensor<1x1x1x1xf32> -> tensor<2x4x3x3xf32>
// CHECK-NEXT: %[[DH:.*]] = kiln.max_pool2d_backward %[[H]], %[[DP]] kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<2x4x6x6xf32>, tensor<2x4x3x3xf32> -> tensor<2x4x6x6xf32>
// CHECK-NEXT: %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<2x4x6x6xf32>
// CHECK-NEXT: %[[POS:.*]] = kiln.compare gt, %[[Y]], %[[ZERO]] : tensor<2x4x6x6xf32>
// CHECK-NEXT: %[[DY:.*]] = kiln.select %[[POS]], %[[DH]], %[[ZERO]] : tensor<2x4x6x6xi1>, tensor<2x4x6x6xf32>
// CHECK-NEXT: %[[DW:.*]] = kiln.conv2d_backward_filter %[[X]], %[[DY]] stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<2x1x6x6xf32>, tensor<2x4x6x6xf32> -> tensor<4x1x3x3xf32>
// CHECK-NEXT: return %[[L]], %[[DW]] : tensor<f32>, tensor<4x1x3x3xf32>
// CHECK-LABEL: func.func @cnn_step
// CHECK: call @cnn_loss_grad
// INLINED-LABEL: func.func @cnn_step
// INLINED-NOT: call
// INLINED: kiln.max_pool2d_backward
// INLINED-NOT: kiln.conv2d_backward_input
// INLINED: kiln.conv2d_backward_filter
func.func @cnn_loss(%x: tensor<2x1x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<f32> {
  %y = kiln.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<2x1x6x6xf32>, tensor<4x1x3x3xf32> -> tensor<2x4x6x6xf32>
  %h = kiln.relu %y : tensor<2x4x6x6xf32>
  %p = kiln.max_pool2d %h kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<2x4x6x6xf32> -> tensor<2x4x3x3xf32>
  %l = kiln.reduce_sum %p axes [0, 1, 2, 3] : tensor<2x4x3x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @cnn_step(%x: tensor<2x1x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> (tensor<f32>, tensor<4x1x3x3xf32>) {
  %l, %dw = kiln.grad @cnn_loss(%x, %w) wrt [1] : (tensor<2x1x6x6xf32>, tensor<4x1x3x3xf32>) -> (tensor<f32>, tensor<4x1x3x3xf32>)
  return %l, %dw : tensor<f32>, tensor<4x1x3x3xf32>
}

// A second block below the first: the gradient of its input needs
// conv2d_backward_input (strided, grouped), and avg pooling gets
// avg_pool2d_backward.
// CHECK-LABEL: func.func private @stack_loss_grad
// CHECK: %[[A:.*]] = kiln.avg_pool2d %{{.*}} kernel [3, 3] stride [2, 2] padding [1, 1, 1, 1] : tensor<1x4x6x6xf64> -> tensor<1x4x3x3xf64>
// CHECK: %[[DA:.*]] = kiln.avg_pool2d_backward %{{.*}} kernel [3, 3] stride [2, 2] padding [1, 1, 1, 1] : tensor<1x4x3x3xf64> -> tensor<1x4x6x6xf64>
// CHECK-DAG: kiln.conv2d_backward_filter %{{.*}}, %[[DA]] stride [2, 2] padding [0, 0, 1, 1] dilation [1, 1] groups 2 : tensor<1x2x11x11xf64>, tensor<1x4x6x6xf64> -> tensor<4x1x2x2xf64>
// CHECK-DAG: kiln.conv2d_backward_input %[[DA]], %{{.*}} stride [2, 2] padding [0, 0, 1, 1] dilation [1, 1] groups 2 : tensor<1x4x6x6xf64>, tensor<4x1x2x2xf64> -> tensor<1x2x11x11xf64>
// CHECK: return
func.func @stack_loss(%x: tensor<1x2x11x11xf64>, %w: tensor<4x1x2x2xf64>) -> tensor<f64> {
  %y = kiln.conv2d %x, %w stride [2, 2] padding [0, 0, 1, 1] dilation [1, 1] groups 2 : tensor<1x2x11x11xf64>, tensor<4x1x2x2xf64> -> tensor<1x4x6x6xf64>
  %a = kiln.avg_pool2d %y kernel [3, 3] stride [2, 2] padding [1, 1, 1, 1] : tensor<1x4x6x6xf64> -> tensor<1x4x3x3xf64>
  %l = kiln.reduce_sum %a axes [0, 1, 2, 3] : tensor<1x4x3x3xf64> -> tensor<f64>
  return %l : tensor<f64>
}
func.func @stack_step(%x: tensor<1x2x11x11xf64>, %w: tensor<4x1x2x2xf64>) -> (tensor<f64>, tensor<1x2x11x11xf64>, tensor<4x1x2x2xf64>) {
  %l, %dx, %dw = kiln.grad @stack_loss(%x, %w) wrt [0, 1] : (tensor<1x2x11x11xf64>, tensor<4x1x2x2xf64>) -> (tensor<f64>, tensor<1x2x11x11xf64>, tensor<4x1x2x2xf64>)
  return %l, %dx, %dw : tensor<f64>, tensor<1x2x11x11xf64>, tensor<4x1x2x2xf64>
}

// An embedding: the table's gradient is a scatter_add of the cotangent of
// the looked-up rows at the same indices; the indices get none. Dropout:
// the mask from random_uniform only selects, the seed gets no gradient.
// CHECK-LABEL: func.func private @embed_loss_grad
// CHECK-SAME: (%[[T:[a-z0-9_]+]]: tensor<5x3xf32>, %[[I:[a-z0-9_]+]]: tensor<2x4xi64>, %[[S:[a-z0-9_]+]]: tensor<i64>)
// CHECK: %[[U:.*]] = kiln.random_uniform %[[S]] : tensor<i64> -> tensor<2x4x3xf32>
// CHECK: %[[KEEP:.*]] = kiln.compare lt, %[[U]], %{{.*}} : tensor<2x4x3xf32>
// CHECK: kiln.reduce_sum
// CHECK: %[[DE:.*]] = kiln.select %[[KEEP]], %{{.*}}, %{{.*}} : tensor<2x4x3xi1>, tensor<2x4x3xf32>
// CHECK-NEXT: %[[DT:.*]] = kiln.scatter_add %[[DE]][%[[I]]] : tensor<2x4x3xf32>, tensor<2x4xi64> -> tensor<5x3xf32>
// CHECK-NEXT: return %{{.*}}, %[[DT]] : tensor<f32>, tensor<5x3xf32>
func.func @embed_loss(%t: tensor<5x3xf32>, %i: tensor<2x4xi64>, %s: tensor<i64>) -> tensor<f32> {
  %e = kiln.gather %t[%i] : tensor<5x3xf32>, tensor<2x4xi64> -> tensor<2x4x3xf32>
  %u = kiln.random_uniform %s : tensor<i64> -> tensor<2x4x3xf32>
  %p = kiln.constant dense<0.5> : tensor<2x4x3xf32>
  %keep = kiln.compare lt, %u, %p : tensor<2x4x3xf32>
  %zero = kiln.constant dense<0.0> : tensor<2x4x3xf32>
  %d = kiln.select %keep, %e, %zero : tensor<2x4x3xi1>, tensor<2x4x3xf32>
  %l = kiln.reduce_sum %d axes [0, 1, 2] : tensor<2x4x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @embed_step(%t: tensor<5x3xf32>, %i: tensor<2x4xi64>, %s: tensor<i64>) -> (tensor<f32>, tensor<5x3xf32>) {
  %l, %dt = kiln.grad @embed_loss(%t, %i, %s) wrt [0] : (tensor<5x3xf32>, tensor<2x4xi64>, tensor<i64>) -> (tensor<f32>, tensor<5x3xf32>)
  return %l, %dt : tensor<f32>, tensor<5x3xf32>
}
