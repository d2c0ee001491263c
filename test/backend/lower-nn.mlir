// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// The ops of KilnNNOps.td. Convolution and pooling: tensor.pad (zeros, or
// -inf for max pooling) + the named linalg convolution / pooling ops, with
// the channels split into groups by tensor.expand_shape. The input gradient
// of a convolution is a convolution of dy spread out by the stride
// (tensor.insert_slice with strides into zeros, cut to size by
// tensor.extract_slice) with the flipped, transposed filter; the filter
// gradient is one linalg.generic contraction. Pooling gradients find, for
// each input element and kernel offset, the window that reads it (a
// linalg.generic whose body uses tensor.extract). gather is a linalg.generic
// with tensor.extract, scatter_add an scf.for adding rows in place, and
// random_uniform Philox-4x32-10 in a linalg.generic body.

// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, -d2 + 2, -d3 + 2)>
// CHECK-DAG: #[[FLIP2:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, -d2 + 1, -d3 + 1)>
// CHECK-DAG: #[[FLIP_G:.*]] = affine_map<(d0, d1, d2, d3) -> (d0 * 2 + d1, 0, -d2 + 2, -d3 + 2)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[DW_X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 3) * 2 + d1, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[DW_DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
// CHECK-DAG: #[[DW_OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[WIN_X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN_K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[WIN_OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[G_IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SEED2:.*]] = affine_map<(d0, d1) -> ()>

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x2x6x6xf32>, %[[W:[a-z0-9_]+]]: tensor<3x2x3x3xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0] {
// CHECK-NEXT: ^bb0(%{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: tensor.yield %[[ZERO]] : f32
// CHECK-NEXT: } : tensor<1x2x6x6xf32> to tensor<1x2x7x7xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x3x3x3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>) outs(%[[INIT]] : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x3x3x3xf32>
func.func @conv2d(%x: tensor<1x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = kiln.conv2d %x, %w stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// Groups: channels split into [groups, channels / groups]; no padding, no
// tensor.pad.
// CHECK-LABEL: func.func @conv2d_groups
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x4x5x5xf64>, %[[W:[a-z0-9_]+]]: tensor<6x2x3x3xf64>)
// CHECK-NOT: tensor.pad
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5] : tensor<1x4x5x5xf64> into tensor<1x2x2x5x5xf64>
// CHECK-NEXT: %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf64> into tensor<2x3x2x3x3xf64>
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x2x3x3x3xf64>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%[[E]] : tensor<1x2x3x3x3xf64>) -> tensor<1x2x3x3x3xf64>
// CHECK-NEXT: %[[RG:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[XG]], %[[WG]] : tensor<1x2x2x5x5xf64>, tensor<2x3x2x3x3xf64>) outs(%[[INIT]] : tensor<1x2x3x3x3xf64>) -> tensor<1x2x3x3x3xf64>
// CHECK-NEXT: %[[R:.*]] = tensor.collapse_shape %[[RG]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf64> into tensor<1x6x3x3xf64>
// CHECK-NEXT: return %[[R]] : tensor<1x6x3x3xf64>
func.func @conv2d_groups(%x: tensor<1x4x5x5xf64>, %w: tensor<6x2x3x3xf64>) -> tensor<1x6x3x3xf64> {
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x5x5xf64>, tensor<6x2x3x3xf64> -> tensor<1x6x3x3xf64>
  return %0 : tensor<1x6x3x3xf64>
}

