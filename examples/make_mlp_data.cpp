//===- make_mlp_data.cpp - Inputs and weights for mlp_forward.mlir --------===//
//
//   kiln-make-mlp-data <dir>   writes x.npy w1.npy b1.npy w2.npy b2.npy
//
// Deterministic (a fixed-seed splitmix64, not std:: distributions, whose
// output differs between standard libraries): the same files everywhere.
// x looks like pixels in [0, 1); weights are uniform in +-sqrt(6 / fan_in)
// (He-uniform), biases in +-0.1.
//
//===----------------------------------------------------------------------===//

#include "runtime/Runtime.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 24 random bits: exact in f32.
  float uniform() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }
};

kiln::Tensor uniform(SplitMix64 &rng, std::vector<int64_t> shape, float low,
                     float high) {
  kiln::Tensor t = kiln::Tensor::zeros(kiln::DType::F32, shape);
  float *data = t.dataAs<float>();
  for (int64_t i = 0; i < t.numElements(); ++i)
    data[i] = low + (high - low) * rng.uniform();
  return t;
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kiln-make-mlp-data <output-dir>\n");
    return 2;
  }
  std::string dir = argv[1];
  SplitMix64 rng{20261129};
  float l1 = std::sqrt(6.0f / 784), l2 = std::sqrt(6.0f / 512);
  struct File {
    const char *name;
    kiln::Tensor tensor;
  } files[] = {
      {"x", uniform(rng, {8, 784}, 0.0f, 1.0f)},
      {"w1", uniform(rng, {784, 512}, -l1, l1)},
      {"b1", uniform(rng, {512}, -0.1f, 0.1f)},
      {"w2", uniform(rng, {512, 10}, -l2, l2)},
      {"b2", uniform(rng, {10}, -0.1f, 0.1f)},
  };
  for (const File &file : files) {
    kiln::Status status =
        kiln::writeNpy(dir + "/" + file.name + ".npy", file.tensor);
    if (!status) {
      std::fprintf(stderr, "kiln-make-mlp-data: error: %s\n",
                   status.message().c_str());
      return 1;
    }
  }
  return 0;
}
