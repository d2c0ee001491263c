//===- ElementwiseOps.cpp - ONNX elementwise ops -------------------------===//
//
// Arithmetic, comparisons, logic, activations, Cast and Clip. Activations
// kiln has no op for are compositions (select, exp, ...). When every input
// is known on the host (shape arithmetic), the op is folded.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

namespace {

using FloatFn = std::function<double(const std::vector<double> &)>;
using IntFn = std::function<int64_t(const std::vector<int64_t> &)>;

bool isFloat(DType t) { return t == DType::F32 || t == DType::F64; }

/// Folds on the host when every input is known and the result is small.
bool tryFold(Node &node, DType resultType, const FloatFn &onFloats,
             const IntFn &onInts) {
  if (!node.allInputsConstant())
    return false;
  std::vector<const HostTensor *> inputs;
  std::vector<int64_t> shape;
  for (int i = 0; i < node.numInputs(); ++i)
    if (node.hasInput(i)) {
      inputs.push_back(node.constantInput(i));
      shape = broadcastShapes(shape, inputs.back()->shape);
    }
  if (checkedNumElements(shape, "result") > kMaxFoldElements)
    return false;
  node.setOutput(0, hostElementwise(inputs, resultType, onFloats, onInts));
  return true;
}

/// Opset 6 and earlier: `broadcast = 1` with `axis` aligns B with A
/// starting at `axis`, instead of at the last dimension.
Value legacyAlign(Node &node, Value a, Value b) {
  if (node.opset >= 7 || !node.attrInt("broadcast", 0) || !node.attr("axis"))
    return b;
  int64_t rankA = shapeOf(a).size();
  std::vector<int64_t> shape = shapeOf(b);
  int64_t axis = normalizeAxis(node.attrInt("axis", 0), rankA, "axis");
  if (axis + int64_t(shape.size()) > rankA)
    fail("legacy broadcast of " + shapeStr(shape) + " at axis " +
         std::to_string(axis) + " does not fit rank " + std::to_string(rankA));
  shape.insert(shape.begin(), axis, 1);
  shape.resize(rankA, 1);
  return node.emit.reshape(b, shape);
}

template <typename OpTy> Converter binaryArith(FloatFn onFloats, IntFn onInts) {
  Converter c;
  c.convert = [=](Node &node) {
    if (tryFold(node, node.inputDType(0), onFloats, onInts))
      return;
    Value a = node.input(0);
    Value b = legacyAlign(node, a, node.input(1));
    node.setOutput(0, node.emit.binary<OpTy>(a, b));
  };
  return c;
}

Converter comparison(ComparePredicate predicate, FloatFn onFloats,
                     IntFn onInts) {
  Converter c;
  c.convert = [=](Node &node) {
    if (tryFold(node, DType::I1, onFloats, onInts))
      return;
    Value a = node.input(0);
    Value b = legacyAlign(node, a, node.input(1));
    node.setOutput(0, node.emit.compare(predicate, a, b));
  };
  return c;
}

/// Max, Min, Sum, Mean: any number of inputs, broadcast together.
template <typename OpTy> Converter variadic(bool mean = false) {
  Converter c;
  c.convert = [=](Node &node) {
    Value acc = node.input(0);
    for (int i = 1; i < node.numInputs(); ++i)
      acc = node.emit.binary<OpTy>(acc, node.input(i));
    if (mean && node.numInputs() > 1)
      acc = node.emit.binary<DivOp>(
          acc, node.emit.like(acc, double(node.numInputs())));
    node.setOutput(0, acc);
  };
  return c;
}

/// An activation written as a composition on the input `x`.
Converter activation(std::function<Value(Node &, Emitter &, Value)> build,
                     bool floatsOnly = true) {
  Converter c;
  c.convert = [=](Node &node) {
    Value x = node.input(0);
    if (floatsOnly && !isFloat(dtypeOf(x)))
      fail("input " + typeString(dtypeOf(x), shapeOf(x)) +
           " is not a float tensor");
    node.setOutput(0, build(node, node.emit, x));
  };
  return c;
}

template <typename OpTy>
Converter unaryOp(bool floatsOnly = true, FloatFn onFloats = nullptr,
                  IntFn onInts = nullptr) {
  Converter c = activation(
      [](Node &, Emitter &e, Value x) { return e.unary<OpTy>(x); }, floatsOnly);
  if (!onFloats)
    return c;
  auto convert = c.convert;
  c.convert = [=](Node &node) {
    if (!tryFold(node, node.inputDType(0), onFloats, onInts))
      convert(node);
  };
  return c;
}

std::string checkCastTarget(const onnx::NodeProto &node, int64_t) {
  for (const auto &a : node.attribute())
    if (a.name() == "to" && !dtypeFromOnnx(a.i()))
      return "cast to " + onnxTypeName(a.i());
  return "";
}

Value castValue(Node &node, DType to) {
  Value x = node.input(0);
  return node.emit.cast(x, to);
}

} // namespace

