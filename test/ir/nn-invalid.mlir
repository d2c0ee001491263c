// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of the ops in KilnNNOps.td.

// Window attributes: count and range of each.
func.func @conv_stride_count(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op stride [1] must have 2 entries (height, width), each >= 1}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_stride_zero(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op stride [1, 0] must have 2 entries (height, width), each >= 1}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 0] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op padding [1, 1] must have 4 entries (top, left, bottom, right), each >= 0}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [1, 1] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_negative_padding(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op padding [0, -1, 0, 0] must have 4 entries (top, left, bottom, right), each >= 0}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, -1, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_dilation(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op dilation [0, 1] must have 2 entries (height, width), each >= 1}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [0, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

// Operand ranks and types.
func.func @conv_input_rank(%x: tensor<2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op input 'tensor<2x5x5xf32>' must be 4-D [N, C, H, W]}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_filter_rank(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op filter 'tensor<3x2x3xf32>' must be 4-D [O, C / groups, kH, kW]}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf64>) {
  // expected-error @+2 {{'kiln.conv2d' op input 'tensor<1x2x5x5xf32>' and filter 'tensor<3x2x3x3xf64>' must have the same element type}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf64> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_integer(%x: tensor<1x2x5x5xi32>, %w: tensor<3x2x3x3xi32>) {
  // expected-error @+1 {{'kiln.conv2d' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<1x2x5x5xi32>'}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xi32>, tensor<3x2x3x3xi32> -> tensor<1x3x3x3xi32>
  return
}

// -----

// Groups must divide both channel counts.
func.func @conv_groups(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op groups 2 must be >= 1 and divide the input channels (C = 4) and the filter output channels (O = 3)}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

func.func @conv_groups_zero(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op groups 0 must be >= 1 and divide the input channels (C = 4) and the filter output channels (O = 4)}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 0 : tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @conv_filter_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op filter 'tensor<4x4x3x3xf32>' must have C / groups = 2 input channels: input 'tensor<1x4x5x5xf32>' has C = 4 in 2 group(s)}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32> -> tensor<1x4x3x3xf32>
  return
}

// -----

func.func @conv_empty_kernel(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x0x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op filter 'tensor<3x2x0x3xf32>' must have a kernel of at least 1x1}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x0x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

// The padded input must hold one (dilated) window.
func.func @conv_too_small(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op input 'tensor<1x2x5x5xf32>' padded to 5x5 is smaller than the window, which spans 7x3 (kernel 3x3 dilated by 3x1)}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [3, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return
}

// -----

// A result type that is not the inferred one.
func.func @conv_wrong_result(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'kiln.conv2d' op inferred type(s) 'tensor<1x3x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x3x5x5xf32>'}}
  // expected-error @+1 {{'kiln.conv2d' op failed to infer returned types}}
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x5x5xf32>
  return
}

// -----

// Attributes are required (no defaults).
func.func @conv_missing_attribute(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op requires attribute 'groups'}}
  %0 = "kiln.conv2d"(%x, %w) <{stride = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilation = array<i64: 1, 1>}> : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return
}

// -----

// Backward ops: dy must be the forward result for the result type (the
// forward input or filter), which plays its role in the messages.
func.func @backward_input_dy(%dy: tensor<1x3x4x3xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d_backward_input' op dy 'tensor<1x3x4x3xf32>' must have the type of the conv2d result for input 'tensor<1x2x5x5xf32>' and filter 'tensor<3x2x3x3xf32>', 'tensor<1x3x3x3xf32>'}}
  %0 = kiln.conv2d_backward_input %dy, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x3x4x3xf32>, tensor<3x2x3x3xf32> -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @backward_input_result_rank(%dy: tensor<1x3x3x3xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d_backward_input' op result 'tensor<2x5x5xf32>' must be 4-D [N, C, H, W]}}
  %0 = kiln.conv2d_backward_input %dy, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32> -> tensor<2x5x5xf32>
  return
}

// -----

func.func @backward_filter_dy(%x: tensor<1x2x5x5xf32>, %dy: tensor<1x3x3x3xf64>) {
  // expected-error @+1 {{'kiln.conv2d_backward_filter' op dy 'tensor<1x3x3x3xf64>' must have the type of the conv2d result for input 'tensor<1x2x5x5xf32>' and filter 'tensor<3x2x3x3xf32>', 'tensor<1x3x3x3xf32>'}}
  %0 = kiln.conv2d_backward_filter %x, %dy stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<1x3x3x3xf64> -> tensor<3x2x3x3xf32>
  return
}

// -----

func.func @backward_filter_channels(%x: tensor<1x2x5x5xf32>, %dy: tensor<1x3x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d_backward_filter' op result 'tensor<3x1x3x3xf32>' must have C / groups = 2 input channels: input 'tensor<1x2x5x5xf32>' has C = 2 in 1 group(s)}}
  %0 = kiln.conv2d_backward_filter %x, %dy stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x5x5xf32>, tensor<1x3x3x3xf32> -> tensor<3x1x3x3xf32>
  return
}

// -----

// Pooling.
func.func @pool_kernel(%x: tensor<1x2x5x5xf32>) {
  // expected-error @+2 {{'kiln.max_pool2d' op kernel [2, 0] must have 2 entries (height, width), each >= 1}}
  // expected-error @+1 {{'kiln.max_pool2d' op failed to infer returned types}}
  %0 = kiln.max_pool2d %x kernel [2, 0] stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] : tensor<1x2x5x5xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<2x5x5xf32>) {
  // expected-error @+2 {{'kiln.avg_pool2d' op input 'tensor<2x5x5xf32>' must be 4-D [N, C, H, W]}}
  // expected-error @+1 {{'kiln.avg_pool2d' op failed to infer returned types}}
  %0 = kiln.avg_pool2d %x kernel [2, 2] stride [1, 1] padding [0, 0, 0, 0] : tensor<2x5x5xf32> -> tensor<2x4x4xf32>
  return
}

