//===- TrainingReference.h - The bench models in plain C++ ------*- C++ -*-===//
//
// An independent double-precision reference of the two models that bench
// rows 3 and 4 train (the Fashion-MNIST examples' MLP and CNN), written as
// plain loops: kiln-bench-training --check compares Kiln's losses, logits
// and updates with it, so the benchmark only times code that is right.
// Layouts are PyTorch's: activations [N, C, H, W] or [N, F], Linear
// weights [out, in], convolution filters [O, C, kH, kW].
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_TRAININGREFERENCE_H
#define KILN_BENCH_TRAININGREFERENCE_H

#include <cstdint>
#include <vector>

namespace kiln::bench {

using Values = std::vector<double>;

/// y[n, o] = sum_i x[n, i] w[o, i] + b[o].
Values linear(const Values &x, int64_t n, int64_t in, const Values &w,
              const Values &b, int64_t out);

/// The gradients of linear() given dy [n, out]: dx [n, in], dw [out, in],
/// db [out].
struct LinearGrads {
  Values dx, dw, db;
};
LinearGrads linearBackward(const Values &x, int64_t n, int64_t in,
                           const Values &w, const Values &dy, int64_t out);

Values relu(Values x);
/// dy where the ReLU's output y is positive, else 0.
Values reluBackward(const Values &y, Values dy);

/// 2-D convolution, stride 1, `pad` zeros on every side, same output size
/// when the kernel is 2 * pad + 1: x [n, c, h, w], f [o, c, k, k], b [o].
Values conv2d(const Values &x, int64_t n, int64_t c, int64_t h, int64_t w,
              const Values &f, const Values &b, int64_t o, int64_t k,
              int64_t pad);

/// 2x2 max pooling, stride 2: x [n, c, h, w] -> [n, c, h / 2, w / 2].
Values maxPool2(const Values &x, int64_t n, int64_t c, int64_t h, int64_t w);

/// Mean softmax cross-entropy of logits [n, classes] against labels, and
/// its gradient with respect to the logits.
struct CrossEntropy {
  double loss;
  Values dlogits;
};
CrossEntropy crossEntropy(const Values &logits, int64_t n, int64_t classes,
                          const std::vector<int64_t> &labels);

} // namespace kiln::bench

#endif // KILN_BENCH_TRAININGREFERENCE_H
