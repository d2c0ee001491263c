// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// Folders of the kiln shape and cast ops.

// CHECK-LABEL: func.func @broadcast_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NOT: kiln.broadcast
// CHECK: return %[[X]] : tensor<2x3xf32>
func.func @broadcast_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.broadcast %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_not_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x3xf32>)
// CHECK: %[[B:.*]] = kiln.broadcast %[[X]] : tensor<1x3xf32> -> tensor<4x3xf32>
// CHECK: return %[[B]]
func.func @broadcast_not_identity(%x: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.broadcast %x : tensor<1x3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xi32>)
// CHECK-NOT: kiln.reshape
// CHECK: return %[[X]] : tensor<2x3xi32>
func.func @reshape_identity(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = kiln.reshape %x : tensor<2x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @cast_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4xf64>)
// CHECK-NOT: kiln.cast
// CHECK: return %[[X]] : tensor<4xf64>
func.func @cast_identity(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = kiln.cast %x : tensor<4xf64> -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @cast_not_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4xf64>)
// CHECK: %[[C:.*]] = kiln.cast %[[X]] : tensor<4xf64> -> tensor<4xf32>
// CHECK: return %[[C]]
func.func @cast_not_identity(%x: tensor<4xf64>) -> tensor<4xf32> {
  %0 = kiln.cast %x : tensor<4xf64> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: return %[[X]] : tensor<2x3x4xf32>
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.transpose %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A permutation of two equal dimensions keeps the type but is no identity.
// CHECK-LABEL: func.func @transpose_not_identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<3x3xf32>)
// CHECK: %[[T:.*]] = kiln.transpose %[[X]] [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
// CHECK: return %[[T]]
func.func @transpose_not_identity(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = kiln.transpose %x [1, 0] : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]] : tensor<4x6xf32>
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = kiln.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A chain that comes back to the input type folds away entirely.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = kiln.reshape %0 : tensor<6xf32> -> tensor<3x2xf32>
  %2 = kiln.reshape %1 : tensor<3x2xf32> -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
// CHECK-NEXT: return %[[C]] : tensor<3x2xi64>
func.func @reshape_of_constant() -> tensor<3x2xi64> {
  %0 = kiln.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %1 = kiln.reshape %0 : tensor<2x3xi64> -> tensor<3x2xi64>
  return %1 : tensor<3x2xi64>
}

// -----

// CHECK-LABEL: func.func @broadcast_splat_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<2.500000e+00> : tensor<4x2x3xf32>
// CHECK-NEXT: return %[[C]] : tensor<4x2x3xf32>
func.func @broadcast_splat_constant() -> tensor<4x2x3xf32> {
  %0 = kiln.constant dense<2.5> : tensor<3xf32>
  %1 = kiln.broadcast %0 : tensor<3xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_splat_constant_rank0
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<true> : tensor<2x2xi1>
// CHECK-NEXT: return %[[C]] : tensor<2x2xi1>
func.func @broadcast_splat_constant_rank0() -> tensor<2x2xi1> {
  %0 = kiln.constant dense<true> : tensor<i1>
  %1 = kiln.broadcast %0 : tensor<i1> -> tensor<2x2xi1>
  return %1 : tensor<2x2xi1>
}

// -----

// Only splats fold: a non-uniform constant stays broadcast.
// CHECK-LABEL: func.func @broadcast_non_splat_constant
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[B:.*]] = kiln.broadcast %[[C]] : tensor<3xf32> -> tensor<2x3xf32>
// CHECK-NEXT: return %[[B]] : tensor<2x3xf32>
func.func @broadcast_non_splat_constant() -> tensor<2x3xf32> {
  %0 = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %1 = kiln.broadcast %0 : tensor<3xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
