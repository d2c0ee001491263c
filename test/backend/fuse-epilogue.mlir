// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize,kiln-fuse{epilogue-columns=128},canonicalize,cse))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize,kiln-fuse{epilogue-columns=-1},canonicalize,cse))' | FileCheck %s --check-prefix=NOEPILOGUE

// Matmul epilogues: the bias and activation after a product run on each
// column tile of the product (kiln-contraction-codegen's NC columns, here
// 128) right after the tile is computed, while it is in cache. The loop
// over column tiles is peeled: every product has a static shape, so the
// contraction kernel takes each of them.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<5x7xf32>, %[[W:[a-z0-9_]+]]: tensor<7x300xf32>, %[[B:[a-z0-9_]+]]: tensor<300xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// Two full tiles of 128 columns...
// CHECK: %[[LOOP:.*]] = scf.for %[[J:.*]] = %[[C0]] to %[[C256]] step %[[C128]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<5x300xf32>)
// CHECK: %[[WT:.*]] = tensor.extract_slice %[[W]][0, %[[J]]] [7, 128] [1, 1] : tensor<7x300xf32> to tensor<7x128xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<5x128xf32>
// CHECK: %[[P:.*]] = linalg.matmul ins(%[[X]], %[[WT]] : tensor<5x7xf32>, tensor<7x128xf32>) outs(%[[ZERO]] : tensor<5x128xf32>)
// CHECK: %[[BT:.*]] = tensor.extract_slice %[[B]][%[[J]]] [128] [1]
// CHECK: %[[YT:.*]] = tensor.extract_slice %[[ACC]][0, %[[J]]] [5, 128] [1, 1]
// CHECK: %[[E:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]], %[[BT]] : tensor<5x128xf32>, tensor<128xf32>) outs(%[[YT]] : tensor<5x128xf32>)
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK: tensor.insert_slice %[[E]] into %[[ACC]][0, %[[J]]] [5, 128] [1, 1]
// CHECK: scf.yield
// ... then the last 44 columns, peeled, with static shapes too.
// CHECK: %[[WR:.*]] = tensor.extract_slice %[[W]][0, 256] [7, 44] [1, 1] : tensor<7x300xf32> to tensor<7x44xf32>
// CHECK: %[[PR:.*]] = linalg.matmul ins(%[[X]], %[[WR]] : tensor<5x7xf32>, tensor<7x44xf32>)
// CHECK: %[[ER:.*]] = linalg.generic {{.*}} ins(%[[PR]], %{{.*}} : tensor<5x44xf32>, tensor<44xf32>)
// CHECK: %[[Y:.*]] = tensor.insert_slice %[[ER]] into %[[LOOP]][0, 256] [5, 44] [1, 1]
// CHECK: return %[[Y]]

// Without epilogue fusion, the product is one whole matmul and the
// epilogue a loop nest after it.
// NOEPILOGUE-LABEL: func.func @dense
// NOEPILOGUE-NOT: scf.for
// NOEPILOGUE: %[[P:.*]] = linalg.matmul {{.*}} -> tensor<5x300xf32>
// NOEPILOGUE: linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<5x300xf32>, tensor<300xf32>)
func.func @dense(%x: tensor<5x7xf32>, %w: tensor<7x300xf32>, %b: tensor<300xf32>) -> tensor<5x300xf32> {
  %p = kiln.matmul %x, %w : tensor<5x7xf32>, tensor<7x300xf32> -> tensor<5x300xf32>
  %bb = kiln.broadcast %b : tensor<300xf32> -> tensor<5x300xf32>
  %z = kiln.add %p, %bb : tensor<5x300xf32>
  %y = kiln.relu %z : tensor<5x300xf32>
  return %y : tensor<5x300xf32>
}

// A product no wider than one column tile is computed in one piece: its
// epilogue is fused as an elementwise chain, but there is no loop.
// CHECK-LABEL: func.func @narrow
// CHECK-NOT: scf.for
// CHECK: %[[P:.*]] = linalg.matmul {{.*}} -> tensor<5x100xf32>
// CHECK: linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<5x100xf32>, tensor<100xf32>)
// CHECK: math.tanh
func.func @narrow(%x: tensor<5x7xf32>, %w: tensor<7x100xf32>, %b: tensor<100xf32>) -> tensor<5x100xf32> {
  %p = kiln.matmul %x, %w : tensor<5x7xf32>, tensor<7x100xf32> -> tensor<5x100xf32>
  %bb = kiln.broadcast %b : tensor<100xf32> -> tensor<5x100xf32>
  %z = kiln.add %p, %bb : tensor<5x100xf32>
  %y = kiln.tanh %z : tensor<5x100xf32>
  return %y : tensor<5x100xf32>
}

// A product whose value is also needed elsewhere (here returned) is not
// split into tiles: it must exist whole.
// CHECK-LABEL: func.func @product_also_returned
// CHECK-NOT: scf.for
// CHECK: %[[P:.*]] = linalg.matmul {{.*}} -> tensor<5x300xf32>
// CHECK: return %[[P]]
func.func @product_also_returned(%x: tensor<5x7xf32>, %w: tensor<7x300xf32>) -> (tensor<5x300xf32>, tensor<5x300xf32>) {
  %p = kiln.matmul %x, %w : tensor<5x7xf32>, tensor<7x300xf32> -> tensor<5x300xf32>
  %y = kiln.relu %p : tensor<5x300xf32>
  return %p, %y : tensor<5x300xf32>, tensor<5x300xf32>
}

// A convolution large enough to be computed a few images at a time (its
// patch matrix is kept under 1 MiB) is an scf.for that writes one slab of
// images per iteration. Its bias and relu move into that loop and join the
// copy from the product's layout to NCHW: one loop nest per chunk, and the
// NCHW result is written once.
// CHECK-LABEL: func.func @conv_bias_relu
// CHECK-SAME: (%[[X:[a-z0-9_]+]]: tensor<64x1x28x28xf32>, %[[W:[a-z0-9_]+]]: tensor<32x1x5x5xf32>, %[[B:[a-z0-9_]+]]: tensor<32x1x1xf32>)
// CHECK: %[[LOOP:.*]] = scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<64x32x28x28xf32>)
// CHECK: %[[P:.*]] = linalg.matmul
// CHECK: %[[PE:.*]] = tensor.expand_shape %[[P]]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[PE]], %[[B]] : tensor<1x32x8x28x28xf32>, tensor<32x1x1xf32>)
// CHECK: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[Y]] into %[[ACC]][%[[N]], 0, 0, 0] [8, 32, 28, 28] [1, 1, 1, 1]
// CHECK-NEXT: scf.yield %[[INS]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[LOOP]]
func.func @conv_bias_relu(%x: tensor<64x1x28x28xf32>, %w: tensor<32x1x5x5xf32>, %b: tensor<32x1x1xf32>) -> tensor<64x32x28x28xf32> {
  %c = kiln.conv2d %x, %w stride [1, 1] padding [2, 2, 2, 2] dilation [1, 1] groups 1 : tensor<64x1x28x28xf32>, tensor<32x1x5x5xf32> -> tensor<64x32x28x28xf32>
  %bb = kiln.broadcast %b : tensor<32x1x1xf32> -> tensor<64x32x28x28xf32>
  %z = kiln.add %c, %bb : tensor<64x32x28x28xf32>
  %y = kiln.relu %z : tensor<64x32x28x28xf32>
  return %y : tensor<64x32x28x28xf32>
}
