//===- TrainingReference.cpp - The bench models in plain C++ -------------===//

#include "TrainingReference.h"

#include <algorithm>
#include <cmath>

namespace kiln::bench {

Values linear(const Values &x, int64_t n, int64_t in, const Values &w,
              const Values &b, int64_t out) {
  Values y(n * out);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double sum = b[o];
      for (int64_t i = 0; i < in; ++i)
        sum += x[r * in + i] * w[o * in + i];
      y[r * out + o] = sum;
    }
  return y;
}

LinearGrads linearBackward(const Values &x, int64_t n, int64_t in,
                           const Values &w, const Values &dy, int64_t out) {
  LinearGrads g{Values(n * in), Values(out * in), Values(out)};
  for (int64_t r = 0; r < n; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double d = dy[r * out + o];
      g.db[o] += d;
      for (int64_t i = 0; i < in; ++i) {
        g.dx[r * in + i] += d * w[o * in + i];
        g.dw[o * in + i] += d * x[r * in + i];
      }
    }
  return g;
}

Values relu(Values x) {
  for (double &v : x)
    v = std::max(v, 0.0);
  return x;
}

Values reluBackward(const Values &y, Values dy) {
  for (size_t i = 0; i < dy.size(); ++i)
    if (!(y[i] > 0))
      dy[i] = 0;
  return dy;
}

Values conv2d(const Values &x, int64_t n, int64_t c, int64_t h, int64_t w,
              const Values &f, const Values &b, int64_t o, int64_t k,
              int64_t pad) {
  Values y(n * o * h * w);
  for (int64_t img = 0; img < n; ++img)
    for (int64_t oc = 0; oc < o; ++oc) {
      double *out = &y[(img * o + oc) * h * w];
      std::fill(out, out + h * w, b[oc]);
      for (int64_t ic = 0; ic < c; ++ic)
        for (int64_t kh = 0; kh < k; ++kh)
          for (int64_t kw = 0; kw < k; ++kw) {
            double weight = f[((oc * c + ic) * k + kh) * k + kw];
            const double *in = &x[(img * c + ic) * h * w];
            for (int64_t oh = 0; oh < h; ++oh) {
              int64_t ih = oh + kh - pad;
              if (ih < 0 || ih >= h)
                continue;
              for (int64_t ow = 0; ow < w; ++ow) {
                int64_t iw = ow + kw - pad;
                if (iw >= 0 && iw < w)
                  out[oh * w + ow] += weight * in[ih * w + iw];
              }
            }
          }
    }
  return y;
}

Values maxPool2(const Values &x, int64_t n, int64_t c, int64_t h, int64_t w) {
  int64_t oh = h / 2, ow = w / 2;
  Values y(n * c * oh * ow);
  for (int64_t plane = 0; plane < n * c; ++plane)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        const double *p = &x[plane * h * w + 2 * i * w + 2 * j];
        y[(plane * oh + i) * ow + j] =
            std::max(std::max(p[0], p[1]), std::max(p[w], p[w + 1]));
      }
  return y;
}

CrossEntropy crossEntropy(const Values &logits, int64_t n, int64_t classes,
                          const std::vector<int64_t> &labels) {
  CrossEntropy result{0, Values(n * classes)};
  for (int64_t r = 0; r < n; ++r) {
    const double *z = &logits[r * classes];
    double top = *std::max_element(z, z + classes), sum = 0;
    for (int64_t j = 0; j < classes; ++j)
      sum += std::exp(z[j] - top);
    result.loss += top + std::log(sum) - z[labels[r]];
    for (int64_t j = 0; j < classes; ++j)
      result.dlogits[r * classes + j] =
          (std::exp(z[j] - top) / sum - (j == labels[r])) / n;
  }
  result.loss /= n;
  return result;
}

} // namespace kiln::bench
