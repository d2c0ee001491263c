//===- NNOpsTest.cpp - The neural-network op builders, run by the JIT -----===//
//
// conv2d, maxPool2d, avgPool2d, gather, randomUniform and dropout built
// with the builder, compiled, and compared with the loops of NNReference.h
// (or, for the random ops, with their defining properties).
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"
#include "NNReference.h"

#include <cmath>

using namespace kiln;
using namespace kiln::frontend_test;

namespace {
/// Sums of up to ~50 products of values in [-1, 1], in f32.
constexpr Tol kF32Sum{2e-5, 2e-5};

struct ConvCase {
  const char *what;
  std::vector<int64_t> xShape, wShape;
  HeightWidth stride;
  Padding2d padding;
  HeightWidth dilation;
  int64_t groups;
};

template <typename T> void checkConv(const ConvCase &k) {
  SCOPED_TRACE(k.what);
  constexpr DType dtype = DTypeOf<T>::value;
  Graph g("conv");
  Var x = g.input("x", k.xShape, dtype), w = g.input("w", k.wShape, dtype);
  Var y = conv2d(x, w, k.stride, k.padding, k.dilation, k.groups);
  g.output("y", y);
  std::vector<T> xs = randomValues<T>(numElementsOf(k.xShape), -1, 1, 1);
  std::vector<T> ws = randomValues<T>(numElementsOf(k.wShape), -1, 1, 2);
  std::vector<int64_t> shape;
  std::vector<double> want =
      conv2dRef(std::vector<double>(xs.begin(), xs.end()), k.xShape,
                std::vector<double>(ws.begin(), ws.end()), k.wShape, {},
                k.stride, k.padding, k.dilation, k.groups, shape);
  EXPECT_EQ(y.shape(), shape);
  auto out = compileAndRun(g, {Tensor::fromVector<T>(k.xShape, xs),
                               Tensor::fromVector<T>(k.wShape, ws)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<T>(out[0], shape, castVector<T>(want),
                         std::is_same_v<T, float> ? kF32Sum : kF64));
}

// clang-format off
const ConvCase kConvCases[] = {
    {"3x3, defaults",                   {2, 3, 6, 5}, {4, 3, 3, 3}, 1,      0,            1,      1},
    {"stride 2, padding 1",             {1, 2, 7, 8}, {3, 2, 3, 3}, 2,      1,            1,      1},
    {"PyTorch (pH, pW) padding",        {1, 2, 5, 6}, {2, 2, 3, 2}, {1, 2}, {2, 1},       1,      1},
    {"asymmetric padding, dilation",    {2, 2, 8, 7}, {2, 2, 3, 2}, {2, 1}, {2, 0, 1, 1}, {2, 3}, 1},
    {"groups 2",                        {2, 4, 6, 6}, {6, 2, 3, 3}, 1,      1,            1,      2},
    {"depthwise",                       {1, 3, 5, 5}, {3, 1, 3, 3}, 1,      1,            1,      3},
};
// clang-format on
} // namespace

TEST(NNOps, Conv2dF32) {
  for (const ConvCase &k : kConvCases)
    checkConv<float>(k);
}

TEST(NNOps, Conv2dF64) {
  for (const ConvCase &k : kConvCases)
    checkConv<double>(k);
}

TEST(NNOps, Conv2dBuildsOneOpWithTheKilnAttributes) {
  Graph g("conv_ir");
  Var x = g.input("x", {1, 2, 5, 5}), w = g.input("w", {4, 1, 3, 3});
  g.output("y", conv2d(x, w, {2, 1}, {1, 2}, 1, 2));
  std::string ir = g.toString();
  EXPECT_TRUE(contains(ir, "kiln.conv2d %arg0, %arg1 stride [2, 1] padding "
                           "[1, 2, 1, 2] dilation [1, 1] groups 2"));
  EXPECT_TRUE(contains(ir, "-> tensor<1x4x3x7xf32>"));
}

TEST(NNOps, Pooling) {
  struct Case {
    const char *what;
    HeightWidth kernel;
    PoolStride stride;
    Padding2d padding;
    HeightWidth dilation;
  };
  const Case cases[] = {
      {"2x2, stride = kernel", 2, {}, 0, 1},
      {"3x3 stride 2 padding 1", 3, 2, 1, 1},
      {"3x2, asymmetric padding", {3, 2}, {1, 2}, {1, 0, 0, 1}, 1},
      {"dilated max", 2, 1, {1, 1}, {2, 1}},
  };
  const std::vector<int64_t> xShape = {2, 3, 7, 6};
  std::vector<double> xs =
      randomValues<double>(numElementsOf(xShape), -2, 2, 5);
  for (const Case &k : cases) {
    SCOPED_TRACE(k.what);
    bool dilated = k.dilation.height != 1 || k.dilation.width != 1;
    Graph g("pool");
    Var x = g.input("x", xShape, DType::F64);
    g.output("max", maxPool2d(x, k.kernel, k.stride, k.padding, k.dilation));
    if (!dilated)
      g.output("avg", avgPool2d(x, k.kernel, k.stride, k.padding));
    auto out = compileAndRun(g, {Tensor::fromVector<double>(xShape, xs)});
    ASSERT_EQ(out.size(), dilated ? 1u : 2u);
    HeightWidth stride = k.stride.orKernel(k.kernel);
    std::vector<int64_t> shape;
    std::vector<double> max = pool2dRef(true, xs, xShape, k.kernel, stride,
                                        k.padding, k.dilation, shape);
    EXPECT_TRUE(matches<double>(out[0], shape, max));
    if (!dilated) {
      std::vector<double> avg =
          pool2dRef(false, xs, xShape, k.kernel, stride, k.padding, 1, shape);
      EXPECT_TRUE(matches<double>(out[1], shape, avg));
    }
  }
}

TEST(NNOps, PoolingStrideDefaultsToTheKernel) {
  Graph g("pool_ir");
  Var x = g.input("x", {1, 1, 6, 6});
  EXPECT_EQ(maxPool2d(x, {3, 2}).shape(), (std::vector<int64_t>{1, 1, 2, 3}));
  EXPECT_EQ(avgPool2d(x, 2, 1).shape(), (std::vector<int64_t>{1, 1, 5, 5}));
  EXPECT_TRUE(contains(g.toString(), "kiln.max_pool2d %arg0 kernel [3, 2] "
                                     "stride [3, 2] padding [0, 0, 0, 0] "
                                     "dilation [1, 1]"));
}

TEST(NNOps, GatherRowsWithI32AndI64Indices) {
  std::vector<double> table = randomValues<double>(5 * 3, -1, 1, 7);
  Graph g("gather");
  Var t = g.input("table", {5, 3});
  Var i64 = g.input("i64", {2, 2}, DType::I64);
  Var i32 = g.input("i32", {4}, DType::I32);
  g.output("a", gather(t, i64));
  g.output("b", gather(t, i32));
  std::vector<int64_t> rows64 = {4, 0, 2, 2};
  // 5 and -1 are outside the table: rows of zeros.
  std::vector<int32_t> rows32 = {1, 5, -1, 3};
  auto out = compileAndRun(
      g, {Tensor::fromVector<float>({5, 3}, castVector<float>(table)),
          Tensor::fromVector<int64_t>({2, 2}, rows64),
          Tensor::fromVector<int32_t>({4}, rows32)});
  ASSERT_EQ(out.size(), 2u);
  auto rowsOf = [&](const std::vector<int64_t> &rows) {
    std::vector<double> v;
    for (int64_t r : rows)
      for (int64_t d = 0; d < 3; ++d)
        v.push_back(r >= 0 && r < 5 ? table[r * 3 + d] : 0.0);
    return castVector<float>(v);
  };
  EXPECT_TRUE(matches<float>(out[0], {2, 2, 3}, rowsOf(rows64)));
  EXPECT_TRUE(matches<float>(out[1], {4, 3}, rowsOf({1, 5, -1, 3})));
}

TEST(NNOps, RandomUniformIsAFunctionOfTheSeed) {
  Graph g("random");
  Var seed = g.input("seed", {}, DType::I64);
  g.output("f32", randomUniform({64, 32}, seed));
  g.output("f64", randomUniform({3, 5}, seed, DType::F64));
  auto compiled = g.compile();
  auto run = [&](int64_t s) {
    return compiled->run({Tensor::fromVector<int64_t>({}, {s})});
  };
  std::vector<Tensor> a = run(1), b = run(1), c = run(2);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].dtype(), DType::F32);
  EXPECT_EQ(a[1].shape(), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(a[1].dtype(), DType::F64);
  std::vector<double> va = valuesOf(a[0]), vb = valuesOf(b[0]),
                      vc = valuesOf(c[0]);
  EXPECT_EQ(va, vb);
  int64_t equal = 0;
  double mean = 0;
  for (size_t i = 0; i < va.size(); ++i) {
    EXPECT_GE(va[i], 0.0);
    EXPECT_LT(va[i], 1.0);
    equal += va[i] == vc[i];
    mean += va[i] / va.size();
  }
  EXPECT_LT(equal, 3);
  // 2048 uniforms: the mean's standard deviation is 0.0064.
  EXPECT_NEAR(mean, 0.5, 0.03);
}

TEST(NNOps, DropoutKeepsAndScales) {
  const std::vector<int64_t> shape = {64, 256};
  const double p = 0.3;
  Graph g("dropout");
  Var x = g.input("x", shape), seed = g.input("seed", {}, DType::I64);
  g.output("y", dropout(x, p, seed));
  std::vector<float> xs = randomValues<float>(numElementsOf(shape), 0.5, 2, 3);
  auto compiled = g.compile();
  auto y = compiled->run({Tensor::fromVector<float>(shape, xs),
                          Tensor::fromVector<int64_t>({}, {11})});
  ASSERT_EQ(y.size(), 1u);
  std::vector<float> got = toVector<float>(y[0]);
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  int64_t kept = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == 0.0f)
      continue;
    ++kept;
    EXPECT_EQ(got[i], xs[i] * scale) << "element " << i;
  }
  // Binomial(16384, 0.7): standard deviation 58.7; 5 of them is 0.018.
  EXPECT_NEAR(static_cast<double>(kept) / got.size(), 1.0 - p, 0.018);
}