// dy (3x3, stride 2) spread to 5x5 inside zeros at offset
// (k - 1) - top = 1; the flipped filter [c, o, 2 - kh, 2 - kw]; a stride-1
// convolution down to 6x6.
// CHECK-LABEL: func.func @conv2d_backward_input
// CHECK-SAME: (%[[DY:[a-z0-9_]+]]: tensor<1x3x3x3xf32>, %[[W:[a-z0-9_]+]]: tensor<3x2x3x3xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x3x8x8xf32>
// CHECK-NEXT: %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
// CHECK-NEXT: %[[SPREAD:.*]] = tensor.insert_slice %[[DY]] into %[[ZEROS]][0, 0, 1, 1] [1, 3, 3, 3] [1, 1, 2, 2] : tensor<1x3x3x3xf32> into tensor<1x3x8x8xf32>
// CHECK-NEXT: %[[FE:.*]] = tensor.empty() : tensor<2x3x3x3xf32>
// CHECK-NEXT: %[[FLIPPED:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[W]] : tensor<3x2x3x3xf32>) outs(%[[FE]] : tensor<2x3x3x3xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK-NEXT: } -> tensor<2x3x3x3xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[SPREAD]], %[[FLIPPED]] : tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) outs(%[[INIT]] : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x2x6x6xf32>
func.func @conv2d_backward_input(%dy: tensor<1x3x3x3xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] groups 1 : tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32> -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// Padding 2 exceeds k - 1 = 1: dy goes in at offset 0 and the convolution
// input is cut out one row and column further.
// CHECK-LABEL: func.func @conv2d_backward_input_crop
// CHECK-SAME: (%[[DY:[a-z0-9_]+]]: tensor<1x1x3x3xf64>, %[[W:[a-z0-9_]+]]: tensor<1x1x2x2xf64>)
// CHECK: %[[SPREAD:.*]] = tensor.insert_slice %[[DY]] into %{{.*}}[0, 0, 0, 0] [1, 1, 3, 3] [1, 1, 2, 2] : tensor<1x1x3x3xf64> into tensor<1x1x7x7xf64>
// CHECK-NEXT: %[[CUT:.*]] = tensor.extract_slice %[[SPREAD]][0, 0, 1, 1] [1, 1, 6, 6] [1, 1, 1, 1] : tensor<1x1x7x7xf64> to tensor<1x1x6x6xf64>
// CHECK: %[[FLIPPED:.*]] = linalg.generic {indexing_maps = [#[[FLIP2]], #[[ID4]]]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[CUT]], %[[FLIPPED]] : tensor<1x1x6x6xf64>, tensor<1x1x2x2xf64>)
func.func @conv2d_backward_input_crop(%dy: tensor<1x1x3x3xf64>, %w: tensor<1x1x2x2xf64>) -> tensor<1x1x5x5xf64> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [2, 2, 0, 0] dilation [1, 1] groups 1 : tensor<1x1x3x3xf64>, tensor<1x1x2x2xf64> -> tensor<1x1x5x5xf64>
  return %0 : tensor<1x1x5x5xf64>
}

// Groups: the flipped filter maps output channel c' = g * Cg + c of the
// gradient to w[g * Og + o, c]; here Cg = 1, Og = 2.
// CHECK-LABEL: func.func @conv2d_backward_input_groups
// CHECK: %[[FLIPPED:.*]] = linalg.generic {indexing_maps = [#[[FLIP_G]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<4x1x3x3xf32>) outs(%{{.*}} : tensor<2x2x3x3xf32>)
// CHECK: tensor.expand_shape %[[FLIPPED]] {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 1, 2, 3, 3] : tensor<2x2x3x3xf32> into tensor<2x1x2x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x2x2x7x7xf32>, tensor<2x1x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x1x5x5xf32>)
func.func @conv2d_backward_input_groups(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32> -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// One contraction over (n, oh, ow); the group of output channel o is
// o floordiv (O / groups) = o floordiv 3.
// CHECK-LABEL: func.func @conv2d_backward_filter
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x4x5x5xf32>, %[[DY:[a-z0-9_]+]]: tensor<1x6x3x3xf32>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<6x2x3x3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<6x2x3x3xf32>) -> tensor<6x2x3x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[DW_X]], #[[DW_DY]], #[[DW_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[DY]] : tensor<1x4x5x5xf32>, tensor<1x6x3x3xf32>) outs(%[[INIT]] : tensor<6x2x3x3xf32>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK-NEXT: } -> tensor<6x2x3x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<6x2x3x3xf32>
func.func @conv2d_backward_filter(%x: tensor<1x4x5x5xf32>, %dy: tensor<1x6x3x3xf32>) -> tensor<6x2x3x3xf32> {
  %0 = kiln.conv2d_backward_filter %x, %dy stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x5x5xf32>, tensor<1x6x3x3xf32> -> tensor<6x2x3x3xf32>
  return %0 : tensor<6x2x3x3xf32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @max_pool2d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x2x5x5xf32>)
