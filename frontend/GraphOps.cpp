//===- GraphOps.cpp - Checked builders of every Kiln op ------------------===//
//
// Each builder checks its operands itself and computes the result shape
// before it creates an op, so that a mistake is a GraphError at the user's
// line, never a verifier failure or an assertion inside MLIR.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps.h"
#include "frontend/GraphDetail.h"

#include "ir/Kiln.h"

#include <algorithm>
#include <set>

using namespace mlir;
using namespace kiln;
using kiln::detail::Accepts;
using kiln::detail::checkAccepts;
using kiln::detail::checkVar;
using kiln::detail::graphOf;

namespace {

/// NumPy's broadcast of two shapes; `describe` names the operands.
std::vector<int64_t>
broadcastShapes(const CallSite &site, const std::string &what,
                const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                const std::string &describeA, const std::string &describeB) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Aligned at the last dimension; missing leading dimensions are 1.
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throwGraphError(site, what,
                      "cannot broadcast " + describeA + " with " + describeB +
                          ": sizes " + std::to_string(da) + " and " +
                          std::to_string(db) + " in dimension " +
                          std::to_string(i) +
                          " of the result (NumPy rules: sizes must match or "
                          "be 1)");
    shape[i] = da == 1 ? db : da;
  }
  return shape;
}

/// The operand as a value of `shape` and `dtype`: a Var broadcast (if its
/// shape differs), a scalar as a splat constant.
Value materialize(Graph &graph, const CallSite &site, const std::string &what,
                  const Operand &operand, const std::vector<int64_t> &shape,
                  DType dtype) {
  OpBuilder &builder = graph.builder();
  Location loc = graph.location(site);
  if (operand.var.isNull()) {
    kiln::detail::checkScalarFits(site, what, operand.scalar, dtype);
    auto type = kiln::detail::tensorType(graph.context(), shape, dtype);
    return ConstantOp::create(builder, loc,
                              kiln::detail::splatAttr(type, operand.scalar));
  }
  if (operand.var.shape() == shape)
    return operand.var.value();
  return BroadcastOp::create(builder, loc, operand.var.value(), shape);
}

std::string describeOperand(const Operand &operand, const char *role) {
  return std::string(role) +
         (operand.var.isNull()
              ? "scalar " + kiln::detail::scalarText(operand.scalar)
              : operand.var.describe());
}

/// Checks and broadcasts the operands of an elementwise op (and an i1
/// `condition`, for select); `build` makes the op from the broadcast values,
/// the condition first.
template <typename Build>
Var elementwise(
    const std::string &what, Accepts accepts,
    std::initializer_list<std::pair<const Operand *, const char *>> operands,
    const CallSite &site, Build build, const Var *condition = nullptr) {
  SmallVector<const Var *, 3> vars;
  for (auto [operand, role] : operands)
    vars.push_back(&operand->var);
  if (condition)
    vars.push_back(condition);
  Graph &graph = graphOf(site, what, vars);

  const Operand *first = nullptr;
  const char *firstRole = "";
  std::vector<int64_t> shape;
  std::string shapeFrom;
  if (condition) {
    shape = condition->shape();
    shapeFrom = "condition " + condition->describe();
  }
  for (auto [operand, role] : operands) {
    if (operand->var.isNull())
      continue;
    checkAccepts(site, what, accepts, operand->var, role);
    if (first && operand->var.dtype() != first->var.dtype())
      throwGraphError(site, what,
                      "operands have different dtypes: " +
                          describeOperand(*first, firstRole) + " and " +
                          describeOperand(*operand, role) +
                          "; cast() one of them (Kiln does not promote)");
    if (!first) {
      first = operand;
      firstRole = role;
    }
    if (shapeFrom.empty())
      shape = operand->var.shape();
    else
      shape = broadcastShapes(site, what, shape, operand->var.shape(),
                              shapeFrom, describeOperand(*operand, role));
    shapeFrom = shapeFrom.empty() ? describeOperand(*operand, role)
                                  : "shape " + kiln::detail::shapeText(shape);
  }
  if (!first)
    throwGraphError(site, what, "needs at least one Var operand");
  DType dtype = first->var.dtype();
  SmallVector<Value, 3> values;
  if (condition)
    values.push_back(
        materialize(graph, site, what, *condition, shape, DType::I1));
  for (auto [operand, role] : operands)
    values.push_back(materialize(graph, site, what, *operand, shape, dtype));
  return Var(graph, build(graph.builder(), graph.location(site), values));
}

