//===- GraphOps.h - Kiln ops as C++ functions on Vars -----------*- C++ -*-===//
//
// Every Kiln op as a free function with a PyTorch-like name, plus the
// arithmetic operators. Each checks its operands and infers the result shape
// before building anything; a mistake throws GraphError
//   "file:line: matmul: contraction dimensions differ: lhs input 'x'
//    8x784xf32 has K = 784 but rhs parameter 'w' 100x10xf32 has K = 100"
// where file:line is the caller's (the defaulted CallSite parameter).
//
// Conventions:
//  * Binary ops broadcast by NumPy's rules, inserting explicit
//    kiln.broadcast ops. Operands must have one dtype: mixing dtypes is an
//    error (cast() one), not a silent promotion.
//  * A scalar operand (a double) takes the dtype of the other operand; it
//    must be exactly representable in it.
//  * Axes may be negative (counting from the end), as in PyTorch.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_GRAPHOPS_H
#define KILN_FRONTEND_GRAPHOPS_H

#include "frontend/Graph.h"

#include <optional>

namespace kiln {

/// An operand of a binary op: a Var or a scalar.
struct Operand {
  Operand(const Var &var) : var(var) {}
  Operand(double scalar) : scalar(scalar) {}
  Var var;
  double scalar = 0.0;
};

//===----------------------------------------------------------------------===//
// Elementwise binary (broadcasting)
//===----------------------------------------------------------------------===//

Var add(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var sub(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var mul(const Operand &lhs, const Operand &rhs, CallSite site = {});
/// Integers truncate toward zero; x / 0 is 0.
Var div(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var maximum(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var minimum(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var pow(const Operand &lhs, const Operand &rhs, CallSite site = {});

/// Comparisons give i1 tensors.
Var eq(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var ne(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var lt(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var le(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var gt(const Operand &lhs, const Operand &rhs, CallSite site = {});
Var ge(const Operand &lhs, const Operand &rhs, CallSite site = {});

/// `condition ? onTrue : onFalse` elementwise; all three broadcast together,
/// `condition` is i1.
Var where(const Var &condition, const Operand &onTrue, const Operand &onFalse,
          CallSite site = {});

Var operator+(const VarUse &lhs, const VarUse &rhs);
Var operator+(const VarUse &lhs, double rhs);
Var operator+(double lhs, const VarUse &rhs);
Var operator-(const VarUse &lhs, const VarUse &rhs);
Var operator-(const VarUse &lhs, double rhs);
Var operator-(double lhs, const VarUse &rhs);
Var operator*(const VarUse &lhs, const VarUse &rhs);
Var operator*(const VarUse &lhs, double rhs);
Var operator*(double lhs, const VarUse &rhs);
Var operator/(const VarUse &lhs, const VarUse &rhs);
Var operator/(const VarUse &lhs, double rhs);
Var operator/(double lhs, const VarUse &rhs);
Var operator-(const VarUse &x);

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

Var neg(const Var &x, CallSite site = {});
Var abs(const Var &x, CallSite site = {});
Var relu(const Var &x, CallSite site = {});
// Floats only:
Var exp(const Var &x, CallSite site = {});
Var log(const Var &x, CallSite site = {});
Var sqrt(const Var &x, CallSite site = {});
Var rsqrt(const Var &x, CallSite site = {});
Var tanh(const Var &x, CallSite site = {});
Var sigmoid(const Var &x, CallSite site = {});

/// Converts the elements to `dtype` (see kiln.cast for the rules).
Var cast(const Var &x, DType dtype, CallSite site = {});

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

/// NumPy broadcast of `x` to `shape` (x itself if it has that shape).
Var broadcastTo(const Var &x, const std::vector<int64_t> &shape,
                CallSite site = {});
/// Same elements, new shape; one dimension may be -1 (inferred).
Var reshape(const Var &x, const std::vector<int64_t> &shape,
            CallSite site = {});
/// result.shape[i] = x.shape[perm[i]]; entries may be negative.
Var transpose(const Var &x, const std::vector<int64_t> &perm,
              CallSite site = {});
/// Joins tensors of one dtype and rank along `axis`.
Var concat(const std::vector<Var> &xs, int64_t axis, CallSite site = {});
/// x[start:limit:stride] per dimension (negative start/limit count from the
/// end; stride >= 1, default 1).
Var slice(const Var &x, const std::vector<int64_t> &start,
          const std::vector<int64_t> &limit,
          const std::vector<int64_t> &stride = {}, CallSite site = {});

/// Pads every dimension d with low[d] elements before, high[d] after and
/// interior[d] between neighbouring elements (default none), all `value`
/// (which must fit the dtype). Padding is non-negative; slice crops.
Var pad(const Var &x, const std::vector<int64_t> &low,
        const std::vector<int64_t> &high,
        const std::vector<int64_t> &interior = {}, double value = 0.0,
        CallSite site = {});

//===----------------------------------------------------------------------===//
// Contraction and reductions
//===----------------------------------------------------------------------===//

/// [M, K] x [K, N] -> [M, N], or batched [B..., M, K] x [B..., K, N] with
/// the batch dimensions broadcast as in torch.matmul (both operands at least
/// 2-D). The flags transpose the last two dimensions of an operand.
Var matmul(const Var &lhs, const Var &rhs, bool transposeLhs = false,
           bool transposeRhs = false, CallSite site = {});

/// Reduce over `axes` (all axes when empty); reduced dimensions are dropped,
/// or kept with size 1 when `keepdims`.
Var sum(const Var &x, const std::vector<int64_t> &axes = {},
        bool keepdims = false, CallSite site = {});
/// Floats only.
Var mean(const Var &x, const std::vector<int64_t> &axes = {},
         bool keepdims = false, CallSite site = {});
Var amax(const Var &x, const std::vector<int64_t> &axes = {},
         bool keepdims = false, CallSite site = {});

/// Along one axis, in the max-subtracted stable form. Floats only.
Var softmax(const Var &x, int64_t axis, CallSite site = {});
Var logSoftmax(const Var &x, int64_t axis, CallSite site = {});

//===----------------------------------------------------------------------===//
// Neural-network ops (NCHW activations, OIHW filters; floats only)
//===----------------------------------------------------------------------===//

/// A [height, width] pair, as PyTorch's `int or (int, int)` arguments: `2`
/// is {2, 2}, `{3, 1}` is height 3, width 1. A braced pair cannot be
/// forwarded (Sequential::add) or be a layer's only argument
/// (`nn::MaxPool2d({3, 1})` could also be a copy): write `HeightWidth(3, 1)`.
struct HeightWidth {
  HeightWidth(int64_t both) : height(both), width(both) {}
  HeightWidth(int64_t height, int64_t width) : height(height), width(width) {}
  int64_t height, width;
};

/// Zero padding of the two spatial dimensions: `1` on every side, `{pH, pW}`
/// as PyTorch's `padding=(pH, pW)`, or `{top, left, bottom, right}` (the
/// kiln ops' order) for asymmetric ("same") padding.
struct Padding2d {
  Padding2d(int64_t all) : top(all), left(all), bottom(all), right(all) {}
  Padding2d(int64_t height, int64_t width)
      : top(height), left(width), bottom(height), right(width) {}
  Padding2d(int64_t top, int64_t left, int64_t bottom, int64_t right)
      : top(top), left(left), bottom(bottom), right(right) {}
  int64_t top, left, bottom, right;
};

/// The stride of a pooling window: a HeightWidth, or none (the default) for
/// the kernel size, as PyTorch's `stride=None`.
struct PoolStride {
  PoolStride() = default;
  PoolStride(int64_t both) : value(HeightWidth(both)) {}
  PoolStride(int64_t height, int64_t width)
      : value(HeightWidth(height, width)) {}
  PoolStride(HeightWidth pair) : value(pair) {}
  /// The stride for windows of `kernel`.
  HeightWidth orKernel(const HeightWidth &kernel) const {
    return value.value_or(kernel);
  }
  std::optional<HeightWidth> value;
};

/// 2-D convolution (cross-correlation, torch.nn.functional.conv2d without
/// bias): x [N, C, H, W] by weight [O, C / groups, kH, kW] gives
/// [N, O, OH, OW] with OH = (H + top + bottom - dH * (kH - 1) - 1) / sH + 1
/// (rounded down) and likewise OW. Strides and dilations are >= 1, padding
/// >= 0, groups >= 1 and divides C and O; the padded input must hold the
/// dilated kernel.
Var conv2d(const Var &x, const Var &weight, HeightWidth stride = 1,
           Padding2d padding = 0, HeightWidth dilation = 1, int64_t groups = 1,
           CallSite site = {});

/// The maximum of each window of x [N, C, H, W] (torch's max_pool2d without
/// ceil_mode); `stride` defaults to the kernel. Padding never wins.
Var maxPool2d(const Var &x, HeightWidth kernel, PoolStride stride = {},
              Padding2d padding = 0, HeightWidth dilation = 1,
              CallSite site = {});
/// The mean of each window of x [N, C, H, W], padding counted as zeros
/// (torch's avg_pool2d defaults: count_include_pad, no ceil_mode); `stride`
/// defaults to the kernel.
Var avgPool2d(const Var &x, HeightWidth kernel, PoolStride stride = {},
              Padding2d padding = 0, CallSite site = {});

/// Rows of `table` [V, D] at `indices` (i32 or i64, any shape): the result
/// is indices.shape + [D], an embedding lookup (kiln.gather; PyTorch's
/// F.embedding(indices, table), not torch.gather). An index outside [0, V)
/// gives a row of zeros.
Var gather(const Var &table, const Var &indices, CallSite site = {});

/// Numbers uniform in [0, 1) of `shape` and the float `dtype`, a pure
/// function of `seed` (a rank-0 i64 tensor, usually a graph input so that
/// each call can pass a new one) and each element's position
/// (kiln.random_uniform, Philox-4x32-10): the same seed gives the same
/// numbers.
Var randomUniform(const std::vector<int64_t> &shape, const Var &seed,
                  DType dtype = DType::F32, CallSite site = {});

/// torch.nn.functional.dropout in training: zeroes each element of the
/// float `x` with probability `p` and scales the others by 1 / (1 - p),
/// x * where(randomUniform(x.shape, seed) >= p, 1 / (1 - p), 0). p = 0 gives
/// x and p = 1 gives x * 0, as PyTorch. The mask is a function of `seed`
/// alone, so two dropouts given one seed share it: give each its own seed
/// (nn::Dropout does).
Var dropout(const Var &x, double p, const Var &seed, CallSite site = {});

} // namespace kiln

#endif // KILN_FRONTEND_GRAPHOPS_H
