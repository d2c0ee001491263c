// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// The ops of KilnNNOps.td. Convolutions are matrix products: the padded
// input (tensor.pad) is copied into its im2col patch matrix by a
// linalg.generic, each product is one linalg.matmul (linalg.batch_matmul
// over groups, the group being the leading dimension), and transposing
// linalg.generics bring the results back to NCHW / OIHW where they are not
// already. When a batch's
// patch matrix would exceed 1 MiB, an scf.for over the batch does this a
// few images at a time. The input gradient
// W^T x dy is scattered back by col2im: an scf.for nest over the kernel
// offsets adding each offset's rows into a strided slice of the padded
// gradient. Pooling: tensor.pad (zeros, or -inf for max pooling) + the named
// linalg pooling ops; the pooling gradients scatter dy back through the same
// loop nest (for max pooling, where the window's argmax is that offset).
// gather is a linalg.generic with tensor.extract, scatter_add an scf.for
// adding rows in place, and random_uniform Philox-4x32-10 in a
// linalg.generic body.

// im2col, element-major: (g, c, kh, kw, n, oh, ow); stride 2, and grouped
// (the channel is g * Cg + c, Cg = 2).
// CHECK-DAG: #[[PATCH:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5 * 2 + d2, d6 * 2 + d3)>
// CHECK-DAG: #[[PATCH_T:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0 * 2 + d1, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[ID7:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4, d5, d6)>
// Matmul operands (m, n, k): rhs or lhs read transposed.
// CHECK-DAG: #[[MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[KM:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BMK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BNK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[BKM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[BKN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[BMN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// Depthwise: (n, o, kh, kw, oh, ow) reads x[n, o floordiv 2, oh * 2 + kh,
// ow * 2 + kw], w[o, 0, kh, kw] and writes y[n, o, oh, ow].
// CHECK-DAG: #[[DW_X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 floordiv 2, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-DAG: #[[DW_W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, 0, d2, d3)>
// CHECK-DAG: #[[DW_Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5)>
// Several images per step: y[n, o, oh, ow] = product[g, og, n, oh, ow]
// with o = g * Og + og.
// CHECK-DAG: #[[TO_NCHW:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d0, d2, d3)>
// dy channel-major: [g, og, n, oh, ow].
// CHECK-DAG: #[[DY_CM:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d1, d3, d4)>
// CHECK-DAG: #[[DY_CM_G:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d0 * 2 + d1, d3, d4)>
// CHECK-DAG: #[[DY_CM_G3:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d0 * 3 + d1, d3, d4)>
// CHECK-DAG: #[[ID5:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// One kernel offset's rows of dcols [g, c, kh, kw, n, oh, ow] at dx[n, c, ...].
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0, d0, d2, d3)>
// CHECK-DAG: #[[ROWS_G:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0, 0, d0, d2, d3)>
// dw[o, c, kh, kw] = product[g, c, kh, kw, og].
// CHECK-DAG: #[[TO_OIHW_G:.*]] = affine_map<(d0, d1, d2, d3) -> (d0 floordiv 3, d1, d2, d3, d0 mod 3)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SEED2:.*]] = affine_map<(d0, d1) -> ()>

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// y = W x patches: the filter [O, C * kH * kW] is the matmul's lhs as it
// is, the patch matrix has a row per window element (C * kH * kW = 18)
// and a column per output position (N * OH * OW = 9), and the product
// [O, OH * OW] is already the NCHW output of the one image.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x2x6x6xf32>, %[[W:[a-z0-9_]+]]: tensor<3x2x3x3xf32>)
// CHECK-NEXT: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<3x2x3x3xf32> into tensor<3x18xf32>
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0] {
// CHECK-NEXT: ^bb0(%{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: tensor.yield %[[ZERO]] : f32
// CHECK-NEXT: } : tensor<1x2x6x6xf32> to tensor<1x2x7x7xf32>
// CHECK-NEXT: %[[PE:.*]] = tensor.empty() : tensor<1x2x3x3x1x3x3xf32>
// CHECK-NEXT: %[[PATCHES:.*]] = linalg.generic {indexing_maps = [#[[PATCH]], #[[ID7]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[P]] : tensor<1x2x7x7xf32>) outs(%[[PE]] : tensor<1x2x3x3x1x3x3xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK-NEXT: } -> tensor<1x2x3x3x1x3x3xf32>
// CHECK-NEXT: %[[PM:.*]] = tensor.collapse_shape %[[PATCHES]] {{\[\[}}0, 1, 2, 3], [4, 5, 6]] : tensor<1x2x3x3x1x3x3xf32> into tensor<18x9xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<3x9xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<3x9xf32>) -> tensor<3x9xf32>
// CHECK-NEXT: %[[YM:.*]] = linalg.matmul ins(%[[WM]], %[[PM]] : tensor<3x18xf32>, tensor<18x9xf32>) outs(%[[INIT]] : tensor<3x9xf32>) -> tensor<3x9xf32>
// CHECK-NEXT: %[[Y:.*]] = tensor.expand_shape %[[YM]] {{\[\[}}0, 1], [2, 3]] output_shape [1, 3, 3, 3] : tensor<3x9xf32> into tensor<1x3x3x3xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x3x3x3xf32>
func.func @conv2d(%x: tensor<1x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = kiln.conv2d %x, %w stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] groups 1 : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// Two images fit in one step: the product [O, N * OH * OW] = [3, 18] is
// transposed into NCHW by a linalg.generic.
// CHECK-LABEL: func.func @conv2d_images
// CHECK: %[[YM:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x18xf32>, tensor<18x18xf32>) outs(%{{.*}} : tensor<3x18xf32>) -> tensor<3x18xf32>
// CHECK-NEXT: %[[Y5:.*]] = tensor.expand_shape %[[YM]] {{\[\[}}0, 1], [2, 3, 4]] output_shape [1, 3, 2, 3, 3] : tensor<3x18xf32> into tensor<1x3x2x3x3xf32>
// CHECK-NEXT: %[[YE:.*]] = tensor.empty() : tensor<2x3x3x3xf32>
// CHECK-NEXT: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[TO_NCHW]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[Y5]] : tensor<1x3x2x3x3xf32>) outs(%[[YE]] : tensor<2x3x3x3xf32>) {
// CHECK: return %[[Y]] : tensor<2x3x3x3xf32>
func.func @conv2d_images(%x: tensor<2x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<2x3x3x3xf32> {
  %0 = kiln.conv2d %x, %w stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] groups 1 : tensor<2x2x6x6xf32>, tensor<3x2x3x3xf32> -> tensor<2x3x3x3xf32>
  return %0 : tensor<2x3x3x3xf32>
}

// Groups: one filter matrix [3, 18] and one patch matrix [18, 9] per group
// (the filter's O split into [groups, Og]), a linalg.batch_matmul over the
// groups whose [groups, Og, OH * OW] result is NCHW; no padding, no
// tensor.pad.
// CHECK-LABEL: func.func @conv2d_groups
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x4x5x5xf64>, %[[W:[a-z0-9_]+]]: tensor<6x2x3x3xf64>)
// CHECK-NEXT: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<6x2x3x3xf64> into tensor<6x18xf64>
// CHECK-NEXT: %[[WG:.*]] = tensor.expand_shape %[[WM]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 18] : tensor<6x18xf64> into tensor<2x3x18xf64>
// CHECK-NOT: tensor.pad
// CHECK: %[[PATCHES:.*]] = linalg.generic {indexing_maps = [#[[PATCH_T]], #[[ID7]]], {{.*}} ins(%[[X]] : tensor<1x4x5x5xf64>) outs(%{{.*}} : tensor<2x2x3x3x1x3x3xf64>)
// CHECK: %[[PM:.*]] = tensor.collapse_shape %[[PATCHES]] {{\[\[}}0], [1, 2, 3], [4, 5, 6]] : tensor<2x2x3x3x1x3x3xf64> into tensor<2x18x9xf64>
// CHECK: %[[YM:.*]] = linalg.batch_matmul ins(%[[WG]], %[[PM]] : tensor<2x3x18xf64>, tensor<2x18x9xf64>) outs(%{{.*}} : tensor<2x3x9xf64>) -> tensor<2x3x9xf64>
// CHECK-NEXT: %[[YO:.*]] = tensor.collapse_shape %[[YM]] {{\[\[}}0, 1], [2]] : tensor<2x3x9xf64> into tensor<6x9xf64>
// CHECK-NEXT: %[[Y:.*]] = tensor.expand_shape %[[YO]] {{\[\[}}0, 1], [2, 3]] output_shape [1, 6, 3, 3] : tensor<6x9xf64> into tensor<1x6x3x3xf64>
// CHECK-NEXT: return %[[Y]] : tensor<1x6x3x3xf64>
func.func @conv2d_groups(%x: tensor<1x4x5x5xf64>, %w: tensor<6x2x3x3xf64>) -> tensor<1x6x3x3xf64> {
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x5x5xf64>, tensor<6x2x3x3xf64> -> tensor<1x6x3x3xf64>
  return %0 : tensor<1x6x3x3xf64>
}

