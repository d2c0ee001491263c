// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-vector-ops))' | FileCheck %s

// The micro-kernel step of an 8 x 32 register tile: the contraction with
// K = 1 becomes one outer product, i.e. one broadcast element of A times
// the row of B per accumulator row: 8 vector.fma on vector<32xf32>.
// Transfers become 1-D loads and stores.
// CHECK-LABEL: func.func @kernel_step
// CHECK-NOT: vector.contract
// CHECK-NOT: vector.outerproduct
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: vector.fma
// CHECK-COUNT-8: vector.store {{.*}} : memref<8x32xf32>, vector<32xf32>
// CHECK: return
func.func @kernel_step(%a: memref<8x4xf32>, %b: memref<4x32xf32>,
                       %c: memref<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %va = vector.transfer_read %a[%c0, %c0], %zero {in_bounds = [true, true]}
      : memref<8x4xf32>, vector<8x1xf32>
  %vb = vector.transfer_read %b[%c0, %c0], %zero {in_bounds = [true, true]}
      : memref<4x32xf32>, vector<1x32xf32>
  %vc = vector.transfer_read %c[%c0, %c0], %zero {in_bounds = [true, true]}
      : memref<8x32xf32>, vector<8x32xf32>
  %r = vector.contract {
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (k, n)>,
                       affine_map<(m, n, k) -> (m, n)>],
      iterator_types = ["parallel", "parallel", "reduction"],
      kind = #vector.kind<add>} %va, %vb, %vc
      : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
  vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]}
      : vector<8x32xf32>, memref<8x32xf32>
  return
}

// A partial tile: masked transfers become masked loads and stores, the
// masked contraction a select of FMAs.
// CHECK-LABEL: func.func @masked_step
// CHECK-NOT: vector.mask {
// CHECK-NOT: vector.contract
// CHECK: vector.maskedload {{.*}} : memref<?x?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.maskedstore {{.*}} : memref<?x?xf32>, vector<16xi1>, vector<16xf32>
func.func @masked_step(%a: memref<?x?xf32>, %b: memref<?x?xf32>,
                       %c: memref<?x?xf32>, %m: index, %n: index) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %ma = vector.create_mask %m, %c1 : vector<2x1xi1>
  %va = vector.mask %ma { vector.transfer_read %a[%c0, %c0], %zero {in_bounds = [true, true]}
      : memref<?x?xf32>, vector<2x1xf32> } : vector<2x1xi1> -> vector<2x1xf32>
  %mb = vector.create_mask %c1, %n : vector<1x16xi1>
  %vb = vector.mask %mb { vector.transfer_read %b[%c0, %c0], %zero {in_bounds = [true, true]}
      : memref<?x?xf32>, vector<1x16xf32> } : vector<1x16xi1> -> vector<1x16xf32>
  %mc = vector.create_mask %m, %n : vector<2x16xi1>
  %vc = vector.mask %mc { vector.transfer_read %c[%c0, %c0], %zero {in_bounds = [true, true]}
      : memref<?x?xf32>, vector<2x16xf32> } : vector<2x16xi1> -> vector<2x16xf32>
  %mk = vector.create_mask %m, %n, %c1 : vector<2x16x1xi1>
  %r = vector.mask %mk { vector.contract {
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (k, n)>,
                       affine_map<(m, n, k) -> (m, n)>],
      iterator_types = ["parallel", "parallel", "reduction"],
      kind = #vector.kind<add>} %va, %vb, %vc
      : vector<2x1xf32>, vector<1x16xf32> into vector<2x16xf32> }
      : vector<2x16x1xi1> -> vector<2x16xf32>
  vector.mask %mc { vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]}
      : vector<2x16xf32>, memref<?x?xf32> } : vector<2x16xi1>
  return
}
