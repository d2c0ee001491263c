//===- Initializers.cpp - Seeded initial values of parameters ------------===//

#include "frontend/Initializers.h"
#include "frontend/GraphError.h"

#include <cmath>
#include <sstream>

using namespace kiln;

namespace {
/// splitmix64 (Steele, Lea, Flood 2014): a tiny, well-distributed generator
/// whose output is the same everywhere.
class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1), 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Standard normal by Box-Muller; both values of a pair are used.
  double normal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = 1.0 - unit(); // (0, 1]: log(u1) is finite
    double u2 = unit();
    double r = std::sqrt(-2.0 * std::log(u1));
    double theta = 2.0 * M_PI * u2;
    spare = r * std::sin(theta);
    hasSpare = true;
    return r * std::cos(theta);
  }

private:
  uint64_t state;
  double spare = 0;
  bool hasSpare = false;
};

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

const char *nonlinearityName(Nonlinearity nonlinearity) {
  switch (nonlinearity) {
  case Nonlinearity::Linear:
    return "linear";
  case Nonlinearity::Conv:
    return "conv";
  case Nonlinearity::Sigmoid:
    return "sigmoid";
  case Nonlinearity::Tanh:
    return "tanh";
  case Nonlinearity::ReLU:
    return "relu";
  case Nonlinearity::LeakyReLU:
    return "leaky_relu";
  case Nonlinearity::SELU:
    return "selu";
  }
  return "?";
}

/// Stores `value` as element `i` of a contiguous tensor of any dtype.
void store(Tensor &tensor, int64_t i, double value) {
  switch (tensor.dtype()) {
  case DType::F32:
    tensor.dataAs<float>()[i] = static_cast<float>(value);
    return;
  case DType::F64:
    tensor.dataAs<double>()[i] = value;
    return;
  case DType::I32:
    tensor.dataAs<int32_t>()[i] = static_cast<int32_t>(value);
    return;
  case DType::I64:
    tensor.dataAs<int64_t>()[i] = static_cast<int64_t>(value);
    return;
  case DType::I1:
  case DType::U8:
    tensor.dataAs<uint8_t>()[i] = value != 0.0;
    return;
  }
}
} // namespace

Fans kiln::computeFans(const std::vector<int64_t> &shape) {
  if (shape.size() < 2)
    throw GraphError("fan in and fan out need a weight of at least 2 "
                     "dimensions ([out, in, ...]), got shape " +
                     shapeText(shape));
  int64_t receptive = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    receptive *= shape[d];
  return {shape[1] * receptive, shape[0] * receptive};
}

double kiln::calculateGain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
  case Nonlinearity::Linear:
  case Nonlinearity::Conv:
  case Nonlinearity::Sigmoid:
    return 1.0;
  case Nonlinearity::Tanh:
    return 5.0 / 3.0;
  case Nonlinearity::ReLU:
    return std::sqrt(2.0);
  case Nonlinearity::LeakyReLU:
    return std::sqrt(2.0 / (1.0 + param * param));
  case Nonlinearity::SELU:
    return 3.0 / 4.0;
  }
  return 1.0;
}

double Initializer::fanScale(const std::vector<int64_t> &shape) const {
  Fans fans = computeFans(shape);
  switch (kind_) {
  case Kind::XavierUniform:
    return a_ * std::sqrt(6.0 / static_cast<double>(fans.fanIn + fans.fanOut));
  case Kind::XavierNormal:
    return a_ * std::sqrt(2.0 / static_cast<double>(fans.fanIn + fans.fanOut));
  case Kind::KaimingUniform:
  case Kind::KaimingNormal: {
    int64_t fan = mode_ == FanMode::FanIn ? fans.fanIn : fans.fanOut;
    double std =
        calculateGain(nonlinearity_, a_) / std::sqrt(static_cast<double>(fan));
    // U(-b, b) has standard deviation b / sqrt(3).
    return kind_ == Kind::KaimingUniform ? std::sqrt(3.0) * std : std;
  }
  default:
    return 0.0;
  }
}

