// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,kiln-prepare-in-place-updates))' | FileCheck %s --check-prefix=PREPARE
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,kiln-prepare-in-place-updates),eliminate-empty-tensors,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(kiln-drop-in-place-results))' | FileCheck %s --check-prefix=DROP

// A result marked kiln.updates = 0 is the new value of argument 0. It is
// materialized in the argument, so that after empty-tensor elimination the
// op computing it writes into the argument's buffer, and the result is
// then dropped: the caller's buffer holds it.

// PREPARE-LABEL: func.func @sgd
// PREPARE-SAME: (%[[W:[a-z0-9_]+]]: tensor<4xf32>, %[[G:[a-z0-9_]+]]: tensor<4xf32>)
// PREPARE: %[[NEW:.*]] = linalg.generic {{.*}} ins(%[[W]], %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// PREPARE: %[[M:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[W]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// PREPARE: return %{{.*}}, %[[M]] : tensor<f32>, tensor<4xf32>

// DROP-LABEL: func.func @sgd
// DROP-SAME: (%[[W:[a-z0-9_]+]]: memref<4xf32>, %[[G:[a-z0-9_]+]]: memref<4xf32>) -> (memref<f32> {kiln.name = "loss"})
// DROP: linalg.generic {{.*}} ins(%[[W]], %{{.*}} : memref<4xf32>, memref<4xf32>) outs(%[[W]] : memref<4xf32>)
// DROP-NOT: memref.copy
// DROP: return %{{.*}} : memref<f32>
func.func @sgd(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<f32> {kiln.name = "loss"}, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %l = kiln.reduce_sum %g axes [0] : tensor<4xf32> -> tensor<f32>
  %lr = kiln.constant dense<0.5> : tensor<4xf32>
  %t = kiln.mul %g, %lr : tensor<4xf32>
  %nw = kiln.sub %w, %t : tensor<4xf32>
  return %l, %nw : tensor<f32>, tensor<4xf32>
}

// When the old value is still read after the new one is computed, the new
// value cannot be computed in place: it goes to a temporary and is copied
// into the argument at the end, after the last read.
// DROP-LABEL: func.func @late_read
// DROP-SAME: (%[[W:[a-z0-9_]+]]: memref<3xf32>, %{{.*}}: memref<3xf32>) -> memref<3xf32>
// DROP: linalg.generic {{.*}} outs(%[[TMP:.*]] : memref<3xf32>)
// DROP: linalg.generic {{.*}} ins(%[[W]], %[[TMP]]
// DROP: memref.copy %[[TMP]], %[[W]]
func.func @late_read(%w: tensor<3xf32>, %g: tensor<3xf32>)
    -> (tensor<3xf32> {kiln.updates = 0 : i64}, tensor<3xf32>) {
  %nw = kiln.sub %w, %g : tensor<3xf32>
  %late = kiln.mul %w, %nw : tensor<3xf32>
  return %nw, %late : tensor<3xf32>, tensor<3xf32>
}