// CHECK-NEXT: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0] {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[NEG_INF]] : f32
// CHECK-NEXT: } : tensor<1x2x5x5xf32> to tensor<1x2x6x6xf32>
// CHECK-NEXT: %[[WINDOW:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%[[E]] : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[WINDOW]] : tensor<1x2x6x6xf32>, tensor<2x2xf32>) outs(%[[INIT]] : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<1x2x3x3xf32>
func.func @max_pool2d(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = kiln.max_pool2d %x kernel [2, 2] stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// First: each window's (value, plane position) of its first maximum, -1
// for none; the candidate wins when it is inside the image and the window
// has none yet, or it is greater (NaN counts as greatest), or it equals the
// best at an earlier position. Then each input element sums dy over the
// windows whose winner it is.
// CHECK-LABEL: func.func @max_pool2d_backward
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x2x4x4xf32>, %[[DY:[a-z0-9_]+]]: tensor<1x2x2x2xf32>)
// CHECK: %[[NONE:.*]] = arith.constant -1 : i64
// CHECK-NEXT: %[[WINDOW:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[BEST_INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK: %[[AT_INIT:.*]] = linalg.fill ins(%[[NONE]] : i64) outs(%{{.*}} : tensor<1x2x2x2xi64>)
// CHECK-NEXT: %[[ARGMAX:.*]]:2 = linalg.generic {indexing_maps = [#[[WIN_X]], #[[WIN_K]], #[[WIN_OUT]], #[[WIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[X]], %[[WINDOW]] : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%[[BEST_INIT]], %[[AT_INIT]] : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %{{.*}}: f32, %[[BEST:.*]]: f32, %[[BEST_AT:.*]]: i64):
// CHECK:      %[[AT:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK-NEXT: %[[V_NAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// CHECK-NEXT: %[[BEST_NAN:.*]] = arith.cmpf uno, %[[BEST]], %[[BEST]] : f32
// CHECK:      %[[GT:.*]] = arith.cmpf ogt, %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[GT_ANY:.*]] = arith.ori %[[GT]], %{{.*}} : i1
// CHECK:      %[[EQ:.*]] = arith.cmpf oeq, %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[EQUAL:.*]] = arith.ori %[[EQ]], %{{.*}} : i1
// CHECK-NEXT: %[[EARLIER:.*]] = arith.cmpi slt, %[[AT]], %[[BEST_AT]] : i64
// CHECK-NEXT: %[[TIE_WON:.*]] = arith.andi %[[EQUAL]], %[[EARLIER]] : i1
// CHECK-NEXT: %[[FIRST:.*]] = arith.cmpi eq, %[[BEST_AT]], %[[NONE]] : i64
// CHECK-NEXT: %[[FIRST_OR_GREATER:.*]] = arith.ori %[[FIRST]], %[[GT_ANY]] : i1
// CHECK-NEXT: %[[BETTER:.*]] = arith.ori %[[FIRST_OR_GREATER]], %[[TIE_WON]] : i1
// CHECK-NEXT: %[[WINS:.*]] = arith.andi %{{.*}}, %[[BETTER]] : i1
// CHECK-NEXT: %[[NEW_BEST:.*]] = arith.select %[[WINS]], %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[NEW_AT:.*]] = arith.select %[[WINS]], %[[AT]], %[[BEST_AT]] : i64
// CHECK-NEXT: linalg.yield %[[NEW_BEST]], %[[NEW_AT]] : f32, i64
// CHECK-NEXT: } -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
// CHECK: %[[WINDOW2:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: %[[DX_INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK-NEXT: %[[DX:.*]] = linalg.generic {indexing_maps = [#[[WIN_K]], #[[WIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[WINDOW2]] : tensor<2x2xf32>) outs(%[[DX_INIT]] : tensor<1x2x4x4xf32>) {
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[N:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[C:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[H:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[W:.*]] = linalg.index 3 : index
// CHECK-NEXT: %[[KH:.*]] = linalg.index 4 : index
// CHECK-NEXT: %[[KW:.*]] = linalg.index 5 : index
// CHECK-NEXT: %[[TH:.*]] = arith.subi %[[H]], %[[KH]] : index
// CHECK:      %[[REM:.*]] = arith.remsi %[[TH]], %{{.*}} : index
// CHECK:      %[[OH_RAW:.*]] = arith.divsi %[[TH]], %{{.*}} : index
// CHECK:      %[[OH:.*]] = arith.select %{{.*}}, %[[OH_RAW]], %{{.*}} : index
// CHECK:      %[[OW:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : index
// CHECK-NEXT: %[[VALID:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK-NEXT: %[[WINNER:.*]] = tensor.extract %[[ARGMAX]]#1[%[[N]], %[[C]], %[[OH]], %[[OW]]] : tensor<1x2x2x2xi64>
// CHECK:      %[[HERE:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK-NEXT: %[[G:.*]] = tensor.extract %[[DY]][%[[N]], %[[C]], %[[OH]], %[[OW]]] : tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[IS_WINNER:.*]] = arith.cmpi eq, %[[WINNER]], %[[HERE]] : i64
// CHECK:      %[[ROUTED:.*]] = arith.select %[[IS_WINNER]], %[[G]], %{{.*}} : f32
// CHECK:      %[[TERM:.*]] = arith.select %[[VALID]], %[[ROUTED]], %{{.*}} : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[TERM]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK-NEXT: } -> tensor<1x2x4x4xf32>
// CHECK-NEXT: return %[[DX]] : tensor<1x2x4x4xf32>
func.func @max_pool2d_backward(%x: tensor<1x2x4x4xf32>, %dy: tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.max_pool2d_backward %x, %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// Sum pooling over zero padding, divided by kH * kW = 9 (padding counts).
// CHECK-LABEL: func.func @avg_pool2d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x2x4x4xf64>)
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0] {
// CHECK:      } : tensor<1x2x4x4xf64> to tensor<1x2x5x5xf64>
// CHECK-NEXT: %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf64>
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x2x2x2xf64>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f64) outs(%[[E]] : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
// CHECK-NEXT: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[WINDOW]] : tensor<1x2x5x5xf64>, tensor<3x3xf64>) outs(%[[INIT]] : tensor<1x2x2x2xf64>) -> tensor<1x2x2x2xf64>
// CHECK-NEXT: %[[COUNT:.*]] = arith.constant 9.000000e+00 : f64
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<1x2x2x2xf64>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SUM]] : tensor<1x2x2x2xf64>) outs(%[[E2]] : tensor<1x2x2x2xf64>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f64, %{{.*}}: f64):
// CHECK-NEXT: %[[AVG:.*]] = arith.divf %[[IN]], %[[COUNT]] : f64
// CHECK-NEXT: linalg.yield %[[AVG]] : f64
// CHECK-NEXT: } -> tensor<1x2x2x2xf64>
// CHECK-NEXT: return %[[R]] : tensor<1x2x2x2xf64>
func.func @avg_pool2d(%x: tensor<1x2x4x4xf64>) -> tensor<1x2x2x2xf64> {
  %0 = kiln.avg_pool2d %x kernel [3, 3] stride [2, 2] padding [1, 1, 0, 0] : tensor<1x2x4x4xf64> -> tensor<1x2x2x2xf64>
  return %0 : tensor<1x2x2x2xf64>
}

