// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// Round trip of every kiln op and syntax variant through the custom printer,
// and through the generic form and back.

//===----------------------------------------------------------------------===//
// kiln.constant
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constant_f32
func.func @constant_f32() -> (tensor<2x2xf32>, tensor<3x4xf32>, tensor<f32>) {
  // CHECK: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<5.000000e-01> : tensor<3x4xf32>
  %1 = kiln.constant dense<0.5> : tensor<3x4xf32>
  // CHECK: kiln.constant dense<-2.500000e+00> : tensor<f32>
  %2 = kiln.constant dense<-2.5> : tensor<f32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3x4xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @constant_other_types
func.func @constant_other_types()
    -> (tensor<2xf64>, tensor<3xi32>, tensor<2x2xi64>, tensor<i64>,
        tensor<3xi1>, tensor<4xi1>) {
  // CHECK: kiln.constant dense<[1.500000e+00, -3.000000e+00]> : tensor<2xf64>
  %0 = kiln.constant dense<[1.5, -3.0]> : tensor<2xf64>
  // CHECK: kiln.constant dense<[1, -2, 3]> : tensor<3xi32>
  %1 = kiln.constant dense<[1, -2, 3]> : tensor<3xi32>
  // CHECK: kiln.constant dense<7> : tensor<2x2xi64>
  %2 = kiln.constant dense<7> : tensor<2x2xi64>
  // CHECK: kiln.constant dense<-9> : tensor<i64>
  %3 = kiln.constant dense<-9> : tensor<i64>
  // CHECK: kiln.constant dense<[true, false, true]> : tensor<3xi1>
  %4 = kiln.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK: kiln.constant dense<false> : tensor<4xi1>
  %5 = kiln.constant dense<false> : tensor<4xi1>
  return %0, %1, %2, %3, %4, %5
      : tensor<2xf64>, tensor<3xi32>, tensor<2x2xi64>, tensor<i64>,
        tensor<3xi1>, tensor<4xi1>
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary_float
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x3xf32>)
func.func @binary_float(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // CHECK: kiln.add %[[A]], %[[B]] : tensor<2x3xf32>{{$}}
  %0 = kiln.add %a, %b : tensor<2x3xf32>
  // CHECK: kiln.sub %[[B]], %[[A]] : tensor<2x3xf32>{{$}}
  %1 = kiln.sub %b, %a : tensor<2x3xf32>
  // CHECK: kiln.mul %[[A]], %[[B]] : tensor<2x3xf32>{{$}}
  %2 = kiln.mul %a, %b : tensor<2x3xf32>
  // CHECK: kiln.div %[[A]], %[[B]] : tensor<2x3xf32>{{$}}
  %3 = kiln.div %a, %b : tensor<2x3xf32>
  // CHECK: kiln.max %[[A]], %[[B]] : tensor<2x3xf32>{{$}}
  %4 = kiln.max %a, %b : tensor<2x3xf32>
  // CHECK: kiln.min %[[A]], %[[B]] : tensor<2x3xf32>{{$}}
  %5 = kiln.min %a, %b : tensor<2x3xf32>
  // CHECK: kiln.pow %[[A]], %[[B]] : tensor<2x3xf32>{{$}}
  %6 = kiln.pow %a, %b : tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @binary_int
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4xi32>, %[[B:[a-z0-9_]+]]: tensor<4xi32>, %[[C:[a-z0-9_]+]]: tensor<2x2xi64>)
func.func @binary_int(%a: tensor<4xi32>, %b: tensor<4xi32>,
                      %c: tensor<2x2xi64>) {
  // CHECK: kiln.add %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %0 = kiln.add %a, %b : tensor<4xi32>
  // CHECK: kiln.sub %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %1 = kiln.sub %a, %b : tensor<4xi32>
  // CHECK: kiln.mul %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %2 = kiln.mul %a, %b : tensor<4xi32>
  // CHECK: kiln.div %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %3 = kiln.div %a, %b : tensor<4xi32>
  // CHECK: kiln.max %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %4 = kiln.max %a, %b : tensor<4xi32>
  // CHECK: kiln.min %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %5 = kiln.min %a, %b : tensor<4xi32>
  // CHECK: kiln.pow %[[A]], %[[B]] : tensor<4xi32>{{$}}
  %6 = kiln.pow %a, %b : tensor<4xi32>
  // CHECK: kiln.add %[[C]], %[[C]] : tensor<2x2xi64>{{$}}
  %7 = kiln.add %c, %c : tensor<2x2xi64>
  // CHECK: kiln.div %[[C]], %[[C]] : tensor<2x2xi64>{{$}}
  %8 = kiln.div %c, %c : tensor<2x2xi64>
  return
}

// The two-type syntax `: T1, T2` prints back as one type when T1 == T2.
// CHECK-LABEL: func.func @binary_two_types
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<8xf64>, %[[B:[a-z0-9_]+]]: tensor<8xf64>)
func.func @binary_two_types(%a: tensor<8xf64>, %b: tensor<8xf64>)
    -> tensor<8xf64> {
  // CHECK: %[[ADD:.*]] = kiln.add %[[A]], %[[B]] : tensor<8xf64>{{$}}
  %0 = kiln.add %a, %b : tensor<8xf64>, tensor<8xf64>
  // CHECK: %[[POW:.*]] = kiln.pow %[[ADD]], %[[B]] : tensor<8xf64>{{$}}
  %1 = kiln.pow %0, %b : tensor<8xf64>, tensor<8xf64>
  // CHECK: %[[MAX:.*]] = kiln.max %[[POW]], %[[A]] : tensor<8xf64>{{$}}
  %2 = kiln.max %1, %a : tensor<8xf64>, tensor<8xf64>
  // CHECK: return %[[MAX]] : tensor<8xf64>
  return %2 : tensor<8xf64>
}

