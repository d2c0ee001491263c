// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// kiln.broadcast becomes a copying linalg.generic whose input map encodes
// NumPy broadcasting: missing leading dimensions are not read, and size-1
// dimensions that grow read index 0.

// CHECK-DAG: #[[LEAD:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[LEAD_ROW:.*]] = affine_map<(d0, d1, d2) -> (0, d2)>
// CHECK-DAG: #[[MID:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>

// CHECK-LABEL: func.func @missing_leading_dim
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<3xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[LEAD]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK-NEXT: } -> tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
func.func @missing_leading_dim(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.broadcast %x : tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @size_one_trailing_dim
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x1xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x1xf32>) outs(%[[INIT]] : tensor<2x5xf32>)
func.func @size_one_trailing_dim(%x: tensor<2x1xf32>) -> tensor<2x5xf32> {
  %0 = kiln.broadcast %x : tensor<2x1xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// A size-1 dimension that stays 1 is read by its loop index, not by 0.
// CHECK-LABEL: func.func @size_one_leading_dim
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x1xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<4x1xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<1x1xf32>) outs(%[[INIT]] : tensor<4x1xf32>)
func.func @size_one_leading_dim(%x: tensor<1x1xf32>) -> tensor<4x1xf32> {
  %0 = kiln.broadcast %x : tensor<1x1xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// CHECK-LABEL: func.func @rank0
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<f32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[SCALAR]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<f32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @rank0(%x: tensor<f32>) -> tensor<2x3xf32> {
  %0 = kiln.broadcast %x : tensor<f32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Both rules at once: a missing leading dimension and a growing size-1 one.
// CHECK-LABEL: func.func @leading_and_size_one
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x3xi1>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<4x2x3xi1>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[LEAD_ROW]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<1x3xi1>) outs(%[[INIT]] : tensor<4x2x3xi1>)
// CHECK-NEXT: ^bb0(%[[IN:[a-z0-9_]+]]: i1, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: linalg.yield %[[IN]] : i1
func.func @leading_and_size_one(%x: tensor<1x3xi1>) -> tensor<4x2x3xi1> {
  %0 = kiln.broadcast %x : tensor<1x3xi1> -> tensor<4x2x3xi1>
  return %0 : tensor<4x2x3xi1>
}

// CHECK-LABEL: func.func @middle_dim
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x1x3xi64>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x4x3xi64>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[MID]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x1x3xi64>) outs(%[[INIT]] : tensor<2x4x3xi64>)
func.func @middle_dim(%x: tensor<2x1x3xi64>) -> tensor<2x4x3xi64> {
  %0 = kiln.broadcast %x : tensor<2x1x3xi64> -> tensor<2x4x3xi64>
  return %0 : tensor<2x4x3xi64>
}

// An identity broadcast folds away before it is lowered.
// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]] : tensor<2x3xf32>
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.broadcast %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
