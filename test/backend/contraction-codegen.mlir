// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,kiln-contraction-codegen{vector-bits=512 vector-registers=32 l1-bytes=49152 l2-bytes=2097152}))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,kiln-contraction-codegen{vector-bits=256 vector-registers=16 l1-bytes=32768 l2-bytes=524288}))' | FileCheck %s --check-prefix=AVX2

// An AVX-512 CPU (32 registers of 512 bits, 48 KiB L1, 2 MiB L2): f32
// register tiles of 8 x 32 (16 accumulator vectors), cache tiles
// MC x NC x KC = 256 x 256 x 128. An AVX2 CPU (16 registers of 256 bits): 6 x 16.

// Cache loops j, k, i; register loops i, j; the k loop carries the 8 x 32
// accumulator as a vector iter_arg, read before and written after it.
// CHECK-LABEL: func.func @square
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %[[J0:.*]] = %{{.*}} to %{{.*}} step %[[C256:.*]] iter_args
// CHECK: scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %c128 iter_args
// The 128 x 256 block of B is packed into 8 panels of 128 x 32, outside
// the loop over blocks of A.
// CHECK: %[[BLOCK:.*]] = tensor.extract_slice %arg1
// CHECK: %[[PACKED:.*]] = scf.for {{.*}} -> (tensor<8x128x32xf32>)
// CHECK: linalg.copy ins(%{{.*}} : tensor<128x?xf32>) outs(%{{.*}} : tensor<128x?xf32>)
// The blocks of A are 8 blocks of 64 rows (of MC = 256 at most), an
// scf.forall whose iterations run on threads and share the packed block.
// CHECK: scf.forall (%[[I0:.*]]) = (0) to (512) step (64) shared_outs
// CHECK: scf.for %[[I1:.*]] = %{{.*}} to %{{.*}} step %c8 iter_args
// CHECK: scf.for %[[J1:.*]] = %{{.*}} to %{{.*}} step %c32 iter_args
// CHECK: %[[ACC:.*]] = vector.transfer_read {{.*}} : tensor<64x256xf32>, vector<8x32xf32>
// CHECK: %[[K:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args(%{{.*}} = %{{.*}}, %[[C:.*]] = %[[ACC]]) -> (tensor<64x256xf32>, vector<8x32xf32>)
// CHECK: %[[A:.*]] = vector.transfer_read %arg0{{.*}} : tensor<512x512xf32>, vector<8x1xf32>
// CHECK: %[[B:.*]] = vector.transfer_read %[[PACKED]]{{.*}} : tensor<8x128x32xf32>, vector<1x32xf32>
// CHECK: %[[R:.*]] = vector.contract {{.*}} %[[A]], %[[B]], %[[C]] : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield %{{.*}}, %[[R]] : tensor<64x256xf32>, vector<8x32xf32>
// CHECK: vector.transfer_write %[[K]]#1, %[[K]]#0{{.*}} : vector<8x32xf32>, tensor<64x256xf32>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice
// AVX2-LABEL: func.func @square
// AVX2: scf.for {{.*}} step %c6
// AVX2: scf.for {{.*}} step %c16
// AVX2: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
func.func @square(%a: tensor<512x512xf32>, %b: tensor<512x512xf32>)
    -> tensor<512x512xf32> {
  %0 = kiln.matmul %a, %b
      : tensor<512x512xf32>, tensor<512x512xf32> -> tensor<512x512xf32>
  return %0 : tensor<512x512xf32>
}

// 13 x 37 x 5: the register loops are peeled into full 8 x 32 tiles and
// static remainder tiles (5 rows; 5 columns, split into tiles of 4 and 1
// columns, since LLVM spills vectors of other widths); no cache tiling, no
// masks, and too little work to split among threads.
// CHECK-LABEL: func.func @remainders
// CHECK-NOT: scf.forall
// CHECK-NOT: vector.mask
// CHECK-NOT: vector<{{[0-9]+}}x5xf32>
// CHECK-DAG: vector.contract {{.*}} into vector<8x32xf32>
// CHECK-DAG: vector.contract {{.*}} into vector<8x4xf32>
// CHECK-DAG: vector.contract {{.*}} into vector<8x1xf32>
// CHECK-DAG: vector.contract {{.*}} into vector<5x32xf32>
// CHECK-DAG: vector.contract {{.*}} into vector<5x4xf32>
// CHECK-DAG: vector.contract {{.*}} into vector<5x1xf32>
// CHECK: return
func.func @remainders(%a: tensor<13x5xf32>, %b: tensor<5x37xf32>)
    -> tensor<13x37xf32> {
  %0 = kiln.matmul %a, %b
      : tensor<13x5xf32>, tensor<5x37xf32> -> tensor<13x37xf32>
  return %0 : tensor<13x37xf32>
}

