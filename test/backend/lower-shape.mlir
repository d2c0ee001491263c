// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// Shape ops: reshape -> tensor.reshape with a constant shape, transpose ->
// linalg.transpose, slice -> tensor.extract_slice, concat -> a chain of
// tensor.insert_slice into a tensor.empty.

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[SHAPE:.*]] = arith.constant dense<[6, 4]> : tensor<2xi64>
// CHECK-NEXT: %[[R:.*]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<6x4xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// CHECK-LABEL: func.func @reshape_from_rank0
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<f32>)
// CHECK-NEXT: %[[SHAPE:.*]] = arith.constant dense<1> : tensor<2xi64>
// CHECK-NEXT: %[[R:.*]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<f32>, tensor<2xi64>) -> tensor<1x1xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x1xf32>
func.func @reshape_from_rank0(%x: tensor<f32>) -> tensor<1x1xf32> {
  %0 = kiln.reshape %x : tensor<f32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// CHECK-LABEL: func.func @reshape_to_rank0
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x1xi32>)
// CHECK-NEXT: %[[SHAPE:.*]] = arith.constant dense<> : tensor<0xi64>
// CHECK-NEXT: %[[R:.*]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<1x1xi32>, tensor<0xi64>) -> tensor<i32>
// CHECK-NEXT: return %[[R]] : tensor<i32>
func.func @reshape_to_rank0(%x: tensor<1x1xi32>) -> tensor<i32> {
  %0 = kiln.reshape %x : tensor<1x1xi32> -> tensor<i32>
  return %0 : tensor<i32>
}

// CHECK-LABEL: func.func @transpose_2d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x784xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<784x8xf32>
// CHECK-NEXT: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<8x784xf32>) outs(%[[INIT]] : tensor<784x8xf32>) permutation = [1, 0]
// CHECK-NEXT: return %[[T]] : tensor<784x8xf32>
func.func @transpose_2d(%x: tensor<8x784xf32>) -> tensor<784x8xf32> {
  %0 = kiln.transpose %x [1, 0] : tensor<8x784xf32> -> tensor<784x8xf32>
  return %0 : tensor<784x8xf32>
}

// CHECK-LABEL: func.func @transpose_3d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xi64>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<4x2x3xi64>
// CHECK-NEXT: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4xi64>) outs(%[[INIT]] : tensor<4x2x3xi64>) permutation = [2, 0, 1]
// CHECK-NEXT: return %[[T]] : tensor<4x2x3xi64>
func.func @transpose_3d(%x: tensor<2x3x4xi64>) -> tensor<4x2x3xi64> {
  %0 = kiln.transpose %x [2, 0, 1] : tensor<2x3x4xi64> -> tensor<4x2x3xi64>
  return %0 : tensor<4x2x3xi64>
}

// Offsets are the starts, sizes the result shape, strides the strides.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[S:.*]] = tensor.extract_slice %[[X]][1, 2] [2, 3] [1, 2] : tensor<4x8xf32> to tensor<2x3xf32>
// CHECK-NEXT: return %[[S]] : tensor<2x3xf32>
func.func @slice(%x: tensor<4x8xf32>) -> tensor<2x3xf32> {
  %0 = kiln.slice %x start [1, 2] limit [3, 8] stride [1, 2]
      : tensor<4x8xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @slice_3d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xi1>)
// CHECK-NEXT: %[[S:.*]] = tensor.extract_slice %[[X]][0, 1, 0] [2, 2, 2] [1, 1, 3] : tensor<2x3x4xi1> to tensor<2x2x2xi1>
// CHECK-NEXT: return %[[S]] : tensor<2x2x2xi1>
func.func @slice_3d(%x: tensor<2x3x4xi1>) -> tensor<2x2x2xi1> {
  %0 = kiln.slice %x start [0, 1, 0] limit [2, 3, 4] stride [1, 1, 3]
      : tensor<2x3x4xi1> -> tensor<2x2x2xi1>
  return %0 : tensor<2x2x2xi1>
}

