//===- NNOpsTest.cpp - conv2d, pooling, gather/scatter_add, random_uniform
//-===//
//
// Each op JIT-compiled and compared with a plain C++ loop written from the
// op's definition (not from its lowering): the convolution references all
// walk one loop nest over (n, o, oh, ow, c, kh, kw), the forward op
// gathering along it and the backward ops scattering along it; the pooling
// references scan each window in row-major order. Accumulation is in double.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

using namespace kiln;
using namespace kiln::e2e;

namespace {

template <typename T> std::string tensorType(const std::vector<int64_t> &s) {
  return "tensor<" + typeString(DTypeOf<T>::value, s) + ">";
}

std::string list(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

/// One function `@name(args) -> result { %r = <op> ; return %r }`.
std::string function(const std::string &name,
                     const std::vector<std::string> &argTypes,
                     const std::string &op, const std::string &resultType) {
  std::string args;
  for (size_t i = 0; i < argTypes.size(); ++i)
    args += (i ? ", %a" : "%a") + std::to_string(i) + ": " + argTypes[i];
  return "func.func @" + name + "(" + args + ") -> " + resultType +
         " {\n  %r = " + op + "\n  return %r : " + resultType + "\n}\n";
}

/// Tolerances: f32 sums of up to ~100 products of values in [-1, 1]; f64
/// sums in another order than the reference. Rounding errors grow with the
/// number of terms, so longer sums get proportionally more.
template <typename T> Tol sumTol(int64_t terms = 100) {
  double scale = std::max(1.0, static_cast<double>(terms) / 100);
  return std::is_same_v<T, float> ? Tol{2e-5 * scale, 2e-5 * scale}
                                  : Tol{1e-12 * scale, 1e-12 * scale};
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvCase {
  const char *what;
  int64_t n, c, h, w, o, kh, kw;
  std::array<int64_t, 2> stride;
  std::array<int64_t, 4> padding; // top, left, bottom, right
  std::array<int64_t, 2> dilation;
  int64_t groups;

  int64_t out(int d) const {
    int64_t in = d == 0 ? h : w, k = d == 0 ? kh : kw;
    return (in + padding[d] + padding[2 + d] - dilation[d] * (k - 1) - 1) /
               stride[d] +
           1;
  }
  std::vector<int64_t> xShape() const { return {n, c, h, w}; }
  std::vector<int64_t> wShape() const { return {o, c / groups, kh, kw}; }
  std::vector<int64_t> yShape() const { return {n, o, out(0), out(1)}; }
  std::string attributes() const {
    return " stride " + list({stride[0], stride[1]}) + " padding " +
           list({padding[0], padding[1], padding[2], padding[3]}) +
           " dilation " + list({dilation[0], dilation[1]}) + " groups " +
           std::to_string(groups);
  }
};

/// Calls tap(xIndex, wIndex, yIndex) for every product x * w that
/// contributes to y in the convolution, skipping padding.
template <typename F> void forEachConvTap(const ConvCase &k, F tap) {
  const int64_t cg = k.c / k.groups, og = k.o / k.groups;
  const int64_t oh = k.out(0), ow = k.out(1);
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t o = 0; o < k.o; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x)
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < k.kh; ++i)
              for (int64_t j = 0; j < k.kw; ++j) {
                int64_t h = y * k.stride[0] - k.padding[0] + i * k.dilation[0];
                int64_t w = x * k.stride[1] - k.padding[1] + j * k.dilation[1];
                if (h < 0 || h >= k.h || w < 0 || w >= k.w)
                  continue;
                int64_t channel = (o / og) * cg + c;
                tap(((n * k.c + channel) * k.h + h) * k.w + w,
                    ((o * cg + c) * k.kh + i) * k.kw + j,
                    ((n * k.o + o) * oh + y) * ow + x);
              }
}

template <typename T> void checkConvolution(const ConvCase &k) {
  SCOPED_TRACE(k.what);
  const std::string xT = tensorType<T>(k.xShape()),
                    wT = tensorType<T>(k.wShape()),
                    yT = tensorType<T>(k.yShape());
  const std::string ir =
      function("forward", {xT, wT},
               "kiln.conv2d %a0, %a1" + k.attributes() + " : " + xT + ", " +
                   wT + " -> " + yT,
               yT) +
      function("input_grad", {yT, wT},
               "kiln.conv2d_backward_input %a0, %a1" + k.attributes() + " : " +
                   yT + ", " + wT + " -> " + xT,
               xT) +
      function("filter_grad", {xT, yT},
               "kiln.conv2d_backward_filter %a0, %a1" + k.attributes() + " : " +
                   xT + ", " + yT + " -> " + wT,
               wT);
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));

  const int64_t nx = numElementsOf(k.xShape()), nw = numElementsOf(k.wShape()),
                ny = numElementsOf(k.yShape());
  std::vector<T> x = randomValues<T>(nx, -1, 1, 1),
                 w = randomValues<T>(nw, -1, 1, 2),
                 dy = randomValues<T>(ny, -1, 1, 3);
  std::vector<double> y(ny), dx(nx), dw(nw);
  forEachConvTap(k, [&](int64_t xi, int64_t wi, int64_t yi) {
    y[yi] += static_cast<double>(x[xi]) * w[wi];
    dx[xi] += static_cast<double>(dy[yi]) * w[wi];
    dw[wi] += static_cast<double>(dy[yi]) * x[xi];
  });

  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "forward",
                       {Tensor::fromVector<T>(k.xShape(), x),
                        Tensor::fromVector<T>(k.wShape(), w)},
                       out));
  EXPECT_TRUE(matches<T>(out[0], k.yShape(), castVector<T>(y), sumTol<T>()));
  ASSERT_TRUE(invokeFn(*m, "input_grad",
                       {Tensor::fromVector<T>(k.yShape(), dy),
                        Tensor::fromVector<T>(k.wShape(), w)},
                       out));
  EXPECT_TRUE(matches<T>(out[0], k.xShape(), castVector<T>(dx), sumTol<T>()));
  ASSERT_TRUE(invokeFn(*m, "filter_grad",
                       {Tensor::fromVector<T>(k.xShape(), x),
                        Tensor::fromVector<T>(k.yShape(), dy)},
                       out));
  // Each element of dw sums over the whole batch.
  EXPECT_TRUE(matches<T>(out[0], k.wShape(), castVector<T>(dw),
                         sumTol<T>(k.n * k.out(0) * k.out(1))));
}