template <typename OpTy>
Var binary(const char *what, Accepts accepts, const Operand &lhs,
           const Operand &rhs, const CallSite &site) {
  return elementwise(what, accepts, {{&lhs, "lhs "}, {&rhs, "rhs "}}, site,
                     [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
                       return OpTy::create(b, loc, v[0], v[1]).getResult();
                     });
}

Var compare(const char *what, ComparePredicate predicate, const Operand &lhs,
            const Operand &rhs, const CallSite &site) {
  return elementwise(
      what, Accepts::Any, {{&lhs, "lhs "}, {&rhs, "rhs "}}, site,
      [&](OpBuilder &b, Location loc, ArrayRef<Value> v) {
        return CompareOp::create(b, loc, predicate, v[0], v[1]).getResult();
      });
}

template <typename OpTy>
Var unary(const char *what, Accepts accepts, const Var &x,
          const CallSite &site) {
  checkVar(site, what, x);
  checkAccepts(site, what, accepts, x, "");
  Graph &graph = x.graph();
  return Var(graph,
             OpTy::create(graph.builder(), graph.location(site), x.value()));
}

/// `axis` in [-rank, rank) as a non-negative axis.
int64_t normalizeAxis(const CallSite &site, const std::string &what,
                      int64_t axis, const Var &x) {
  int64_t rank = x.rank();
  if (axis < -rank || axis >= rank)
    throwGraphError(site, what,
                    "axis " + std::to_string(axis) + " is out of range for " +
                        x.describe() + " (rank " + std::to_string(rank) +
                        ", axes " + std::to_string(-rank) + ".." +
                        std::to_string(rank - 1) + ")");
  return axis < 0 ? axis + rank : axis;
}

/// Distinct normalized axes, sorted; all axes when `axes` is empty.
SmallVector<int64_t> normalizeAxes(const CallSite &site,
                                   const std::string &what,
                                   const std::vector<int64_t> &axes,
                                   const Var &x) {
  SmallVector<int64_t> result;
  if (axes.empty()) {
    for (int64_t d = 0; d < x.rank(); ++d)
      result.push_back(d);
    return result;
  }
  std::set<int64_t> seen;
  for (int64_t axis : axes) {
    int64_t normalized = normalizeAxis(site, what, axis, x);
    if (!seen.insert(normalized).second)
      throwGraphError(site, what,
                      "axis " + std::to_string(axis) + " is listed twice in " +
                          kiln::detail::shapeText(axes) + " for " +
                          x.describe());
    result.push_back(normalized);
  }
  std::sort(result.begin(), result.end());
  return result;
}

template <typename OpTy>
Var reduce(const char *what, Accepts accepts, const Var &x,
           const std::vector<int64_t> &axes, bool keepdims,
           const CallSite &site) {
  checkVar(site, what, x);
  checkAccepts(site, what, accepts, x, "");
  SmallVector<int64_t> normalized = normalizeAxes(site, what, axes, x);
  Graph &graph = x.graph();
  return Var(graph, OpTy::create(graph.builder(), graph.location(site),
                                 x.value(), normalized, keepdims)
                        .getResult());
}

