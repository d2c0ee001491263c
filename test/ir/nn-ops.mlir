// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// Round trip of every op of KilnNNOps.td through the custom printer, and
// through the generic form and back.

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x4x7x6xf32>, %[[W:[a-z0-9_]+]]: tensor<6x2x3x2xf32>, %[[V:[a-z0-9_]+]]: tensor<3x4x1x1xf64>, %[[Z:[a-z0-9_]+]]: tensor<1x4x2x2xf64>)
func.func @conv2d(%x: tensor<2x4x7x6xf32>, %w: tensor<6x2x3x2xf32>, %v: tensor<3x4x1x1xf64>, %z: tensor<1x4x2x2xf64>) {
  // CHECK: kiln.conv2d %[[X]], %[[W]] stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32> -> tensor<2x6x4x3xf32>
  %0 = kiln.conv2d %x, %w stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32> -> tensor<2x6x4x3xf32>
  // CHECK: kiln.conv2d %[[Z]], %[[V]] stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x4x2x2xf64>, tensor<3x4x1x1xf64> -> tensor<1x3x2x2xf64>
  %1 = kiln.conv2d %z, %v stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 1 : tensor<1x4x2x2xf64>, tensor<3x4x1x1xf64> -> tensor<1x3x2x2xf64>
  return
}

// CHECK-LABEL: func.func @conv2d_gradients
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x4x7x6xf32>, %[[W:[a-z0-9_]+]]: tensor<6x2x3x2xf32>, %[[DY:[a-z0-9_]+]]: tensor<2x6x4x3xf32>)
func.func @conv2d_gradients(%x: tensor<2x4x7x6xf32>, %w: tensor<6x2x3x2xf32>, %dy: tensor<2x6x4x3xf32>) {
  // CHECK: kiln.conv2d_backward_input %[[DY]], %[[W]] stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x6x4x3xf32>, tensor<6x2x3x2xf32> -> tensor<2x4x7x6xf32>
  %0 = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x6x4x3xf32>, tensor<6x2x3x2xf32> -> tensor<2x4x7x6xf32>
  // The rounded-down output size: an input one row taller has the same dy.
  // CHECK: kiln.conv2d_backward_input %[[DY]], %[[W]] stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x6x4x3xf32>, tensor<6x2x3x2xf32> -> tensor<2x4x8x6xf32>
  %1 = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x6x4x3xf32>, tensor<6x2x3x2xf32> -> tensor<2x4x8x6xf32>
  // CHECK: kiln.conv2d_backward_filter %[[X]], %[[DY]] stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x4x7x6xf32>, tensor<2x6x4x3xf32> -> tensor<6x2x3x2xf32>
  %2 = kiln.conv2d_backward_filter %x, %dy stride [2, 2] padding [1, 0, 1, 1] dilation [1, 2] groups 2 : tensor<2x4x7x6xf32>, tensor<2x6x4x3xf32> -> tensor<6x2x3x2xf32>
  return
}

// CHECK-LABEL: func.func @pooling
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x4x7x6xf64>, %[[DM:[a-z0-9_]+]]: tensor<2x4x3x3xf64>, %[[DA:[a-z0-9_]+]]: tensor<2x4x4x3xf64>)
func.func @pooling(%x: tensor<2x4x7x6xf64>, %dm: tensor<2x4x3x3xf64>, %da: tensor<2x4x4x3xf64>) {
  // CHECK: kiln.max_pool2d %[[X]] kernel [3, 2] stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] : tensor<2x4x7x6xf64> -> tensor<2x4x3x3xf64>
  %0 = kiln.max_pool2d %x kernel [3, 2] stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] : tensor<2x4x7x6xf64> -> tensor<2x4x3x3xf64>
  // CHECK: kiln.max_pool2d_backward %[[X]], %[[DM]] kernel [3, 2] stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] : tensor<2x4x7x6xf64>, tensor<2x4x3x3xf64> -> tensor<2x4x7x6xf64>
  %1 = kiln.max_pool2d_backward %x, %dm kernel [3, 2] stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] : tensor<2x4x7x6xf64>, tensor<2x4x3x3xf64> -> tensor<2x4x7x6xf64>
  // CHECK: kiln.max_pool2d %[[X]] kernel [2, 2] stride [3, 2] padding [0, 0, 0, 0] dilation [2, 2] : tensor<2x4x7x6xf64> -> tensor<2x4x2x2xf64>
  %2 = kiln.max_pool2d %x kernel [2, 2] stride [3, 2] padding [0, 0, 0, 0] dilation [2, 2] : tensor<2x4x7x6xf64> -> tensor<2x4x2x2xf64>
  // CHECK: kiln.avg_pool2d %[[X]] kernel [2, 2] stride [2, 2] padding [1, 0, 0, 0] : tensor<2x4x7x6xf64> -> tensor<2x4x4x3xf64>
  %3 = kiln.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [1, 0, 0, 0] : tensor<2x4x7x6xf64> -> tensor<2x4x4x3xf64>
  // CHECK: kiln.avg_pool2d_backward %[[DA]] kernel [2, 2] stride [2, 2] padding [1, 0, 0, 0] : tensor<2x4x4x3xf64> -> tensor<2x4x7x6xf64>
  %4 = kiln.avg_pool2d_backward %da kernel [2, 2] stride [2, 2] padding [1, 0, 0, 0] : tensor<2x4x4x3xf64> -> tensor<2x4x7x6xf64>
  return
}

// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[T:[a-z0-9_]+]]: tensor<10x3xf32>, %[[I:[a-z0-9_]+]]: tensor<2x5xi64>, %[[J:[a-z0-9_]+]]: tensor<i32>, %[[B:[a-z0-9_]+]]: tensor<4x2xi1>, %[[U:[a-z0-9_]+]]: tensor<2x5x3xf32>, %[[V:[a-z0-9_]+]]: tensor<2xi64>)
func.func @embedding(%t: tensor<10x3xf32>, %i: tensor<2x5xi64>, %j: tensor<i32>, %b: tensor<4x2xi1>, %u: tensor<2x5x3xf32>, %v: tensor<2xi64>) {
  // CHECK: kiln.gather %[[T]][%[[I]]] : tensor<10x3xf32>, tensor<2x5xi64> -> tensor<2x5x3xf32>
  %0 = kiln.gather %t[%i] : tensor<10x3xf32>, tensor<2x5xi64> -> tensor<2x5x3xf32>
  // CHECK: kiln.gather %[[T]][%[[J]]] : tensor<10x3xf32>, tensor<i32> -> tensor<3xf32>
  %1 = kiln.gather %t[%j] : tensor<10x3xf32>, tensor<i32> -> tensor<3xf32>
  // CHECK: kiln.gather %[[B]][%[[I]]] : tensor<4x2xi1>, tensor<2x5xi64> -> tensor<2x5x2xi1>
  %2 = kiln.gather %b[%i] : tensor<4x2xi1>, tensor<2x5xi64> -> tensor<2x5x2xi1>
  // CHECK: kiln.scatter_add %[[U]][%[[I]]] : tensor<2x5x3xf32>, tensor<2x5xi64> -> tensor<10x3xf32>
  %3 = kiln.scatter_add %u[%i] : tensor<2x5x3xf32>, tensor<2x5xi64> -> tensor<10x3xf32>
  // CHECK: kiln.scatter_add %[[V]][%[[J]]] : tensor<2xi64>, tensor<i32> -> tensor<7x2xi64>
  %4 = kiln.scatter_add %v[%j] : tensor<2xi64>, tensor<i32> -> tensor<7x2xi64>
  return
}

// CHECK-LABEL: func.func @erf
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x16xf32>, %[[D:[a-z0-9_]+]]: tensor<3xf64>)
func.func @erf(%x: tensor<8x16xf32>, %d: tensor<3xf64>) {
  // CHECK: kiln.erf %[[X]] : tensor<8x16xf32>{{$}}
  %0 = kiln.erf %x : tensor<8x16xf32>
  // CHECK: kiln.erf %[[D]] : tensor<3xf64>{{$}}
  %1 = kiln.erf %d : tensor<3xf64>
  return
}

// CHECK-LABEL: func.func @random
// CHECK-SAME: (%[[S:[a-z0-9_]+]]: tensor<i64>)
func.func @random(%s: tensor<i64>) {
  // CHECK: kiln.random_uniform %[[S]] : tensor<i64> -> tensor<64x512xf32>
  %0 = kiln.random_uniform %s : tensor<i64> -> tensor<64x512xf32>
  // CHECK: kiln.random_uniform %[[S]] : tensor<i64> -> tensor<f64>
  %1 = kiln.random_uniform %s : tensor<i64> -> tensor<f64>
  return
}