Tensor Initializer::generate(const std::vector<int64_t> &shape, DType dtype,
                             uint64_t seed) const {
  bool isFloat = dtype == DType::F32 || dtype == DType::F64;
  if (kind_ != Kind::Constant && !isFloat)
    throw GraphError(describe() +
                     " draws random values and needs an f32 or "
                     "f64 tensor, got " +
                     dtypeName(dtype));
  Tensor tensor = Tensor::zeros(dtype, shape);
  if (tensor.empty())
    throw GraphError("cannot make a tensor of shape " + shapeText(shape) +
                     " (negative dimension or too large)");
  if (tensor.numElements() == 0)
    return tensor; // as PyTorch: initializing no elements is a no-op
  double lo = a_, hi = b_;
  switch (kind_) {
  case Kind::XavierUniform:
  case Kind::KaimingUniform:
    hi = fanScale(shape);
    lo = -hi;
    break;
  case Kind::XavierNormal:
  case Kind::KaimingNormal:
    lo = 0.0;
    hi = fanScale(shape);
    break;
  default:
    break;
  }
  Random random(seed_ ? *seed_ : seed);
  for (int64_t i = 0, n = tensor.numElements(); i < n; ++i) {
    double value = a_;
    switch (kind_) {
    case Kind::Uniform:
    case Kind::XavierUniform:
    case Kind::KaimingUniform:
      value = lo + (hi - lo) * random.unit();
      break;
    case Kind::Normal:
    case Kind::XavierNormal:
    case Kind::KaimingNormal:
      value = lo + hi * random.normal();
      break;
    case Kind::Constant:
      break;
    }
    store(tensor, i, value);
  }
  return tensor;
}

Initializer Initializer::withSeed(uint64_t seed) const {
  Initializer copy = *this;
  copy.seed_ = seed;
  return copy;
}

std::string Initializer::describe() const {
  std::ostringstream os;
  switch (kind_) {
  case Kind::Constant:
    os << "constant(" << a_ << ")";
    break;
  case Kind::Uniform:
    os << "uniform(" << a_ << ", " << b_ << ")";
    break;
  case Kind::Normal:
    os << "normal(mean=" << a_ << ", std=" << b_ << ")";
    break;
  case Kind::XavierUniform:
    os << "xavier_uniform(gain=" << a_ << ")";
    break;
  case Kind::XavierNormal:
    os << "xavier_normal(gain=" << a_ << ")";
    break;
  case Kind::KaimingUniform:
  case Kind::KaimingNormal:
    os << (kind_ == Kind::KaimingUniform ? "kaiming_uniform" : "kaiming_normal")
       << "(a=" << a_ << ", "
       << (mode_ == FanMode::FanIn ? "fan_in" : "fan_out") << ", "
       << nonlinearityName(nonlinearity_) << ")";
    break;
  }
  if (seed_)
    os << " seed " << *seed_;
  return os.str();
}

Initializer init::zeros() { return constant(0.0); }
Initializer init::ones() { return constant(1.0); }
Initializer init::constant(double value) {
  return Initializer(Initializer::Kind::Constant, value);
}
Initializer init::uniform(double lo, double hi) {
  return Initializer(Initializer::Kind::Uniform, lo, hi);
}
Initializer init::normal(double mean, double std) {
  return Initializer(Initializer::Kind::Normal, mean, std);
}
Initializer init::xavierUniform(double gain) {
  return Initializer(Initializer::Kind::XavierUniform, gain);
}
Initializer init::xavierNormal(double gain) {
  return Initializer(Initializer::Kind::XavierNormal, gain);
}
Initializer init::kaimingUniform(double a, FanMode mode,
                                 Nonlinearity nonlinearity) {
  return Initializer(Initializer::Kind::KaimingUniform, a, 0.0, mode,
                     nonlinearity);
}
Initializer init::kaimingNormal(double a, FanMode mode,
                                Nonlinearity nonlinearity) {
  return Initializer(Initializer::Kind::KaimingNormal, a, 0.0, mode,
                     nonlinearity);
}
