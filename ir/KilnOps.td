//===- KilnOps.td - Operations of the kiln dialect ---------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "ir/KilnDialect.td"
include "ir/KilnInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"

// Every op that can lie between a differentiated argument and a loss
// declares its own gradient rule (ir/KilnGradients.cpp).
defvar Kiln_Differentiable =
    DeclareOpInterfaceMethods<Kiln_DifferentiableOpInterface>;

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "A tensor constant";
  let description = [{
    Produces the tensor held by `value`; its type is the result type.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops: same-shape operands, result of the operand type.
//
// Ops with their own shape verifier (binary ops, compare, select, cast) do
// not carry the `Elementwise` trait: its generic verifier runs first and
// would preempt their messages, which name the operands and shapes.
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, Type operandType, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Elementwise " # what;
  let description = [{
    Elementwise }] # what # [{ of two tensors of the same type. Operands of
    different shapes must first be brought to one shape with
    `kiln.broadcast`.

    ```mlir
    %z = kiln.}] # mnemonic # [{ %x, %y : tensor<8x512xf32>
    ```
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$result);
  // Hand-written syntax so that operands of different types reach the
  // verifier, whose message names both types.
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Kiln_AddOp : Kiln_BinaryOp<"add", Kiln_NumericTensor, "addition">;
def Kiln_SubOp : Kiln_BinaryOp<"sub", Kiln_NumericTensor, "subtraction">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", Kiln_NumericTensor, "multiplication">;
def Kiln_DivOp : Kiln_BinaryOp<"div", Kiln_NumericTensor,
    "division (integers: truncating toward zero)">;
def Kiln_MaxOp : Kiln_BinaryOp<"max", Kiln_NumericTensor,
    "maximum (floats: NaN propagates)">;
def Kiln_MinOp : Kiln_BinaryOp<"min", Kiln_NumericTensor,
    "minimum (floats: NaN propagates)">;
def Kiln_PowOp : Kiln_BinaryOp<"pow", Kiln_NumericTensor,
    "power `lhs ^ rhs` (integers: overflow wraps; a negative exponent "
    "gives the reciprocal truncated toward zero: 1 for base 1, +-1 for "
    "base -1, 0 for any other base)">;

def Kiln_CompareOp : Kiln_Op<"compare",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Elementwise comparison producing i1";
  let description = [{
    Compares two tensors of the same type elementwise with `predicate`
    (`eq`, `ne`, `lt`, `le`, `gt`, `ge`) and returns an `i1` tensor of the
    same shape. Integers compare as signed; floats use ordered comparisons
    except `ne`, which is true for NaN (as in IEEE 754 and NumPy).

    ```mlir
    %m = kiln.compare gt, %x, %zero : tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_ComparePredicateAttr:$predicate,
                       Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Kiln_SelectOp : Kiln_Op<"select",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Elementwise choice between two tensors";
  let description = [{
    `result[i] = condition[i] ? on_true[i] : on_false[i]`. All three operands
    have the same shape; `on_true` and `on_false` have the same type.

    ```mlir
    %y = kiln.select %m, %x, %zero : tensor<4xi1>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_Tensor:$on_true,
                       Kiln_Tensor:$on_false);
  let results = (outs Kiln_Tensor:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, Type operandType, string what>
    : Kiln_Op<mnemonic,
      [Pure, Elementwise, SameOperandsAndResultType, Kiln_Differentiable]> {
  let summary = "Elementwise " # what;
  let description = [{
    Elementwise }] # what # [{.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x : tensor<8x512xf32>
    ```
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", Kiln_NumericTensor, "negation">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", Kiln_NumericTensor, "absolute value">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", Kiln_FloatTensor, "exponential">;
def Kiln_LogOp : Kiln_UnaryOp<"log", Kiln_FloatTensor, "natural logarithm">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", Kiln_FloatTensor, "square root">;
def Kiln_RsqrtOp : Kiln_UnaryOp<"rsqrt", Kiln_FloatTensor,
    "reciprocal square root `1 / sqrt(x)`">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", Kiln_FloatTensor, "hyperbolic tangent">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", Kiln_FloatTensor,
    "logistic sigmoid `1 / (1 + exp(-x))`">;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", Kiln_NumericTensor,
    "rectified linear unit `max(x, 0)`">;

def Kiln_CastOp : Kiln_Op<"cast", [Pure, Kiln_Differentiable]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts each element to the element type of the result; the shape is
    unchanged. Float to integer truncates toward zero and saturates at the
    integer's range (NaN gives 0); integer to `i1` and
    float to `i1` test for non-zero (like NumPy's `astype(bool)`); `i1`
    converts to 0 or 1.

    ```mlir
    %f = kiln.cast %labels : tensor<8xi64> -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Type":$elementType)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def Kiln_BroadcastOp : Kiln_Op<"broadcast", [Pure, Kiln_Differentiable]> {
  let summary = "NumPy-style broadcast to a larger shape";
  let description = [{
    Broadcasts `input` to the shape of the result by NumPy's rules: shapes
    are aligned at their last dimension; missing leading dimensions are
    added, and dimensions of size 1 are repeated. Every other dimension
    must match. The gradient of a broadcast is a `kiln.reduce_sum` over the
    broadcast dimensions.

    ```mlir
    %b = kiln.broadcast %bias : tensor<512xf32> -> tensor<8x512xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$shape)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure, Kiln_Differentiable]> {
  let summary = "Reinterpret a tensor with another shape";
  let description = [{
    Same elements in the same (row-major) order, new shape; the element
    counts must match.

    ```mlir
    %flat = kiln.reshape %img : tensor<8x1x28x28xf32> -> tensor<8x784xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$shape)>
  ];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Permute the dimensions of a tensor";
  let description = [{
    `result.shape[i] = input.shape[permutation[i]]`.

    ```mlir
    %t = kiln.transpose %x [1, 0] : tensor<8x784xf32> -> tensor<784x8xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Join tensors along one axis";
  let description = [{
    Concatenates one or more tensors of the same element type and rank
    along `axis`; all other dimensions must match.

    ```mlir
    %c = kiln.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` type($inputs) `->` type($result)
  }];
}

def Kiln_SliceOp : Kiln_Op<"slice",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Strided slice of a tensor";
  let description = [{
    Takes `input[start[i] : limit[i] : stride[i]]` in every dimension
    (`0 <= start <= limit <= size`, `stride >= 1`), like NumPy basic
    slicing with positive steps.

    ```mlir
    %s = kiln.slice %x start [0, 2] limit [4, 8] stride [1, 2]
        : tensor<4x8xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$stride);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `start` $start `limit` $limit `stride` $stride attr-dict `:`
    type($input) `->` type($result)
  }];
}


def Kiln_PadOp : Kiln_Op<"pad",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Pad a tensor at its edges and between its elements";
  let description = [{
    In every dimension `d`, puts `low[d]` elements before the input,
    `high[d]` after it and `interior[d]` between each pair of neighbouring
    input elements, all equal to `value` (default 0). The result size is
    `low + high + size + max(size - 1, 0) * interior`. Padding is
    non-negative; `kiln.slice` crops.

    Interior padding makes `kiln.pad` the adjoint of a strided
    `kiln.slice`, which is how the gradient of a slice is built.

    ```mlir
    %p = kiln.pad %x low [0, 1] high [0, 1] interior [0, 0]
        : tensor<2x3xf32> -> tensor<2x5xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, DenseI64ArrayAttr:$interior,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $input `low` $low `high` $high `interior` $interior attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contraction
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_Op<"matmul",
    [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Matrix product, 2-D or batched, with optional transposes";
  let description = [{
    `result = op(lhs) x op(rhs)` where `op` transposes the last two
    dimensions when `transpose_lhs` / `transpose_rhs` is set. Operands are
    2-D (`[M, K] x [K, N] -> [M, N]`) or batched with identical leading
    batch dimensions (`[B..., M, K] x [B..., K, N] -> [B..., M, N]`); use
    `kiln.broadcast` to share an operand across a batch.

    ```mlir
    %h = kiln.matmul %x, %w : tensor<8x784xf32>, tensor<784x512xf32> -> tensor<8x512xf32>
    %g = kiln.matmul %x, %w {transpose_lhs} : tensor<8x784xf32>, tensor<8x512xf32> -> tensor<784x512xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, Type operandType, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor, Kiln_Differentiable]> {
  let summary = "Reduce by " # what # " over axes";
  let description = [{
    Reduces `input` by }] # what # [{ over the dimensions listed in `axes`
    (distinct, in `[0, rank)`). The reduced dimensions are removed, or kept
    with size 1 when `keepdims` is present.

    ```mlir
    %s = kiln.}] # mnemonic # [{ %x axes [1] keepdims : tensor<8x10xf32> -> tensor<8x1xf32>
    ```
  }];
  let arguments = (ins operandType:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs operandType:$result);
  let assemblyFormat = [{
    $input `axes` $axes (`keepdims` $keepdims^)? attr-dict `:` type($input)
    `->` type($result)
  }];
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", Kiln_NumericTensor, "sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", Kiln_FloatTensor,
    "arithmetic mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", Kiln_NumericTensor,
    "maximum">;

class Kiln_SoftmaxLikeOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType, Kiln_Differentiable]> {
  let summary = what # " along one axis";
  let description = [{
    Computes }] # what # [{ along `axis`, in the numerically stable form
    that subtracts the maximum first.

    ```mlir
    %p = kiln.}] # mnemonic # [{ %logits axis 1 : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax", "softmax">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax", "log-softmax">;

//===----------------------------------------------------------------------===//
// Differentiation
//===----------------------------------------------------------------------===//

def Kiln_GradOp : Kiln_Op<"grad",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Value and gradient of a function";
  let description = [{
    Calls `callee` on the operands and returns its results followed by the
    gradient of its first result with respect to the operands listed in
    `wrt` (indices into the operand list, increasing).

    The first result of the callee is the loss: a floating-point tensor of
    one element (`tensor<f32>`, `tensor<1xf32>`, ...). Further results are
    returned as they are and not differentiated (JAX's `has_aux`), e.g. the
    logits for an accuracy figure. Each gradient has the type of its
    argument; an argument that does not influence the loss gets zeros.

    The `kiln-autodiff` pass replaces this op by a call to a generated
    function that evaluates the callee and then its reverse-mode
    derivative, built from each op's `DifferentiableOpInterface` rule.

    ```mlir
    func.func @loss(%w: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<f32> { ... }
    %l, %dw = kiln.grad @loss(%w, %x) wrt [0]
        : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                       Variadic<Kiln_Tensor>:$operands,
                       DenseI64ArrayAttr:$wrt);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $operands `)` `wrt` $wrt attr-dict `:`
    functional-type($operands, $results)
  }];
  let hasVerifier = 1;
}

#endif // KILN_OPS_TD
