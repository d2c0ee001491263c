// RUN: kiln-opt %s --kiln-lower-to-llvm | FileCheck %s
// RUN: kiln-opt %s --kiln-lower-to-llvm | FileCheck %s --check-prefix=LLVM-ONLY

// The whole lowering, kiln -> LLVM dialect. Only the llvm dialect is left:
// no op of any other dialect, no unrealized cast, no stack allocation (the
// 4 MiB intermediates are heap buffers).

// LLVM-ONLY-NOT: {{[ "](affine|arith|bufferization|builtin|cf|func|index|kiln|linalg|math|memref|scf|tensor|ub|vector)\.}}
// LLVM-ONLY-NOT: llvm.alloca

// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)

// The public function: three memref descriptors (x, w, and the result as an
// out-parameter), expanded to pointers and sizes, and no result.
// The body is renamed _kiln_mlp so that user names never clash with C
// library symbols; only the C interface keeps the name.
// CHECK-LABEL: llvm.func internal @_kiln_mlp(
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64,
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64,
// CHECK-SAME: %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: !llvm.ptr, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64)
// CHECK-SAME: attributes {llvm.emit_c_interface} {
// The intermediate of 1024 x 1024 f32 (the relu) comes from the runtime
// allocator (plus 64 bytes for alignment); the first product is computed
// a column tile at a time (kiln-fuse puts the relu in its tiles), into a
// buffer of one tile (1024 x the host's NC columns); and each product has
// a scratch buffer for the packed panels of B (its size depends on the
// host's tiles). Each is allocated once per call and freed right after its
// last use: the tile buffer and the first panels after the first product,
// the relu and the second panels before returning. The result is stored in
// place, so the function returns nothing.
// CHECK: llvm.getelementptr %{{.*}}[1048576] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: %[[BUF0:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK: %[[BUF1:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK: %[[PACK0:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK-DAG: llvm.call @_mlir_memref_to_llvm_free(%[[PACK0]]) : (!llvm.ptr) -> ()
// CHECK-DAG: llvm.call @_mlir_memref_to_llvm_free(%[[BUF1]]) : (!llvm.ptr) -> ()
// CHECK: %[[PACK1:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK-NOT: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK-DAG: llvm.call @_mlir_memref_to_llvm_free(%[[PACK1]]) : (!llvm.ptr) -> ()
// CHECK-DAG: llvm.call @_mlir_memref_to_llvm_free(%[[BUF0]]) : (!llvm.ptr) -> ()
// CHECK: llvm.return{{$}}
// CHECK-NEXT: }

// The C interface: one descriptor pointer per argument and one for the
// result, no return value.
// CHECK-LABEL: llvm.func @_mlir_ciface_mlp(
// CHECK-SAME: %[[X:[a-z0-9]+]]: !llvm.ptr, %[[W:[a-z0-9]+]]: !llvm.ptr, %[[OUT:[a-z0-9]+]]: !llvm.ptr)
// CHECK-SAME: attributes {llvm.emit_c_interface} {
// CHECK: llvm.load %[[X]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.load %[[W]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.load %[[OUT]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK: llvm.call @_kiln_mlp({{.*}}) : ({{.*}}) -> ()
// CHECK-NEXT: llvm.return{{$}}
// CHECK-NEXT: }
func.func @mlp(%x: tensor<1024x1024xf32>, %w: tensor<1024x1024xf32>)
    -> tensor<1024x1024xf32> {
  %h = kiln.matmul %x, %w
      : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %r = kiln.relu %h : tensor<1024x1024xf32>
  %y = kiln.matmul %r, %w
      : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  return %y : tensor<1024x1024xf32>
}
