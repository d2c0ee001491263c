// f(x, y) = (x + broadcast(y), max over rows of x)
func.func @f(%x: tensor<2x3xf32> {kiln.name = "x"}, %y: tensor<3xf32> {kiln.name = "y"})
    -> (tensor<2x3xf32> {kiln.name = "sum"}, tensor<2xf32> {kiln.name = "rowmax"}) {
  %yb = kiln.broadcast %y : tensor<3xf32> -> tensor<2x3xf32>
  %s = kiln.add %x, %yb : tensor<2x3xf32>
  %m = kiln.reduce_max %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  return %s, %m : tensor<2x3xf32>, tensor<2xf32>
}
