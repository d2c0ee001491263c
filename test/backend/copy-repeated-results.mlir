// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-copy-repeated-results))' | FileCheck %s

// A value returned twice: the second result becomes a copy.
// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK: %[[N:.*]] = kiln.neg %[[X]]
// CHECK: %[[E:.*]] = bufferization.alloc_tensor() : tensor<3xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[N]] : tensor<3xf32>) outs(%[[E]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK: return %[[N]], %[[C]]
func.func @twice(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %n = kiln.neg %x : tensor<3xf32>
  return %n, %n : tensor<3xf32>, tensor<3xf32>
}

// A value and an argument each returned twice: one copy per repeat.
// CHECK-LABEL: func.func @thrice
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK: %[[A:.*]] = kiln.abs %[[X]]
// CHECK: %[[CA:.*]] = linalg.copy ins(%[[A]] : tensor<2xf32>)
// CHECK: %[[CX:.*]] = linalg.copy ins(%[[X]] : tensor<2xf32>)
// CHECK-NOT: linalg.copy
// CHECK: return %[[X]], %[[A]], %[[CA]], %[[CX]]
func.func @thrice(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.abs %x : tensor<2xf32>
  return %x, %a, %a, %x : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// Distinct results are left alone.
// CHECK-LABEL: func.func @distinct
// CHECK-NOT: linalg.copy
// CHECK: return
func.func @distinct(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kiln.abs %x : tensor<2xf32>
  return %x, %a : tensor<2xf32>, tensor<2xf32>
}