// clang-format off
const ConvCase kConvCases[] = {
    // what                                 n  c  h   w   o  kh kw stride  padding       dilation groups
    {"plain 3x3",                           2, 3, 7,  6,  4, 3, 3, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
    {"stride 2, symmetric padding",         1, 2, 9,  8,  3, 3, 3, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1},
    // (8 + 3 - 3) / 3 rounds down: the last input row is read by no window.
    {"asymmetric padding, rounding",        2, 2, 8,  7,  2, 3, 2, {3, 2}, {2, 0, 1, 1}, {1, 1}, 1},
    {"dilation",                            1, 3, 10, 9,  2, 3, 3, {1, 1}, {2, 2, 2, 2}, {2, 3}, 1},
    {"stride larger than the kernel",       1, 2, 10, 11, 2, 2, 2, {3, 4}, {0, 1, 0, 0}, {1, 1}, 1},
    {"groups, stride, padding, dilation",   2, 4, 7,  6,  6, 3, 2, {2, 2}, {1, 0, 1, 1}, {1, 2}, 2},
    {"depthwise",                           2, 3, 6,  5,  3, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}, 3},
    {"depthwise, channel multiplier 2",     1, 3, 5,  7,  6, 2, 3, {2, 1}, {0, 1, 1, 1}, {1, 1}, 3},
    {"depthwise, dilation",                 2, 4, 9,  8,  4, 3, 3, {2, 1}, {1, 2, 1, 0}, {2, 2}, 4},
    {"1x1",                                 3, 5, 4,  3,  2, 1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
    {"size-1 dims",                         1, 1, 1,  5,  1, 1, 3, {1, 2}, {0, 0, 0, 0}, {1, 1}, 1},
    {"kernel covers the image",             2, 2, 4,  3,  3, 4, 3, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
    {"padding wider than the kernel",       1, 2, 3,  3,  2, 2, 2, {1, 1}, {3, 2, 1, 3}, {1, 1}, 1},
    {"the 5x5 conv of the CNN example",     2, 1, 8,  8,  4, 5, 5, {1, 1}, {2, 2, 2, 2}, {1, 1}, 1},
    // Patch matrices of 608 KB per image (16 * 9 x 33 * 32 floats), more
    // than half the 1 MiB budget: the lowering loops over the batch one
    // image at a time.
    {"a batch in steps of one image",       3, 16, 66, 65, 4, 3, 3, {2, 2}, {1, 1, 0, 1}, {1, 1}, 1},
    // 207 KB per image in f32, 415 KB in f64: steps of 3 and of 2 images.
    {"a batch in steps of several images",  6, 8, 24, 30, 4, 3, 3, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2},
};
// clang-format on

TEST(Conv2D, ForwardAndBackwardF32) {
  for (const ConvCase &k : kConvCases)
    checkConvolution<float>(k);
}

TEST(Conv2D, ForwardAndBackwardF64) {
  for (const ConvCase &k : kConvCases)
    checkConvolution<double>(k);
}

TEST(Conv2D, UnreadInputRowsGetZeroGradient) {
  // H = 8, kernel 3, stride 3, no padding: rows 0..5 are read, 6 and 7 not.
  ConvCase k{"", 1, 1, 8, 4, 1, 3, 1, {3, 1}, {0, 0, 0, 0}, {1, 1}, 1};
  const std::string yT = tensorType<double>(k.yShape()),
                    wT = tensorType<double>(k.wShape()),
                    xT = tensorType<double>(k.xShape());
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(function("g", {yT, wT},
                                 "kiln.conv2d_backward_input %a0, %a1" +
                                     k.attributes() + " : " + yT + ", " + wT +
                                     " -> " + xT,
                                 xT),
                        m));
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "g",
      {Tensor::fromVector<double>(k.yShape(), std::vector<double>(8, 1.0)),
       Tensor::fromVector<double>(k.wShape(), {1.0, 2.0, 3.0})},
      out));
  std::vector<double> expected;
  for (double row : {1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 0.0, 0.0})
    expected.insert(expected.end(), 4, row);
  EXPECT_TRUE(matches<double>(out[0], k.xShape(), expected));
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct PoolCase {
  const char *what;
  int64_t n, c, h, w, kh, kw;
  std::array<int64_t, 2> stride;
  std::array<int64_t, 4> padding;
  std::array<int64_t, 2> dilation; // max pooling only

  int64_t out(int d) const {
    int64_t in = d == 0 ? h : w, k = d == 0 ? kh : kw;
    return (in + padding[d] + padding[2 + d] - dilation[d] * (k - 1) - 1) /
               stride[d] +
           1;
  }
  std::vector<int64_t> xShape() const { return {n, c, h, w}; }
  std::vector<int64_t> yShape() const { return {n, c, out(0), out(1)}; }
  std::string window(bool withDilation) const {
    std::string s = " kernel " + list({kh, kw}) + " stride " +
                    list({stride[0], stride[1]}) + " padding " +
                    list({padding[0], padding[1], padding[2], padding[3]});
    if (withDilation)
      s += " dilation " + list({dilation[0], dilation[1]});
    return s;
  }
};