// -----

func.func @pool_too_small(%x: tensor<1x2x5x5xf32>) {
  // expected-error @+2 {{'kiln.max_pool2d' op input 'tensor<1x2x5x5xf32>' padded to 5x5 is smaller than the window, which spans 6x2 (kernel 2x2 dilated by 5x1)}}
  // expected-error @+1 {{'kiln.max_pool2d' op failed to infer returned types}}
  %0 = kiln.max_pool2d %x kernel [2, 2] stride [1, 1] padding [0, 0, 0, 0] dilation [5, 1] : tensor<1x2x5x5xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @max_pool_backward_dy(%x: tensor<1x2x5x5xf32>, %dy: tensor<1x2x4x4xf32>) {
  // expected-error @+2 {{'kiln.max_pool2d_backward' op dy 'tensor<1x2x4x4xf32>' must have the type of the max_pool2d result for input 'tensor<1x2x5x5xf32>', 'tensor<1x2x2x2xf32>'}}
  // expected-error @+1 {{'kiln.max_pool2d_backward' op failed to infer returned types}}
  %0 = kiln.max_pool2d_backward %x, %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<1x2x5x5xf32>, tensor<1x2x4x4xf32> -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @avg_pool_backward_dy(%dy: tensor<1x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.avg_pool2d_backward' op dy 'tensor<1x2x3x3xf32>' must have the type of the avg_pool2d result for input 'tensor<1x2x5x5xf32>', 'tensor<1x2x2x2xf32>'}}
  %0 = kiln.avg_pool2d_backward %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] : tensor<1x2x3x3xf32> -> tensor<1x2x5x5xf32>
  return
}

// -----

// Embedding lookup.
func.func @gather_table_rank(%t: tensor<10xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'kiln.gather' op table 'tensor<10xf32>' must be 2-D [V, D]}}
  // expected-error @+1 {{'kiln.gather' op failed to infer returned types}}
  %0 = kiln.gather %t[%i] : tensor<10xf32>, tensor<3xi64> -> tensor<3xf32>
  return
}

// -----

func.func @gather_float_indices(%t: tensor<10x2xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = kiln.gather %t[%i] : tensor<10x2xf32>, tensor<3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @scatter_result_rank(%u: tensor<3x2xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'kiln.scatter_add' op result 'tensor<10x2x1xf32>' must be 2-D [V, D]}}
  %0 = kiln.scatter_add %u[%i] : tensor<3x2xf32>, tensor<3xi64> -> tensor<10x2x1xf32>
  return
}

// -----

func.func @scatter_updates(%u: tensor<3x2xf32>, %i: tensor<4xi64>) {
  // expected-error @+1 {{'kiln.scatter_add' op updates 'tensor<3x2xf32>' must have the type 'tensor<4x2xf32>': the shape of indices 'tensor<4xi64>' followed by the row size D of the result 'tensor<10x2xf32>'}}
  %0 = kiln.scatter_add %u[%i] : tensor<3x2xf32>, tensor<4xi64> -> tensor<10x2xf32>
  return
}

// -----

// Random numbers: a rank-0 i64 seed, a float result.
func.func @random_seed(%s: tensor<1xi64>) {
  // expected-error @+1 {{'kiln.random_uniform' op operand #0 must be 0D tensor of 64-bit signless integer values, but got 'tensor<1xi64>'}}
  %0 = kiln.random_uniform %s : tensor<1xi64> -> tensor<4xf32>
  return
}

// -----

func.func @random_integer(%s: tensor<i64>) {
  // expected-error @+1 {{'kiln.random_uniform' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.random_uniform %s : tensor<i64> -> tensor<4xi32>
  return
}

// -----

func.func @erf_of_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.erf' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.erf %x : tensor<4xi32>
  return
}

// -----

func.func @erf_type_mismatch(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.erf' op requires the same type for all operands and results}}
  %0 = "kiln.erf"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return
}
