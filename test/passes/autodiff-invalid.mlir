// RUN: kiln-opt %s --kiln-autodiff -split-input-file -verify-diagnostics

// An op on the path from a differentiated argument to the loss without a
// gradient rule is named.
func.func private @helper(%x: tensor<3xf32>) -> tensor<3xf32>
func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{kiln-autodiff: 'func.call' has no gradient rule, but it lies between a differentiated argument of @loss and its loss}}
  %h = func.call @helper(%w) : (tensor<3xf32>) -> tensor<3xf32>
  %l = kiln.reduce_sum %h axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @step(%w: tensor<3xf32>) -> tensor<3xf32> {
  %l, %dw = kiln.grad @loss(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %dw : tensor<3xf32>
}

// -----

// Off the path, an op without a rule is fine: @helper only sees %x, which
// is not differentiated.
func.func private @helper(%x: tensor<3xf32>) -> tensor<3xf32>
func.func @loss(%w: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<f32> {
  %h = func.call @helper(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %p = kiln.mul %w, %h : tensor<3xf32>
  %l = kiln.reduce_sum %p axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @step(%w: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %l, %dw = kiln.grad @loss(%w, %x) wrt [0] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %dw : tensor<3xf32>
}
