//===- Losses.h - Loss functions on the graph builder -----------*- C++ -*-===//
//
// PyTorch's losses, built from Kiln ops in numerically stable forms. Each
// checks its operands (shapes, dtypes) and throws GraphError naming both.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_LOSSES_H
#define KILN_FRONTEND_LOSSES_H

#include "frontend/Graph.h"

namespace kiln {

/// How per-element (or per-sample) losses combine: their mean (a scalar),
/// their sum (a scalar), or none (the unreduced losses).
enum class Reduction { Mean, Sum, None };

/// (input - target)^2; input and target of one float type.
Var mseLoss(const Var &input, const Var &target,
            Reduction reduction = Reduction::Mean, CallSite site = {});

/// Binary cross-entropy of sigmoid(logits) against targets in [0, 1], in
/// the stable form max(x, 0) - x * y + log(1 + exp(-|x|)); logits and
/// targets of one float type.
Var binaryCrossEntropyWithLogits(const Var &logits, const Var &targets,
                                 Reduction reduction = Reduction::Mean,
                                 CallSite site = {});

/// Softmax cross-entropy of logits [N, C] against integer class labels [N]
/// (i32 or i64): -log_softmax(logits)[i, labels[i]], through a stable
/// log-softmax and a one-hot of the labels. A label outside [0, C) makes
/// that sample's loss NaN (the graph cannot raise an error at run time).
Var crossEntropy(const Var &logits, const Var &labels,
                 Reduction reduction = Reduction::Mean, CallSite site = {});

} // namespace kiln

#endif // KILN_FRONTEND_LOSSES_H
