//===- KilnNNOps.td - Neural-network ops of the kiln dialect ----------===//
//
// Convolution, pooling, embedding lookup and random numbers, with the extra
// ops their gradients need. Activations are NCHW, filters OIHW; window
// attributes are [height, width] pairs except `padding`, which is
// [top, left, bottom, right] so that asymmetric ("same") padding needs no
// separate pad op.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_OPS_TD
#define KILN_NN_OPS_TD

include "ir/KilnDialect.td"
include "ir/KilnInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_IndexTensor : StaticShapeTensorOf<[I32, I64]>;
def Kiln_SeedTensor : 0DTensorOf<[I64]>;

// Gradient rules are in KilnNNGradients.cpp.
defvar Kiln_NNDifferentiable =
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>;

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

// Shared by the convolution ops and their documentation.
defvar Kiln_ConvAttributes = (ins DenseI64ArrayAttr:$stride,
                                  DenseI64ArrayAttr:$padding,
                                  DenseI64ArrayAttr:$dilation,
                                  I64Attr:$groups);
defvar Kiln_ConvSyntax = [{
  `stride` $stride `padding` $padding `dilation` $dilation `groups` $groups
}];
defvar Kiln_ConvWindowDoc = [{
    Attributes: `stride` = [sH, sW] (>= 1), `padding` = [top, left, bottom,
    right] (>= 0, zeros), `dilation` = [dH, dW] (>= 1), `groups` (>= 1,
    divides C and O). PyTorch's `padding=(pH, pW)` is `[pH, pW, pH, pW]`.
    The output size is `OH = (H + top + bottom - dH * (kH - 1) - 1) / sH + 1`
    (rounded down), and likewise `OW`; it must be at least 1.
}];

def Kiln_Conv2DOp
    : Kiln_Op<"conv2d", [Pure, InferTypeOpAdaptor, Kiln_NNDifferentiable]> {
  let summary = "2-D convolution (cross-correlation), NCHW x OIHW";
  let description = !strconcat([{
    `result[n, o, oh, ow] = sum over c, kh, kw of
    input[n, g * C/groups + c, oh * sH - top + kh * dH, ow * sW - left + kw * dW]
    * filter[o, c, kh, kw]`, where `g = o / (O / groups)` is the group of
    output channel `o` and input positions outside the image read zero.
    `input` is [N, C, H, W], `filter` is [O, C / groups, kH, kW], the result
    [N, O, OH, OW]. A bias is a separate `kiln.broadcast` + `kiln.add`.
  }], Kiln_ConvWindowDoc, [{
    ```mlir
    %y = kiln.conv2d %x, %w stride [1, 1] padding [2, 2, 2, 2] dilation [1, 1] groups 1
        : tensor<64x1x28x28xf32>, tensor<32x1x5x5xf32> -> tensor<64x32x28x28xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter),
                       Kiln_ConvAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$input `,` $filter ", Kiln_ConvSyntax, [{
    attr-dict `:` type($input) `,` type($filter) `->` type($result)
  }]);
}

def Kiln_Conv2DBackwardInputOp
    : Kiln_Op<"conv2d_backward_input", [Pure, Kiln_NNDifferentiable]> {
  let summary = "Gradient of conv2d with respect to its input";
  let description = !strconcat([{
    Given the gradient `dy` of a `kiln.conv2d` result and its `filter`,
    computes the gradient of the convolution's input (a transposed
    convolution). The attributes are those of the forward convolution; the
    result type is the forward input type, which cannot be recovered from
    `dy` because the output size is rounded down: input rows and columns
    that no output reads get a zero gradient.

    `dy` must have the shape `kiln.conv2d` gives for an input of the result
    type and `filter`.
  }], Kiln_ConvWindowDoc, [{
    ```mlir
    %dx = kiln.conv2d_backward_input %dy, %w stride [2, 2] padding [1, 1, 1, 1] dilation [1, 1] groups 1
        : tensor<8x16x4x4xf32>, tensor<16x3x3x3xf32> -> tensor<8x3x8x8xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$dy, Kiln_FloatTensor:$filter),
                       Kiln_ConvAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$dy `,` $filter ", Kiln_ConvSyntax, [{
    attr-dict `:` type($dy) `,` type($filter) `->` type($result)
  }]);
  let hasVerifier = 1;
}

