// A two-layer perceptron on a batch of 8 flattened 28x28 images:
//   probs = softmax(relu(x w1 + b1) w2 + b2)
// 784 -> 512 -> ReLU -> 10 -> softmax. Biases are broadcast explicitly, as
// the builder and importers do. Run it with (data made by the build):
//   kiln-run examples/mlp_forward.mlir --input x=build/examples/data/x.npy \
//     --input w1=... (see README.md), or positionally in argument order.
func.func @mlp_forward(%x: tensor<8x784xf32> {kiln.name = "x"},
                       %w1: tensor<784x512xf32> {kiln.name = "w1"},
                       %b1: tensor<512xf32> {kiln.name = "b1"},
                       %w2: tensor<512x10xf32> {kiln.name = "w2"},
                       %b2: tensor<10xf32> {kiln.name = "b2"})
    -> (tensor<8x10xf32> {kiln.name = "probs"}) {
  %xw1 = kiln.matmul %x, %w1 : tensor<8x784xf32>, tensor<784x512xf32> -> tensor<8x512xf32>
  %b1b = kiln.broadcast %b1 : tensor<512xf32> -> tensor<8x512xf32>
  %h = kiln.add %xw1, %b1b : tensor<8x512xf32>
  %a = kiln.relu %h : tensor<8x512xf32>
  %aw2 = kiln.matmul %a, %w2 : tensor<8x512xf32>, tensor<512x10xf32> -> tensor<8x10xf32>
  %b2b = kiln.broadcast %b2 : tensor<10xf32> -> tensor<8x10xf32>
  %logits = kiln.add %aw2, %b2b : tensor<8x10xf32>
  %probs = kiln.softmax %logits axis 1 : tensor<8x10xf32>
  return %probs : tensor<8x10xf32>
}