//===----------------------------------------------------------------------===//
// kiln.compare, kiln.select
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4xf32>, %[[B:[a-z0-9_]+]]: tensor<4xf32>, %[[I:[a-z0-9_]+]]: tensor<2x2xi64>, %[[P:[a-z0-9_]+]]: tensor<3xi1>)
func.func @compare(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<2x2xi64>,
                   %p: tensor<3xi1>) -> tensor<4xi1> {
  // CHECK: %[[EQ:.*]] = kiln.compare eq, %[[A]], %[[B]] : tensor<4xf32>{{$}}
  %0 = kiln.compare eq, %a, %b : tensor<4xf32>
  // CHECK: kiln.compare ne, %[[A]], %[[B]] : tensor<4xf32>{{$}}
  %1 = kiln.compare ne, %a, %b : tensor<4xf32>
  // CHECK: kiln.compare lt, %[[A]], %[[B]] : tensor<4xf32>{{$}}
  %2 = kiln.compare lt, %a, %b : tensor<4xf32>
  // CHECK: kiln.compare le, %[[A]], %[[B]] : tensor<4xf32>{{$}}
  %3 = kiln.compare le, %a, %b : tensor<4xf32>
  // CHECK: kiln.compare gt, %[[B]], %[[A]] : tensor<4xf32>{{$}}
  %4 = kiln.compare gt, %b, %a : tensor<4xf32>
  // CHECK: kiln.compare ge, %[[A]], %[[B]] : tensor<4xf32>{{$}}
  %5 = kiln.compare ge, %a, %b : tensor<4xf32>, tensor<4xf32>
  // CHECK: kiln.compare lt, %[[I]], %[[I]] : tensor<2x2xi64>{{$}}
  %6 = kiln.compare lt, %i, %i : tensor<2x2xi64>
  // CHECK: kiln.compare ne, %[[P]], %[[P]] : tensor<3xi1>{{$}}
  %7 = kiln.compare ne, %p, %p : tensor<3xi1>
  // CHECK: return %[[EQ]] : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:[a-z0-9_]+]]: tensor<2x3xi1>, %[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x3xf32>, %[[I:[a-z0-9_]+]]: tensor<2x3xi32>)
func.func @select(%c: tensor<2x3xi1>, %a: tensor<2x3xf32>, %b: tensor<2x3xf32>,
                  %i: tensor<2x3xi32>) -> (tensor<2x3xf32>, tensor<2x3xi32>) {
  // CHECK: %[[S0:.*]] = kiln.select %[[C]], %[[A]], %[[B]] : tensor<2x3xi1>, tensor<2x3xf32>{{$}}
  %0 = kiln.select %c, %a, %b : tensor<2x3xi1>, tensor<2x3xf32>
  // CHECK: %[[S1:.*]] = kiln.select %[[C]], %[[I]], %[[I]] : tensor<2x3xi1>, tensor<2x3xi32>{{$}}
  %1 = kiln.select %c, %i, %i : tensor<2x3xi1>, tensor<2x3xi32>, tensor<2x3xi32>
  // CHECK: kiln.select %[[C]], %[[C]], %[[C]] : tensor<2x3xi1>, tensor<2x3xi1>{{$}}
  %2 = kiln.select %c, %c, %c : tensor<2x3xi1>, tensor<2x3xi1>
  // CHECK: return %[[S0]], %[[S1]] : tensor<2x3xf32>, tensor<2x3xi32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xi32>
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary_float
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x16xf32>, %[[D:[a-z0-9_]+]]: tensor<3xf64>)
func.func @unary_float(%x: tensor<8x16xf32>, %d: tensor<3xf64>) {
  // CHECK: kiln.neg %[[X]] : tensor<8x16xf32>{{$}}
  %0 = kiln.neg %x : tensor<8x16xf32>
  // CHECK: kiln.abs %[[X]] : tensor<8x16xf32>{{$}}
  %1 = kiln.abs %x : tensor<8x16xf32>
  // CHECK: kiln.exp %[[X]] : tensor<8x16xf32>{{$}}
  %2 = kiln.exp %x : tensor<8x16xf32>
  // CHECK: kiln.log %[[X]] : tensor<8x16xf32>{{$}}
  %3 = kiln.log %x : tensor<8x16xf32>
  // CHECK: kiln.sqrt %[[X]] : tensor<8x16xf32>{{$}}
  %4 = kiln.sqrt %x : tensor<8x16xf32>
  // CHECK: kiln.rsqrt %[[X]] : tensor<8x16xf32>{{$}}
  %5 = kiln.rsqrt %x : tensor<8x16xf32>
  // CHECK: kiln.tanh %[[X]] : tensor<8x16xf32>{{$}}
  %6 = kiln.tanh %x : tensor<8x16xf32>
  // CHECK: kiln.sigmoid %[[X]] : tensor<8x16xf32>{{$}}
  %7 = kiln.sigmoid %x : tensor<8x16xf32>
  // CHECK: kiln.relu %[[X]] : tensor<8x16xf32>{{$}}
  %8 = kiln.relu %x : tensor<8x16xf32>
  // CHECK: kiln.exp %[[D]] : tensor<3xf64>{{$}}
  %9 = kiln.exp %d : tensor<3xf64>
  // CHECK: kiln.tanh %[[D]] : tensor<3xf64>{{$}}
  %10 = kiln.tanh %d : tensor<3xf64>
  return
}

// CHECK-LABEL: func.func @unary_int
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5xi32>, %[[Y:[a-z0-9_]+]]: tensor<i64>)
func.func @unary_int(%x: tensor<5xi32>, %y: tensor<i64>) {
  // CHECK: kiln.neg %[[X]] : tensor<5xi32>{{$}}
  %0 = kiln.neg %x : tensor<5xi32>
  // CHECK: kiln.abs %[[X]] : tensor<5xi32>{{$}}
  %1 = kiln.abs %x : tensor<5xi32>
  // CHECK: kiln.relu %[[X]] : tensor<5xi32>{{$}}
  %2 = kiln.relu %x : tensor<5xi32>
  // CHECK: kiln.neg %[[Y]] : tensor<i64>{{$}}
  %3 = kiln.neg %y : tensor<i64>
  return
}

