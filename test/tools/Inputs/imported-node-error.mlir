// A verifier error at an op whose location is an imported ONNX node's
// (fused<"OpType">["node", outputs...]), as the ONNX importer writes them.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32> loc(fused<"MatMul">["mm1", "y"])
  return %0 : tensor<2x5xf32>
}
