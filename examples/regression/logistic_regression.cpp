//===- logistic_regression.cpp - The seed: y = sigmoid(w x + b) ---------===//
//
// Two separable classes in the plane (the label is which side of the line
// x1 + 2 x2 = 0.5 a point lies on, with a margin), a logistic model
// p = sigmoid(x w + b), binary cross-entropy, gradient descent.
//
//===----------------------------------------------------------------------===//

#include "frontend/Frontend.h"

#include <cstdio>

using namespace kiln;

int main() {
  const int64_t n = 512;
  std::vector<float> xs(2 * n), ys(n);
  uint64_t state = 7;
  auto uniform = [&state]() { // splitmix64 -> [0, 1)
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  for (int64_t i = 0; i < n;) {
    float x1 = static_cast<float>(4 * uniform() - 2);
    float x2 = static_cast<float>(4 * uniform() - 2);
    float side = x1 + 2 * x2 - 0.5f;
    if (side > -0.2f && side < 0.2f)
      continue; // keep a margin: the classes are separable
    xs[2 * i] = x1;
    xs[2 * i + 1] = x2;
    ys[i] = side > 0 ? 1.0f : 0.0f;
    ++i;
  }

  try {
    Graph g("logistic_regression");
    Var w = g.parameter("w", {2, 1}, init::zeros());
    Var b = g.parameter("b", {1}, init::zeros());
    Var x = g.input("x", {n, 2});
    Var y = g.input("y", {n, 1});
    Var logits = matmul(x, w) + b;
    g.output("loss", binaryCrossEntropyWithLogits(logits, y));
    g.output("probability", sigmoid(logits));

    auto step = TrainStep::create(g, SGD{/*lr=*/1.0});
    if (!step) {
      std::fprintf(stderr, "error: %s\n",
                   llvm::toString(step.takeError()).c_str());
      return 1;
    }
    Tensor xt = Tensor::fromVector<float>({n, 2}, xs);
    Tensor yt = Tensor::fromVector<float>({n, 1}, ys);
    double accuracy = 0;
    for (int epoch = 1; epoch <= 300; ++epoch) {
      if (Status s = (*step)->run({xt, yt}); !s) {
        std::fprintf(stderr, "error: %s\n", s.message().c_str());
        return 1;
      }
      const float *p = (*step)->outputs()[1].dataAs<float>();
      int64_t correct = 0;
      for (int64_t i = 0; i < n; ++i)
        correct += (p[i] > 0.5f) == (ys[i] > 0.5f);
      accuracy = static_cast<double>(correct) / n;
      if (epoch % 100 == 0)
        std::printf("step %3d  loss %.4f  training accuracy %.2f%%\n", epoch,
                    (*step)->loss(), 100 * accuracy);
    }
    return accuracy > 0.99 ? 0 : 1;
  } catch (const GraphError &error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
}