// Depthwise (one input channel per group; here two output channels per
// group): no matrix product, one linalg.generic over (n, o, kh, kw, oh, ow)
// accumulating x * w into the zero-filled y, the window loops outside the
// loops along a row of y, input channel o floordiv 2.
// CHECK-LABEL: func.func @conv2d_depthwise
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x3x6x6xf32>, %[[W:[a-z0-9_]+]]: tensor<6x1x3x3xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: %[[Y0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x6x3x3xf32>) -> tensor<1x6x3x3xf32>
// CHECK-NEXT: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[DW_X]], #[[DW_W]], #[[DW_Y]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]} ins(%[[P]], %[[W]] : tensor<1x3x7x7xf32>, tensor<6x1x3x3xf32>) outs(%[[Y0]] : tensor<1x6x3x3xf32>) {
// CHECK-NEXT: ^bb0(%[[XV:.*]]: f32, %[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[PROD:.*]] = arith.mulf %[[XV]], %[[WV]] : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[PROD]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK-NEXT: } -> tensor<1x6x3x3xf32>
// CHECK-NEXT: return %[[Y]] : tensor<1x6x3x3xf32>
func.func @conv2d_depthwise(%x: tensor<1x3x6x6xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %0 = kiln.conv2d %x, %w stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] groups 3 : tensor<1x3x6x6xf32>, tensor<6x1x3x3xf32> -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// dcols = W^T x dy: dy copied channel-major [O, N * OH * OW] = [3, 9], the
// filter [3, 18] read transposed; dcols [18, 9] viewed as [g, c, kh, kw, n,
// oh, ow]. col2im: for each kernel offset (kh, kw) its rows are added into
// the stride-2 slice of the padded dx [1, 2, 7, 7] that offset read, which
// is finally cut to 6x6 (top and left padding 1).
// CHECK-LABEL: func.func @conv2d_backward_input
// CHECK-SAME: (%[[DY:[a-z0-9_]+]]: tensor<1x3x3x3xf32>, %[[W:[a-z0-9_]+]]: tensor<3x2x3x3xf32>)
// CHECK-NEXT: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<3x2x3x3xf32> into tensor<3x18xf32>
// CHECK-NEXT: %[[CE:.*]] = tensor.empty() : tensor<1x3x1x3x3xf32>
// CHECK-NEXT: %[[CM:.*]] = linalg.generic {indexing_maps = [#[[DY_CM]], #[[ID5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[DY]] : tensor<1x3x3x3xf32>) outs(%[[CE]] : tensor<1x3x1x3x3xf32>) {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
// CHECK-NEXT: } -> tensor<1x3x1x3x3xf32>
// CHECK-NEXT: %[[DYM:.*]] = tensor.collapse_shape %[[CM]] {{\[\[}}0, 1], [2, 3, 4]] : tensor<1x3x1x3x3xf32> into tensor<3x9xf32>
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<18x9xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<18x9xf32>) -> tensor<18x9xf32>
// CHECK-NEXT: %[[COLS:.*]] = linalg.matmul indexing_maps = [#[[KM]], #[[KN]], #[[MN]]] ins(%[[WM]], %[[DYM]] : tensor<3x18xf32>, tensor<3x9xf32>) outs(%[[INIT]] : tensor<18x9xf32>) -> tensor<18x9xf32>
// CHECK-NEXT: %[[COLS7:.*]] = tensor.expand_shape %[[COLS]] {{\[\[}}0, 1, 2, 3], [4, 5, 6]] output_shape [1, 2, 3, 3, 1, 3, 3] : tensor<18x9xf32> into tensor<1x2x3x3x1x3x3xf32>
// CHECK-NEXT: %[[Z2:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[DXE:.*]] = tensor.empty() : tensor<1x2x7x7xf32>
// CHECK-NEXT: %[[DX0:.*]] = linalg.fill ins(%[[Z2]] : f32) outs(%[[DXE]] : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[KH_END:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[SUM:.*]] = scf.for %[[KH:.*]] = %[[C0]] to %[[KH_END]] step %[[ONE]] iter_args(%[[ACC:.*]] = %[[DX0]]) -> (tensor<1x2x7x7xf32>) {
// CHECK:      %[[INNER:.*]] = scf.for %[[KW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC2:.*]] = %[[ACC]]) -> (tensor<1x2x7x7xf32>) {
// CHECK-NEXT: %[[TARGET:.*]] = tensor.extract_slice %[[ACC2]][0, 0, %[[KH]], %[[KW]]] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x7x7xf32> to tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[OFFSET_ROWS:.*]] = tensor.extract_slice %[[COLS7]][0, 0, %[[KH]], %[[KW]], 0, 0, 0] [1, 2, 1, 1, 1, 3, 3] [1, 1, 1, 1, 1, 1, 1] : tensor<1x2x3x3x1x3x3xf32> to tensor<1x2x1x1x1x3x3xf32>
// CHECK-NEXT: %[[ADDED:.*]] = linalg.generic {indexing_maps = [#[[ROWS]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[OFFSET_ROWS]] : tensor<1x2x1x1x1x3x3xf32>) outs(%[[TARGET]] : tensor<1x2x3x3xf32>) {
// CHECK-NEXT: ^bb0(%[[R:.*]]: f32, %[[OLD:.*]]: f32):
// CHECK-NEXT: %[[NEW:.*]] = arith.addf %[[OLD]], %[[R]] : f32
// CHECK-NEXT: linalg.yield %[[NEW]] : f32
// CHECK-NEXT: } -> tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[UPDATED:.*]] = tensor.insert_slice %[[ADDED]] into %[[ACC2]][0, 0, %[[KH]], %[[KW]]] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xf32> into tensor<1x2x7x7xf32>
// CHECK-NEXT: scf.yield %[[UPDATED]] : tensor<1x2x7x7xf32>
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[INNER]] : tensor<1x2x7x7xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[DX:.*]] = tensor.extract_slice %[[SUM]][0, 0, 1, 1] [1, 2, 6, 6] [1, 1, 1, 1] : tensor<1x2x7x7xf32> to tensor<1x2x6x6xf32>
// CHECK-NEXT: return %[[DX]] : tensor<1x2x6x6xf32>
func.func @conv2d_backward_input(%dy: tensor<1x3x3x3xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] groups 1 : tensor<1x3x3x3xf32>, tensor<3x2x3x3xf32> -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// Padding 2 exceeds k - 1 = 1: the padded dx is 7x7 (5 + 2), of which
// only rows and columns 0..4 are ever read (3 windows of stride 2), and the
// result is cut at offset 2.
// CHECK-LABEL: func.func @conv2d_backward_input_crop
// CHECK: linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<1x1x7x7xf64>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, %{{.*}}, %{{.*}}] [1, 1, 3, 3] [1, 1, 2, 2] : tensor<1x1x7x7xf64> to tensor<1x1x3x3xf64>
// CHECK: %[[DX:.*]] = tensor.extract_slice %{{.*}}[0, 0, 2, 2] [1, 1, 5, 5] [1, 1, 1, 1] : tensor<1x1x7x7xf64> to tensor<1x1x5x5xf64>
// CHECK-NEXT: return %[[DX]]
func.func @conv2d_backward_input_crop(%dy: tensor<1x1x3x3xf64>, %w: tensor<1x1x2x2xf64>) -> tensor<1x1x5x5xf64> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [2, 2, 0, 0] dilation [1, 1] groups 1 : tensor<1x1x3x3xf64>, tensor<1x1x2x2xf64> -> tensor<1x1x5x5xf64>
  return %0 : tensor<1x1x5x5xf64>
}

