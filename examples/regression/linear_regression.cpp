//===- linear_regression.cpp - The seed: y = w x + b by gradient descent --===//
//
// Synthetic data y = 3 x + 2 plus noise; a model with one weight and one
// bias; mean squared error; plain gradient descent. The compiler
// differentiates the loss (kiln-autodiff) and compiles forward, backward
// and update into one native step.
//
//===----------------------------------------------------------------------===//

#include "frontend/Frontend.h"

#include <cmath>
#include <cstdio>

using namespace kiln;

int main() {
  const int64_t n = 256;
  // Data: x uniform in [-1, 1), y = 3x + 2 + noise in [-0.1, 0.1).
  std::vector<float> xs(n), ys(n);
  uint64_t state = 2026;
  auto uniform = [&state]() { // splitmix64 -> [0, 1)
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  for (int64_t i = 0; i < n; ++i) {
    xs[i] = static_cast<float>(2 * uniform() - 1);
    ys[i] = 3 * xs[i] + 2 + static_cast<float>(0.2 * uniform() - 0.1);
  }

  try {
    Graph g("linear_regression");
    Var w = g.parameter("w", {1}, init::zeros());
    Var b = g.parameter("b", {1}, init::zeros());
    Var x = g.input("x", {n});
    Var y = g.input("y", {n});
    Var prediction = w * x + b; // [1] broadcasts against [n]
    g.output("loss", mseLoss(prediction, y));

    auto step = TrainStep::create(g, SGD{/*lr=*/0.1});
    if (!step) {
      std::fprintf(stderr, "error: %s\n",
                   llvm::toString(step.takeError()).c_str());
      return 1;
    }
    Tensor xt = Tensor::fromVector<float>({n}, xs);
    Tensor yt = Tensor::fromVector<float>({n}, ys);
    for (int epoch = 1; epoch <= 200; ++epoch) {
      if (Status s = (*step)->run({xt, yt}); !s) {
        std::fprintf(stderr, "error: %s\n", s.message().c_str());
        return 1;
      }
      if (epoch % 50 == 0)
        std::printf("step %3d  loss %.6f\n", epoch, (*step)->loss());
    }
    float wv = (*step)->parameter("w").dataAs<float>()[0];
    float bv = (*step)->parameter("b").dataAs<float>()[0];
    std::printf("learned w = %.4f, b = %.4f (true: 3, 2)\n", wv, bv);
    return std::fabs(wv - 3) < 1e-2 && std::fabs(bv - 2) < 1e-2 ? 0 : 1;
  } catch (const GraphError &error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
}
