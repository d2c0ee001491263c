//===- ReduceOps.cpp - ONNX reductions, ArgMax/ArgMin, CumSum ------------===//
//
// Reduce* take their axes from an attribute, except ReduceSum from opset
// 13 on (an input, with noop_with_empty_axes). Reductions kiln has no op
// for are compositions: ReduceMin through ReduceMax, ReduceProd by pairwise
// products of halves, the norms and log-sums from sums.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

namespace {

using Reduction =
    std::function<Value(Emitter &, Value, const std::vector<int64_t> &, bool)>;

bool isFloat(Value v) {
  return dtypeOf(v) == DType::F32 || dtypeOf(v) == DType::F64;
}

Converter reduction(Reduction reduce, int64_t axesInputSince = 99) {
  Converter c;
  c.convert = [=](Node &node) {
    Value x = node.input(0);
    int64_t rank = shapeOf(x).size();
    bool keep = node.attrInt("keepdims", 1);
    std::vector<int64_t> axes;
    bool given;
    if (node.opset >= axesInputSince) {
      given = node.hasInput(1);
      if (given)
        axes = node.requireConstant(1, "axes").toInts();
      given &= !axes.empty();
      if (!given && node.attrInt("noop_with_empty_axes", 0))
        return node.setOutput(0, x);
    } else {
      given = node.attr("axes") != nullptr;
      axes = node.attrInts("axes");
    }
    if (!given) {
      axes.resize(rank);
      std::iota(axes.begin(), axes.end(), 0);
    }
    node.setOutput(0, reduce(node.emit, x, axes, keep));
  };
  return c;
}

/// A float reduction of an integer tensor is computed in double and
/// truncated back, as ONNX's reference does.
Reduction inFloat(Reduction reduce) {
  return [=](Emitter &e, Value x, const std::vector<int64_t> &axes, bool keep) {
    if (isFloat(x))
      return reduce(e, x, axes, keep);
    DType type = dtypeOf(x);
    return e.cast(reduce(e, e.cast(x, DType::F64), axes, keep), type);
  };
}

Converter argExtreme(bool isMax) {
  Converter c;
  c.convert = [=](Node &node) {
    Value x = node.input(0);
    std::vector<int64_t> shape = shapeOf(x);
    int64_t axis = normalizeAxis(node.attrInt("axis", 0), shape.size(), "axis");
    bool keep = node.attrInt("keepdims", 1);
    bool last = node.attrInt("select_last_index", 0);
    Emitter &e = node.emit;
    Value m =
        isMax ? e.reduceMax(x, {axis}, true) : e.reduceMin(x, {axis}, true);
    Value hit = e.compare(ComparePredicate::eq, x, m);
    Value index = e.iota(shape, axis);
    Value none = e.like(index, last ? -1 : double(shape[axis]));
    Value candidates = e.select(hit, index, none);
    node.setOutput(0, last ? e.reduceMax(candidates, {axis}, keep)
                           : e.reduceMin(candidates, {axis}, keep));
  };
  return c;
}

} // namespace

void kiln::onnx_import::addReduceConverters(ConverterTable &t) {
  auto sum = [](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
    return e.reduceSum(x, a, k);
  };
  auto square = [](Emitter &e, Value x) { return e.binary<MulOp>(x, x); };
  t["ReduceSum"] = reduction(sum, /*axesInputSince=*/13);
  t["ReduceMean"] =
      reduction([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.reduceMean(x, a, k);
      });
  t["ReduceMax"] =
      reduction([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.reduceMax(x, a, k);
      });
  t["ReduceMin"] =
      reduction([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.reduceMin(x, a, k);
      });
  t["ReduceProd"] =
      reduction([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.reduceProd(x, a, k);
      });
  t["ReduceL1"] =
      reduction([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.reduceSum(e.unary<AbsOp>(x), a, k);
      });
  t["ReduceSumSquare"] =
      reduction([=](Emitter &e, Value x, const std::vector<int64_t> &a,
                    bool k) { return e.reduceSum(square(e, x), a, k); });
  t["ReduceL2"] = reduction(
      inFloat([=](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.unary<SqrtOp>(e.reduceSum(square(e, x), a, k));
      }));
  t["ReduceLogSum"] = reduction(
      inFloat([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        return e.unary<LogOp>(e.reduceSum(x, a, k));
      }));
  t["ReduceLogSumExp"] = reduction(
      inFloat([](Emitter &e, Value x, const std::vector<int64_t> &a, bool k) {
        // max + log(sum(exp(x - max))): exp cannot overflow.
        Value m = e.reduceMax(x, a, true);
        Value shifted = e.binary<SubOp>(x, m);
        Value s = e.reduceSum(e.unary<ExpOp>(shifted), a, true);
        Value r = e.binary<AddOp>(e.unary<LogOp>(s), m);
        if (k)
          return r;
        std::vector<int64_t> shape = shapeOf(x), out;
        for (size_t d = 0; d < shape.size(); ++d)
          if (std::find_if(a.begin(), a.end(), [&](int64_t axis) {
                return normalizeAxis(axis, shape.size(), "axis") == int64_t(d);
              }) == a.end())
            out.push_back(shape[d]);
        return e.reshape(r, out);
      }));
  t["ArgMax"] = argExtreme(true);
  t["ArgMin"] = argExtreme(false);

  Converter cumsum;
  cumsum.minOpset = 11;
  cumsum.convert = [](Node &node) {
    Value x = node.input(0);
    std::vector<int64_t> shape = shapeOf(x);
    const HostTensor &axisT = node.requireConstant(1, "axis");
    if (axisT.numElements() != 1)
      fail("axis must be a scalar");
    int64_t rank = shape.size();
    int64_t axis = normalizeAxis(axisT.intAt(0), rank, "axis");
    bool exclusive = node.attrInt("exclusive", 0);
    bool reverse = node.attrInt("reverse", 0);
    int64_t n = shape[axis];
    // y[..., j] = sum_i x[..., i] * U[i, j] with U the (strictly) upper or
    // lower triangle of ones: one matrix product along the axis.
    std::vector<int64_t> mask(n * n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        mask[i * n + j] = reverse ? (exclusive ? i > j : i >= j)
                                  : (exclusive ? i < j : i <= j);
    Emitter &e = node.emit;
    Value u = e.cast(e.constant(HostTensor::fromInts(DType::I64, {n, n}, mask)),
                     dtypeOf(x));
    std::vector<int64_t> perm;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        perm.push_back(d);
    perm.push_back(axis);
    std::vector<int64_t> inverse(rank);
    for (int64_t d = 0; d < rank; ++d)
      inverse[perm[d]] = d;
    Value moved = e.transpose(x, perm);
    std::vector<int64_t> movedShape = shapeOf(moved);
    int64_t rows = n ? checkedNumElements(movedShape, "input") / n : 0;
    Value y = e.matmul(e.reshape(moved, {rows, n}), u);
    node.setOutput(0, e.transpose(e.reshape(y, movedShape), inverse));
  };
  t["CumSum"] = cumsum;
}