// Groups (Cg = 1, Og = 2): dy channel-major per group [2, 2, 9] (channel
// g * 2 + og), the filter as [2, 2, 9] read transposed, dcols [2, 9, 9]; a
// row of dx's channel c is in group c (Cg = 1).
// CHECK-LABEL: func.func @conv2d_backward_input_groups
// CHECK: %[[WG:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 2, 9] : tensor<4x9xf32> into tensor<2x2x9xf32>
// CHECK: linalg.generic {indexing_maps = [#[[DY_CM_G]], #[[ID5]]], {{.*}} ins(%{{.*}} : tensor<1x4x3x3xf32>) outs(%{{.*}} : tensor<2x2x1x3x3xf32>)
// CHECK: %[[DYM:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3, 4]] : tensor<2x2x1x3x3xf32> into tensor<2x2x9xf32>
// CHECK: %[[COLS:.*]] = linalg.batch_matmul indexing_maps = [#[[BKM]], #[[BKN]], #[[BMN]]] ins(%[[WG]], %[[DYM]] : tensor<2x2x9xf32>, tensor<2x2x9xf32>) outs(%{{.*}} : tensor<2x9x9xf32>) -> tensor<2x9x9xf32>
// CHECK-NEXT: tensor.expand_shape %[[COLS]] {{\[\[}}0], [1, 2, 3], [4, 5, 6]] output_shape [2, 1, 3, 3, 1, 3, 3] : tensor<2x9x9xf32> into tensor<2x1x3x3x1x3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ROWS_G]], #[[ID4]]], {{.*}} ins(%{{.*}} : tensor<2x1x1x1x1x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x3xf32>)
func.func @conv2d_backward_input_groups(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32> -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// dw^T = patches x dy^T per group: the element-major patch matrix
// [g, Cg * kH * kW, N * OH * OW] = [2, 18, 9] times the channel-major dy
// [2, 3, 9] read transposed, then dw[o, c, kh, kw] = product[o floordiv 3,
// c, kh, kw, o mod 3].
// CHECK-LABEL: func.func @conv2d_backward_filter
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x4x5x5xf32>, %[[DY:[a-z0-9_]+]]: tensor<1x6x3x3xf32>)
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<2x18x3xf32>
// CHECK-NEXT: %[[INIT:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<2x18x3xf32>) -> tensor<2x18x3xf32>
// CHECK-NEXT: %{{.*}} = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[PE:.*]] = tensor.empty() : tensor<2x2x3x3x1x3x3xf32>
// CHECK-NEXT: %[[PATCHES:.*]] = linalg.generic {indexing_maps = [#[[PATCH_T]], #[[ID7]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<1x4x5x5xf32>) outs(%[[PE]] : tensor<2x2x3x3x1x3x3xf32>) {
// CHECK:      } -> tensor<2x2x3x3x1x3x3xf32>
// CHECK-NEXT: %[[PM:.*]] = tensor.collapse_shape %[[PATCHES]] {{\[\[}}0], [1, 2, 3], [4, 5, 6]] : tensor<2x2x3x3x1x3x3xf32> into tensor<2x18x9xf32>
// CHECK-NEXT: %[[CE:.*]] = tensor.empty() : tensor<2x3x1x3x3xf32>
// CHECK-NEXT: %[[CM:.*]] = linalg.generic {indexing_maps = [#[[DY_CM_G3]], #[[ID5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[DY]] : tensor<1x6x3x3xf32>) outs(%[[CE]] : tensor<2x3x1x3x3xf32>) {
// CHECK:      } -> tensor<2x3x1x3x3xf32>
// CHECK-NEXT: %[[DYM:.*]] = tensor.collapse_shape %[[CM]] {{\[\[}}0], [1], [2, 3, 4]] : tensor<2x3x1x3x3xf32> into tensor<2x3x9xf32>
// CHECK-NEXT: %[[DWT:.*]] = linalg.batch_matmul indexing_maps = [#[[BMK]], #[[BNK]], #[[BMN]]] ins(%[[PM]], %[[DYM]] : tensor<2x18x9xf32>, tensor<2x3x9xf32>) outs(%[[INIT]] : tensor<2x18x3xf32>) -> tensor<2x18x3xf32>
// CHECK-NEXT: %[[DWT5:.*]] = tensor.expand_shape %[[DWT]] {{\[\[}}0], [1, 2, 3], [4]] output_shape [2, 2, 3, 3, 3] : tensor<2x18x3xf32> into tensor<2x2x3x3x3xf32>
// CHECK-NEXT: %[[DWE:.*]] = tensor.empty() : tensor<6x2x3x3xf32>
// CHECK-NEXT: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[TO_OIHW_G]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[DWT5]] : tensor<2x2x3x3x3xf32>) outs(%[[DWE]] : tensor<6x2x3x3xf32>) {
// CHECK:      } -> tensor<6x2x3x3xf32>
// CHECK-NEXT: return %[[DW]] : tensor<6x2x3x3xf32>
func.func @conv2d_backward_filter(%x: tensor<1x4x5x5xf32>, %dy: tensor<1x6x3x3xf32>) -> tensor<6x2x3x3xf32> {
  %0 = kiln.conv2d_backward_filter %x, %dy stride [1, 1] padding [0, 0, 0, 0] dilation [1, 1] groups 2 : tensor<1x4x5x5xf32>, tensor<1x6x3x3xf32> -> tensor<6x2x3x3xf32>
  return %0 : tensor<6x2x3x3xf32>
}