// CHECK-LABEL: func.func @avg_pool2d_backward
// CHECK-SAME: (%[[DY:[a-z0-9_]+]]: tensor<1x2x2x2xf64>)
// CHECK-NEXT: %[[COUNT:.*]] = arith.constant 4.000000e+00 : f64
// CHECK:      %[[DX:.*]] = linalg.generic {indexing_maps = [#[[WIN_K]], #[[WIN_OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<2x2xf64>) outs(%{{.*}} : tensor<1x2x4x4xf64>) {
// CHECK:      %[[G:.*]] = tensor.extract %[[DY]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x2x2xf64>
// CHECK-NEXT: %[[SHARE:.*]] = arith.divf %[[G]], %[[COUNT]] : f64
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: %[[TERM:.*]] = arith.select %{{.*}}, %[[SHARE]], %[[Z]] : f64
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %{{.*}}, %[[TERM]] : f64
// CHECK-NEXT: linalg.yield %[[SUM]] : f64
// CHECK-NEXT: } -> tensor<1x2x4x4xf64>
// CHECK-NEXT: return %[[DX]] : tensor<1x2x4x4xf64>
func.func @avg_pool2d_backward(%dy: tensor<1x2x2x2xf64>) -> tensor<1x2x4x4xf64> {
  %0 = kiln.avg_pool2d_backward %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] : tensor<1x2x2x2xf64> -> tensor<1x2x4x4xf64>
  return %0 : tensor<1x2x4x4xf64>
}

//===----------------------------------------------------------------------===//
// Embedding lookup
//===----------------------------------------------------------------------===//