/// Calls visit(yIndex, xIndices) for each window, with the input elements
/// it covers (padding skipped) in row-major window order.
template <typename F> void forEachWindow(const PoolCase &k, F visit) {
  const int64_t oh = k.out(0), ow = k.out(1);
  for (int64_t plane = 0; plane < k.n * k.c; ++plane)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        std::vector<int64_t> covered;
        for (int64_t i = 0; i < k.kh; ++i)
          for (int64_t j = 0; j < k.kw; ++j) {
            int64_t h = y * k.stride[0] - k.padding[0] + i * k.dilation[0];
            int64_t w = x * k.stride[1] - k.padding[1] + j * k.dilation[1];
            if (h >= 0 && h < k.h && w >= 0 && w < k.w)
              covered.push_back((plane * k.h + h) * k.w + w);
          }
        visit((plane * oh + y) * ow + x, covered);
      }
}

/// The first maximum of a window, NaN counting as the largest value; -1
/// for a window entirely in the padding.
template <typename T>
int64_t firstMaximum(const std::vector<T> &x,
                     const std::vector<int64_t> &covered) {
  int64_t best = -1;
  for (int64_t i : covered) {
    if (best < 0 || (std::isnan(x[i]) && !std::isnan(x[best])) ||
        x[i] > x[best])
      best = i;
  }
  return best;
}