// A patch matrix of 1024 x 576 floats (2.3 MB) per image exceeds the 1 MiB
// budget: an scf.for over the batch, one image per step, each step building
// its patch matrix, multiplying and inserting its image of y.
// CHECK-LABEL: func.func @conv2d_batch_loop
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x64x32x32xf32>, %[[W:[a-z0-9_]+]]: tensor<8x64x3x3xf32>)
// CHECK-NEXT: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<8x64x3x3xf32> into tensor<8x576xf32>
// CHECK-NEXT: %[[Y0:.*]] = tensor.empty() : tensor<4x8x32x32xf32>
// CHECK-NEXT: %[[STEP:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[END:.*]] = arith.constant 4 : index
// CHECK-NEXT: %[[BEGIN:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[Y:.*]] = scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step %[[STEP]] iter_args(%[[ACC:.*]] = %[[Y0]]) -> (tensor<4x8x32x32xf32>) {
// CHECK-NEXT: %[[XI:.*]] = tensor.extract_slice %[[X]][%[[I]], 0, 0, 0] [1, 64, 32, 32] [1, 1, 1, 1] : tensor<4x64x32x32xf32> to tensor<1x64x32x32xf32>
// CHECK:      tensor.pad %[[XI]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:      %[[PM:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x64x3x3x1x32x32xf32> into tensor<576x1024xf32>
// CHECK:      %[[YM:.*]] = linalg.matmul ins(%[[WM]], %[[PM]] : tensor<8x576xf32>, tensor<576x1024xf32>) outs(%{{.*}} : tensor<8x1024xf32>)
// CHECK-NEXT: %[[YI:.*]] = tensor.expand_shape %[[YM]] {{\[\[}}0, 1], [2, 3]] output_shape [1, 8, 32, 32] : tensor<8x1024xf32> into tensor<1x8x32x32xf32>
// CHECK-NEXT: %[[NEXT:.*]] = tensor.insert_slice %[[YI]] into %[[ACC]][%[[I]], 0, 0, 0] [1, 8, 32, 32] [1, 1, 1, 1] : tensor<1x8x32x32xf32> into tensor<4x8x32x32xf32>
// CHECK-NEXT: scf.yield %[[NEXT]] : tensor<4x8x32x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[Y]] : tensor<4x8x32x32xf32>
func.func @conv2d_batch_loop(%x: tensor<4x64x32x32xf32>, %w: tensor<8x64x3x3xf32>) -> tensor<4x8x32x32xf32> {
  %0 = kiln.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<4x64x32x32xf32>, tensor<8x64x3x3xf32> -> tensor<4x8x32x32xf32>
  return %0 : tensor<4x8x32x32xf32>
}