//===----------------------------------------------------------------------===//
// kiln.cast
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cast
// CHECK-SAME: (%[[F:[a-z0-9_]+]]: tensor<4xf32>, %[[D:[a-z0-9_]+]]: tensor<4xf64>, %[[I:[a-z0-9_]+]]: tensor<4xi32>, %[[L:[a-z0-9_]+]]: tensor<4xi64>, %[[B:[a-z0-9_]+]]: tensor<4xi1>)
func.func @cast(%f: tensor<4xf32>, %d: tensor<4xf64>, %i: tensor<4xi32>,
                %l: tensor<4xi64>, %b: tensor<4xi1>) {
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xf64>
  %0 = kiln.cast %f : tensor<4xf32> -> tensor<4xf64>
  // CHECK: kiln.cast %[[D]] : tensor<4xf64> -> tensor<4xf32>
  %1 = kiln.cast %d : tensor<4xf64> -> tensor<4xf32>
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xi32>
  %2 = kiln.cast %f : tensor<4xf32> -> tensor<4xi32>
  // CHECK: kiln.cast %[[L]] : tensor<4xi64> -> tensor<4xf32>
  %3 = kiln.cast %l : tensor<4xi64> -> tensor<4xf32>
  // CHECK: kiln.cast %[[I]] : tensor<4xi32> -> tensor<4xi64>
  %4 = kiln.cast %i : tensor<4xi32> -> tensor<4xi64>
  // CHECK: kiln.cast %[[L]] : tensor<4xi64> -> tensor<4xi32>
  %5 = kiln.cast %l : tensor<4xi64> -> tensor<4xi32>
  // CHECK: kiln.cast %[[B]] : tensor<4xi1> -> tensor<4xf32>
  %6 = kiln.cast %b : tensor<4xi1> -> tensor<4xf32>
  // CHECK: kiln.cast %[[B]] : tensor<4xi1> -> tensor<4xi64>
  %7 = kiln.cast %b : tensor<4xi1> -> tensor<4xi64>
  // CHECK: kiln.cast %[[F]] : tensor<4xf32> -> tensor<4xi1>
  %8 = kiln.cast %f : tensor<4xf32> -> tensor<4xi1>
  // CHECK: kiln.cast %[[I]] : tensor<4xi32> -> tensor<4xi1>
  %9 = kiln.cast %i : tensor<4xi32> -> tensor<4xi1>
  return
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[V:[a-z0-9_]+]]: tensor<512xf32>, %[[C:[a-z0-9_]+]]: tensor<8x1xf32>, %[[S:[a-z0-9_]+]]: tensor<f32>, %[[M:[a-z0-9_]+]]: tensor<1x3xi1>)
func.func @broadcast(%v: tensor<512xf32>, %c: tensor<8x1xf32>, %s: tensor<f32>,
                     %m: tensor<1x3xi1>) {
  // CHECK: kiln.broadcast %[[V]] : tensor<512xf32> -> tensor<8x512xf32>
  %0 = kiln.broadcast %v : tensor<512xf32> -> tensor<8x512xf32>
  // CHECK: kiln.broadcast %[[C]] : tensor<8x1xf32> -> tensor<8x10xf32>
  %1 = kiln.broadcast %c : tensor<8x1xf32> -> tensor<8x10xf32>
  // CHECK: kiln.broadcast %[[S]] : tensor<f32> -> tensor<2x3xf32>
  %2 = kiln.broadcast %s : tensor<f32> -> tensor<2x3xf32>
  // CHECK: kiln.broadcast %[[M]] : tensor<1x3xi1> -> tensor<4x2x3xi1>
  %3 = kiln.broadcast %m : tensor<1x3xi1> -> tensor<4x2x3xi1>
  // CHECK: kiln.broadcast %[[C]] : tensor<8x1xf32> -> tensor<8x1xf32>
  %4 = kiln.broadcast %c : tensor<8x1xf32> -> tensor<8x1xf32>
  return
}

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x1x28x28xf32>, %[[O:[a-z0-9_]+]]: tensor<1x1xi64>, %[[S:[a-z0-9_]+]]: tensor<f32>)
func.func @reshape(%x: tensor<8x1x28x28xf32>, %o: tensor<1x1xi64>,
                   %s: tensor<f32>) {
  // CHECK: kiln.reshape %[[X]] : tensor<8x1x28x28xf32> -> tensor<8x784xf32>
  %0 = kiln.reshape %x : tensor<8x1x28x28xf32> -> tensor<8x784xf32>
  // CHECK: kiln.reshape %[[X]] : tensor<8x1x28x28xf32> -> tensor<6272xf32>
  %1 = kiln.reshape %x : tensor<8x1x28x28xf32> -> tensor<6272xf32>
  // CHECK: kiln.reshape %[[O]] : tensor<1x1xi64> -> tensor<i64>
  %2 = kiln.reshape %o : tensor<1x1xi64> -> tensor<i64>
  // CHECK: kiln.reshape %[[S]] : tensor<f32> -> tensor<1x1x1xf32>
  %3 = kiln.reshape %s : tensor<f32> -> tensor<1x1x1xf32>
  return
}

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x784xf32>, %[[Y:[a-z0-9_]+]]: tensor<2x3x4xi32>)
func.func @transpose(%x: tensor<8x784xf32>, %y: tensor<2x3x4xi32>) {
  // CHECK: kiln.transpose %[[X]] [1, 0] : tensor<8x784xf32> -> tensor<784x8xf32>
  %0 = kiln.transpose %x [1, 0] : tensor<8x784xf32> -> tensor<784x8xf32>
  // CHECK: kiln.transpose %[[Y]] [2, 0, 1] : tensor<2x3x4xi32> -> tensor<4x2x3xi32>
  %1 = kiln.transpose %y [2, 0, 1] : tensor<2x3x4xi32> -> tensor<4x2x3xi32>
  // CHECK: kiln.transpose %[[Y]] [0, 1, 2] : tensor<2x3x4xi32> -> tensor<2x3x4xi32>
  %2 = kiln.transpose %y [0, 1, 2] : tensor<2x3x4xi32> -> tensor<2x3x4xi32>
  return
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x5xf32>, %[[C:[a-z0-9_]+]]: tensor<4x3xf32>)
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>,
                  %c: tensor<4x3xf32>) {
  // CHECK: kiln.concat %[[A]] axis 0 : tensor<2x3xf32> -> tensor<2x3xf32>
  %0 = kiln.concat %a axis 0 : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.concat %[[A]], %[[B]] axis 1 : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x8xf32>
  %1 = kiln.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x8xf32>
  // CHECK: kiln.concat %[[A]], %[[C]], %[[A]] axis 0 : tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x3xf32> -> tensor<8x3xf32>
  %2 = kiln.concat %a, %c, %a axis 0
      : tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x3xf32> -> tensor<8x3xf32>
  return
}

// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3xf32>, %[[Y:[a-z0-9_]+]]: tensor<4xi32>)
func.func @pad(%x: tensor<2x3xf32>, %y: tensor<4xi32>) {
  // CHECK: kiln.pad %[[X]] low [1, 0] high [0, 2] interior [1, 2] : tensor<2x3xf32> -> tensor<4x9xf32>
  %0 = kiln.pad %x low [1, 0] high [0, 2] interior [1, 2]
      : tensor<2x3xf32> -> tensor<4x9xf32>
  // CHECK: kiln.pad %[[Y]] low [2] high [1] interior [0] {value = -1.000000e+00 : f64} : tensor<4xi32> -> tensor<7xi32>
  %1 = kiln.pad %y low [2] high [1] interior [0] {value = -1.0}
      : tensor<4xi32> -> tensor<7xi32>
  // CHECK: kiln.pad %[[Y]] low [0] high [0] interior [0] : tensor<4xi32> -> tensor<4xi32>
  %2 = "kiln.pad"(%y) <{low = array<i64: 0>, high = array<i64: 0>, interior = array<i64: 0>}> : (tensor<4xi32>) -> tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x8xf32>, %[[Y:[a-z0-9_]+]]: tensor<10xi64>)
func.func @slice(%x: tensor<4x8xf32>, %y: tensor<10xi64>) {
  // CHECK: kiln.slice %[[X]] start [0, 2] limit [4, 8] stride [1, 2] : tensor<4x8xf32> -> tensor<4x3xf32>
  %0 = kiln.slice %x start [0, 2] limit [4, 8] stride [1, 2]
      : tensor<4x8xf32> -> tensor<4x3xf32>
  // CHECK: kiln.slice %[[Y]] start [1] limit [10] stride [3] : tensor<10xi64> -> tensor<3xi64>
  %1 = kiln.slice %y start [1] limit [10] stride [3]
      : tensor<10xi64> -> tensor<3xi64>
  // CHECK: kiln.slice %[[Y]] start [4] limit [4] stride [1] : tensor<10xi64> -> tensor<0xi64>
  %2 = kiln.slice %y start [4] limit [4] stride [1]
      : tensor<10xi64> -> tensor<0xi64>
  return
}