// 300 x 300 x 300: the last cache tile has a size known only at run time;
// its partial register tiles are masked to the 8 x 32 register tile. The
// parallel row blocks (40 rows) are multiples of the register tile.
// CHECK-LABEL: func.func @edges
// CHECK: scf.forall (%{{.*}}) = (0) to (300) step (40)
// CHECK: vector.contract {{.*}} into vector<8x32xf32>
// CHECK: %[[M:.*]] = vector.create_mask %{{.*}}, %{{.*}}, %c1 : vector<8x32x1xi1>
// CHECK: vector.mask %[[M]] { vector.contract {{.*}} into vector<8x32xf32> }
func.func @edges(%a: tensor<300x300xf32>, %b: tensor<300x300xf32>)
    -> tensor<300x300xf32> {
  %0 = kiln.matmul %a, %b
      : tensor<300x300xf32>, tensor<300x300xf32> -> tensor<300x300xf32>
  return %0 : tensor<300x300xf32>
}

// A transposed B is transposed once up front; a batch is a loop of 2-D
// kernels. f64: 8 lanes per vector, so 8 x 16 register tiles.
// CHECK-LABEL: func.func @batched_transposed_rhs
// CHECK: %[[BT:.*]] = linalg.transpose ins(%arg1 : tensor<3x65x17xf64>) outs(%{{.*}} : tensor<3x17x65xf64>) permutation = [0, 2, 1]
// CHECK: scf.for %[[N:.*]] = %c0 to %c3 step %c1
// CHECK-DAG: tensor.extract_slice %[[BT]][%[[N]], 0, 0] [1, 17, 65] [1, 1, 1] : tensor<3x17x65xf64> to tensor<17x65xf64>
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[N]], 0, 0] [1, 33, 65] [1, 1, 1] : tensor<3x33x65xf64> to tensor<33x65xf64>
// CHECK: vector.contract {{.*}} : vector<8x1xf64>, vector<1x16xf64> into vector<8x16xf64>
// CHECK: tensor.insert_slice %{{.*}}[%[[N]], 0, 0] [1, 33, 65] [1, 1, 1] : tensor<33x65xf64> into tensor<3x33x65xf64>
func.func @batched_transposed_rhs(%a: tensor<3x33x17xf64>,
                                  %b: tensor<3x65x17xf64>)
    -> tensor<3x33x65xf64> {
  %0 = kiln.matmul %a, %b {transpose_rhs}
      : tensor<3x33x17xf64>, tensor<3x65x17xf64> -> tensor<3x33x65xf64>
  return %0 : tensor<3x33x65xf64>
}

// A constant B read transposed (a model's weights) is transposed while
// compiling: a constant of the transposed values, no linalg.transpose; a
// batch of them transposes each matrix; a splat just changes its shape.
// CHECK-LABEL: func.func @constant_transposed_rhs
// CHECK-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]], {{\[\[}}5.000000e+00, 7.000000e+00], [6.000000e+00, 8.000000e+00]]]> : tensor<2x2x2xf64>
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @constant_transposed_rhs(%a: tensor<1x3xf32>, %c: tensor<2x1x2xf64>)
    -> (tensor<1x2xf32>, tensor<2x1x2xf64>, tensor<1x4xf32>) {
  %w = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.matmul %a, %w {transpose_rhs}
      : tensor<1x3xf32>, tensor<2x3xf32> -> tensor<1x2xf32>
  %v = kiln.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf64>
  %1 = kiln.matmul %c, %v {transpose_rhs}
      : tensor<2x1x2xf64>, tensor<2x2x2xf64> -> tensor<2x1x2xf64>
  %h = kiln.constant dense<0.5> : tensor<4x3xf32>
  %2 = kiln.matmul %a, %h {transpose_rhs}
      : tensor<1x3xf32>, tensor<4x3xf32> -> tensor<1x4xf32>
  return %0, %1, %2 : tensor<1x2xf32>, tensor<2x1x2xf64>, tensor<1x4xf32>
}

// A transposed A is read in place: its K x M layout makes the 8 rows of a
// column of A contiguous.
// CHECK-LABEL: func.func @transposed_lhs
// CHECK-NOT: linalg.transpose
// CHECK: vector.contract {indexing_maps = [#[[KM:.*]], #{{.*}}, #{{.*}}]{{.*}} : vector<1x8xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @transposed_lhs(%a: tensor<64x16xf32>, %b: tensor<64x32xf32>)
    -> tensor<16x32xf32> {
  %0 = kiln.matmul %a, %b {transpose_lhs}
      : tensor<64x16xf32>, tensor<64x32xf32> -> tensor<16x32xf32>
  return %0 : tensor<16x32xf32>
}

// Integer products keep the plain linalg op (lowered to loops later).
// CHECK-LABEL: func.func @integers
// CHECK: linalg.matmul
// CHECK-NOT: vector.
func.func @integers(%a: tensor<16x16xi32>, %b: tensor<16x16xi32>)
    -> tensor<16x16xi32> {
  %0 = kiln.matmul %a, %b
      : tensor<16x16xi32>, tensor<16x16xi32> -> tensor<16x16xi32>
  return %0 : tensor<16x16xi32>
}