// Per image: dcols [576, 1024], col2im into the image's padded dx, whose
// interior is inserted into dx.
// CHECK-LABEL: func.func @conv2d_backward_input_batch_loop
// CHECK-SAME: (%[[DY:[a-z0-9_]+]]: tensor<4x8x32x32xf32>, %[[W:[a-z0-9_]+]]: tensor<8x64x3x3xf32>)
// CHECK:      %[[DX:.*]] = scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<4x64x32x32xf32>) {
// CHECK-NEXT: %[[DYI:.*]] = tensor.extract_slice %[[DY]][%[[I]], 0, 0, 0] [1, 8, 32, 32] [1, 1, 1, 1] : tensor<4x8x32x32xf32> to tensor<1x8x32x32xf32>
// CHECK:      linalg.matmul indexing_maps = [#[[KM]], #[[KN]], #[[MN]]] ins(%{{.*}}, %{{.*}} : tensor<8x576xf32>, tensor<8x1024xf32>) outs(%{{.*}} : tensor<576x1024xf32>)
// CHECK:      %[[PADDED:.*]] = scf.for
// CHECK:      %[[DXI:.*]] = tensor.extract_slice %[[PADDED]][0, 0, 1, 1] [1, 64, 32, 32] [1, 1, 1, 1] : tensor<1x64x34x34xf32> to tensor<1x64x32x32xf32>
// CHECK-NEXT: %[[NEXT:.*]] = tensor.insert_slice %[[DXI]] into %[[ACC]][%[[I]], 0, 0, 0] [1, 64, 32, 32] [1, 1, 1, 1] : tensor<1x64x32x32xf32> into tensor<4x64x32x32xf32>
// CHECK-NEXT: scf.yield %[[NEXT]] : tensor<4x64x32x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[DX]] : tensor<4x64x32x32xf32>
func.func @conv2d_backward_input_batch_loop(%dy: tensor<4x8x32x32xf32>, %w: tensor<8x64x3x3xf32>) -> tensor<4x64x32x32xf32> {
  %0 = kiln.conv2d_backward_input %dy, %w stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<4x8x32x32xf32>, tensor<8x64x3x3xf32> -> tensor<4x64x32x32xf32>
  return %0 : tensor<4x64x32x32xf32>
}

