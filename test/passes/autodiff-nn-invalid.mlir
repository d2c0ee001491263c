// RUN: kiln-opt %s --kiln-autodiff -verify-diagnostics

// max_pool2d_backward has no gradient rule (its adjoint in dy reads dy back
// at each window's maximum, which no kiln op does), so a max-pooling graph
// can be differentiated once, not twice.
func.func @grad_of_pool(%x: tensor<1x1x4x4xf32>, %dy: tensor<1x1x2x2xf32>) -> tensor<f32> {
  // expected-error @+1 {{kiln-autodiff: 'kiln.max_pool2d_backward' has no gradient rule, but it lies between a differentiated argument of @grad_of_pool and its loss}}
  %dx = kiln.max_pool2d_backward %x, %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  %l = kiln.reduce_sum %dx axes [0, 1, 2, 3] : tensor<1x1x4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @second_order(%x: tensor<1x1x4x4xf32>, %dy: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %l, %g = kiln.grad @grad_of_pool(%x, %dy) wrt [1] : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> (tensor<f32>, tensor<1x1x2x2xf32>)
  return %g : tensor<1x1x2x2xf32>
}
