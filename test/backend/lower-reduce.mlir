// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// Reductions -> linalg.fill with the identity of the combiner (0 for sums,
// -inf or INT_MIN for max) + linalg.reduce over the sorted axes; mean
// divides by the element count; keepdims re-inserts the unit dimensions
// with tensor.expand_shape.

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @reduce_sum_f32
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<3xf32>) dimensions = [0, 2]
// CHECK-NEXT: (%[[IN:[a-z0-9_]+]]: f32, %[[ACC:[a-z0-9_]+]]: f32) {
// CHECK-NEXT: %[[V:.*]] = arith.addf %[[IN]], %[[ACC]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : tensor<3xf32>
func.func @reduce_sum_f32(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // Axes are given unsorted; linalg.reduce gets them sorted.
  %0 = kiln.reduce_sum %x axes [2, 0] : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func @reduce_sum_i32_keepdims
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x6xi32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<5xi32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32) outs(%[[E]] : tensor<5xi32>) -> tensor<5xi32>
// CHECK-NEXT: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<5x6xi32>) outs(%[[INIT]] : tensor<5xi32>) dimensions = [1]
// CHECK-NEXT: (%[[IN:[a-z0-9_]+]]: i32, %[[ACC:[a-z0-9_]+]]: i32) {
// CHECK-NEXT: %[[V:.*]] = arith.addi %[[IN]], %[[ACC]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
// CHECK-NEXT: }
// CHECK-NEXT: %[[K:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1]] output_shape [5, 1] : tensor<5xi32> into tensor<5x1xi32>
// CHECK-NEXT: return %[[K]] : tensor<5x1xi32>
func.func @reduce_sum_i32_keepdims(%x: tensor<5x6xi32>) -> tensor<5x1xi32> {
  %0 = kiln.reduce_sum %x axes [1] keepdims : tensor<5x6xi32> -> tensor<5x1xi32>
  return %0 : tensor<5x1xi32>
}

// CHECK-LABEL: func.func @reduce_max_f32
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[E]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3xf32>) outs(%[[INIT]] : tensor<3xf32>) dimensions = [0]
// CHECK-NEXT: (%[[IN:[a-z0-9_]+]]: f32, %[[ACC:[a-z0-9_]+]]: f32) {
// CHECK-NEXT: %[[V:.*]] = arith.maximumf %[[IN]], %[[ACC]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : tensor<3xf32>
func.func @reduce_max_f32(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = kiln.reduce_max %x axes [0] : tensor<2x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// CHECK-LABEL: func.func @reduce_max_f64
// CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xFFF0000000000000 : f64
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2xf64>
// CHECK-NEXT: linalg.fill ins(%[[NEGINF]] : f64) outs(%[[E]] : tensor<2xf64>)
// CHECK: arith.maximumf
func.func @reduce_max_f64(%x: tensor<2x3xf64>) -> tensor<2xf64> {
  %0 = kiln.reduce_max %x axes [1] : tensor<2x3xf64> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// CHECK-LABEL: func.func @reduce_max_i32
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x6xi32>)
// CHECK-NEXT: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<6xi32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[MIN]] : i32) outs(%[[E]] : tensor<6xi32>) -> tensor<6xi32>
// CHECK-NEXT: linalg.reduce ins(%[[X]] : tensor<5x6xi32>) outs(%[[INIT]] : tensor<6xi32>) dimensions = [0]
// CHECK-NEXT: (%[[IN:[a-z0-9_]+]]: i32, %[[ACC:[a-z0-9_]+]]: i32) {
// CHECK-NEXT: %[[V:.*]] = arith.maxsi %[[IN]], %[[ACC]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @reduce_max_i32(%x: tensor<5x6xi32>) -> tensor<6xi32> {
  %0 = kiln.reduce_max %x axes [0] : tensor<5x6xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// CHECK-LABEL: func.func @reduce_max_i64_all
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x6xi64>)
// CHECK-NEXT: %[[MIN:.*]] = arith.constant -9223372036854775808 : i64
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<i64>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[MIN]] : i64) outs(%[[E]] : tensor<i64>) -> tensor<i64>
// CHECK-NEXT: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<5x6xi64>) outs(%[[INIT]] : tensor<i64>) dimensions = [0, 1]
// CHECK: arith.maxsi
// CHECK: return %[[R]] : tensor<i64>
func.func @reduce_max_i64_all(%x: tensor<5x6xi64>) -> tensor<i64> {
  %0 = kiln.reduce_max %x axes [1, 0] : tensor<5x6xi64> -> tensor<i64>
  return %0 : tensor<i64>
}