template <typename T>
void checkMaxPool(const PoolCase &k, const std::vector<T> &x) {
  SCOPED_TRACE(k.what);
  const std::string xT = tensorType<T>(k.xShape()),
                    yT = tensorType<T>(k.yShape());
  const std::string ir =
      function("forward", {xT},
               "kiln.max_pool2d %a0" + k.window(true) + " : " + xT + " -> " +
                   yT,
               yT) +
      function("backward", {xT, yT},
               "kiln.max_pool2d_backward %a0, %a1" + k.window(true) + " : " +
                   xT + ", " + yT + " -> " + xT,
               xT);
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  const int64_t ny = numElementsOf(k.yShape());
  std::vector<T> dy = randomValues<T>(ny, -1, 1, 7);
  std::vector<T> y(ny);
  std::vector<double> dx(x.size());
  forEachWindow(k, [&](int64_t yi, const std::vector<int64_t> &covered) {
    int64_t best = firstMaximum(x, covered);
    y[yi] = best < 0 ? -std::numeric_limits<T>::infinity() : x[best];
    if (best >= 0)
      dx[best] += dy[yi];
  });
  std::vector<Tensor> out;
  ASSERT_TRUE(
      invokeFn(*m, "forward", {Tensor::fromVector<T>(k.xShape(), x)}, out));
  EXPECT_TRUE(matches<T>(out[0], k.yShape(), y, kExact));
  ASSERT_TRUE(invokeFn(*m, "backward",
                       {Tensor::fromVector<T>(k.xShape(), x),
                        Tensor::fromVector<T>(k.yShape(), dy)},
                       out));
  EXPECT_TRUE(matches<T>(out[0], k.xShape(), castVector<T>(dx), sumTol<T>()));
}

template <typename T>
void checkAvgPool(const PoolCase &k, const std::vector<T> &x) {
  SCOPED_TRACE(k.what);
  const std::string xT = tensorType<T>(k.xShape()),
                    yT = tensorType<T>(k.yShape());
  const std::string ir =
      function("forward", {xT},
               "kiln.avg_pool2d %a0" + k.window(false) + " : " + xT + " -> " +
                   yT,
               yT) +
      function("backward", {yT},
               "kiln.avg_pool2d_backward %a0" + k.window(false) + " : " + yT +
                   " -> " + xT,
               xT);
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  const int64_t ny = numElementsOf(k.yShape());
  const double count = static_cast<double>(k.kh * k.kw);
  std::vector<T> dy = randomValues<T>(ny, -1, 1, 8);
  std::vector<double> y(ny), dx(x.size());
  forEachWindow(k, [&](int64_t yi, const std::vector<int64_t> &covered) {
    for (int64_t i : covered) {
      y[yi] += x[i] / count;
      dx[i] += dy[yi] / count;
    }
  });
  std::vector<Tensor> out;
  ASSERT_TRUE(
      invokeFn(*m, "forward", {Tensor::fromVector<T>(k.xShape(), x)}, out));
  EXPECT_TRUE(matches<T>(out[0], k.yShape(), castVector<T>(y), sumTol<T>()));
  ASSERT_TRUE(
      invokeFn(*m, "backward", {Tensor::fromVector<T>(k.yShape(), dy)}, out));
  EXPECT_TRUE(matches<T>(out[0], k.xShape(), castVector<T>(dx), sumTol<T>()));
}

