// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// kiln.matmul -> linalg.fill (zero) + linalg.matmul / linalg.batch_matmul.
// Transposes are folded into the indexing maps (loops (b, m, n, k)); the
// default maps are not printed. Leading batch dimensions are collapsed into
// one and expanded back.

// CHECK-DAG: #[[LHS_T:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[RHS_T:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B_LHS_T:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[B_LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B_RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[B_RHS_T:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[B_OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<3x5xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x5xf32>) outs(%[[INIT]] : tensor<2x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x5xf32>
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_lhs
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<3x2xf32>, %[[B:[a-z0-9_]+]]: tensor<3x5xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-NEXT: linalg.matmul indexing_maps = [#[[LHS_T]], #[[RHS]], #[[OUT]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<3x2xf32>, tensor<3x5xf32>) outs(%[[INIT]] : tensor<2x5xf32>) -> tensor<2x5xf32>
func.func @matmul_transpose_lhs(%a: tensor<3x2xf32>, %b: tensor<3x5xf32>)
    -> tensor<2x5xf32> {
  %0 = kiln.matmul %a, %b {transpose_lhs}
      : tensor<3x2xf32>, tensor<3x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<5x3xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-NEXT: linalg.matmul indexing_maps = [#[[LHS]], #[[RHS_T]], #[[OUT]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<5x3xf32>) outs(%[[INIT]] : tensor<2x5xf32>) -> tensor<2x5xf32>
func.func @matmul_transpose_rhs(%a: tensor<2x3xf32>, %b: tensor<5x3xf32>)
    -> tensor<2x5xf32> {
  %0 = kiln.matmul %a, %b {transpose_rhs}
      : tensor<2x3xf32>, tensor<5x3xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// Integer matmul: the accumulator starts at integer 0.
// CHECK-LABEL: func.func @matmul_transpose_both_i32
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4x3xi32>, %[[B:[a-z0-9_]+]]: tensor<5x4xi32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<3x5xi32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : i32) outs(%[[E]] : tensor<3x5xi32>) -> tensor<3x5xi32>
// CHECK-NEXT: linalg.matmul indexing_maps = [#[[LHS_T]], #[[RHS_T]], #[[OUT]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x3xi32>, tensor<5x4xi32>) outs(%[[INIT]] : tensor<3x5xi32>) -> tensor<3x5xi32>
func.func @matmul_transpose_both_i32(%a: tensor<4x3xi32>, %b: tensor<5x4xi32>)
    -> tensor<3x5xi32> {
  %0 = kiln.matmul %a, %b {transpose_lhs, transpose_rhs}
      : tensor<4x3xi32>, tensor<5x4xi32> -> tensor<3x5xi32>
  return %0 : tensor<3x5xi32>
}

// CHECK-LABEL: func.func @batch_matmul
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4x2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<4x3x5xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<4x2x5xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4x2x5xf32>) -> tensor<4x2x5xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<4x2x3xf32>, tensor<4x3x5xf32>) outs(%[[INIT]] : tensor<4x2x5xf32>) -> tensor<4x2x5xf32>
// CHECK-NEXT: return %[[R]] : tensor<4x2x5xf32>
func.func @batch_matmul(%a: tensor<4x2x3xf32>, %b: tensor<4x3x5xf32>)
    -> tensor<4x2x5xf32> {
  %0 = kiln.matmul %a, %b : tensor<4x2x3xf32>, tensor<4x3x5xf32> -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// CHECK-LABEL: func.func @batch_matmul_transpose_lhs
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4x3x2xf32>, %[[B:[a-z0-9_]+]]: tensor<4x3x5xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-NEXT: linalg.batch_matmul indexing_maps = [#[[B_LHS_T]], #[[B_RHS]], #[[B_OUT]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x3x2xf32>, tensor<4x3x5xf32>) outs(%[[INIT]] : tensor<4x2x5xf32>) -> tensor<4x2x5xf32>
func.func @batch_matmul_transpose_lhs(%a: tensor<4x3x2xf32>, %b: tensor<4x3x5xf32>)
    -> tensor<4x2x5xf32> {
  %0 = kiln.matmul %a, %b {transpose_lhs}
      : tensor<4x3x2xf32>, tensor<4x3x5xf32> -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// CHECK-LABEL: func.func @batch_matmul_transpose_rhs
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4x2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<4x5x3xf32>)
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK-NEXT: linalg.batch_matmul indexing_maps = [#[[B_LHS]], #[[B_RHS_T]], #[[B_OUT]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x2x3xf32>, tensor<4x5x3xf32>) outs(%[[INIT]] : tensor<4x2x5xf32>) -> tensor<4x2x5xf32>
func.func @batch_matmul_transpose_rhs(%a: tensor<4x2x3xf32>, %b: tensor<4x5x3xf32>)
    -> tensor<4x2x5xf32> {
  %0 = kiln.matmul %a, %b {transpose_rhs}
      : tensor<4x2x3xf32>, tensor<4x5x3xf32> -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// Rank 4: the two batch dimensions are collapsed into one (2 * 3 = 6).
// CHECK-LABEL: func.func @matmul_rank4
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3x4x5xf32>, %[[B:[a-z0-9_]+]]: tensor<2x3x5x6xf32>)
// CHECK-NEXT: %[[CA:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xf32> into tensor<6x4x5xf32>
// CHECK-NEXT: %[[CB:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x6xf32> into tensor<6x5x6xf32>
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<6x4x6xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<6x4x6xf32>) -> tensor<6x4x6xf32>
// CHECK-NEXT: %[[MM:.*]] = linalg.batch_matmul ins(%[[CA]], %[[CB]] : tensor<6x4x5xf32>, tensor<6x5x6xf32>) outs(%[[INIT]] : tensor<6x4x6xf32>) -> tensor<6x4x6xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 6] : tensor<6x4x6xf32> into tensor<2x3x4x6xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3x4x6xf32>
func.func @matmul_rank4(%a: tensor<2x3x4x5xf32>, %b: tensor<2x3x5x6xf32>)
    -> tensor<2x3x4x6xf32> {
  %0 = kiln.matmul %a, %b
      : tensor<2x3x4x5xf32>, tensor<2x3x5x6xf32> -> tensor<2x3x4x6xf32>
  return %0 : tensor<2x3x4x6xf32>
}

// CHECK-LABEL: func.func @matmul_rank4_transposed_f64
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3x5x4xf64>, %[[B:[a-z0-9_]+]]: tensor<2x3x6x5xf64>)
// CHECK-NEXT: %[[CA:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x4xf64> into tensor<6x5x4xf64>
// CHECK-NEXT: %[[CB:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2], [3]] : tensor<2x3x6x5xf64> into tensor<6x6x5xf64>
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<6x4x6xf64>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f64) outs(%[[E]] : tensor<6x4x6xf64>) -> tensor<6x4x6xf64>
// CHECK-NEXT: %[[MM:.*]] = linalg.batch_matmul indexing_maps = [#[[B_LHS_T]], #[[B_RHS_T]], #[[B_OUT]]]
// CHECK-SAME: ins(%[[CA]], %[[CB]] : tensor<6x5x4xf64>, tensor<6x6x5xf64>) outs(%[[INIT]] : tensor<6x4x6xf64>) -> tensor<6x4x6xf64>
// CHECK-NEXT: %[[R:.*]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2], [3]] output_shape [2, 3, 4, 6] : tensor<6x4x6xf64> into tensor<2x3x4x6xf64>
// CHECK-NEXT: return %[[R]] : tensor<2x3x4x6xf64>
func.func @matmul_rank4_transposed_f64(%a: tensor<2x3x5x4xf64>,
                                       %b: tensor<2x3x6x5xf64>)
    -> tensor<2x3x4x6xf64> {
  %0 = kiln.matmul %a, %b {transpose_lhs, transpose_rhs}
      : tensor<2x3x5x4xf64>, tensor<2x3x6x5xf64> -> tensor<2x3x4x6xf64>
  return %0 : tensor<2x3x4x6xf64>
}
