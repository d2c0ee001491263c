//===- NNReference.h - Plain loops for the layers' computations -----------===//
//
// References of Linear, convolution and pooling written from PyTorch's
// definitions, one output element at a time, in double: no im2col, no
// tiling, nothing shared with the lowering.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_FRONTEND_NNREFERENCE_H
#define KILN_TEST_FRONTEND_NNREFERENCE_H

#include "frontend/GraphOps.h"
#include "runtime/Runtime.h"

#include <limits>
#include <vector>

namespace kiln::frontend_test {

/// y[r, o] = sum_i x[r, i] w[o, i] + b[o].
inline std::vector<double> linearRef(const std::vector<double> &x,
                                     const Tensor &weight, const Tensor &bias,
                                     int64_t rows, int64_t in, int64_t out) {
  std::vector<double> y;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double acc = bias.getAsDouble(o);
      for (int64_t i = 0; i < in; ++i)
        acc += x[r * in + i] * weight.getAsDouble(o * in + i);
      y.push_back(acc);
    }
  return y;
}

/// Output size of a window sliding over `size` elements.
inline int64_t windowCount(int64_t size, int64_t padBefore, int64_t padAfter,
                           int64_t kernel, int64_t stride, int64_t dilation) {
  return (size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride +
         1;
}

/// torch.nn.functional.conv2d of x [N, C, H, W] by w [O, C / groups, kH,
/// kW] plus `bias` [O] (if not empty); `outShape` receives [N, O, OH, OW].
inline std::vector<double>
conv2dRef(const std::vector<double> &x, const std::vector<int64_t> &xShape,
          const std::vector<double> &w, const std::vector<int64_t> &wShape,
          const std::vector<double> &bias, HeightWidth stride, Padding2d pad,
          HeightWidth dilation, int64_t groups,
          std::vector<int64_t> &outShape) {
  const int64_t n = xShape[0], c = xShape[1], h = xShape[2], wd = xShape[3];
  const int64_t o = wShape[0], cg = wShape[1], kh = wShape[2], kw = wShape[3];
  const int64_t oh =
      windowCount(h, pad.top, pad.bottom, kh, stride.height, dilation.height);
  const int64_t ow =
      windowCount(wd, pad.left, pad.right, kw, stride.width, dilation.width);
  outShape = {n, o, oh, ow};
  std::vector<double> y;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t firstChannel = oc / (o / groups) * cg;
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = bias.empty() ? 0.0 : bias[oc];
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t p = 0; p < kh; ++p)
              for (int64_t q = 0; q < kw; ++q) {
                int64_t row = i * stride.height - pad.top + p * dilation.height;
                int64_t col = j * stride.width - pad.left + q * dilation.width;
                if (row < 0 || row >= h || col < 0 || col >= wd)
                  continue; // zero padding
                acc += x[((b * c + firstChannel + ic) * h + row) * wd + col] *
                       w[((oc * cg + ic) * kh + p) * kw + q];
              }
          y.push_back(acc);
        }
    }
  return y;
}

/// max_pool2d (`isMax`) or avg_pool2d (count_include_pad) of x [N, C, H,
/// W]; `outShape` receives [N, C, OH, OW].
inline std::vector<double> pool2dRef(bool isMax, const std::vector<double> &x,
                                     const std::vector<int64_t> &xShape,
                                     HeightWidth kernel, HeightWidth stride,
                                     Padding2d pad, HeightWidth dilation,
                                     std::vector<int64_t> &outShape) {
  const int64_t planes = xShape[0] * xShape[1], h = xShape[2], w = xShape[3];
  const int64_t oh = windowCount(h, pad.top, pad.bottom, kernel.height,
                                 stride.height, dilation.height);
  const int64_t ow = windowCount(w, pad.left, pad.right, kernel.width,
                                 stride.width, dilation.width);
  outShape = {xShape[0], xShape[1], oh, ow};
  std::vector<double> y;
  for (int64_t plane = 0; plane < planes; ++plane)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
        for (int64_t p = 0; p < kernel.height; ++p)
          for (int64_t q = 0; q < kernel.width; ++q) {
            int64_t row = i * stride.height - pad.top + p * dilation.height;
            int64_t col = j * stride.width - pad.left + q * dilation.width;
            if (row < 0 || row >= h || col < 0 || col >= w)
              continue;
            double v = x[(plane * h + row) * w + col];
            best = std::max(best, v);
            sum += v;
          }
        y.push_back(isMax ? best : sum / (kernel.height * kernel.width));
      }
  return y;
}

} // namespace kiln::frontend_test

#endif // KILN_TEST_FRONTEND_NNREFERENCE_H
