//===- Losses.cpp - Loss functions ----------------------------------------===//

#include "frontend/Losses.h"
#include "frontend/GraphDetail.h"
#include "frontend/GraphOps.h"

#include <limits>

using namespace kiln;

namespace {
/// Throws unless `input` and `target` are floats of one type.
void checkSameFloatType(const CallSite &site, const char *what,
                        const Var &input, const char *inputRole,
                        const Var &target, const char *targetRole) {
  if (input.isNull() || target.isNull())
    throwGraphError(site, what, "got an empty Var");
  if (input.shape() != target.shape() || input.dtype() != target.dtype() ||
      !kiln::detail::isFloat(input.dtype()))
    throwGraphError(site, what,
                    std::string(inputRole) + " and " + targetRole +
                        " must be float tensors of one shape and dtype, got " +
                        inputRole + " " + input.describe() + " and " +
                        targetRole + " " + target.describe());
}

Var reduce(const Var &losses, Reduction reduction, const CallSite &site) {
  switch (reduction) {
  case Reduction::Mean:
    return mean(losses, {}, false, site);
  case Reduction::Sum:
    return sum(losses, {}, false, site);
  case Reduction::None:
    break;
  }
  return losses;
}
} // namespace

Var kiln::mseLoss(const Var &input, const Var &target, Reduction reduction,
                  CallSite site) {
  checkSameFloatType(site, "mseLoss", input, "input", target, "target");
  Var diff = sub(input, target, site);
  return reduce(mul(diff, diff, site), reduction, site);
}

Var kiln::binaryCrossEntropyWithLogits(const Var &logits, const Var &targets,
                                       Reduction reduction, CallSite site) {
  checkSameFloatType(site, "binaryCrossEntropyWithLogits", logits, "logits",
                     targets, "targets");
  // log(1 + exp(-|x|)) never overflows; max(x, 0) - x * y restores the
  // rest of -y log(sigmoid(x)) - (1 - y) log(1 - sigmoid(x)).
  Var softplus =
      log(add(exp(neg(abs(logits, site), site), site), 1.0, site), site);
  Var losses =
      add(sub(maximum(logits, 0.0, site), mul(logits, targets, site), site),
          softplus, site);
  return reduce(losses, reduction, site);
}

Var kiln::crossEntropy(const Var &logits, const Var &labels,
                       Reduction reduction, CallSite site) {
  if (logits.isNull() || labels.isNull())
    throwGraphError(site, "crossEntropy", "got an empty Var");
  if (logits.rank() != 2 || !kiln::detail::isFloat(logits.dtype()))
    throwGraphError(site, "crossEntropy",
                    "logits must be a float tensor [N, C], got " +
                        logits.describe());
  if (labels.rank() != 1 || !kiln::detail::isInteger(labels.dtype()) ||
      labels.dim(0) != logits.dim(0))
    throwGraphError(site, "crossEntropy",
                    "labels must be integer class indices [N] (i32 or i64) "
                    "with N = " +
                        std::to_string(logits.dim(0)) + " as the logits " +
                        logits.describe() + ", got " + labels.describe());
  Graph &graph = logits.graph();
  int64_t n = logits.dim(0), c = logits.dim(1);
  // One-hot: labels [N, 1] == iota [1, C], broadcast to [N, C].
  Tensor iota = Tensor::zeros(labels.dtype(), {1, c});
  for (int64_t i = 0; i < c; ++i) {
    if (labels.dtype() == DType::I64)
      iota.dataAs<int64_t>()[i] = i;
    else
      iota.dataAs<int32_t>()[i] = static_cast<int32_t>(i);
  }
  Var hit = eq(reshape(labels, {n, 1}, site), graph.constant(iota, site), site);
  Var oneHot = cast(hit, logits.dtype(), site);
  Var logProbs = logSoftmax(logits, 1, site);
  Var losses = neg(sum(mul(oneHot, logProbs, site), {1}, false, site), site);
  // No class matched: an out-of-range label gives NaN, not a silent 0.
  Var matched = gt(sum(oneHot, {1}, false, site), 0.0, site);
  losses =
      where(matched, losses, std::numeric_limits<double>::quiet_NaN(), site);
  return reduce(losses, reduction, site);
}