// clang-format off
const PoolCase kPoolCases[] = {
    // what                                     n  c  h   w   kh kw stride  padding       dilation
    {"2x2 stride 2, odd sizes",                 2, 3, 7,  9,  2, 2, {2, 2}, {0, 0, 0, 0}, {1, 1}},
    {"3x3 stride 2 padding 1",                  1, 2, 9,  8,  3, 3, {2, 2}, {1, 1, 1, 1}, {1, 1}},
    {"overlapping windows, stride 1",           1, 2, 5,  6,  3, 2, {1, 1}, {0, 0, 0, 0}, {1, 1}},
    {"asymmetric padding, non-square window",   2, 1, 6,  7,  2, 3, {2, 1}, {1, 0, 0, 2}, {1, 1}},
    {"stride larger than the kernel",           1, 2, 10, 9,  2, 2, {3, 4}, {0, 0, 0, 0}, {1, 1}},
    {"dilation",                                1, 2, 9,  10, 2, 3, {1, 2}, {1, 2, 0, 1}, {2, 3}},
    {"1x1 window",                              2, 2, 3,  4,  1, 1, {1, 1}, {0, 0, 0, 0}, {1, 1}},
    {"size-1 dims",                             1, 1, 1,  6,  1, 3, {1, 2}, {0, 1, 0, 1}, {1, 1}},
    {"window covers the image",                 3, 1, 4,  5,  4, 5, {1, 1}, {0, 0, 0, 0}, {1, 1}},
};
// clang-format on

template <typename T> void checkPools() {
  for (const PoolCase &k : kPoolCases) {
    std::vector<T> x = randomValues<T>(numElementsOf(k.xShape()), -1, 1, 5);
    checkMaxPool<T>(k, x);
    PoolCase avg = k;
    avg.dilation = {1, 1};
    checkAvgPool<T>(avg, x);
  }
}

TEST(Pool2D, MaxAndAvgF32) { checkPools<float>(); }
TEST(Pool2D, MaxAndAvgF64) { checkPools<double>(); }

TEST(Pool2D, MaxPoolTiesGoToTheFirstMaximum) {
  // Values from {0, 1, 2}: most windows hold several maxima. Overlapping
  // windows with padding and dilation, so every rule matters.
  // clang-format off
  const PoolCase cases[] = {
      {"ties, overlapping", 2, 2, 6, 7, 3, 3, {1, 2}, {1, 1, 1, 0}, {1, 1}},
      {"ties, dilated",     1, 3, 7, 7, 2, 2, {2, 1}, {0, 1, 1, 1}, {2, 2}},
  };
  // clang-format on
  for (const PoolCase &k : cases) {
    std::vector<double> x =
        randomValues<double>(numElementsOf(k.xShape()), 0, 2, 9);
    for (double &v : x)
      v = std::floor(v + 0.5);
    checkMaxPool<double>(k, x);
    checkMaxPool<float>(k, castVector<float>(x));
  }
}

TEST(Pool2D, MaxPoolNaNInfinityAndPaddingOnlyWindows) {
  // 1x1x2x2 input, kernel 2 dilated by 3, padding 1 before and 2 after:
  // windows start at -1 and 0 and read rows (-1, 2) and (0, 3), so only
  // window (1, 1) reads the image, at (0, 0); the others are all padding.
  // clang-format off
  PoolCase k{"padding-only windows", 1, 1, 2, 2, 2, 2, {1, 1}, {1, 1, 2, 2}, {3, 3}};
  PoolCase wide{"NaN and infinities", 1, 1, 3, 4, 2, 2, {1, 2}, {0, 0, 0, 0}, {1, 1}};
  // clang-format on
  checkMaxPool<double>(k, {1.0, 2.0, 3.0, 4.0});
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Windows: NaN after a number (NaN wins), two NaNs (the first wins), all
  // -inf (the first -inf wins, not the padding), +inf.
  checkMaxPool<double>(wide, {1.0, nan, -inf, -inf, //
                              nan, 5.0, -inf, -inf, //
                              nan, 0.0, inf, 2.0});
}

//===----------------------------------------------------------------------===//
// Gather and scatter_add
//===----------------------------------------------------------------------===//