// Mean: sum, then divide by the number of reduced elements (2 * 4 = 8).
// CHECK-LABEL: func.func @reduce_mean_keepdims
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<3xf32>) dimensions = [0, 2]
// CHECK-NEXT: (%[[IN:[a-z0-9_]+]]: f32, %[[ACC:[a-z0-9_]+]]: f32) {
// CHECK-NEXT: %[[V:.*]] = arith.addf %[[IN]], %[[ACC]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[COUNT:.*]] = arith.constant 8.000000e+00 : f32
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<3xf32>
// CHECK-NEXT: %[[MEAN:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[SUM]] : tensor<3xf32>) outs(%[[E2]] : tensor<3xf32>)
// CHECK-NEXT: ^bb0(%[[S:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[S]], %[[COUNT]] : f32
// CHECK-NEXT: linalg.yield %[[Q]] : f32
// CHECK-NEXT: } -> tensor<3xf32>
// CHECK-NEXT: %[[K:.*]] = tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
// CHECK-NEXT: return %[[K]] : tensor<1x3x1xf32>
func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<1x3x1xf32> {
  %0 = kiln.reduce_mean %x axes [0, 2] keepdims
      : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// CHECK-LABEL: func.func @reduce_mean_f64
// CHECK: linalg.reduce
// CHECK-SAME: dimensions = [1]
// CHECK: %[[COUNT:.*]] = arith.constant 5.000000e+00 : f64
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-NEXT: ^bb0(%[[S:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: arith.divf %[[S]], %[[COUNT]] : f64
// CHECK-NOT: tensor.expand_shape
// CHECK: return
func.func @reduce_mean_f64(%x: tensor<2x5x3xf64>) -> tensor<2x3xf64> {
  %0 = kiln.reduce_mean %x axes [1] : tensor<2x5x3xf64> -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// All axes with keepdims: rank 0 -> rank 3 with an empty reassociation.
// CHECK-LABEL: func.func @reduce_max_all_keepdims
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[E]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[R:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<f32>) dimensions = [0, 1, 2]
// CHECK: %[[K:.*]] = tensor.expand_shape %[[R]] [] output_shape [1, 1, 1] : tensor<f32> into tensor<1x1x1xf32>
// CHECK-NEXT: return %[[K]] : tensor<1x1x1xf32>
func.func @reduce_max_all_keepdims(%x: tensor<2x3x4xf32>) -> tensor<1x1x1xf32> {
  %0 = kiln.reduce_max %x axes [0, 1, 2] keepdims
      : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// CHECK-LABEL: func.func @reduce_mean_all_keepdims
// CHECK: linalg.reduce
// CHECK-SAME: outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// CHECK: %[[COUNT:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: %[[MEAN:.*]] = linalg.generic
// CHECK: arith.divf %{{.*}}, %[[COUNT]] : f32
// CHECK: %[[K:.*]] = tensor.expand_shape %[[MEAN]] [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK-NEXT: return %[[K]] : tensor<1x1xf32>
func.func @reduce_mean_all_keepdims(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = kiln.reduce_mean %x axes [0, 1] keepdims : tensor<2x3xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// Leading and trailing reduced axes: each unit dimension joins a kept one.
// CHECK-LABEL: func.func @reduce_sum_keepdims_trailing
// CHECK: %[[R:.*]] = linalg.reduce
// CHECK-SAME: dimensions = [1, 2]
// CHECK: %[[K:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
// CHECK-NEXT: return %[[K]] : tensor<2x1x1xf32>
func.func @reduce_sum_keepdims_trailing(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  %0 = kiln.reduce_sum %x axes [1, 2] keepdims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// CHECK-LABEL: func.func @reduce_sum_keepdims_leading
// CHECK: %[[R:.*]] = linalg.reduce
// CHECK-SAME: dimensions = [0]
// CHECK: %[[K:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1], [2]] output_shape [1, 3, 4] : tensor<3x4xf32> into tensor<1x3x4xf32>
// CHECK-NEXT: return %[[K]] : tensor<1x3x4xf32>
func.func @reduce_sum_keepdims_leading(%x: tensor<2x3x4xf32>) -> tensor<1x3x4xf32> {
  %0 = kiln.reduce_sum %x axes [0] keepdims : tensor<2x3x4xf32> -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}
