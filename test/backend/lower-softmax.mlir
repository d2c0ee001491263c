// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s --check-prefix=NOKILN

// kiln-lower-to-linalg first expands softmax / log_softmax as kiln-decompose
// does, then lowers every primitive: no kiln op survives.

// NOKILN-NOT: kiln.

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// max over axis 1, kept as 2x1, broadcast back.
// CHECK-NEXT: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[E0:.*]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: %[[F0:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%[[E0]] : tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[MAX:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3xf32>) outs(%[[F0]] : tensor<2xf32>) dimensions = [1]
// CHECK-NEXT: (%[[IN0:[a-z0-9_]+]]: f32, %[[ACC0:[a-z0-9_]+]]: f32) {
// CHECK-NEXT: arith.maximumf %[[IN0]], %[[ACC0]] : f32
// CHECK: %[[MAXK:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
// CHECK-NEXT: %[[E1:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BMAX:.*]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[MAXK]] : tensor<2x1xf32>) outs(%[[E1]] : tensor<2x3xf32>)
// CHECK: %[[SHIFT:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[BMAX]] : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:[a-z0-9_]+]]: f32, %[[B:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: arith.subf %[[A]], %[[B]] : f32
// CHECK: %[[EXP:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SHIFT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: math.exp %[[A]] : f32
// sum over axis 1, kept as 2x1, broadcast back.
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<2xf32>
// CHECK-NEXT: %[[F2:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E2]] : tensor<2xf32>) -> tensor<2xf32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.reduce ins(%[[EXP]] : tensor<2x3xf32>) outs(%[[F2]] : tensor<2xf32>) dimensions = [1]
// CHECK-NEXT: (%[[IN1:[a-z0-9_]+]]: f32, %[[ACC1:[a-z0-9_]+]]: f32) {
// CHECK-NEXT: arith.addf %[[IN1]], %[[ACC1]] fastmath<reassoc> : f32
// CHECK: %[[SUMK:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
// CHECK-NEXT: %[[E3:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[BSUM:.*]] = linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SUMK]] : tensor<2x1xf32>) outs(%[[E3]] : tensor<2x3xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXP]], %[[BSUM]] : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:[a-z0-9_]+]]: f32, %[[B:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: arith.divf %[[A]], %[[B]] : f32
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.softmax %x axis 1 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @log_softmax_axis0
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK: %[[MAX:.*]] = linalg.reduce ins(%[[X]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0]
// CHECK: arith.maximumf
// CHECK: %[[MAXK:.*]] = tensor.expand_shape %[[MAX]] {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: %[[BMAX:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]]], {{.*}} ins(%[[MAXK]] : tensor<1x3xf32>)
// CHECK: %[[SHIFT:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[BMAX]] : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: arith.subf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFT]] : tensor<2x3xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.reduce ins(%[[EXP]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0]
// CHECK: arith.addf
// CHECK: %[[SUMK:.*]] = tensor.expand_shape %[[SUM]] {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%[[SUMK]] : tensor<1x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: math.log %[[A]] : f32
// CHECK: %[[BLOG:.*]] = linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]]], {{.*}} ins(%[[LOG]] : tensor<1x3xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[SHIFT]], %[[BLOG]] : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:[a-z0-9_]+]]: f32, %[[B:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: arith.subf %[[A]], %[[B]] : f32
// CHECK: return %[[R]] : tensor<2x3xf32>
func.func @log_softmax_axis0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.log_softmax %x axis 0 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