// An index outside [0, 10) reads row 0 and yields zero instead.
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:[a-z0-9_]+]]: tensor<10x3xf32>, %[[I:[a-z0-9_]+]]: tensor<2x5xi32>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x5x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[G_IDX]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x5xi32>) outs(%[[E]] : tensor<2x5x3xf32>) {
// CHECK-NEXT: ^bb0(%[[IDX:.*]]: i32, %{{.*}}: f32):
// CHECK-NEXT: %[[WIDE:.*]] = arith.extsi %[[IDX]] : i32 to i64
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[GE:.*]] = arith.cmpi sge, %[[WIDE]], %[[ZERO]] : i64
// CHECK-NEXT: %[[V:.*]] = arith.constant 10 : i64
// CHECK-NEXT: %[[LT:.*]] = arith.cmpi slt, %[[WIDE]], %[[V]] : i64
// CHECK-NEXT: %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK-NEXT: %[[ROW_RAW:.*]] = arith.index_cast %[[WIDE]] : i64 to index
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[ROW:.*]] = arith.select %[[OK]], %[[ROW_RAW]], %[[C0]] : index
// CHECK-NEXT: %[[COL:.*]] = linalg.index 2 : index
// CHECK-NEXT: %[[X:.*]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<10x3xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[Y:.*]] = arith.select %[[OK]], %[[X]], %[[Z]] : f32
// CHECK-NEXT: linalg.yield %[[Y]] : f32
// CHECK-NEXT: } -> tensor<2x5x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x5x3xf32>
func.func @gather(%t: tensor<10x3xf32>, %i: tensor<2x5xi32>) -> tensor<2x5x3xf32> {
  %0 = kiln.gather %t[%i] : tensor<10x3xf32>, tensor<2x5xi32> -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[U:[a-z0-9_]+]]: tensor<2x5x3xf32>, %[[I:[a-z0-9_]+]]: tensor<2x5xi64>)
