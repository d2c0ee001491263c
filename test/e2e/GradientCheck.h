//===- GradientCheck.h - Finite-difference checks of kiln-autodiff ------===//
//
// checkGradient(case) builds, in f64,
//
//   func.func @f(%a0, %a1, ..., %proj) -> tensor<f64> {
//     <case.body, which defines %r from %a0, %a1, ...>
//     return sum(%r * %proj)
//   }
//   func.func @g(...) = kiln.grad @f(...) wrt [the case's wrt arguments]
//
// and compares the gradients @g returns with central finite differences of
// @f. `%proj` is a fixed random tensor, so every element of %r reaches the
// loss with a different weight (a plain sum would hide transposition and
// indexing mistakes behind symmetric cotangents).
//
// Both are JIT-compiled through the whole pipeline, so this checks the
// gradient rule, the autodiff pass and the lowering together.
//
// Error measure, per argument: ||analytic - numeric||_2 divided by the
// larger of the two norms must be below `tolerance` (1e-6 by default), and
// each element must agree within tolerance * max(1, ||numeric||_inf).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_E2E_GRADIENTCHECK_H
#define KILN_TEST_E2E_GRADIENTCHECK_H

#include "E2ETestUtil.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace kiln::e2e {

/// One argument of a gradient check.
struct GradArg {
  std::vector<int64_t> shape;
  /// Values are drawn uniformly from [lo, hi)...
  double lo = -2.0, hi = 2.0;
  /// ... resampled while |x| < minAbs (keeps away from kinks at 0).
  double minAbs = 0.0;
  /// Draw from a pool shared by all `distinct` arguments of the case:
  /// values at least 0.25 apart, so max/min/argmax have no ties that a
  /// finite-difference step could cross.
  bool distinct = false;
  /// When positive, values are rounded to multiples of it (with an exact
  /// step, finite differences of a linear function are then exact).
  double grid = 0.0;
  /// Differentiate with respect to this argument.
  bool wrt = true;
  /// A fixed value (any dtype) instead of random data; never differentiated.
  Tensor fixed;
};

struct GradCase {
  /// Uses %a0, %a1, ... and `$T` (replaced by f64); defines %r.
  std::string body;
  std::vector<GradArg> args;
  std::vector<int64_t> resultShape;
  /// Finite-difference step. Linear functions may use a large exact step.
  double step = 1e-5;
  double tolerance = 1e-6;
  uint64_t seed = 1;
};

namespace detail {

inline std::string tensorType(const std::vector<int64_t> &shape,
                              const std::string &element) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + element + ">";
}

inline std::string argType(const GradArg &arg) {
  if (!arg.fixed.empty())
    return tensorType(arg.fixed.shape(), dtypeName(arg.fixed.dtype()));
  return tensorType(arg.shape, "f64");
}

inline std::string gradientModule(const GradCase &c) {
  std::string params, operands, operandTypes, resultTypes, wrt;
  for (size_t i = 0; i < c.args.size(); ++i) {
    std::string type = argType(c.args[i]);
    params += "%a" + std::to_string(i) + ": " + type + ", ";
    operands += "%a" + std::to_string(i) + ", ";
    operandTypes += type + ", ";
    if (c.args[i].wrt && c.args[i].fixed.empty()) {
      wrt += (wrt.empty() ? "" : ", ") + std::to_string(i);
      resultTypes += ", " + type;
    }
  }
  std::string projType = tensorType(c.resultShape, "f64");
  std::string axes;
  for (size_t d = 0; d < c.resultShape.size(); ++d)
    axes += (d ? ", " : "") + std::to_string(d);
  std::string numWrt = std::to_string(
      std::count_if(c.args.begin(), c.args.end(),
                    [](const GradArg &a) { return a.wrt && a.fixed.empty(); }));
  std::string returned;
  for (int i = 0, e = std::stoi(numWrt); i < e; ++i)
    returned += ", %g#" + std::to_string(i + 1);

  std::string ir;
  ir +=
      "func.func @f(" + params + "%proj: " + projType + ") -> tensor<f64> {\n";
  ir += replaceAll(c.body, "$T", "f64") + "\n";
  ir += "  %weighted = kiln.mul %r, %proj : " + projType + "\n";
  ir += "  %loss = kiln.reduce_sum %weighted axes [" + axes +
        "] : " + projType + " -> tensor<f64>\n";
  ir += "  return %loss : tensor<f64>\n}\n";
  ir += "func.func @g(" + params + "%proj: " + projType + ") -> (tensor<f64>" +
        resultTypes + ") {\n";
  ir += "  %g:" + std::to_string(1 + std::stoi(numWrt)) + " = kiln.grad @f(" +
        operands + "%proj) wrt [" + wrt + "] : (" + operandTypes + projType +
        ") -> (tensor<f64>" + resultTypes + ")\n";
  ir += "  return %g#0" + returned + " : tensor<f64>" + resultTypes + "\n}\n";
  return ir;
}

inline double norm2(const std::vector<double> &v) {
  double sum = 0;
  for (double x : v)
    sum += x * x;
  return std::sqrt(sum);
}

} // namespace detail

/// A case with a name, for parametrized tests (gtest prints the name).
struct NamedCase {
  const char *name;
  GradCase c;
};