template <typename T, typename I> void checkGatherScatter() {
  SCOPED_TRACE(mlirType<T>() + " table, " + mlirType<I>() + " indices");
  const int64_t v = 7, d = 3;
  // In range, repeated, and out of range on both sides.
  const I lowest = std::numeric_limits<I>::min();
  const I highest = std::numeric_limits<I>::max();
  const std::vector<I> indices = {3, 0, 6, 3, -1, 7, 3, lowest, highest, 6};
  const std::vector<int64_t> iShape = {2, 5}, rShape = {2, 5, d};
  const std::string tT = tensorType<T>({v, d}), iT = tensorType<I>(iShape),
                    rT = tensorType<T>(rShape);
  const std::string ir =
      function("gather", {tT, iT},
               "kiln.gather %a0[%a1] : " + tT + ", " + iT + " -> " + rT, rT) +
      function("scatter", {rT, iT},
               "kiln.scatter_add %a0[%a1] : " + rT + ", " + iT + " -> " + tT,
               tT);
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<T> table = randomValues<T>(v * d, -9, 9, 21);
  std::vector<T> updates = randomValues<T>(10 * d, -9, 9, 22);
  std::vector<T> gathered(10 * d, T(0)), scattered(v * d, T(0));
  for (int64_t p = 0; p < 10; ++p) {
    int64_t row = static_cast<int64_t>(indices[p]);
    if (row < 0 || row >= v)
      continue;
    for (int64_t j = 0; j < d; ++j) {
      gathered[p * d + j] = table[row * d + j];
      scattered[row * d + j] += updates[p * d + j];
    }
  }
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "gather",
                       {Tensor::fromVector<T>({v, d}, table),
                        Tensor::fromVector<I>(iShape, indices)},
                       out));
  EXPECT_TRUE(matches<T>(out[0], rShape, gathered, kExact));
  ASSERT_TRUE(invokeFn(*m, "scatter",
                       {Tensor::fromVector<T>(rShape, updates),
                        Tensor::fromVector<I>(iShape, indices)},
                       out));
  // Rows are added in index order, as the reference does: exact.
  EXPECT_TRUE(matches<T>(out[0], {v, d}, scattered, kExact));
}

TEST(Gather, AndScatterAddAllTypes) {
  checkGatherScatter<float, int64_t>();
  checkGatherScatter<double, int32_t>();
  checkGatherScatter<int32_t, int64_t>();
  checkGatherScatter<int64_t, int32_t>();
}

TEST(Gather, RankZeroIndicesAndOneRowTable) {
  const char *ir = R"(
func.func @gather(%t: tensor<1x4xf32>, %i: tensor<i64>) -> tensor<4xf32> {
  %r = kiln.gather %t[%i] : tensor<1x4xf32>, tensor<i64> -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @scatter(%u: tensor<4xf32>, %i: tensor<i64>) -> tensor<1x4xf32> {
  %r = kiln.scatter_add %u[%i] : tensor<4xf32>, tensor<i64> -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
func.func @bool_table(%t: tensor<3x2xi1>, %i: tensor<3xi32>) -> tensor<3x2xi1> {
  %r = kiln.gather %t[%i] : tensor<3x2xi1>, tensor<3xi32> -> tensor<3x2xi1>
  return %r : tensor<3x2xi1>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  Tensor row = Tensor::fromVector<float>({1, 4}, {1.5f, -2, 3, 4});
  Tensor values = Tensor::fromVector<float>({4}, {1.5f, -2, 3, 4});
  std::vector<Tensor> out;
  for (int64_t index : {0, 1, -1}) {
    SCOPED_TRACE(index);
    Tensor i = Tensor::fromVector<int64_t>({}, {index});
    std::vector<float> expected = index == 0
                                      ? std::vector<float>{1.5f, -2, 3, 4}
                                      : std::vector<float>(4, 0.0f);
    ASSERT_TRUE(invokeFn(*m, "gather", {row, i}, out));
    EXPECT_TRUE(matches<float>(out[0], {4}, expected, kExact));
    ASSERT_TRUE(invokeFn(*m, "scatter", {values, i}, out));
    EXPECT_TRUE(matches<float>(out[0], {1, 4}, expected, kExact));
  }
  ASSERT_TRUE(invokeFn(
      *m, "bool_table",
      {Tensor::fromVector<bool>({3, 2}, {true, false, false, true, true, true}),
       Tensor::fromVector<int32_t>({3}, {2, 5, 1})},
      out));
  EXPECT_TRUE(
      matches<bool>(out[0], {3, 2}, {true, true, false, false, false, true}));
}

//===----------------------------------------------------------------------===//
// random_uniform
//===----------------------------------------------------------------------===//

/// Philox-4x32-10 written from the paper (Salmon et al., SC 2011) and
/// Random123's definition, independently of the lowering.
std::array<uint32_t, 4> philox(std::array<uint32_t, 4> ctr,
                               std::array<uint32_t, 2> key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += 0x9E3779B9u;
      key[1] += 0xBB67AE85u;
    }
    uint64_t p0 = uint64_t{0xD2511F53u} * ctr[0];
    uint64_t p1 = uint64_t{0xCD9E8D57u} * ctr[2];
    ctr = {static_cast<uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0],
           static_cast<uint32_t>(p1),
           static_cast<uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1],
           static_cast<uint32_t>(p0)};
  }
  return ctr;
}