// Per image: patches x dy^T accumulated into the loop-carried dw^T (the
// matmul's destination), in batch order.
// CHECK-LABEL: func.func @conv2d_backward_filter_batch_loop
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<4x64x32x32xf32>, %[[DY:[a-z0-9_]+]]: tensor<4x8x32x32xf32>)
// CHECK:      %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<576x8xf32>) -> tensor<576x8xf32>
// CHECK:      %[[DWT:.*]] = scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZEROS]]) -> (tensor<576x8xf32>) {
// CHECK-NEXT: tensor.extract_slice %[[X]][%[[I]], 0, 0, 0] [1, 64, 32, 32] [1, 1, 1, 1]
// CHECK:      %[[PM:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x64x3x3x1x32x32xf32> into tensor<576x1024xf32>
// CHECK-NEXT: tensor.extract_slice %[[DY]][%[[I]], 0, 0, 0] [1, 8, 32, 32] [1, 1, 1, 1]
// CHECK:      %[[DYM:.*]] = tensor.collapse_shape %{{.*}} : tensor<1x8x1x32x32xf32> into tensor<8x1024xf32>
// CHECK-NEXT: %[[SUM:.*]] = linalg.matmul indexing_maps = [#[[MK]], #[[NK]], #[[MN]]] ins(%[[PM]], %[[DYM]] : tensor<576x1024xf32>, tensor<8x1024xf32>) outs(%[[ACC]] : tensor<576x8xf32>) -> tensor<576x8xf32>
// CHECK-NEXT: scf.yield %[[SUM]] : tensor<576x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: tensor.expand_shape %[[DWT]]
func.func @conv2d_backward_filter_batch_loop(%x: tensor<4x64x32x32xf32>, %dy: tensor<4x8x32x32xf32>) -> tensor<8x64x3x3xf32> {
  %0 = kiln.conv2d_backward_filter %x, %dy stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] groups 1 : tensor<4x64x32x32xf32>, tensor<4x8x32x32xf32> -> tensor<8x64x3x3xf32>
  return %0 : tensor<8x64x3x3xf32>
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

