func.func @a(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = kiln.neg %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @b(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = kiln.abs %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