template <typename OpTy>
Var softmaxLike(const char *what, const Var &x, int64_t axis,
                const CallSite &site) {
  checkVar(site, what, x);
  checkAccepts(site, what, Accepts::Float, x, "");
  int64_t normalized = normalizeAxis(site, what, axis, x);
  Graph &graph = x.graph();
  return Var(graph, OpTy::create(graph.builder(), graph.location(site),
                                 x.value(), normalized)
                        .getResult());
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

Var kiln::add(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<AddOp>("add", Accepts::Numeric, lhs, rhs, site);
}
Var kiln::sub(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<SubOp>("sub", Accepts::Numeric, lhs, rhs, site);
}
Var kiln::mul(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<MulOp>("mul", Accepts::Numeric, lhs, rhs, site);
}
Var kiln::div(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<DivOp>("div", Accepts::Numeric, lhs, rhs, site);
}
Var kiln::maximum(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<MaxOp>("maximum", Accepts::Numeric, lhs, rhs, site);
}
Var kiln::minimum(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<MinOp>("minimum", Accepts::Numeric, lhs, rhs, site);
}
Var kiln::pow(const Operand &lhs, const Operand &rhs, CallSite site) {
  return binary<PowOp>("pow", Accepts::Numeric, lhs, rhs, site);
}

Var kiln::eq(const Operand &lhs, const Operand &rhs, CallSite site) {
  return compare("eq", ComparePredicate::eq, lhs, rhs, site);
}
Var kiln::ne(const Operand &lhs, const Operand &rhs, CallSite site) {
  return compare("ne", ComparePredicate::ne, lhs, rhs, site);
}
Var kiln::lt(const Operand &lhs, const Operand &rhs, CallSite site) {
  return compare("lt", ComparePredicate::lt, lhs, rhs, site);
}
Var kiln::le(const Operand &lhs, const Operand &rhs, CallSite site) {
  return compare("le", ComparePredicate::le, lhs, rhs, site);
}
Var kiln::gt(const Operand &lhs, const Operand &rhs, CallSite site) {
  return compare("gt", ComparePredicate::gt, lhs, rhs, site);
}
Var kiln::ge(const Operand &lhs, const Operand &rhs, CallSite site) {
  return compare("ge", ComparePredicate::ge, lhs, rhs, site);
}

Var kiln::where(const Var &condition, const Operand &onTrue,
                const Operand &onFalse, CallSite site) {
  checkVar(site, "where", condition);
  if (condition.dtype() != DType::I1)
    throwGraphError(site, "where",
                    "the condition must be an i1 tensor, got " +
                        condition.describe() + " (compare, or cast to i1)");
  return elementwise(
      "where", Accepts::Any, {{&onTrue, "onTrue "}, {&onFalse, "onFalse "}},
      site,
      [](OpBuilder &b, Location loc, ArrayRef<Value> v) {
        return SelectOp::create(b, loc, v[0], v[1], v[2]).getResult();
      },
      &condition);
}

// Operators report the line of the expression: converting a Var to VarUse
// captures it.
#define KILN_BINARY_OPERATOR(symbol, function)                                 \
  Var kiln::operator symbol(const VarUse &lhs, const VarUse &rhs) {            \
    return function(lhs.var, rhs.var, lhs.site);                               \
  }                                                                            \
  Var kiln::operator symbol(const VarUse &lhs, double rhs) {                   \
    return function(lhs.var, rhs, lhs.site);                                   \
  }                                                                            \
  Var kiln::operator symbol(double lhs, const VarUse &rhs) {                   \
    return function(lhs, rhs.var, rhs.site);                                   \
  }
KILN_BINARY_OPERATOR(+, add)
KILN_BINARY_OPERATOR(-, sub)
KILN_BINARY_OPERATOR(*, mul)
KILN_BINARY_OPERATOR(/, div)
#undef KILN_BINARY_OPERATOR

Var kiln::operator-(const VarUse &x) { return neg(x.var, x.site); }

Var kiln::neg(const Var &x, CallSite site) {
  return unary<NegOp>("neg", Accepts::Numeric, x, site);
}
Var kiln::abs(const Var &x, CallSite site) {
  return unary<AbsOp>("abs", Accepts::Numeric, x, site);
}
Var kiln::relu(const Var &x, CallSite site) {
  return unary<ReluOp>("relu", Accepts::Numeric, x, site);
}
Var kiln::exp(const Var &x, CallSite site) {
  return unary<ExpOp>("exp", Accepts::Float, x, site);
}
Var kiln::log(const Var &x, CallSite site) {
  return unary<LogOp>("log", Accepts::Float, x, site);
}
Var kiln::sqrt(const Var &x, CallSite site) {
  return unary<SqrtOp>("sqrt", Accepts::Float, x, site);
}
Var kiln::rsqrt(const Var &x, CallSite site) {
  return unary<RsqrtOp>("rsqrt", Accepts::Float, x, site);
}
Var kiln::tanh(const Var &x, CallSite site) {
  return unary<TanhOp>("tanh", Accepts::Float, x, site);
}
Var kiln::sigmoid(const Var &x, CallSite site) {
  return unary<SigmoidOp>("sigmoid", Accepts::Float, x, site);
}

Var kiln::cast(const Var &x, DType dtype, CallSite site) {
  checkVar(site, "cast", x);
  kiln::detail::checkDType(site, "cast", dtype);
  if (x.dtype() == dtype)
    return x;
  Graph &graph = x.graph();
  Type element =
      kiln::detail::tensorType(graph.context(), {}, dtype).getElementType();
  return Var(graph, CastOp::create(graph.builder(), graph.location(site),
                                   x.value(), element)
                        .getResult());
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

Var kiln::broadcastTo(const Var &x, const std::vector<int64_t> &shape,
                      CallSite site) {
  checkVar(site, "broadcastTo", x);
  kiln::detail::checkShape(site, "broadcastTo", shape);
  int64_t lead = static_cast<int64_t>(shape.size()) - x.rank();
  bool valid = lead >= 0;
  for (int64_t i = 0; valid && i < x.rank(); ++i)
    valid = x.shape()[i] == 1 || x.shape()[i] == shape[lead + i];
  if (!valid)
    throwGraphError(site, "broadcastTo",
                    "cannot broadcast " + x.describe() + " to " +
                        kiln::detail::shapeText(shape) +
                        " (NumPy rules: aligned at the last dimension, each "
                        "size must match or be 1)");
  if (x.shape() == shape)
    return x;
  Graph &graph = x.graph();
  return Var(graph, BroadcastOp::create(graph.builder(), graph.location(site),
                                        x.value(), shape)
                        .getResult());
}

Var kiln::reshape(const Var &x, const std::vector<int64_t> &shape,
                  CallSite site) {
  checkVar(site, "reshape", x);
  std::vector<int64_t> resolved = shape;
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && inferred < 0) {
      inferred = static_cast<int64_t>(i);
      continue;
    }
    if (shape[i] < 0)
      throwGraphError(site, "reshape",
                      "bad target shape " + kiln::detail::shapeText(shape) +
                          ": sizes must be >= 0, with at most one -1");
    known *= shape[i];
  }
  if (inferred >= 0) {
    if (known == 0 || x.numElements() % known != 0)
      throwGraphError(site, "reshape",
                      "cannot reshape " + x.describe() + " (" +
                          std::to_string(x.numElements()) + " elements) to " +
                          kiln::detail::shapeText(shape) + ": no size for -1 " +
                          "makes the element counts match");
    resolved[inferred] = x.numElements() / known;
    known *= resolved[inferred];
  }
  if (known != x.numElements())
    throwGraphError(site, "reshape",
                    "cannot reshape " + x.describe() + " (" +
                        std::to_string(x.numElements()) + " elements) to " +
                        kiln::detail::shapeText(shape) + " (" +
                        std::to_string(known) + " elements)");
  if (resolved == x.shape())
    return x;
  Graph &graph = x.graph();
  return Var(graph, ReshapeOp::create(graph.builder(), graph.location(site),
                                      x.value(), resolved)
                        .getResult());
}