def Kiln_Conv2DBackwardFilterOp
    : Kiln_Op<"conv2d_backward_filter", [Pure, Kiln_NNDifferentiable]> {
  let summary = "Gradient of conv2d with respect to its filter";
  let description = !strconcat([{
    Given the `input` of a `kiln.conv2d` and the gradient `dy` of its
    result, computes the gradient of the filter:
    `result[o, c, kh, kw] = sum over n, oh, ow of dy[n, o, oh, ow] *
    input[n, g * C/groups + c, oh * sH - top + kh * dH, ow * sW - left + kw * dW]`
    (zero outside the image). The attributes are those of the forward
    convolution; the result type is the filter type, which cannot be
    recovered from the shapes of `input` and `dy` alone.

    `dy` must have the shape `kiln.conv2d` gives for `input` and a filter of
    the result type.
  }], Kiln_ConvWindowDoc, [{
    ```mlir
    %dw = kiln.conv2d_backward_filter %x, %dy stride [2, 2] padding [1, 1, 1, 1] dilation [1, 1] groups 1
        : tensor<8x3x8x8xf32>, tensor<8x16x4x4xf32> -> tensor<16x3x3x3xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$dy),
                       Kiln_ConvAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$input `,` $dy ", Kiln_ConvSyntax, [{
    attr-dict `:` type($input) `,` type($dy) `->` type($result)
  }]);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

defvar Kiln_MaxPoolAttributes = (ins DenseI64ArrayAttr:$kernel,
                                     DenseI64ArrayAttr:$stride,
                                     DenseI64ArrayAttr:$padding,
                                     DenseI64ArrayAttr:$dilation);
defvar Kiln_MaxPoolSyntax = [{
  `kernel` $kernel `stride` $stride `padding` $padding `dilation` $dilation
}];
defvar Kiln_AvgPoolAttributes = (ins DenseI64ArrayAttr:$kernel,
                                     DenseI64ArrayAttr:$stride,
                                     DenseI64ArrayAttr:$padding);
defvar Kiln_AvgPoolSyntax = [{
  `kernel` $kernel `stride` $stride `padding` $padding
}];
defvar Kiln_PoolWindowDoc = [{
    Windows are `kernel` = [kH, kW] (>= 1) elements, `stride` = [sH, sW]
    (>= 1) apart, over the input padded by `padding` = [top, left, bottom,
    right] (>= 0); the output size is
    `OH = (H + top + bottom - dH * (kH - 1) - 1) / sH + 1` (rounded down, at
    least 1; `dH = 1` for average pooling), and likewise `OW`.
}];

def Kiln_MaxPool2DOp
    : Kiln_Op<"max_pool2d", [Pure, InferTypeOpAdaptor, Kiln_NNDifferentiable]> {
  let summary = "2-D max pooling, NCHW";
  let description = !strconcat([{
    Each output element is the maximum of its window of `input` [N, C, H, W];
    window elements are `dilation` = [dH, dW] (>= 1) apart. Padding never
    wins: a window that lies entirely in the padding (possible only with
    large padding or dilation) gives `-inf`. A NaN in a window gives NaN.
  }], Kiln_PoolWindowDoc, [{
    ```mlir
    %p = kiln.max_pool2d %x kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1]
        : tensor<64x32x28x28xf32> -> tensor<64x32x14x14xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$input), Kiln_MaxPoolAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$input ", Kiln_MaxPoolSyntax, [{
    attr-dict `:` type($input) `->` type($result)
  }]);
}

def Kiln_MaxPool2DBackwardOp
    : Kiln_Op<"max_pool2d_backward", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gradient of max_pool2d with respect to its input";
  let description = !strconcat([{
    Routes each element of `dy` (the gradient of a `kiln.max_pool2d` result)
    to the position of its window's maximum in `input` (the forward input);
    contributions of overlapping windows add up. On ties the first maximum
    in row-major window order wins, as in PyTorch; a window holding NaN
    routes to its first NaN; a window entirely in the padding routes
    nowhere. The attributes are those of the forward op; the result has the
    type of `input`.
  }], Kiln_PoolWindowDoc, [{
    ```mlir
    %dx = kiln.max_pool2d_backward %x, %dy kernel [2, 2] stride [2, 2] padding [0, 0, 0, 0] dilation [1, 1]
        : tensor<64x32x28x28xf32>, tensor<64x32x14x14xf32> -> tensor<64x32x28x28xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$dy),
                       Kiln_MaxPoolAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$input `,` $dy ", Kiln_MaxPoolSyntax, [{
    attr-dict `:` type($input) `,` type($dy) `->` type($result)
  }]);
}

def Kiln_AvgPool2DOp
    : Kiln_Op<"avg_pool2d", [Pure, InferTypeOpAdaptor, Kiln_NNDifferentiable]> {
  let summary = "2-D average pooling, NCHW, padding counted";
  let description = !strconcat([{
    Each output element is the sum of its window of `input` [N, C, H, W]
    divided by `kH * kW`: padded positions count as zeros in the average
    (PyTorch's default, `count_include_pad=True`).
  }], Kiln_PoolWindowDoc, [{
    ```mlir
    %p = kiln.avg_pool2d %x kernel [3, 3] stride [2, 2] padding [1, 1, 1, 1]
        : tensor<8x16x9x9xf32> -> tensor<8x16x5x5xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$input), Kiln_AvgPoolAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$input ", Kiln_AvgPoolSyntax, [{
    attr-dict `:` type($input) `->` type($result)
  }]);
}

