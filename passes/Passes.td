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

#endif // KILN_PASSES_TD
