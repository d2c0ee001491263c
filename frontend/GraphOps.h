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

} // namespace kiln

#endif // KILN_FRONTEND_GRAPHOPS_H
