//===- Initializers.h - Initial values of parameters ------------*- C++ -*-===//
//
// The initializers of torch.nn.init, seeded and deterministic: the same
// seed gives the same values on every platform (Kiln's own generator,
// splitmix64, and Box-Muller for normals; no std:: distributions, whose
// output differs between standard libraries). Values are drawn in double
// and rounded to the parameter's dtype.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_INITIALIZERS_H
#define KILN_FRONTEND_INITIALIZERS_H

#include "runtime/Runtime.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// Fan-in and fan-out of a weight as PyTorch computes them: for a shape
/// [out, in, k...] (Linear [out, in], Conv2d [O, I/groups, kH, kW]),
/// fanIn = in * prod(k), fanOut = out * prod(k).
struct Fans {
  int64_t fanIn;
  int64_t fanOut;
};
/// Throws GraphError for fewer than 2 dimensions.
Fans computeFans(const std::vector<int64_t> &shape);

enum class FanMode { FanIn, FanOut };
enum class Nonlinearity { Linear, Conv, Sigmoid, Tanh, ReLU, LeakyReLU, SELU };
/// torch.nn.init.calculate_gain: 1 for Linear/Conv/Sigmoid, 5/3 for Tanh,
/// sqrt(2) for ReLU, sqrt(2 / (1 + slope^2)) for LeakyReLU (`param` is the
/// negative slope), 3/4 for SELU.
double calculateGain(Nonlinearity nonlinearity, double param = 0.01);

/// How to fill a new parameter. Made by the functions in kiln::init.
class Initializer {
public:
  enum class Kind {
    Constant,       ///< every element a
    Uniform,        ///< U(a, b)
    Normal,         ///< N(mean a, std b)
    XavierUniform,  ///< gain a
    XavierNormal,   ///< gain a
    KaimingUniform, ///< a: calculateGain's parameter; mode, nonlinearity
    KaimingNormal,  ///< as KaimingUniform
  };
  explicit Initializer(Kind kind, double a = 0.0, double b = 0.0,
                       FanMode mode = FanMode::FanIn,
                       Nonlinearity nonlinearity = Nonlinearity::LeakyReLU)
      : kind_(kind), a_(a), b_(b), mode_(mode), nonlinearity_(nonlinearity) {}

  /// A tensor of `shape` and `dtype` drawn with `seed` (the initializer's own
  /// seed, if it has one, wins). Random kinds need a float dtype and the
  /// fan-based kinds at least 2 dimensions; otherwise throws GraphError.
  Tensor generate(const std::vector<int64_t> &shape, DType dtype,
                  uint64_t seed) const;
  /// The same initializer, always drawing with `seed` (instead of the seed
  /// the graph derives for each parameter).
  Initializer withSeed(uint64_t seed) const;
  const std::optional<uint64_t> &seed() const { return seed_; }
  Kind kind() const { return kind_; }
  /// "kaiming_uniform(a=2.23607, fan_in, leaky_relu)", for messages.
  std::string describe() const;

private:
  /// The scale of the fan-based kinds: their uniform bound or normal std.
  double fanScale(const std::vector<int64_t> &shape) const;

  Kind kind_;
  double a_, b_;
  FanMode mode_;
  Nonlinearity nonlinearity_;
  std::optional<uint64_t> seed_;
};

namespace init {
Initializer zeros();
Initializer ones();
Initializer constant(double value);
/// U(lo, hi).
Initializer uniform(double lo = 0.0, double hi = 1.0);
/// N(mean, std^2).
Initializer normal(double mean = 0.0, double std = 1.0);
/// Glorot/Xavier: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)).
Initializer xavierUniform(double gain = 1.0);
/// Glorot/Xavier: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)).
Initializer xavierNormal(double gain = 1.0);
inline Initializer glorotUniform(double gain = 1.0) {
  return xavierUniform(gain);
}
inline Initializer glorotNormal(double gain = 1.0) {
  return xavierNormal(gain);
}
/// He/Kaiming: U(-bound, bound) with bound = gain * sqrt(3 / fan), gain =
/// calculateGain(nonlinearity, a), fan by `mode`. PyTorch's defaults.
Initializer kaimingUniform(double a = 0.0, FanMode mode = FanMode::FanIn,
                           Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
/// He/Kaiming: N(0, std^2) with std = gain / sqrt(fan).
Initializer kaimingNormal(double a = 0.0, FanMode mode = FanMode::FanIn,
                          Nonlinearity nonlinearity = Nonlinearity::LeakyReLU);
inline Initializer heUniform(double a = 0.0, FanMode mode = FanMode::FanIn,
                             Nonlinearity nl = Nonlinearity::LeakyReLU) {
  return kaimingUniform(a, mode, nl);
}
inline Initializer heNormal(double a = 0.0, FanMode mode = FanMode::FanIn,
                            Nonlinearity nl = Nonlinearity::LeakyReLU) {
  return kaimingNormal(a, mode, nl);
}
} // namespace init

} // namespace kiln

#endif // KILN_FRONTEND_INITIALIZERS_H