def Kiln_AvgPool2DBackwardOp
    : Kiln_Op<"avg_pool2d_backward", [Pure, Kiln_NNDifferentiable]> {
  let summary = "Gradient of avg_pool2d with respect to its input";
  let description = !strconcat([{
    Spreads each element of `dy` (the gradient of a `kiln.avg_pool2d`
    result) evenly, `dy / (kH * kW)`, over the input positions of its
    window; contributions of overlapping windows add up and padding
    positions drop theirs. The attributes are those of the forward op; the
    result type is the forward input type, which cannot be recovered from
    `dy` because the output size is rounded down.
  }], Kiln_PoolWindowDoc, [{
    ```mlir
    %dx = kiln.avg_pool2d_backward %dy kernel [3, 3] stride [2, 2] padding [1, 1, 1, 1]
        : tensor<8x16x5x5xf32> -> tensor<8x16x9x9xf32>
    ```
  }]);
  let arguments = !con((ins Kiln_FloatTensor:$dy), Kiln_AvgPoolAttributes);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = !strconcat("$dy ", Kiln_AvgPoolSyntax, [{
    attr-dict `:` type($dy) `->` type($result)
  }]);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Embedding lookup
//===----------------------------------------------------------------------===//

def Kiln_GatherOp
    : Kiln_Op<"gather", [Pure, InferTypeOpAdaptor, Kiln_NNDifferentiable]> {
  let summary = "Rows of a table at integer indices (embedding lookup)";
  let description = [{
    `result[i..., d] = table[indices[i...], d]` for a `table` [V, D] and
    `indices` of any shape (`i32` or `i64`); the result is
    `indices.shape + [D]`. An index outside `[0, V)` gives a row of zeros:
    memory outside the table is never read.

    ```mlir
    %e = kiln.gather %table[%tokens] : tensor<1000x64xf32>, tensor<8x16xi64> -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$table, Kiln_IndexTensor:$indices);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $table `[` $indices `]` attr-dict `:` type($table) `,` type($indices) `->`
    type($result)
  }];
}

def Kiln_ScatterAddOp : Kiln_Op<"scatter_add", [Pure, Kiln_NNDifferentiable]> {
  let summary = "Sum rows into a zero table at integer indices";
  let description = [{
    The adjoint of `kiln.gather`: starts from a zero table of the result
    type [V, D] and adds each row `updates[i..., :]` to row `indices[i...]`.
    Repeated indices accumulate; indices outside `[0, V)` are skipped, as
    `kiln.gather` reads zeros for them. `updates` has the shape
    `indices.shape + [D]`. Rows are added in row-major order of `indices`,
    so the result is deterministic.

    ```mlir
    %dtable = kiln.scatter_add %de[%tokens] : tensor<8x16x64xf32>, tensor<8x16xi64> -> tensor<1000x64xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$updates, Kiln_IndexTensor:$indices);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $updates `[` $indices `]` attr-dict `:` type($updates) `,` type($indices)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Kiln_ErfOp : Kiln_Op<"erf", [Pure, Elementwise, SameOperandsAndResultType,
                                 Kiln_NNDifferentiable]> {
  let summary = "Elementwise Gauss error function";
  let description = [{
    `erf(x) = 2 / sqrt(pi) * integral from 0 to x of exp(-t^2) dt`, the
    C library's `erf`/`erff`. GELU is `0.5 * x * (1 + erf(x / sqrt(2)))`;
    its gradient is `2 / sqrt(pi) * exp(-x^2)`.

    ```mlir
    %y = kiln.erf %x : tensor<8x512xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

def Kiln_RandomUniformOp
    : Kiln_Op<"random_uniform", [Pure, Kiln_NNDifferentiable]> {
  let summary = "Uniform random numbers in [0, 1) from a counter-based RNG";
  let description = [{
    Fills the result with numbers uniform in [0, 1), a pure function of
    `seed` (a rank-0 `i64` tensor, so a training step can take a new seed
    per step) and the row-major linear index of each element: the values do
    not depend on loop order, tiling or threads, and the op is `Pure`.

    The generator is Philox-4x32-10 (Salmon et al., "Parallel random
    numbers: as easy as 1, 2, 3", SC 2011) with key
    `(seed mod 2^32, seed / 2^32)` and counter
    `(index mod 2^32, index / 2^32, 0, 0)`, giving four 32-bit words
    `w0..w3`. An `f32` element is `(w0 >> 8) * 2^-24`, an `f64` element
    `(w0 * 2^21 + (w1 >> 11)) * 2^-53`. A dropout mask is
    `kiln.compare lt` of these numbers against the keep probability.

    ```mlir
    %u = kiln.random_uniform %seed : tensor<i64> -> tensor<64x512xf32>
    ```
  }];
  let arguments = (ins Kiln_SeedTensor:$seed);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$seed attr-dict `:` type($seed) `->` type($result)";
}

#endif // KILN_NN_OPS_TD
