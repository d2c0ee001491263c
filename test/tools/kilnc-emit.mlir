// Every --emit stage of kilnc, on one function.
// RUN: kilnc %s --emit=kiln | FileCheck %s --check-prefix=KILN
// RUN: kilnc %s --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: kilnc %s --emit=llvm-dialect | FileCheck %s --check-prefix=LLVMD
// RUN: kilnc %s --emit=llvm-ir | FileCheck %s --check-prefix=LLVMIR
// RUN: kilnc %s -O0 --emit=llvm-ir | FileCheck %s --check-prefix=LLVMIR
// RUN: kilnc %s --emit=asm -o - | FileCheck %s --check-prefix=ASM
// RUN: kilnc %s --emit=obj -o %t.o && llvm-nm %t.o | FileCheck %s --check-prefix=OBJ
// The default output is <input>.o beside the working directory.
// RUN: rm -rf %t.dir && mkdir %t.dir && cd %t.dir && kilnc %s && llvm-nm kilnc-emit.o | FileCheck %s --check-prefix=OBJ
// MLIR's pass-manager options work.
// RUN: kilnc %s --emit=linalg --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=AFTER

func.func @scale(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  %b = kiln.broadcast %s : tensor<f32> -> tensor<4xf32>
  %y = kiln.mul %x, %b : tensor<4xf32>
  return %y : tensor<4xf32>
}

// KILN-LABEL: func.func @scale
// KILN: kiln.broadcast
// KILN: kiln.mul

// LINALG-LABEL: func.func @scale
// LINALG-NOT: kiln.
// LINALG: linalg.generic
// LINALG: arith.mulf

// LLVMD: llvm.func internal @_kiln_scale
// LLVMD: llvm.func @_mlir_ciface_scale(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// LLVMD-NOT: func.func

// LLVMIR: define void @_mlir_ciface_scale(ptr {{.*}}, ptr {{.*}}, ptr {{.*}})

// ASM: _mlir_ciface_scale:
// ASM: .size _mlir_ciface_scale

// OBJ-NOT: T _kiln_scale
// OBJ: T _mlir_ciface_scale
// OBJ-NOT: T _kiln_scale

// AFTER: IR Dump After KilnLowerToLinalg
