// RUN: kilnc %s --emit=llvm-ir | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,kiln-fuse),one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops,kiln-polynomial-math))' | FileCheck %s --check-prefix=POLY

// Elementwise and reduction loops are vectorized at the host's vector width
// (16 floats with AVX-512, 8 with AVX2), remainders included, and call no
// C library function: kiln-polynomial-math makes f32 tanh and exp plain
// arithmetic, and float sums are reassociable.

// POLY-LABEL: func.func @chain
// POLY-NOT: math.tanh
// POLY: math.fma
// POLY-LABEL: func.func @row_sums
// POLY-NOT: math.exp
// POLY: arith.addf {{.*}} fastmath<reassoc>
// POLY-LABEL: func.func @f64_stays_libm
// POLY: math.exp {{.*}} : f64

// CHECK-LABEL: define void @_mlir_ciface_chain
// CHECK-NOT: call {{.*}}@tanh
// CHECK: fmul <{{(8|16)}} x float>
// CHECK-LABEL: define void @_mlir_ciface_row_sums
// CHECK-NOT: call {{.*}}@exp
// CHECK: call reassoc float @llvm.vector.reduce.fadd.v{{(8|16)}}f32
// CHECK-LABEL: define void @_mlir_ciface_f64_stays_libm
// CHECK: call double @llvm.exp.f64(
func.func @chain(%x: tensor<4099xf32>) -> tensor<4099xf32> {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %h = kiln.broadcast %half : tensor<f32> -> tensor<4099xf32>
  %o = kiln.broadcast %one : tensor<f32> -> tensor<4099xf32>
  %a = kiln.mul %x, %h : tensor<4099xf32>
  %b = kiln.add %a, %o : tensor<4099xf32>
  %c = kiln.tanh %b : tensor<4099xf32>
  %y = kiln.mul %c, %x : tensor<4099xf32>
  return %y : tensor<4099xf32>
}
func.func @row_sums(%x: tensor<7x1001xf32>) -> tensor<7xf32> {
  %e = kiln.exp %x : tensor<7x1001xf32>
  %s = kiln.reduce_sum %e axes [1] : tensor<7x1001xf32> -> tensor<7xf32>
  return %s : tensor<7xf32>
}
func.func @f64_stays_libm(%x: tensor<9xf64>) -> tensor<9xf64> {
  %e = kiln.exp %x : tensor<9xf64>
  return %e : tensor<9xf64>
}
