// RUN: kiln-opt %s --kiln-lower-to-llvm --mlir-print-ir-after=kiln-parallelize-loops -o /dev/null 2>&1 | FileCheck %s
// RUN: kiln-opt %s '--kiln-lower-to-llvm=fusion=false' --mlir-print-ir-after=kiln-parallelize-loops -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNFUSED

// Fusion and threads together: kiln-fuse runs on tensors, long before
// kiln-parallelize-loops runs on buffers, and the loop nests it leaves are
// still split into parallel chunks. The elementwise chain is one loop nest
// on one parallel loop (one fork and join instead of four); the matmul's
// epilogue moves into its column tiles, where the kernel's row blocks and
// the epilogue tile each run on a parallel loop.

// CHECK-LABEL: func.func @chain
// CHECK: scf.parallel
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK-NEXT: math.tanh
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK: scf.reduce
// CHECK-NOT: linalg.generic
// CHECK: return
// UNFUSED-LABEL: func.func @chain
// UNFUSED-COUNT-4: scf.parallel
// UNFUSED-NOT: scf.parallel
// UNFUSED: return
func.func @chain(%x: tensor<256x512xf32>) -> tensor<256x512xf32> {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %h = kiln.broadcast %half : tensor<f32> -> tensor<256x512xf32>
  %o = kiln.broadcast %one : tensor<f32> -> tensor<256x512xf32>
  %a = kiln.mul %x, %h : tensor<256x512xf32>
  %b = kiln.add %a, %o : tensor<256x512xf32>
  %c = kiln.tanh %b : tensor<256x512xf32>
  %y = kiln.mul %c, %x : tensor<256x512xf32>
  return %y : tensor<256x512xf32>
}

// The column tile is the host's NC (at most 256 columns, fewer than 1024).
// CHECK-LABEL: func.func @dense
// CHECK: scf.for %{{.*}} = %{{.*}} to %c1024 step
// CHECK: scf.parallel
// CHECK: vector.contract
// CHECK: scf.parallel
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : memref<4x{{[0-9]+}}xf32, strided<[1024, 1], offset: ?>>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @dense(%x: tensor<256x512xf32>, %w: tensor<512x1024xf32>,
                 %bias: tensor<1024xf32>) -> tensor<256x1024xf32> {
  %p = kiln.matmul %x, %w
      : tensor<256x512xf32>, tensor<512x1024xf32> -> tensor<256x1024xf32>
  %bb = kiln.broadcast %bias : tensor<1024xf32> -> tensor<256x1024xf32>
  %s = kiln.add %p, %bb : tensor<256x1024xf32>
  %r = kiln.relu %s : tensor<256x1024xf32>
  return %r : tensor<256x1024xf32>
}
