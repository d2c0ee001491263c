//===- Passes.td - Kiln-level transformations --------------------------===//

#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnDecompose : Pass<"kiln-decompose", "::mlir::func::FuncOp"> {
  let summary = "Expand composite kiln ops into primitive kiln ops";
  let description = [{
    Rewrites `kiln.softmax` and `kiln.log_softmax` into the numerically
    stable sequence of primitive ops (max-subtract, exp, sum, divide or
    log-subtract), so that later passes (lowering, autodiff, fusion) only
    have to know the primitives.
  }];
  let dependentDialects = ["::kiln::KilnDialect"];
}

def KilnAutodiff : Pass<"kiln-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode automatic differentiation of kiln.grad ops";
  let description = [{
    Replaces every `kiln.grad @f(...) wrt [...]` by a call to a generated
    private function `@f_grad...` that evaluates `@f` and then its
    reverse-mode derivative: a backward walk over `@f`'s ops that asks each
    op for its vector-Jacobian product through `DifferentiableOpInterface`
    and sums the cotangents of values used more than once. It returns the
    results of `@f` followed by the gradients of the first result (the
    loss) with respect to the `wrt` arguments.

    Only ops between a differentiated argument and the loss are
    differentiated; a gradient is built only for operands that need one.
    An op on that path without a gradient rule is an error naming it. One
    function is generated per (callee, wrt) pair and shared by all calls.
    The lowering pipeline inlines the calls, so the primal values the
    backward pass needs are ordinary SSA values and unused ones are
    removed by canonicalization.
  }];
  let dependentDialects = ["::kiln::KilnDialect", "::mlir::func::FuncDialect"];
}

#endif // KILN_PASSES_TD