Var kiln::transpose(const Var &x, const std::vector<int64_t> &perm,
                    CallSite site) {
  checkVar(site, "transpose", x);
  if (static_cast<int64_t>(perm.size()) != x.rank())
    throwGraphError(site, "transpose",
                    "permutation " + kiln::detail::shapeText(perm) + " has " +
                        std::to_string(perm.size()) + " entries but " +
                        x.describe() + " has rank " + std::to_string(x.rank()));
  SmallVector<int64_t> normalized;
  std::set<int64_t> seen;
  for (int64_t p : perm) {
    int64_t axis = normalizeAxis(site, "transpose", p, x);
    if (!seen.insert(axis).second)
      throwGraphError(site, "transpose",
                      kiln::detail::shapeText(perm) +
                          " is not a permutation: axis " + std::to_string(p) +
                          " appears twice");
    normalized.push_back(axis);
  }
  bool identity = true;
  for (size_t i = 0; i < normalized.size(); ++i)
    identity &= normalized[i] == static_cast<int64_t>(i);
  if (identity)
    return x;
  Graph &graph = x.graph();
  return Var(graph, TransposeOp::create(graph.builder(), graph.location(site),
                                        x.value(), normalized)
                        .getResult());
}

Var kiln::concat(const std::vector<Var> &xs, int64_t axis, CallSite site) {
  if (xs.empty())
    throwGraphError(site, "concat", "needs at least one tensor");
  const Var &first = checkVar(site, "concat", xs.front());
  int64_t normalized = normalizeAxis(site, "concat", axis, first);
  SmallVector<Value> values;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Var &x = checkVar(site, "concat", xs[i]);
    graphOf(site, "concat", {&first, &x});
    bool compatible = x.dtype() == first.dtype() && x.rank() == first.rank();
    for (int64_t d = 0; compatible && d < x.rank(); ++d)
      compatible = d == normalized || x.shape()[d] == first.shape()[d];
    if (!compatible)
      throwGraphError(site, "concat",
                      "tensor #" + std::to_string(i) + " " + x.describe() +
                          " does not fit tensor #0 " + first.describe() +
                          " along axis " + std::to_string(axis) +
                          " (same dtype and rank; other dimensions equal)");
    values.push_back(x.value());
  }
  if (xs.size() == 1)
    return first;
  Graph &graph = first.graph();
  return Var(graph, ConcatOp::create(graph.builder(), graph.location(site),
                                     values, normalized)
                        .getResult());
}