// First: each window's (value, kernel offset kh * kW + kw) of its first
// maximum, -1 for none, over the kernel offsets in row-major order: for
// each, a parallel linalg.generic over the windows reads the offset's
// stride-2 slice of x, and the value wins when the window has none yet, or
// it is greater (NaN counts as greatest): a later offset never wins a tie.
// (Without padding every position read is inside the image.) Then, for each
// kernel offset, every window adds its dy where its argmax is that offset,
// into the stride-2 slice of dx that offset read.
// CHECK-LABEL: func.func @max_pool2d_backward
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<1x2x4x4xf32>, %[[DY:[a-z0-9_]+]]: tensor<1x2x2x2xf32>)
// CHECK: %[[NONE:.*]] = arith.constant -1 : i64
// CHECK: %[[BEST_INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x2x2xf32>)
// CHECK: %[[AT_INIT:.*]] = linalg.fill ins(%[[NONE]] : i64) outs(%{{.*}} : tensor<1x2x2x2xi64>)
// CHECK: %[[ARGMAX:.*]]:2 = scf.for %[[KH:.*]] = %{{.*}} iter_args(%[[B0:.*]] = %[[BEST_INIT]], %[[A0:.*]] = %[[AT_INIT]]) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
// CHECK:      scf.for %[[KW:.*]] = %{{.*}} iter_args(%[[B1:.*]] = %[[B0]], %[[A1:.*]] = %[[A0]]) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
// CHECK-NEXT: %[[VALUES:.*]] = tensor.extract_slice %[[X]][0, 0, %[[KH]], %[[KW]]] [1, 2, 2, 2] [1, 1, 2, 2] : tensor<1x2x4x4xf32> to tensor<1x2x2x2xf32>
// CHECK:      %[[ROW:.*]] = arith.muli %[[KH]], %{{.*}} : index
// CHECK-NEXT: %[[OFFSET:.*]] = arith.addi %[[ROW]], %[[KW]] : index
// CHECK-NEXT: %[[AT:.*]] = arith.index_cast %[[OFFSET]] : index to i64
// CHECK-NEXT: %[[NEXT:.*]]:2 = linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[VALUES]] : tensor<1x2x2x2xf32>) outs(%[[B1]], %[[A1]] : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[BEST:.*]]: f32, %[[BEST_AT:.*]]: i64):
// CHECK-NEXT: %[[V_NAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : f32
// CHECK-NEXT: %[[BEST_NAN:.*]] = arith.cmpf uno, %[[BEST]], %[[BEST]] : f32
// CHECK:      %[[FIRST_NAN:.*]] = arith.andi %[[V_NAN]], %{{.*}} : i1
// CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[GREATER:.*]] = arith.ori %[[GT]], %[[FIRST_NAN]] : i1
// CHECK-NEXT: %[[FIRST:.*]] = arith.cmpi eq, %[[BEST_AT]], %[[NONE]] : i64
// CHECK-NEXT: %[[WINS:.*]] = arith.ori %[[FIRST]], %[[GREATER]] : i1
// CHECK-NEXT: %[[NEW_BEST:.*]] = arith.select %[[WINS]], %[[V]], %[[BEST]] : f32
// CHECK-NEXT: %[[NEW_AT:.*]] = arith.select %[[WINS]], %[[AT]], %[[BEST_AT]] : i64
// CHECK-NEXT: linalg.yield %[[NEW_BEST]], %[[NEW_AT]] : f32, i64
// CHECK-NEXT: } -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
// CHECK-NEXT: scf.yield %[[NEXT]]#0, %[[NEXT]]#1 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>
// CHECK: %[[DX0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: %[[DX:.*]] = scf.for %[[KH:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[DX0]]) -> (tensor<1x2x4x4xf32>) {
// CHECK:      scf.for %[[KW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC2:.*]] = %[[ACC]]) -> (tensor<1x2x4x4xf32>) {
// CHECK-NEXT: %[[TARGET:.*]] = tensor.extract_slice %[[ACC2]][0, 0, %[[KH]], %[[KW]]] [1, 2, 2, 2] [1, 1, 2, 2] : tensor<1x2x4x4xf32> to tensor<1x2x2x2xf32>
// CHECK:      %[[K_ROW:.*]] = arith.muli %[[KH]], %{{.*}} : index
// CHECK-NEXT: %[[K:.*]] = arith.addi %[[K_ROW]], %[[KW]] : index
// CHECK-NEXT: %[[HERE:.*]] = arith.index_cast %[[K]] : index to i64
// CHECK-NEXT: %[[ADDED:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[ARGMAX]]#1, %[[DY]] : tensor<1x2x2x2xi64>, tensor<1x2x2x2xf32>) outs(%[[TARGET]] : tensor<1x2x2x2xf32>) {
// CHECK-NEXT: ^bb0(%[[WINNER:.*]]: i64, %[[G:.*]]: f32, %[[OLD:.*]]: f32):
// CHECK-NEXT: %[[IS_WINNER:.*]] = arith.cmpi eq, %[[WINNER]], %[[HERE]] : i64
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[TERM:.*]] = arith.select %[[IS_WINNER]], %[[G]], %[[Z]] : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[OLD]], %[[TERM]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK-NEXT: } -> tensor<1x2x2x2xf32>
// CHECK-NEXT: tensor.insert_slice %[[ADDED]] into %[[ACC2]][0, 0, %[[KH]], %[[KW]]] [1, 2, 2, 2] [1, 1, 2, 2] : tensor<1x2x2x2xf32> into tensor<1x2x4x4xf32>
// CHECK:      return %[[DX]] : tensor<1x2x4x4xf32>
func.func @max_pool2d_backward(%x: tensor<1x2x4x4xf32>, %dy: tensor<1x2x2x2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.max_pool2d_backward %x, %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1] : tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// With padding, a value wins only where the position it was read from,
// oh * 2 + kh - 1 (and likewise for w), lies inside the 3x3 image.
// CHECK-LABEL: func.func @max_pool2d_backward_padded
// CHECK:      tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK:      linalg.generic
// CHECK:      %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK-NEXT: %[[WINS:.*]] = arith.ori %[[FIRST]], %{{.*}} : i1
// CHECK-NEXT: %[[OH:.*]] = linalg.index 2 : index
// CHECK:      %[[TOP:.*]] = arith.constant -1 : index
// CHECK-NEXT: %[[H:.*]] = arith.addi %{{.*}}, %[[TOP]] : index
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[AFTER_TOP:.*]] = arith.cmpi sge, %[[H]], %[[ZERO]] : index
// CHECK-NEXT: %[[HEIGHT:.*]] = arith.constant 3 : index
// CHECK-NEXT: %[[BEFORE_BOTTOM:.*]] = arith.cmpi slt, %[[H]], %[[HEIGHT]] : index
// CHECK-NEXT: %[[ROW_INSIDE:.*]] = arith.andi %[[AFTER_TOP]], %[[BEFORE_BOTTOM]] : i1
// CHECK-NEXT: arith.andi %[[WINS]], %[[ROW_INSIDE]] : i1
// CHECK:      linalg.index 3 : index
func.func @max_pool2d_backward_padded(%x: tensor<1x1x3x3xf32>, %dy: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %0 = kiln.max_pool2d_backward %x, %dy kernel [2, 2] stride [2, 2] padding [1, 1, 0, 0] dilation [1, 1] : tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
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

// Each window adds dy / (kH * kW) at every kernel offset: the same loop
// nest, without padding (nothing to cut off).
// CHECK-LABEL: func.func @avg_pool2d_backward
// CHECK-SAME: (%[[DY:[a-z0-9_]+]]: tensor<1x2x2x2xf64>)
// CHECK-NEXT: %[[COUNT:.*]] = arith.constant 4.000000e+00 : f64
// CHECK:      %[[DX0:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<1x2x4x4xf64>)
// CHECK:      %[[DX:.*]] = scf.for %[[KH:.*]] = %{{.*}} iter_args(%[[ACC:.*]] = %[[DX0]]) -> (tensor<1x2x4x4xf64>) {
// CHECK:      scf.for %[[KW:.*]] = %{{.*}} iter_args(%[[ACC2:.*]] = %[[ACC]]) -> (tensor<1x2x4x4xf64>) {
// CHECK-NEXT: %[[TARGET:.*]] = tensor.extract_slice %[[ACC2]][0, 0, %[[KH]], %[[KW]]] [1, 2, 2, 2] [1, 1, 2, 2]
// CHECK-NEXT: %[[ADDED:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[DY]] : tensor<1x2x2x2xf64>) outs(%[[TARGET]] : tensor<1x2x2x2xf64>) {
// CHECK-NEXT: ^bb0(%[[G:.*]]: f64, %[[OLD:.*]]: f64):
// CHECK-NEXT: %[[SHARE:.*]] = arith.divf %[[G]], %[[COUNT]] : f64
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[OLD]], %[[SHARE]] : f64
// CHECK-NEXT: linalg.yield %[[SUM]] : f64
// CHECK-NEXT: } -> tensor<1x2x2x2xf64>
// CHECK-NEXT: tensor.insert_slice %[[ADDED]] into %[[ACC2]][0, 0, %[[KH]], %[[KW]]] [1, 2, 2, 2] [1, 1, 2, 2]
// CHECK:      return %[[DX]] : tensor<1x2x4x4xf64>
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
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[MN]], #[[ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x5xi32>) outs(%[[E]] : tensor<2x5x3xf32>) {
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