TEST(RandomUniform, ReferenceGeneratorMatchesRandom123KnownAnswers) {
  // Random123's kat_vectors for philox4x32_R(10, ctr, key).
  using W = std::array<uint32_t, 4>;
  EXPECT_EQ(philox({0, 0, 0, 0}, {0, 0}),
            (W{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                   {0xffffffff, 0xffffffff}),
            (W{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                   {0xa4093822, 0x299f31d0}),
            (W{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

template <typename T> T uniformRef(int64_t seed, uint64_t index) {
  uint64_t s = static_cast<uint64_t>(seed);
  std::array<uint32_t, 4> w = philox(
      {static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), 0, 0},
      {static_cast<uint32_t>(s), static_cast<uint32_t>(s >> 32)});
  if constexpr (std::is_same_v<T, float>)
    return static_cast<float>(w[0] >> 8) * 0x1.0p-24f;
  else
    return static_cast<double>((uint64_t{w[0]} << 21) | (w[1] >> 11)) *
           0x1.0p-53;
}

const char *kRandomIR = R"(
func.func @u32(%s: tensor<i64>) -> tensor<300x700xf32> {
  %r = kiln.random_uniform %s : tensor<i64> -> tensor<300x700xf32>
  return %r : tensor<300x700xf32>
}
func.func @u64(%s: tensor<i64>) -> tensor<210000xf64> {
  %r = kiln.random_uniform %s : tensor<i64> -> tensor<210000xf64>
  return %r : tensor<210000xf64>
}
func.func @small(%s: tensor<i64>) -> (tensor<3x4xf32>, tensor<12xf32>, tensor<2x1x3x2xf64>, tensor<f32>) {
  %a = kiln.random_uniform %s : tensor<i64> -> tensor<3x4xf32>
  %b = kiln.random_uniform %s : tensor<i64> -> tensor<12xf32>
  %c = kiln.random_uniform %s : tensor<i64> -> tensor<2x1x3x2xf64>
  %d = kiln.random_uniform %s : tensor<i64> -> tensor<f32>
  return %a, %b, %c, %d : tensor<3x4xf32>, tensor<12xf32>, tensor<2x1x3x2xf64>, tensor<f32>
}
)";

TEST(RandomUniform, BitExactAgainstTheReference) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kRandomIR, m));
  for (int64_t seed : {int64_t{0}, int64_t{1}, int64_t{0x123456789abcdef},
                       int64_t{-1}, std::numeric_limits<int64_t>::min()}) {
    SCOPED_TRACE(seed);
    std::vector<Tensor> out;
    ASSERT_TRUE(
        invokeFn(*m, "small", {Tensor::fromVector<int64_t>({}, {seed})}, out));
    std::vector<float> f32(12);
    std::vector<double> f64(12);
    for (uint64_t i = 0; i < 12; ++i) {
      f32[i] = uniformRef<float>(seed, i);
      f64[i] = uniformRef<double>(seed, i);
    }
    // The value depends on the linear index only, not on the shape.
    EXPECT_TRUE(matches<float>(out[0], {3, 4}, f32, kExact));
    EXPECT_TRUE(matches<float>(out[1], {12}, f32, kExact));
    EXPECT_TRUE(matches<double>(out[2], {2, 1, 3, 2}, f64, kExact));
    EXPECT_TRUE(matches<float>(out[3], {}, {f32[0]}, kExact));
  }
}

/// Mean and variance of U[0, 1) samples within 6 standard errors (the
/// variance of a sample variance of U[0, 1) is (1/80 - 1/144) / n), all in
/// [0, 1), and a fraction below 0.3 (a dropout mask) within 6 errors too.
template <typename T> void checkStatistics(const std::vector<T> &u) {
  const double n = static_cast<double>(u.size());
  double sum = 0, squares = 0, below = 0;
  for (T v : u) {
    ASSERT_GE(v, T(0));
    ASSERT_LT(v, T(1));
    sum += v;
    squares += static_cast<double>(v) * v;
    below += v < T(0.3);
  }
  double mean = sum / n, variance = squares / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 6 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(variance, 1.0 / 12, 6 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
  EXPECT_NEAR(below / n, 0.3, 6 * std::sqrt(0.3 * 0.7 / n));
}

TEST(RandomUniform, DeterministicSeedDependentAndUniform) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kRandomIR, m));
  auto run = [&](const char *fn, int64_t seed) {
    std::vector<Tensor> out;
    EXPECT_TRUE(
        invokeFn(*m, fn, {Tensor::fromVector<int64_t>({}, {seed})}, out));
    return out.empty() ? Tensor() : out[0];
  };
  std::vector<float> a = toVector<float>(run("u32", 42));
  std::vector<float> again = toVector<float>(run("u32", 42));
  std::vector<float> other = toVector<float>(run("u32", 43));
  ASSERT_EQ(a.size(), 210000u);
  EXPECT_EQ(a, again);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i)
    same += a[i] == other[i];
  // Two independent 24-bit values agree with probability 2^-24.
  EXPECT_LT(same, 5u);
  checkStatistics(a);
  checkStatistics(other);
  std::vector<double> d = toVector<double>(run("u64", 7));
  checkStatistics(d);
  for (uint64_t i :
       {uint64_t{0}, uint64_t{1}, uint64_t{123457}, uint64_t{209999}})
    EXPECT_EQ(d[i], uniformRef<double>(7, i)) << "index " << i;
}

} // namespace