void kiln::onnx_import::addElementwiseConverters(ConverterTable &t) {
  t["Add"] = binaryArith<AddOp>(
      [](auto &v) { return v[0] + v[1]; },
      [](auto &v) { return int64_t(uint64_t(v[0]) + uint64_t(v[1])); });
  t["Sub"] = binaryArith<SubOp>(
      [](auto &v) { return v[0] - v[1]; },
      [](auto &v) { return int64_t(uint64_t(v[0]) - uint64_t(v[1])); });
  t["Mul"] = binaryArith<MulOp>(
      [](auto &v) { return v[0] * v[1]; },
      [](auto &v) { return int64_t(uint64_t(v[0]) * uint64_t(v[1])); });
  t["Div"] = binaryArith<DivOp>([](auto &v) { return v[0] / v[1]; },
                                [](auto &v) -> int64_t {
                                  if (v[1] == 0)
                                    return 0;
                                  if (v[1] == -1)
                                    return int64_t(0 - uint64_t(v[0]));
                                  return v[0] / v[1];
                                });

  Converter pow;
  pow.convert = [](Node &node) {
    Value base = node.input(0), exponent = node.input(1);
    DType type = dtypeOf(base);
    if (isFloat(type) || !isFloat(dtypeOf(exponent))) {
      exponent = legacyAlign(node, base, node.emit.cast(exponent, type));
      node.setOutput(0, node.emit.binary<PowOp>(base, exponent));
      return;
    }
    // An integer base with a float exponent: compute in double, then
    // truncate, as ONNX's reference does.
    Value r = node.emit.binary<PowOp>(node.emit.cast(base, DType::F64),
                                      node.emit.cast(exponent, DType::F64));
    node.setOutput(0, node.emit.cast(r, type));
  };
  t["Pow"] = pow;

  t["Max"] = variadic<MaxOp>();
  t["Min"] = variadic<MinOp>();
  t["Sum"] = variadic<AddOp>();
  t["Mean"] = variadic<AddOp>(/*mean=*/true);

  using P = ComparePredicate;
  t["Equal"] = comparison(
      P::eq, [](auto &v) { return double(v[0] == v[1]); },
      [](auto &v) { return int64_t(v[0] == v[1]); });
  t["Less"] = comparison(
      P::lt, [](auto &v) { return double(v[0] < v[1]); },
      [](auto &v) { return int64_t(v[0] < v[1]); });
  t["Greater"] = comparison(
      P::gt, [](auto &v) { return double(v[0] > v[1]); },
      [](auto &v) { return int64_t(v[0] > v[1]); });
  t["LessOrEqual"] = comparison(
      P::le, [](auto &v) { return double(v[0] <= v[1]); },
      [](auto &v) { return int64_t(v[0] <= v[1]); });
  t["GreaterOrEqual"] = comparison(
      P::ge, [](auto &v) { return double(v[0] >= v[1]); },
      [](auto &v) { return int64_t(v[0] >= v[1]); });
  t["LessOrEqual"].minOpset = t["GreaterOrEqual"].minOpset = 12;

  // Logic on bool tensors.
  auto boolsOnly = [](Node &node) {
    for (int i = 0; i < node.numInputs(); ++i)
      if (node.inputDType(i) != DType::I1)
        fail("input #" + std::to_string(i) + " is not a bool tensor");
  };
  Converter notOp;
  notOp.convert = [=](Node &node) {
    boolsOnly(node);
    if (tryFold(node, DType::I1, nullptr, [](auto &v) { return !v[0]; }))
      return;
    Value x = node.input(0);
    node.setOutput(0, node.emit.compare(P::eq, x, node.emit.like(x, 0)));
  };
  notOp.minOpset = 1;
  t["Not"] = notOp;
  Converter andOp;
  andOp.convert = [=](Node &node) {
    boolsOnly(node);
    if (tryFold(node, DType::I1, nullptr,
                [](auto &v) { return int64_t(v[0] && v[1]); }))
      return;
    Value a = node.input(0), b = legacyAlign(node, a, node.input(1));
    node.setOutput(0, node.emit.select(a, b, node.emit.like(b, 0)));
  };
  t["And"] = andOp;
  Converter orOp;
  orOp.convert = [=](Node &node) {
    boolsOnly(node);
    if (tryFold(node, DType::I1, nullptr,
                [](auto &v) { return int64_t(v[0] || v[1]); }))
      return;
    Value a = node.input(0), b = legacyAlign(node, a, node.input(1));
    node.setOutput(0, node.emit.select(a, node.emit.like(b, 1), b));
  };
  t["Or"] = orOp;
  Converter xorOp;
  xorOp.convert = [=](Node &node) {
    boolsOnly(node);
    Value a = node.input(0), b = legacyAlign(node, a, node.input(1));
    node.setOutput(0, node.emit.compare(P::ne, a, b));
  };
  t["Xor"] = xorOp;

  Converter where;
  where.convert = [](Node &node) {
    if (tryFold(
            node, node.inputDType(1),
            [](auto &v) { return v[0] ? v[1] : v[2]; },
            [](auto &v) { return v[0] ? v[1] : v[2]; }))
      return;
    node.setOutput(
        0, node.emit.select(node.input(0), node.input(1), node.input(2)));
  };
  where.minOpset = 9;
  t["Where"] = where;

  // Unary arithmetic.
  t["Neg"] = unaryOp<NegOp>(
      false, [](auto &v) { return -v[0]; },
      [](auto &v) { return int64_t(0 - uint64_t(v[0])); });
  t["Abs"] = unaryOp<AbsOp>(
      false, [](auto &v) { return std::fabs(v[0]); },
      [](auto &v) { return v[0] < 0 ? int64_t(0 - uint64_t(v[0])) : v[0]; });
  t["Exp"] = unaryOp<ExpOp>();
  t["Log"] = unaryOp<LogOp>();
  t["Sqrt"] = unaryOp<SqrtOp>(true, [](auto &v) { return std::sqrt(v[0]); });
  t["Tanh"] = unaryOp<TanhOp>();
  t["Sigmoid"] = unaryOp<SigmoidOp>();
  t["Erf"] = unaryOp<ErfOp>();
  t["Erf"].minOpset = 9;
  t["Relu"] = unaryOp<ReluOp>(false);
  t["Reciprocal"] = activation([](Node &, Emitter &e, Value x) {
    return e.binary<DivOp>(e.like(x, 1), x);
  });
  Converter identity;
  identity.minOpset = 1;
  identity.convert = [](Node &node) {
    if (const HostTensor *c = node.constantInput(0))
      return node.setOutput(0, *c);
    node.setOutput(0, node.input(0));
  };
  t["Identity"] = identity;
  t["Sign"] = activation(
      [](Node &, Emitter &e, Value x) {
        Value zero = e.like(x, 0);
        return e.select(
            e.compare(P::gt, x, zero), e.like(x, 1),
            e.select(e.compare(P::lt, x, zero), e.like(x, -1), zero));
      },
      false);
  t["Sign"].minOpset = 9;

  // Activations.
  t["LeakyRelu"] = activation([](Node &n, Emitter &e, Value x) {
    Value scaled = e.binary<MulOp>(x, e.like(x, n.attrFloat("alpha", 0.01)));
    return e.select(e.compare(P::lt, x, e.like(x, 0)), scaled, x);
  });
  t["PRelu"] = activation([](Node &n, Emitter &e, Value x) {
    Value slope = n.input(1);
    std::vector<int64_t> xs = shapeOf(x), ss = shapeOf(slope);
    // Before opset 7 a 1-D slope is per channel (dimension 1).
    if (n.opset < 7 && ss.size() == 1 && xs.size() > 2 && ss[0] == xs[1] &&
        ss[0] != 1) {
      std::vector<int64_t> shape(xs.size() - 1, 1);
      shape[0] = ss[0];
      slope = e.reshape(slope, shape);
    }
    return e.select(e.compare(P::lt, x, e.like(x, 0)),
                    e.binary<MulOp>(x, slope), x);
  });
  t["Elu"] = activation([](Node &n, Emitter &e, Value x) {
    Value neg =
        e.binary<MulOp>(e.like(x, n.attrFloat("alpha", 1.0)),
                        e.binary<SubOp>(e.unary<ExpOp>(x), e.like(x, 1)));
    return e.select(e.compare(P::lt, x, e.like(x, 0)), neg, x);
  });
  t["Celu"] = activation([](Node &n, Emitter &e, Value x) {
    double alpha = n.attrFloat("alpha", 1.0);
    Value neg = e.binary<MulOp>(
        e.like(x, alpha),
        e.binary<SubOp>(e.unary<ExpOp>(e.binary<DivOp>(x, e.like(x, alpha))),
                        e.like(x, 1)));
    return e.binary<AddOp>(e.binary<MaxOp>(x, e.like(x, 0)),
                           e.binary<MinOp>(neg, e.like(x, 0)));
  });
  t["Celu"].minOpset = 12;
  t["Selu"] = activation([](Node &n, Emitter &e, Value x) {
    double alpha = n.attrFloat("alpha", 1.67326319217681884765625);
    double gamma = n.attrFloat("gamma", 1.05070102214813232421875);
    Value neg = e.binary<SubOp>(
        e.binary<MulOp>(e.like(x, alpha), e.unary<ExpOp>(x)), e.like(x, alpha));
    Value y = e.select(e.compare(P::le, x, e.like(x, 0)), neg, x);
    return e.binary<MulOp>(y, e.like(x, gamma));
  });
  t["ThresholdedRelu"] = activation([](Node &n, Emitter &e, Value x) {
    return e.select(e.compare(P::gt, x, e.like(x, n.attrFloat("alpha", 1.0))),
                    x, e.like(x, 0));
  });
  t["ThresholdedRelu"].minOpset = 10;
  auto hardSigmoid = [](Emitter &e, Value x, double alpha, double beta) {
    Value y =
        e.binary<AddOp>(e.binary<MulOp>(x, e.like(x, alpha)), e.like(x, beta));
    return e.binary<MaxOp>(e.binary<MinOp>(y, e.like(x, 1)), e.like(x, 0));
  };
  t["HardSigmoid"] = activation([=](Node &n, Emitter &e, Value x) {
    return hardSigmoid(e, x, n.attrFloat("alpha", 0.2),
                       n.attrFloat("beta", 0.5));
  });
  t["HardSwish"] = activation([=](Node &, Emitter &e, Value x) {
    return e.binary<MulOp>(x, hardSigmoid(e, x, 1.0 / 6, 0.5));
  });
  t["HardSwish"].minOpset = 14;
  t["Softplus"] = activation([](Node &, Emitter &e, Value x) {
    // max(x, 0) + log(1 + exp(-|x|)): exp cannot overflow.
    Value tail = e.unary<LogOp>(e.binary<AddOp>(
        e.like(x, 1), e.unary<ExpOp>(e.unary<NegOp>(e.unary<AbsOp>(x)))));
    return e.binary<AddOp>(e.binary<MaxOp>(x, e.like(x, 0)), tail);
  });
  t["Softplus"].minOpset = 1;
  t["Softsign"] = activation([](Node &, Emitter &e, Value x) {
    return e.binary<DivOp>(x, e.binary<AddOp>(e.like(x, 1), e.unary<AbsOp>(x)));
  });
  t["Softsign"].minOpset = 1;
  t["Shrink"] = activation(
      [](Node &n, Emitter &e, Value x) {
        double lambd = n.attrFloat("lambd", 0.5), bias = n.attrFloat("bias", 0);
        Value zero = e.like(x, 0);
        Value low = e.binary<AddOp>(x, e.like(x, bias));
        Value high = e.binary<SubOp>(x, e.like(x, bias));
        return e.select(
            e.compare(P::lt, x, e.like(x, -lambd)), low,
            e.select(e.compare(P::gt, x, e.like(x, lambd)), high, zero));
      },
      false);
  t["Shrink"].minOpset = 9;

  Converter clip;
  clip.convert = [](Node &node) {
    Value x = node.input(0);
    Emitter &e = node.emit;
    std::optional<Value> lo, hi;
    if (node.opset < 11) {
      if (node.attr("min"))
        lo = e.like(x, node.attrFloat("min", 0));
      if (node.attr("max"))
        hi = e.like(x, node.attrFloat("max", 0));
    } else {
      if (node.hasInput(1))
        lo = node.input(1);
      if (node.hasInput(2))
        hi = node.input(2);
    }
    if (lo)
      x = e.binary<MaxOp>(x, *lo);
    if (hi)
      x = e.binary<MinOp>(x, *hi);
    node.setOutput(0, x);
  };
  t["Clip"] = clip;

  Converter castOp;
  castOp.check = checkCastTarget;
  castOp.convert = [](Node &node) {
    DType to = *dtypeFromOnnx(node.attrInt("to", 0));
    if (const HostTensor *c = node.constantInput(0)) {
      HostTensor out = HostTensor::make(to, c->shape, {});
      std::vector<double> values(c->numElements());
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = c->at(i);
      if (c->isFloat() || isFloat(to))
        out = HostTensor::make(to, c->shape, values);
      else
        out = HostTensor::fromInts(to, c->shape, c->ints);
      node.setOutput(0, out);
      return;
    }
    node.setOutput(0, castValue(node, to));
  };
  t["Cast"] = castOp;
  Converter castLike;
  castLike.minOpset = 15;
  castLike.convert = [](Node &node) {
    node.setOutput(0, castValue(node, node.inputDType(1)));
  };
  t["CastLike"] = castLike;

  Converter dropout;
  dropout.check = [](const onnx::NodeProto &node, int64_t opset) {
    for (const auto &a : node.attribute())
      if (opset < 7 && a.name() == "is_test" && a.i() == 0)
        return std::string("training-mode dropout (is_test = 0)");
    return std::string();
  };
  dropout.convert = [](Node &node) {
    if (node.opset >= 12 && node.hasInput(2)) {
      const HostTensor &training = node.requireConstant(2, "training_mode");
      double ratio = 0.5;
      if (node.hasInput(1)) {
        const HostTensor &r = node.requireConstant(1, "ratio");
        ratio = r.numElements() ? r.at(0) : ratio;
      }
      // With ratio 0, training-mode dropout keeps everything.
      if (training.numElements() && training.at(0) != 0 && ratio != 0)
        fail("training-mode dropout (random masks) is unsupported");
    }
    Value x = node.input(0);
    node.setOutput(0, x);
    if (node.hasOutput(1))
      node.setOutput(1, node.emit.splat(1, DType::I1, shapeOf(x)));
  };
  t["Dropout"] = dropout;
}
