// The model the C ABI tests (ModelAbiTest.cpp) compile with `kilnc -c`:
// one function per kind of signature the ABI describes.

// A dense layer, large enough that concurrent runs overlap in time.
func.func @dense(%x: tensor<32x256xf32> {kiln.name = "x"},
                 %w: tensor<256x64xf32> {kiln.name = "w", kiln.parameter},
                 %b: tensor<64xf32> {kiln.name = "b", kiln.parameter})
    -> (tensor<32x64xf32> {kiln.name = "y"}) {
  %xw = kiln.matmul %x, %w : tensor<32x256xf32>, tensor<256x64xf32> -> tensor<32x64xf32>
  %bb = kiln.broadcast %b : tensor<64xf32> -> tensor<32x64xf32>
  %h = kiln.add %xw, %bb : tensor<32x64xf32>
  %y = kiln.relu %h : tensor<32x64xf32>
  return %y : tensor<32x64xf32>
}

// Every dtype, a rank-0 tensor, unnamed tensors and two results:
// mask = a > b (elementwise, i32), scaled = s * 2 (f64 scalar),
// total = sum(a) as i64.
func.func @mixed(%a: tensor<3xi32>, %b: tensor<3xi32>, %s: tensor<f64>)
    -> (tensor<3xi1> {kiln.name = "mask"}, tensor<f64>, tensor<i64> {kiln.name = "total"}) {
  %mask = kiln.compare gt, %a, %b : tensor<3xi32>
  %two = kiln.constant dense<2.0> : tensor<f64>
  %scaled = kiln.mul %s, %two : tensor<f64>
  %a64 = kiln.cast %a : tensor<3xi32> -> tensor<3xi64>
  %total = kiln.reduce_sum %a64 axes [0] : tensor<3xi64> -> tensor<i64>
  return %mask, %scaled, %total : tensor<3xi1>, tensor<f64>, tensor<i64>
}

// A parameter updated in place: w <- w - 0.5 * g; returns sum(g * g).
func.func @step(%w: tensor<4xf32> {kiln.name = "w", kiln.parameter},
                %g: tensor<4xf32> {kiln.name = "g"})
    -> (tensor<f32> {kiln.name = "norm2"}, tensor<4xf32> {kiln.updates = 0 : i64}) {
  %half = kiln.constant dense<0.5> : tensor<4xf32>
  %d = kiln.mul %g, %half : tensor<4xf32>
  %nw = kiln.sub %w, %d : tensor<4xf32>
  %gg = kiln.mul %g, %g : tensor<4xf32>
  %n = kiln.reduce_sum %gg axes [0] : tensor<4xf32> -> tensor<f32>
  return %n, %nw : tensor<f32>, tensor<4xf32>
}

// A 16 GiB intermediate (the broadcast the matmul reads) for the
// out-of-memory error: ModelAbiTest runs it only under a memory limit.
func.func @huge(%v: tensor<1x65536xf32> {kiln.name = "v"},
                %s: tensor<f32> {kiln.name = "s"})
    -> (tensor<1x65536xf32> {kiln.name = "p"}) {
  %a = kiln.broadcast %s : tensor<f32> -> tensor<65536x65536xf32>
  %p = kiln.matmul %v, %a : tensor<1x65536xf32>, tensor<65536x65536xf32> -> tensor<1x65536xf32>
  return %p : tensor<1x65536xf32>
}