Var kiln::slice(const Var &x, const std::vector<int64_t> &start,
                const std::vector<int64_t> &limit,
                const std::vector<int64_t> &stride, CallSite site) {
  checkVar(site, "slice", x);
  std::vector<int64_t> steps =
      stride.empty() ? std::vector<int64_t>(x.rank(), 1) : stride;
  int64_t rank = x.rank();
  if (static_cast<int64_t>(start.size()) != rank ||
      static_cast<int64_t>(limit.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    throwGraphError(site, "slice",
                    "start " + kiln::detail::shapeText(start) + ", limit " +
                        kiln::detail::shapeText(limit) + " and stride " +
                        kiln::detail::shapeText(steps) +
                        " need one entry per " + "dimension of " +
                        x.describe());
  SmallVector<int64_t> from, to;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = x.shape()[d];
    int64_t s = start[d] < 0 ? start[d] + size : start[d];
    int64_t l = limit[d] < 0 ? limit[d] + size : limit[d];
    if (s < 0 || s > l || l > size || steps[d] < 1)
      throwGraphError(
          site, "slice",
          "dimension " + std::to_string(d) + " of " + x.describe() +
              ": need 0 <= start <= limit <= " + std::to_string(size) +
              " (negative values count from the end) and "
              "stride >= 1, got start " +
              std::to_string(start[d]) + ", limit " + std::to_string(limit[d]) +
              ", stride " + std::to_string(steps[d]));
    from.push_back(s);
    to.push_back(l);
  }
  Graph &graph = x.graph();
  return Var(graph, SliceOp::create(graph.builder(), graph.location(site),
                                    x.value(), from, to, steps)
                        .getResult());
}

Var kiln::pad(const Var &x, const std::vector<int64_t> &low,
              const std::vector<int64_t> &high,
              const std::vector<int64_t> &interior, double value,
              CallSite site) {
  checkVar(site, "pad", x);
  std::vector<int64_t> between =
      interior.empty() ? std::vector<int64_t>(x.rank(), 0) : interior;
  int64_t rank = x.rank();
  if (static_cast<int64_t>(low.size()) != rank ||
      static_cast<int64_t>(high.size()) != rank ||
      static_cast<int64_t>(between.size()) != rank)
    throwGraphError(site, "pad",
                    "low " + kiln::detail::shapeText(low) + ", high " +
                        kiln::detail::shapeText(high) + " and interior " +
                        kiln::detail::shapeText(between) +
                        " need one entry per dimension of " + x.describe());
  for (int64_t d = 0; d < rank; ++d)
    if (low[d] < 0 || high[d] < 0 || between[d] < 0)
      throwGraphError(site, "pad",
                      "dimension " + std::to_string(d) + " of " + x.describe() +
                          ": padding must be non-negative (slice crops), got "
                          "low " +
                          std::to_string(low[d]) + ", high " +
                          std::to_string(high[d]) + ", interior " +
                          std::to_string(between[d]));
  kiln::detail::checkScalarFits(site, "pad", value, x.dtype());
  Graph &graph = x.graph();
  return Var(graph,
             PadOp::create(graph.builder(), graph.location(site), x.value(),
                           low, high, between, llvm::APFloat(value))
                 .getResult());
}

//===----------------------------------------------------------------------===//
// Contraction and reductions
//===----------------------------------------------------------------------===//

Var kiln::matmul(const Var &lhs, const Var &rhs, bool transposeLhs,
                 bool transposeRhs, CallSite site) {
  checkVar(site, "matmul", lhs);
  checkVar(site, "matmul", rhs);
  Graph &graph = graphOf(site, "matmul", {&lhs, &rhs});
  checkAccepts(site, "matmul", Accepts::Numeric, lhs, "lhs ");
  checkAccepts(site, "matmul", Accepts::Numeric, rhs, "rhs ");
  std::string l =
      "lhs " + lhs.describe() + (transposeLhs ? " (transposed)" : "");
  std::string r =
      "rhs " + rhs.describe() + (transposeRhs ? " (transposed)" : "");
  if (lhs.dtype() != rhs.dtype())
    throwGraphError(site, "matmul",
                    "operands have different dtypes: " + l + " and " + r +
                        "; cast() one of them");
  if (lhs.rank() < 2 || rhs.rank() < 2)
    throwGraphError(site, "matmul",
                    "operands need at least 2 dimensions, got " + l + " and " +
                        r + " (reshape a vector to [1, K] or [K, 1])");
  int64_t kl = lhs.dim(transposeLhs ? -2 : -1);
  int64_t kr = rhs.dim(transposeRhs ? -1 : -2);
  if (kl != kr)
    throwGraphError(site, "matmul",
                    "contraction dimensions differ: " + l +
                        " has K = " + std::to_string(kl) + " but " + r +
                        " has K = " + std::to_string(kr));
  std::vector<int64_t> batchL(lhs.shape().begin(), lhs.shape().end() - 2);
  std::vector<int64_t> batchR(rhs.shape().begin(), rhs.shape().end() - 2);
  std::vector<int64_t> batch =
      broadcastShapes(site, "matmul", batchL, batchR,
                      "the batch dimensions of " + l, "those of " + r);
  auto withBatch = [&](const Var &x) {
    std::vector<int64_t> shape = batch;
    shape.push_back(x.dim(-2));
    shape.push_back(x.dim(-1));
    return broadcastTo(x, shape, site).value();
  };
  return Var(graph, MatmulOp::create(graph.builder(), graph.location(site),
                                     withBatch(lhs), withBatch(rhs),
                                     transposeLhs, transposeRhs)
                        .getResult());
}

Var kiln::sum(const Var &x, const std::vector<int64_t> &axes, bool keepdims,
              CallSite site) {
  return reduce<ReduceSumOp>("sum", Accepts::Numeric, x, axes, keepdims, site);
}
Var kiln::mean(const Var &x, const std::vector<int64_t> &axes, bool keepdims,
               CallSite site) {
  return reduce<ReduceMeanOp>("mean", Accepts::Float, x, axes, keepdims, site);
}
Var kiln::amax(const Var &x, const std::vector<int64_t> &axes, bool keepdims,
               CallSite site) {
  return reduce<ReduceMaxOp>("amax", Accepts::Numeric, x, axes, keepdims, site);
}

Var kiln::softmax(const Var &x, int64_t axis, CallSite site) {
  return softmaxLike<SoftmaxOp>("softmax", x, axis, site);
}
Var kiln::logSoftmax(const Var &x, int64_t axis, CallSite site) {
  return softmaxLike<LogSoftmaxOp>("logSoftmax", x, axis, site);
}