//===----------------------------------------------------------------------===//
// kiln.matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x784xf32>, %[[W:[a-z0-9_]+]]: tensor<784x512xf32>, %[[G:[a-z0-9_]+]]: tensor<8x512xf32>, %[[V:[a-z0-9_]+]]: tensor<512x784xf32>)
func.func @matmul(%x: tensor<8x784xf32>, %w: tensor<784x512xf32>,
                  %g: tensor<8x512xf32>, %v: tensor<512x784xf32>) {
  // CHECK: kiln.matmul %[[X]], %[[W]] : tensor<8x784xf32>, tensor<784x512xf32> -> tensor<8x512xf32>
  %0 = kiln.matmul %x, %w : tensor<8x784xf32>, tensor<784x512xf32> -> tensor<8x512xf32>
  // CHECK: kiln.matmul %[[X]], %[[G]] {transpose_lhs} : tensor<8x784xf32>, tensor<8x512xf32> -> tensor<784x512xf32>
  %1 = kiln.matmul %x, %g {transpose_lhs} : tensor<8x784xf32>, tensor<8x512xf32> -> tensor<784x512xf32>
  // CHECK: kiln.matmul %[[G]], %[[W]] {transpose_rhs} : tensor<8x512xf32>, tensor<784x512xf32> -> tensor<8x784xf32>
  %2 = kiln.matmul %g, %w {transpose_rhs} : tensor<8x512xf32>, tensor<784x512xf32> -> tensor<8x784xf32>
  // CHECK: kiln.matmul %[[W]], %[[X]] {transpose_lhs, transpose_rhs} : tensor<784x512xf32>, tensor<8x784xf32> -> tensor<512x8xf32>
  %3 = kiln.matmul %w, %x {transpose_lhs, transpose_rhs} : tensor<784x512xf32>, tensor<8x784xf32> -> tensor<512x8xf32>
  return
}

// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4x2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<4x3x5xf32>, %[[C:[a-z0-9_]+]]: tensor<2x4x6x3xf64>, %[[D:[a-z0-9_]+]]: tensor<2x4x3x7xf64>, %[[I:[a-z0-9_]+]]: tensor<3x2xi64>)
func.func @matmul_batched(%a: tensor<4x2x3xf32>, %b: tensor<4x3x5xf32>,
                          %c: tensor<2x4x6x3xf64>, %d: tensor<2x4x3x7xf64>,
                          %i: tensor<3x2xi64>) {
  // CHECK: kiln.matmul %[[A]], %[[B]] : tensor<4x2x3xf32>, tensor<4x3x5xf32> -> tensor<4x2x5xf32>
  %0 = kiln.matmul %a, %b : tensor<4x2x3xf32>, tensor<4x3x5xf32> -> tensor<4x2x5xf32>
  // CHECK: kiln.matmul %[[B]], %[[B]] {transpose_lhs} : tensor<4x3x5xf32>, tensor<4x3x5xf32> -> tensor<4x5x5xf32>
  %1 = kiln.matmul %b, %b {transpose_lhs} : tensor<4x3x5xf32>, tensor<4x3x5xf32> -> tensor<4x5x5xf32>
  // CHECK: kiln.matmul %[[A]], %[[A]] {transpose_rhs} : tensor<4x2x3xf32>, tensor<4x2x3xf32> -> tensor<4x2x2xf32>
  %2 = kiln.matmul %a, %a {transpose_rhs} : tensor<4x2x3xf32>, tensor<4x2x3xf32> -> tensor<4x2x2xf32>
  // CHECK: kiln.matmul %[[C]], %[[D]] : tensor<2x4x6x3xf64>, tensor<2x4x3x7xf64> -> tensor<2x4x6x7xf64>
  %3 = kiln.matmul %c, %d : tensor<2x4x6x3xf64>, tensor<2x4x3x7xf64> -> tensor<2x4x6x7xf64>
  // CHECK: kiln.matmul %[[C]], %[[C]] {transpose_lhs} : tensor<2x4x6x3xf64>, tensor<2x4x6x3xf64> -> tensor<2x4x3x3xf64>
  %4 = kiln.matmul %c, %c {transpose_lhs} : tensor<2x4x6x3xf64>, tensor<2x4x6x3xf64> -> tensor<2x4x3x3xf64>
  // CHECK: kiln.matmul %[[I]], %[[I]] {transpose_rhs} : tensor<3x2xi64>, tensor<3x2xi64> -> tensor<3x3xi64>
  %5 = kiln.matmul %i, %i {transpose_rhs} : tensor<3x2xi64>, tensor<3x2xi64> -> tensor<3x3xi64>
  return
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reduce
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<2x3x4xf32>, %[[I:[a-z0-9_]+]]: tensor<5x6xi32>)
func.func @reduce(%x: tensor<2x3x4xf32>, %i: tensor<5x6xi32>) {
  // CHECK: kiln.reduce_sum %[[X]] axes [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %0 = kiln.reduce_sum %x axes [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: kiln.reduce_sum %[[X]] axes [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %1 = kiln.reduce_sum %x axes [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: kiln.reduce_sum %[[X]] axes [2, 0] : tensor<2x3x4xf32> -> tensor<3xf32>
  %2 = kiln.reduce_sum %x axes [2, 0] : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: kiln.reduce_sum %[[I]] axes [0, 1] : tensor<5x6xi32> -> tensor<i32>
  %3 = kiln.reduce_sum %i axes [0, 1] : tensor<5x6xi32> -> tensor<i32>
  // CHECK: kiln.reduce_mean %[[X]] axes [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %4 = kiln.reduce_mean %x axes [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
  // CHECK: kiln.reduce_mean %[[X]] axes [0, 2] keepdims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %5 = kiln.reduce_mean %x axes [0, 2] keepdims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  // CHECK: kiln.reduce_max %[[X]] axes [0] : tensor<2x3x4xf32> -> tensor<3x4xf32>
  %6 = kiln.reduce_max %x axes [0] : tensor<2x3x4xf32> -> tensor<3x4xf32>
  // CHECK: kiln.reduce_max %[[I]] axes [1] keepdims : tensor<5x6xi32> -> tensor<5x1xi32>
  %7 = kiln.reduce_max %i axes [1] keepdims : tensor<5x6xi32> -> tensor<5x1xi32>
  // CHECK: kiln.reduce_max %[[X]] axes [0, 1, 2] keepdims : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %8 = kiln.reduce_max %x axes [0, 1, 2] keepdims : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  return
}

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<8x10xf32>, %[[D:[a-z0-9_]+]]: tensor<2x3x4xf64>)
func.func @softmax(%x: tensor<8x10xf32>, %d: tensor<2x3x4xf64>) {
  // CHECK: kiln.softmax %[[X]] axis 1 : tensor<8x10xf32>{{$}}
  %0 = kiln.softmax %x axis 1 : tensor<8x10xf32>
  // CHECK: kiln.softmax %[[D]] axis 0 : tensor<2x3x4xf64>{{$}}
  %1 = kiln.softmax %d axis 0 : tensor<2x3x4xf64>
  // CHECK: kiln.log_softmax %[[X]] axis 0 : tensor<8x10xf32>{{$}}
  %2 = kiln.log_softmax %x axis 0 : tensor<8x10xf32>
  // CHECK: kiln.log_softmax %[[D]] axis 2 : tensor<2x3x4xf64>{{$}}
  %3 = kiln.log_softmax %d axis 2 : tensor<2x3x4xf64>
  return
}

