// Names C identifiers and comments cannot hold as they are.
func.func @"my-fn.v2"(%x: tensor<3xf32> {kiln.name = "in*/put"}) -> tensor<3xf32> {
  %0 = kiln.neg %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @my_fn_v2(%x: tensor<3xf32> {kiln.name = "a-b"}, %y: tensor<3xf32> {kiln.name = "a_b"}) -> tensor<3xf32> {
  %0 = kiln.add %x, %y : tensor<3xf32>
  return %0 : tensor<3xf32>
}
