// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-decompose))' | FileCheck %s

// kiln-decompose expands softmax and log_softmax into the numerically
// stable sequence of primitive ops and leaves every other op alone.

// softmax(x) = e / sum(e), e = exp(x - max(x))
// CHECK-LABEL: func.func @softmax_axis1
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce_max %[[X]] axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK-NEXT: %[[BMAX:.*]] = kiln.broadcast %[[MAX]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[SHIFT:.*]] = kiln.sub %[[X]], %[[BMAX]] : tensor<2x3xf32>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[SHIFT]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce_sum %[[E]] axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK-NEXT: %[[BSUM:.*]] = kiln.broadcast %[[SUM]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.div %[[E]], %[[BSUM]] : tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
func.func @softmax_axis1(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.softmax %x axis 1 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @softmax_axis0
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x3xf64>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce_max %[[X]] axes [0] keepdims : tensor<4x3xf64> -> tensor<1x3xf64>
// CHECK-NEXT: %[[BMAX:.*]] = kiln.broadcast %[[MAX]] : tensor<1x3xf64> -> tensor<4x3xf64>
// CHECK-NEXT: %[[SHIFT:.*]] = kiln.sub %[[X]], %[[BMAX]] : tensor<4x3xf64>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[SHIFT]] : tensor<4x3xf64>
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce_sum %[[E]] axes [0] keepdims : tensor<4x3xf64> -> tensor<1x3xf64>
// CHECK-NEXT: %[[BSUM:.*]] = kiln.broadcast %[[SUM]] : tensor<1x3xf64> -> tensor<4x3xf64>
// CHECK-NEXT: %[[R:.*]] = kiln.div %[[E]], %[[BSUM]] : tensor<4x3xf64>
// CHECK-NEXT: return %[[R]] : tensor<4x3xf64>
func.func @softmax_axis0(%x: tensor<4x3xf64>) -> tensor<4x3xf64> {
  %0 = kiln.softmax %x axis 0 : tensor<4x3xf64>
  return %0 : tensor<4x3xf64>
}

// log_softmax(x) = (x - max(x)) - log(sum(exp(x - max(x))))
// CHECK-LABEL: func.func @log_softmax_axis1
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce_max %[[X]] axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK-NEXT: %[[BMAX:.*]] = kiln.broadcast %[[MAX]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[SHIFT:.*]] = kiln.sub %[[X]], %[[BMAX]] : tensor<2x3xf32>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[SHIFT]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce_sum %[[E]] axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK-NEXT: %[[LOG:.*]] = kiln.log %[[SUM]] : tensor<2x1xf32>
// CHECK-NEXT: %[[BLOG:.*]] = kiln.broadcast %[[LOG]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.sub %[[SHIFT]], %[[BLOG]] : tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
func.func @log_softmax_axis1(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.log_softmax %x axis 1 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @log_softmax_axis0
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x2xf32>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce_max %[[X]] axes [0] keepdims : tensor<5x2xf32> -> tensor<1x2xf32>
// CHECK-NEXT: %[[BMAX:.*]] = kiln.broadcast %[[MAX]] : tensor<1x2xf32> -> tensor<5x2xf32>
// CHECK-NEXT: %[[SHIFT:.*]] = kiln.sub %[[X]], %[[BMAX]] : tensor<5x2xf32>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[SHIFT]] : tensor<5x2xf32>
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce_sum %[[E]] axes [0] keepdims : tensor<5x2xf32> -> tensor<1x2xf32>
// CHECK-NEXT: %[[LOG:.*]] = kiln.log %[[SUM]] : tensor<1x2xf32>
// CHECK-NEXT: %[[BLOG:.*]] = kiln.broadcast %[[LOG]] : tensor<1x2xf32> -> tensor<5x2xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.sub %[[SHIFT]], %[[BLOG]] : tensor<5x2xf32>
// CHECK-NEXT: return %[[R]] : tensor<5x2xf32>
func.func @log_softmax_axis0(%x: tensor<5x2xf32>) -> tensor<5x2xf32> {
  %0 = kiln.log_softmax %x axis 0 : tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}

// A middle axis of a rank-3 tensor.
// CHECK-LABEL: func.func @softmax_rank3
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce_max %[[X]] axes [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
// CHECK-NEXT: kiln.broadcast %[[MAX]] : tensor<2x1x4xf32> -> tensor<2x3x4xf32>
// CHECK-NEXT: kiln.sub
// CHECK-NEXT: %[[E:.*]] = kiln.exp
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce_sum %[[E]] axes [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
// CHECK-NEXT: %[[BSUM:.*]] = kiln.broadcast %[[SUM]] : tensor<2x1x4xf32> -> tensor<2x3x4xf32>
// CHECK-NEXT: kiln.div %[[E]], %[[BSUM]] : tensor<2x3x4xf32>
func.func @softmax_rank3(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.softmax %x axis 1 : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Every other op, including the primitives the expansion uses, is untouched.
// CHECK-LABEL: func.func @others_untouched
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>, %[[W:[a-z0-9_]+]]: tensor<3x3xf32>)
// CHECK-NEXT: %[[MM:.*]] = kiln.matmul %[[X]], %[[W]] : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[MAX:.*]] = kiln.reduce_max %[[MM]] axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK-NEXT: %[[B:.*]] = kiln.broadcast %[[MAX]] : tensor<2x1xf32> -> tensor<2x3xf32>
// CHECK-NEXT: %[[E:.*]] = kiln.exp %[[B]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = kiln.reduce_sum %[[E]] axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
// CHECK-NEXT: %[[MEAN:.*]] = kiln.reduce_mean %[[E]] axes [0] : tensor<2x3xf32> -> tensor<3xf32>
// CHECK-NEXT: %[[C:.*]] = kiln.compare gt, %[[E]], %[[X]] : tensor<2x3xf32>
// CHECK-NEXT: %[[S:.*]] = kiln.select %[[C]], %[[E]], %[[X]] : tensor<2x3xi1>, tensor<2x3xf32>
// CHECK-NEXT: %[[T:.*]] = kiln.transpose %[[S]] [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK-NEXT: return %[[T]], %[[SUM]], %[[MEAN]] : tensor<3x2xf32>, tensor<f32>, tensor<3xf32>
func.func @others_untouched(%x: tensor<2x3xf32>, %w: tensor<3x3xf32>)
    -> (tensor<3x2xf32>, tensor<f32>, tensor<3xf32>) {
  %0 = kiln.matmul %x, %w : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x3xf32>
  %1 = kiln.reduce_max %0 axes [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
  %2 = kiln.broadcast %1 : tensor<2x1xf32> -> tensor<2x3xf32>
  %3 = kiln.exp %2 : tensor<2x3xf32>
  %4 = kiln.reduce_sum %3 axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %5 = kiln.reduce_mean %3 axes [0] : tensor<2x3xf32> -> tensor<3xf32>
  %6 = kiln.compare gt, %3, %x : tensor<2x3xf32>
  %7 = kiln.select %6, %3, %x : tensor<2x3xi1>, tensor<2x3xf32>
  %8 = kiln.transpose %7 [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %8, %4, %5 : tensor<3x2xf32>, tensor<f32>, tensor<3xf32>
}

// Surrounding ops stay in place around the expansion.
// CHECK-LABEL: func.func @softmax_in_context
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[T:.*]] = kiln.tanh %[[X]] : tensor<2x3xf32>
// CHECK-NEXT: kiln.reduce_max %[[T]] axes [1] keepdims
// CHECK-NOT: kiln.softmax
// CHECK: %[[P:.*]] = kiln.div
// CHECK-NEXT: %[[R:.*]] = kiln.mul %[[P]], %[[T]] : tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
func.func @softmax_in_context(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.tanh %x : tensor<2x3xf32>
  %1 = kiln.softmax %0 axis 1 : tensor<2x3xf32>
  %2 = kiln.mul %1, %0 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