// CHECK-LABEL: func.func @concat_one
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
func.func @concat_one(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.concat %a axis 0 : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @concat_two
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x5xf32>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK-NEXT: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
// CHECK-NEXT: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
// CHECK-NEXT: return %[[R1]] : tensor<2x8xf32>
func.func @concat_two(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = kiln.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @concat_three
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3x4xi32>, %[[B:[a-z0-9_]+]]: tensor<2x5x4xi32>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x11x4xi32>
// CHECK-NEXT: %[[R0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0] [2, 3, 4] [1, 1, 1] : tensor<2x3x4xi32> into tensor<2x11x4xi32>
// CHECK-NEXT: %[[R1:.*]] = tensor.insert_slice %[[B]] into %[[R0]][0, 3, 0] [2, 5, 4] [1, 1, 1] : tensor<2x5x4xi32> into tensor<2x11x4xi32>
// CHECK-NEXT: %[[R2:.*]] = tensor.insert_slice %[[A]] into %[[R1]][0, 8, 0] [2, 3, 4] [1, 1, 1] : tensor<2x3x4xi32> into tensor<2x11x4xi32>
// CHECK-NEXT: return %[[R2]] : tensor<2x11x4xi32>
func.func @concat_three(%a: tensor<2x3x4xi32>, %b: tensor<2x5x4xi32>)
    -> tensor<2x11x4xi32> {
  %0 = kiln.concat %a, %b, %a axis 1
      : tensor<2x3x4xi32>, tensor<2x5x4xi32>, tensor<2x3x4xi32> -> tensor<2x11x4xi32>
  return %0 : tensor<2x11x4xi32>
}

// CHECK-LABEL: func.func @concat_axis0
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<1x4xf64>, %[[B:[a-z0-9_]+]]: tensor<3x4xf64>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<4x4xf64>
// CHECK-NEXT: %[[R0:.*]] = tensor.insert_slice %[[B]] into %[[E]][0, 0] [3, 4] [1, 1] : tensor<3x4xf64> into tensor<4x4xf64>
// CHECK-NEXT: %[[R1:.*]] = tensor.insert_slice %[[A]] into %[[R0]][3, 0] [1, 4] [1, 1] : tensor<1x4xf64> into tensor<4x4xf64>
// CHECK-NEXT: return %[[R1]] : tensor<4x4xf64>
func.func @concat_axis0(%a: tensor<1x4xf64>, %b: tensor<3x4xf64>) -> tensor<4x4xf64> {
  %0 = kiln.concat %b, %a axis 0 : tensor<3x4xf64>, tensor<1x4xf64> -> tensor<4x4xf64>
  return %0 : tensor<4x4xf64>
}

// Pad fills with the value, then inserts the input with stride interior+1.
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EMPTY:.*]] = tensor.empty() : tensor<4x9xf32>
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x9xf32>) -> tensor<4x9xf32>
// CHECK-NEXT: %[[R:.*]] = tensor.insert_slice %[[X]] into %[[FILL]][1, 0] [2, 3] [2, 3] : tensor<2x3xf32> into tensor<4x9xf32>
// CHECK-NEXT: return %[[R]] : tensor<4x9xf32>
func.func @pad(%x: tensor<2x3xf32>) -> tensor<4x9xf32> {
  %0 = kiln.pad %x low [1, 0] high [0, 2] interior [1, 2]
      : tensor<2x3xf32> -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// CHECK-LABEL: func.func @pad_int_value
// CHECK: arith.constant -7 : i64
// CHECK: tensor.insert_slice {{.*}}[2] [3] [1] : tensor<3xi64> into tensor<5xi64>
func.func @pad_int_value(%x: tensor<3xi64>) -> tensor<5xi64> {
  %0 = kiln.pad %x low [2] high [0] interior [0] {value = -7.0}
      : tensor<3xi64> -> tensor<5xi64>
  return %0 : tensor<5xi64>
}