// CHECK:      %[[FLAT_I:.*]] = tensor.reshape %[[I]](%{{.*}}) : (tensor<2x5xi64>, tensor<1xi64>) -> tensor<10xi64>
// CHECK:      %[[FLAT_U:.*]] = tensor.reshape %[[U]](%{{.*}}) : (tensor<2x5x3xf32>, tensor<2xi64>) -> tensor<10x3xf32>
// CHECK:      %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<10x3xf32>) -> tensor<10x3xf32>
// CHECK:      %[[R:.*]] = scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZEROS]]) -> (tensor<10x3xf32>) {
// CHECK-NEXT: %[[IDX:.*]] = tensor.extract %[[FLAT_I]][%[[P]]] : tensor<10xi64>
// CHECK:      %[[OK:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:      %[[ROW:.*]] = arith.select %[[OK]], %{{.*}}, %{{.*}} : index
// CHECK-NEXT: %[[NEXT:.*]] = scf.if %[[OK]] -> (tensor<10x3xf32>) {
// CHECK-NEXT: %[[SRC:.*]] = tensor.extract_slice %[[FLAT_U]][%[[P]], 0] [1, 3] [1, 1] : tensor<10x3xf32> to tensor<1x3xf32>
// CHECK-NEXT: %[[DST:.*]] = tensor.extract_slice %[[ACC]][%[[ROW]], 0] [1, 3] [1, 1] : tensor<10x3xf32> to tensor<1x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SRC]] : tensor<1x3xf32>) outs(%[[DST]] : tensor<1x3xf32>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[B]], %[[A]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK-NEXT: } -> tensor<1x3xf32>
// CHECK-NEXT: %[[UPDATED:.*]] = tensor.insert_slice %[[SUM]] into %[[ACC]][%[[ROW]], 0] [1, 3] [1, 1] : tensor<1x3xf32> into tensor<10x3xf32>
// CHECK-NEXT: scf.yield %[[UPDATED]] : tensor<10x3xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[ACC]] : tensor<10x3xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[NEXT]] : tensor<10x3xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]] : tensor<10x3xf32>
func.func @scatter_add(%u: tensor<2x5x3xf32>, %i: tensor<2x5xi64>) -> tensor<10x3xf32> {
  %0 = kiln.scatter_add %u[%i] : tensor<2x5x3xf32>, tensor<2x5xi64> -> tensor<10x3xf32>
  return %0 : tensor<10x3xf32>
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

// counter = (linear index, 0, 0), key = the seed's halves; ten rounds of
// two 32x32 -> 64-bit products with the Philox constants (0xD2511F53 and
// 0xCD9E8D57, printed as signed i32) and key bumps by 0x9E3779B9 and
// 0xBB67AE85; f32 keeps the top 24 bits of word 0, times 2^-24.
// CHECK-LABEL: func.func @random_uniform
// CHECK-SAME: (%[[SEED:[a-z0-9_]+]]: tensor<i64>)
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[SEED2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[SEED]] : tensor<i64>) outs(%[[E]] : tensor<3x4xf32>) {
// CHECK-NEXT: ^bb0(%[[S:.*]]: i64, %{{.*}}: f32):
// CHECK-NEXT: %[[I0:.*]] = linalg.index 0 : index
// CHECK-NEXT: %[[C4:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[ROW:.*]] = arith.muli %[[I0]], %[[C4]] : index
// CHECK-NEXT: %[[I1:.*]] = linalg.index 1 : index
// CHECK-NEXT: %[[LINEAR:.*]] = arith.addi %[[ROW]], %[[I1]] : index
// CHECK-NEXT: %[[INDEX:.*]] = arith.index_castui %[[LINEAR]] : index to i64
// CHECK:      %[[CTR0:.*]] = arith.trunci %[[INDEX]] : i64 to i32
// CHECK:      %[[KEY0:.*]] = arith.trunci %[[S]] : i64 to i32
// CHECK:      %[[M0:.*]] = arith.constant -766435501 : i32
// CHECK-NEXT: %[[M1:.*]] = arith.constant -845247145 : i32
// CHECK-NEXT: %[[W0:.*]] = arith.constant -1640531527 : i32
// CHECK-NEXT: %[[W1:.*]] = arith.constant -1150833019 : i32
// CHECK-NEXT: %{{.*}}, %{{.*}} = arith.mului_extended %[[M0]], %[[CTR0]] : i32
// CHECK-COUNT-19: arith.mului_extended
// CHECK-NOT:  arith.mului_extended
// CHECK:      %[[BITS:.*]] = arith.shrui %{{.*}}, %{{.*}} : i32
// CHECK-NEXT: %[[SCALE:.*]] = arith.constant 5.96046448E-8 : f32
// CHECK-NEXT: %[[F:.*]] = arith.uitofp %[[BITS]] : i32 to f32
// CHECK-NEXT: %[[U:.*]] = arith.mulf %[[F]], %[[SCALE]] : f32
// CHECK-NEXT: linalg.yield %[[U]] : f32
// CHECK-NEXT: } -> tensor<3x4xf32>
// CHECK-NEXT: return %[[R]] : tensor<3x4xf32>
func.func @random_uniform(%s: tensor<i64>) -> tensor<3x4xf32> {
  %0 = kiln.random_uniform %s : tensor<i64> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// f64: 53 bits, word 0 shifted left by 21 over the top 21 bits of word 1,
// times 2^-53.
// CHECK-LABEL: func.func @random_uniform_f64
// CHECK:      %[[C21:.*]] = arith.constant 21 : i64
// CHECK-NEXT: %[[W0:.*]] = arith.extui %{{.*}} : i32 to i64
// CHECK-NEXT: %[[HIGH:.*]] = arith.shli %[[W0]], %[[C21]] : i64
// CHECK-NEXT: %[[C11:.*]] = arith.constant 11 : i64
// CHECK-NEXT: %[[W1:.*]] = arith.extui %{{.*}} : i32 to i64
// CHECK-NEXT: %[[LOW:.*]] = arith.shrui %[[W1]], %[[C11]] : i64
// CHECK-NEXT: %[[BITS:.*]] = arith.ori %[[HIGH]], %[[LOW]] : i64
// CHECK-NEXT: %[[SCALE:.*]] = arith.constant 1.1102230246251565E-16 : f64
// CHECK-NEXT: %[[F:.*]] = arith.uitofp %[[BITS]] : i64 to f64
// CHECK-NEXT: %[[U:.*]] = arith.mulf %[[F]], %[[SCALE]] : f64
// CHECK-NEXT: linalg.yield %[[U]] : f64
func.func @random_uniform_f64(%s: tensor<i64>) -> tensor<5xf64> {
  %0 = kiln.random_uniform %s : tensor<i64> -> tensor<5xf64>
  return %0 : tensor<5xf64>
}