//===----------------------------------------------------------------------===//
// Discardable attributes survive the custom syntax of elementwise ops.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @discardable_attrs
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2xf32>, %[[C:[a-z0-9_]+]]: tensor<2xi1>)
func.func @discardable_attrs(%a: tensor<2xf32>, %c: tensor<2xi1>) {
  // CHECK: kiln.add %[[A]], %[[A]] {tag = 1 : i64} : tensor<2xf32>{{$}}
  %0 = kiln.add %a, %a {tag = 1 : i64} : tensor<2xf32>
  // CHECK: kiln.compare le, %[[A]], %[[A]] {tag} : tensor<2xf32>{{$}}
  %1 = kiln.compare le, %a, %a {tag} : tensor<2xf32>
  // CHECK: kiln.select %[[C]], %[[A]], %[[A]] {tag = "x"} : tensor<2xi1>, tensor<2xf32>{{$}}
  %2 = kiln.select %c, %a, %a {tag = "x"} : tensor<2xi1>, tensor<2xf32>
  return
}

// CHECK-LABEL: func.func @loss
func.func @loss(%w: tensor<3xf32>, %x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %p = kiln.mul %w, %x : tensor<3xf32>
  %l = kiln.reduce_sum %p axes [0] : tensor<3xf32> -> tensor<f32>
  return %l, %p : tensor<f32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @grad
// CHECK-SAME: (%[[W:[a-z0-9_]+]]: tensor<3xf32>, %[[X:[a-z0-9_]+]]: tensor<3xf32>)
func.func @grad(%w: tensor<3xf32>, %x: tensor<3xf32>) {
  // CHECK: kiln.grad @loss(%[[W]], %[[X]]) wrt [0, 1] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  %0:4 = kiln.grad @loss(%w, %x) wrt [0, 1]
      : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  // CHECK: kiln.grad @loss(%[[W]], %[[X]]) wrt [1] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  %1:3 = "kiln.grad"(%w, %x) <{callee = @loss, wrt = array<i64: 1>}>
      : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return
}

//===----------------------------------------------------------------------===//
// Argument and result attributes: parameters, buffers and buffer updates.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @model_state
// CHECK-SAME: %{{.*}}: tensor<2xf32> {kiln.name = "x"}
// CHECK-SAME: %{{.*}}: tensor<2xf32> {kiln.name = "w", kiln.parameter}
// CHECK-SAME: %{{.*}}: tensor<2xf32> {kiln.buffer, kiln.name = "mean"}
// CHECK-SAME: -> (tensor<2xf32> {kiln.name = "y"}, tensor<2xf32> {kiln.name = "mean", kiln.updates = 2 : i64})
func.func @model_state(%x: tensor<2xf32> {kiln.name = "x"},
                       %w: tensor<2xf32> {kiln.name = "w", kiln.parameter},
                       %m: tensor<2xf32> {kiln.name = "mean", kiln.buffer})
    -> (tensor<2xf32> {kiln.name = "y"},
        tensor<2xf32> {kiln.name = "mean", kiln.updates = 2 : i64}) {
  %y = kiln.mul %x, %w : tensor<2xf32>
  %m2 = kiln.add %m, %x : tensor<2xf32>
  return %y, %m2 : tensor<2xf32>, tensor<2xf32>
}