//===----------------------------------------------------------------------===//
// Erf
//===----------------------------------------------------------------------===//

template <typename T> void checkErf() {
  std::string ir = replaceAll(R"(
func.func @f(%x: tensor<12x$T>) -> tensor<12x$T> {
  %y = kiln.erf %x : tensor<12x$T>
  return %y : tensor<12x$T>
})",
                              "$T", mlirType<T>());
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  // Zero, tiny values (erf(x) ~ 2x/sqrt(pi)), the tails, infinities, NaN.
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<T> x = {0,     T(1e-30), T(-1e-7), T(0.5), T(-0.5), T(1),
                      T(-2), T(3.5),   T(6),     T(-27), inf,     -inf};
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "f", {Tensor::fromVector<T>({12}, x)}, out));
  const T *y = out[0].dataAs<T>();
  for (size_t i = 0; i < x.size(); ++i) {
    double want = std::erf(static_cast<double>(x[i]));
    EXPECT_NEAR(y[i], want,
                std::fabs(want) * 4 * std::numeric_limits<T>::epsilon())
        << "erf(" << x[i] << ")";
  }
  ASSERT_TRUE(invokeFn(
      *m, "f",
      {Tensor::fromVector<T>(
          {12}, std::vector<T>(12, std::numeric_limits<T>::quiet_NaN()))},
      out));
  EXPECT_TRUE(std::isnan(out[0].dataAs<T>()[0]));
}

TEST(Erf, MatchesTheCLibraryF32) { checkErf<float>(); }
TEST(Erf, MatchesTheCLibraryF64) { checkErf<double>(); }
