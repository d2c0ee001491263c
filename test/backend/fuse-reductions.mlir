// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize,kiln-fuse,canonicalize,cse))' | FileCheck %s

// Reductions fuse with their elementwise producers: the shift, exp and sum
// of a softmax are one loop nest, the squared deviations and their sum in a
// layer norm another. A reduction's own result cannot be used in the loop
// nest that computes it, so a softmax is three passes over its input (max;
// exp and sum; exp again and divide), as in hand-written CPU kernels,
// instead of six.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1) -> (d0, 0)>

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<3x257xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<3x257xf32>)
// CHECK: arith.maximumf
// CHECK: %[[MAXK:.*]] = tensor.expand_shape %[[MAX]]
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MAXK]] : tensor<3x257xf32>, tensor<3x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf {{.*}} fastmath<reassoc>
// CHECK: %[[SUMK:.*]] = tensor.expand_shape %[[SUM]]
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAXK]], %[[SUMK]] : tensor<3x257xf32>, tensor<3x1xf32>, tensor<3x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.divf
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<3x257xf32>) -> tensor<3x257xf32> {
  %y = kiln.softmax %x axis 1 : tensor<3x257xf32>
  return %y : tensor<3x257xf32>
}

// log_softmax: max; exp and sum; the log of the 3 sums; subtract.
// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<3x257xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<3x257xf32>)
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]], %{{.*}} : tensor<3x257xf32>, tensor<3x1xf32>)
// CHECK: math.exp
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<3x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: math.log
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[X]], %{{.*}}, %[[LOG]] : tensor<3x257xf32>, tensor<3x1xf32>, tensor<3x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.subf
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @log_softmax(%x: tensor<3x257xf32>) -> tensor<3x257xf32> {
  %y = kiln.log_softmax %x axis 1 : tensor<3x257xf32>
  return %y : tensor<3x257xf32>
}

// Layer norm: the mean's sum; the squared deviations and their sum in one
// loop nest; the normalization in one more. Only per-row scalars (the
// division by the count, the rsqrt) are loop nests of their own.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x37xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x37xf32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: %[[MEANK:.*]] = tensor.expand_shape %[[MEAN]]
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEANK]] : tensor<4x37xf32>, tensor<4x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: math.rsqrt
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MEANK]], %{{.*}} : tensor<4x37xf32>, tensor<4x1xf32>, tensor<4x1xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @layer_norm(%x: tensor<4x37xf32>) -> tensor<4x37xf32> {
  %m = kiln.reduce_mean %x axes [1] keepdims : tensor<4x37xf32> -> tensor<4x1xf32>
  %mb = kiln.broadcast %m : tensor<4x1xf32> -> tensor<4x37xf32>
  %d = kiln.sub %x, %mb : tensor<4x37xf32>
  %d2 = kiln.mul %d, %d : tensor<4x37xf32>
  %v = kiln.reduce_mean %d2 axes [1] keepdims : tensor<4x37xf32> -> tensor<4x1xf32>
  %eps = kiln.constant dense<1.0e-5> : tensor<4x1xf32>
  %ve = kiln.add %v, %eps : tensor<4x1xf32>
  %r = kiln.rsqrt %ve : tensor<4x1xf32>
  %rb = kiln.broadcast %r : tensor<4x1xf32> -> tensor<4x37xf32>
  %y = kiln.mul %d, %rb : tensor<4x37xf32>
  return %y : tensor<4x37xf32>
}

// Cross-entropy against one-hot targets: max; exp and sum; log of the
// sums; then the log-probabilities, their product with the targets and the
// total in one loop nest, which never stores the log-probabilities.
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[L:[a-z0-9_]+]]: tensor<8x10xf32>, %[[T:[a-z0-9_]+]]: tensor<8x10xf32>)
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[L]], %{{.*}}, %{{.*}}, %[[T]] : tensor<8x10xf32>, tensor<8x1xf32>, tensor<8x1xf32>, tensor<8x10xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[TOTAL]] : tensor<f32>)
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @cross_entropy(%logits: tensor<8x10xf32>, %onehot: tensor<8x10xf32>) -> tensor<f32> {
  %lp = kiln.log_softmax %logits axis 1 : tensor<8x10xf32>
  %p = kiln.mul %lp, %onehot : tensor<8x10xf32>
  %s = kiln.reduce_mean %p axes [0, 1] : tensor<8x10xf32> -> tensor<f32>
  %l = kiln.neg %s : tensor<f32>
  return %l : tensor<f32>
}