inline std::ostream &operator<<(std::ostream &os, const NamedCase &named) {
  return os << named.name;
}

/// Draws the inputs of a case (exposed so tests can also build references).
inline std::vector<Tensor> gradientInputs(const GradCase &c) {
  Rng rng(c.seed);
  // The shared pool of distinct values: a shuffled grid 0.25 apart.
  int64_t poolSize = 0;
  for (const GradArg &arg : c.args)
    if (arg.distinct)
      poolSize += numElementsOf(arg.shape);
  std::vector<double> pool(static_cast<size_t>(poolSize));
  for (int64_t i = 0; i < poolSize; ++i)
    pool[i] =
        0.25 * static_cast<double>(i - poolSize / 2) + rng.uniform(-0.05, 0.05);
  for (int64_t i = poolSize - 1; i > 0; --i)
    std::swap(pool[i], pool[rng.uniformInt(0, i)]);

  std::vector<Tensor> inputs;
  size_t next = 0;
  for (const GradArg &arg : c.args) {
    if (!arg.fixed.empty()) {
      inputs.push_back(arg.fixed);
      continue;
    }
    std::vector<double> values(static_cast<size_t>(numElementsOf(arg.shape)));
    for (double &v : values) {
      if (arg.distinct) {
        v = pool[next++];
        continue;
      }
      do
        v = rng.uniform(arg.lo, arg.hi);
      while (std::fabs(v) < arg.minAbs);
      if (arg.grid > 0)
        v = std::round(v / arg.grid) * arg.grid;
    }
    inputs.push_back(Tensor::fromVector<double>(arg.shape, values));
  }
  std::vector<double> proj(static_cast<size_t>(numElementsOf(c.resultShape)));
  for (double &v : proj)
    v = rng.uniform(-1.0, 1.0);
  inputs.push_back(Tensor::fromVector<double>(c.resultShape, proj));
  return inputs;
}

/// Compares kiln-autodiff's gradients with central finite differences.
inline ::testing::AssertionResult checkGradient(const GradCase &c) {
  std::string ir = detail::gradientModule(c);
  std::unique_ptr<CompiledModule> module;
  if (auto compiled = compileIR(ir, module); !compiled)
    return compiled;
  std::vector<Tensor> inputs = gradientInputs(c);

  std::vector<Tensor> outputs;
  if (auto ok = invokeFn(*module, "g", inputs, outputs); !ok)
    return ok << "\n--- IR ---\n" << ir;
  auto loss = [&](const std::vector<Tensor> &args) {
    std::vector<Tensor> out;
    EXPECT_TRUE(invokeFn(*module, "f", args, out));
    return out.empty() ? NAN : out[0].dataAs<double>()[0];
  };
  double primal = loss(inputs);
  if (std::fabs(primal - outputs[0].dataAs<double>()[0]) >
      1e-12 * std::max(1.0, std::fabs(primal)))
    return ::testing::AssertionFailure()
           << "kiln.grad's loss " << outputs[0].dataAs<double>()[0]
           << " differs from @f's " << primal << "\n--- IR ---\n"
           << ir;

  size_t gradIndex = 1;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (!c.args[i].wrt || !c.args[i].fixed.empty())
      continue;
    const Tensor &analyticTensor = outputs[gradIndex++];
    int64_t n = analyticTensor.numElements();
    std::vector<double> analytic(analyticTensor.dataAs<double>(),
                                 analyticTensor.dataAs<double>() + n);
    std::vector<double> numeric(static_cast<size_t>(n));
    for (int64_t e = 0; e < n; ++e) {
      std::vector<Tensor> shifted = inputs;
      shifted[i] = Tensor::fromData(inputs[i].dtype(), inputs[i].shape(),
                                    inputs[i].data());
      double *x = shifted[i].dataAs<double>();
      double x0 = x[e];
      x[e] = x0 + c.step;
      double up = loss(shifted);
      x[e] = x0 - c.step;
      double down = loss(shifted);
      numeric[e] = (up - down) / (2 * c.step);
    }
    std::vector<double> diff(static_cast<size_t>(n));
    double maxNumeric = 0;
    for (int64_t e = 0; e < n; ++e) {
      diff[e] = analytic[e] - numeric[e];
      maxNumeric = std::max(maxNumeric, std::fabs(numeric[e]));
    }
    double scale =
        std::max({detail::norm2(analytic), detail::norm2(numeric), 1e-300});
    double relative = detail::norm2(diff) / scale;
    int64_t worst = 0;
    for (int64_t e = 1; e < n; ++e)
      if (std::fabs(diff[e]) > std::fabs(diff[worst]))
        worst = e;
    bool elementOk = n == 0 || std::fabs(diff[worst]) <=
                                   c.tolerance * std::max(1.0, maxNumeric);
    if (relative >= c.tolerance || !elementOk)
      return ::testing::AssertionFailure()
             << "gradient of argument %a" << i << ": relative error "
             << relative << " (tolerance " << c.tolerance << "); worst element "
             << worst << ": analytic " << analytic[worst]
             << ", finite difference " << numeric[worst] << "\n--- IR ---\n"
             << ir;
  }
  return ::testing::AssertionSuccess();
}

} // namespace kiln::e2e

#endif // KILN_TEST_E2E_GRADIENTCHECK_H
