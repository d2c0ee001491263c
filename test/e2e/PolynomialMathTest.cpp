//===- PolynomialMathTest.cpp - f32 exp, log, tanh against libm -----------===//
//
// kiln-polynomial-math replaces f32 exp and tanh by polynomial
// approximations so that their loops vectorize. Here they run over their
// whole range (normal, subnormal and special inputs) and are compared with
// libm in double precision, in ulp of the f32 result. f32 log stays the C
// library's logf (see backend/PolynomialMath.cpp).
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// |got - want| in units of the last place of want rounded to f32; 0 when
/// both are NaN or round to the same infinity (exp(88.7234) overflows f32),
/// infinite when only one is.
double ulpError(float got, double want) {
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got) ? 0 : INFINITY;
  float rounded = static_cast<float>(want);
  if (std::isinf(rounded) || std::isinf(got))
    return got == rounded ? 0 : INFINITY;
  double ulp = std::nextafter(std::fabs(rounded), INFINITY) -
               std::fabs(rounded); // the subnormal spacing near zero
  return std::fabs(double(got) - want) / ulp;
}

/// Runs `op` (a unary kiln op) on `inputs` and checks every result within
/// `maxUlp` of `reference`.
void expectWithinUlp(const std::string &op, const std::vector<float> &inputs,
                     const std::function<double(double)> &reference,
                     double maxUlp) {
  int64_t n = static_cast<int64_t>(inputs.size());
  std::string t = "tensor<" + std::to_string(n) + "xf32>";
  std::string ir = "func.func @f(%x: " + t + ") -> " + t + " {\n  %y = kiln." +
                   op + " %x : " + t + "\n  return %y : " + t + "\n}\n";
  std::unique_ptr<CompiledModule> module;
  ASSERT_TRUE(compileIR(ir, module));
  std::vector<Tensor> out;
  ASSERT_TRUE(
      invokeFn(*module, "f", {Tensor::fromVector<float>({n}, inputs)}, out));
  std::vector<float> got = toVector<float>(out[0]);
  double worst = 0;
  int64_t at = 0;
  for (int64_t i = 0; i < n; ++i) {
    double e = ulpError(got[i], reference(inputs[i]));
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  EXPECT_LE(worst, maxUlp) << op << "(" << inputs[at] << ") = " << got[at]
                           << ", libm " << reference(inputs[at]);
}

/// `n` values evenly spaced in [lo, hi], then the special values.
std::vector<float> sweep(double lo, double hi, int n) {
  std::vector<float> values;
  for (int i = 0; i < n; ++i)
    values.push_back(static_cast<float>(lo + (hi - lo) * i / (n - 1)));
  for (float special : {0.0f, -0.0f, INFINITY, -INFINITY, NAN, FLT_MIN,
                        -FLT_MIN, FLT_TRUE_MIN, FLT_MAX, -FLT_MAX})
    values.push_back(special);
  return values;
}

TEST(PolynomialMath, ExpWithinSixUlpOfLibm) {
  // Up to overflow (inf) and down to underflow, through the subnormal
  // results. The largest errors (5.3 ulp) are just below overflow.
  expectWithinUlp(
      "exp", sweep(-110, 89, 100003), [](double x) { return std::exp(x); }, 6);
}

TEST(PolynomialMath, LogIsTheCLibrarysLogf) {
  // Every binade from the smallest subnormal up, and the specials:
  // log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
  std::vector<float> inputs;
  for (int i = 0; i < 100003; ++i)
    inputs.push_back(
        static_cast<float>(std::exp2(-149.0 + 276.99 * i / 100002)));
  for (float special : {0.0f, -0.0f, -1.0f, INFINITY, -INFINITY, NAN, 1.0f,
                        std::nextafter(1.0f, 2.0f), std::nextafter(1.0f, 0.0f)})
    inputs.push_back(special);
  expectWithinUlp(
      "log", inputs, [](double x) { return std::log(static_cast<float>(x)); },
      0);
}

TEST(PolynomialMath, TanhWithinFiveUlpOfLibm) {
  // Tiny inputs (tanh x = x), the curved middle and saturation at +-1.
  std::vector<float> inputs = sweep(-12, 12, 100003);
  for (float tiny : {1e-30f, -1e-20f, 3e-5f, -4e-4f, 1e-3f})
    inputs.push_back(tiny);
  expectWithinUlp(
      "tanh", inputs, [](double x) { return std::tanh(x); }, 5);
}

TEST(PolynomialMath, SigmoidWithinEightUlpOfLibm) {
  // 1 / (1 + exp(-x)): exp's error plus one add and one divide. Stops at
  // -87 where exp(-x) overflows f32 (the result is then 0, as in the C
  // library's float evaluation of the same formula).
  expectWithinUlp(
      "sigmoid", sweep(-87, 40, 100003),
      [](double x) { return 1 / (1 + std::exp(-x)); }, 8);
}

} // namespace
