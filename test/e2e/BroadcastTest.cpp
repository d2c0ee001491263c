//===- BroadcastTest.cpp - kiln.broadcast corner cases --------------------===//
//
// NumPy broadcasting: size-1 dimensions repeat, missing leading dimensions
// are added, both at once, rank 0, and broadcasts feeding elementwise ops.
// References come from broadcastRef (E2ETestUtil.h), a direct index loop.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

using namespace kiln;
using namespace kiln::e2e;

namespace {

TEST(Broadcast, SizeOneDims) {
  const char *ir = R"(
func.func @col(%x: tensor<3x1xf32>) -> tensor<3x4xf32> {
  %b = kiln.broadcast %x : tensor<3x1xf32> -> tensor<3x4xf32>
  return %b : tensor<3x4xf32>
}
func.func @row(%x: tensor<1x4xi64>) -> tensor<3x4xi64> {
  %b = kiln.broadcast %x : tensor<1x4xi64> -> tensor<3x4xi64>
  return %b : tensor<3x4xi64>
}
func.func @one(%x: tensor<1x1xf32>) -> tensor<5x7xf32> {
  %b = kiln.broadcast %x : tensor<1x1xf32> -> tensor<5x7xf32>
  return %b : tensor<5x7xf32>
}
// A size-1 dimension that stays 1 next to one that grows.
func.func @keep_one(%x: tensor<1x1x3xf64>) -> tensor<1x4x3xf64> {
  %b = kiln.broadcast %x : tensor<1x1x3xf64> -> tensor<1x4x3xf64>
  return %b : tensor<1x4x3xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<float> col = {1.5f, -2.0f, 3.25f};
  ASSERT_TRUE(
      invokeFn(*m, "col", {Tensor::fromVector<float>({3, 1}, col)}, out));
  EXPECT_TRUE(matches<float>(out[0], {3, 4},
                             {1.5f, 1.5f, 1.5f, 1.5f, -2.0f, -2.0f, -2.0f,
                              -2.0f, 3.25f, 3.25f, 3.25f, 3.25f}));

  std::vector<int64_t> row = {7, -8, 1LL << 40, 0};
  ASSERT_TRUE(
      invokeFn(*m, "row", {Tensor::fromVector<int64_t>({1, 4}, row)}, out));
  EXPECT_TRUE(
      matches<int64_t>(out[0], {3, 4}, broadcastRef(row, {1, 4}, {3, 4})));

  ASSERT_TRUE(
      invokeFn(*m, "one", {Tensor::fromVector<float>({1, 1}, {-0.75f})}, out));
  EXPECT_TRUE(matches<float>(out[0], {5, 7}, std::vector<float>(35, -0.75f)));

  std::vector<double> k = {0.1, 0.2, 0.3};
  ASSERT_TRUE(invokeFn(*m, "keep_one",
                       {Tensor::fromVector<double>({1, 1, 3}, k)}, out));
  EXPECT_TRUE(matches<double>(out[0], {1, 4, 3},
                              broadcastRef(k, {1, 1, 3}, {1, 4, 3})));
}

TEST(Broadcast, MissingLeadingDims) {
  const char *ir = R"(
func.func @lead(%x: tensor<4xi32>) -> tensor<2x3x4xi32> {
  %b = kiln.broadcast %x : tensor<4xi32> -> tensor<2x3x4xi32>
  return %b : tensor<2x3x4xi32>
}
func.func @scalar(%x: tensor<f64>) -> tensor<2x3xf64> {
  %b = kiln.broadcast %x : tensor<f64> -> tensor<2x3xf64>
  return %b : tensor<2x3xf64>
}
func.func @scalar_i1(%x: tensor<i1>) -> tensor<2x2xi1> {
  %b = kiln.broadcast %x : tensor<i1> -> tensor<2x2xi1>
  return %b : tensor<2x2xi1>
}
// Two broadcasts in a row: 3 -> 4x3 -> 2x4x3.
func.func @chain(%x: tensor<3xf32>) -> tensor<2x4x3xf32> {
  %a = kiln.broadcast %x : tensor<3xf32> -> tensor<4x3xf32>
  %b = kiln.broadcast %a : tensor<4x3xf32> -> tensor<2x4x3xf32>
  return %b : tensor<2x4x3xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<int32_t> v = {1, -2, 3, INT32_MIN};
  ASSERT_TRUE(invokeFn(*m, "lead", {Tensor::fromVector<int32_t>({4}, v)}, out));
  std::vector<int32_t> expected;
  for (int rep = 0; rep < 6; ++rep)
    expected.insert(expected.end(), v.begin(), v.end());
  EXPECT_TRUE(matches<int32_t>(out[0], {2, 3, 4}, expected));

  ASSERT_TRUE(
      invokeFn(*m, "scalar", {Tensor::fromVector<double>({}, {2.5})}, out));
  EXPECT_TRUE(matches<double>(out[0], {2, 3}, std::vector<double>(6, 2.5)));

  ASSERT_TRUE(
      invokeFn(*m, "scalar_i1", {Tensor::fromVector<bool>({}, {true})}, out));
  EXPECT_TRUE(matches<bool>(out[0], {2, 2}, {true, true, true, true}));

  std::vector<float> c = {1.0f, 2.0f, 3.0f};
  ASSERT_TRUE(invokeFn(*m, "chain", {Tensor::fromVector<float>({3}, c)}, out));
  EXPECT_TRUE(
      matches<float>(out[0], {2, 4, 3}, broadcastRef(c, {3}, {2, 4, 3})));
}

TEST(Broadcast, LeadingAndSizeOneAtOnce) {
  const char *ir = R"(
func.func @both(%x: tensor<1x4x1xf32>) -> tensor<2x3x4x5xf32> {
  %b = kiln.broadcast %x : tensor<1x4x1xf32> -> tensor<2x3x4x5xf32>
  return %b : tensor<2x3x4x5xf32>
}
func.func @both_i64(%x: tensor<2x1xi64>) -> tensor<3x2x4xi64> {
  %b = kiln.broadcast %x : tensor<2x1xi64> -> tensor<3x2x4xi64>
  return %b : tensor<3x2x4xi64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<float> x = {10.0f, 20.0f, 30.0f, 40.0f};
  ASSERT_TRUE(
      invokeFn(*m, "both", {Tensor::fromVector<float>({1, 4, 1}, x)}, out));
  // Hand-derived: element [a, b, c, d] is x[c].
  std::vector<float> expected;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 5; ++d)
          expected.push_back(x[c]);
  EXPECT_TRUE(matches<float>(out[0], {2, 3, 4, 5}, expected));
  EXPECT_EQ(expected, broadcastRef(x, {1, 4, 1}, {2, 3, 4, 5}));

  std::vector<int64_t> y = {-5, 6};
  ASSERT_TRUE(
      invokeFn(*m, "both_i64", {Tensor::fromVector<int64_t>({2, 1}, y)}, out));
  EXPECT_TRUE(
      matches<int64_t>(out[0], {3, 2, 4}, {-5, -5, -5, -5, 6, 6, 6, 6, //
                                           -5, -5, -5, -5, 6, 6, 6, 6, //
                                           -5, -5, -5, -5, 6, 6, 6, 6}));
}

TEST(Broadcast, FeedingElementwiseOps) {
  const char *ir = R"(
// add(x, broadcast(y)) with y missing a leading dim and having a size-1 dim.
func.func @bias(%x: tensor<2x3x4xf32>, %y: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %yb = kiln.broadcast %y : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %s = kiln.add %x, %yb : tensor<2x3x4xf32>
  return %s : tensor<2x3x4xf32>
}
// The broadcast on the left-hand side.
func.func @bias_lhs(%x: tensor<2x3x4xf32>, %y: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %yb = kiln.broadcast %y : tensor<4xf32> -> tensor<2x3x4xf32>
  %s = kiln.sub %yb, %x : tensor<2x3x4xf32>
  return %s : tensor<2x3x4xf32>
}
// Outer product of a column and a row, both broadcast.
func.func @outer(%r: tensor<3x1xi64>, %c: tensor<1x4xi64>) -> tensor<3x4xi64> {
  %rb = kiln.broadcast %r : tensor<3x1xi64> -> tensor<3x4xi64>
  %cb = kiln.broadcast %c : tensor<1x4xi64> -> tensor<3x4xi64>
  %p = kiln.mul %rb, %cb : tensor<3x4xi64>
  return %p : tensor<3x4xi64>
}
// (x - s) / s with a rank-0 s.
func.func @scale(%x: tensor<2x3xf64>, %s: tensor<f64>) -> tensor<2x3xf64> {
  %sb = kiln.broadcast %s : tensor<f64> -> tensor<2x3xf64>
  %d = kiln.sub %x, %sb : tensor<2x3xf64>
  %q = kiln.div %d, %sb : tensor<2x3xf64>
  return %q : tensor<2x3xf64>
}
// A broadcast mask selecting columns.
func.func @mask(%c: tensor<4xi1>, %a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %cb = kiln.broadcast %c : tensor<4xi1> -> tensor<3x4xi1>
  %z = kiln.constant dense<0.0> : tensor<3x4xf32>
  %r = kiln.select %cb, %a, %z : tensor<3x4xi1>, tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}
// Broadcast to the same shape is the identity.
func.func @same(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %b = kiln.broadcast %x : tensor<2x3xi32> -> tensor<2x3xi32>
  %s = kiln.add %x, %b : tensor<2x3xi32>
  return %s : tensor<2x3xi32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<float> x = randomValues<float>(24, -5, 5, 1);
  std::vector<float> y = {100.0f, 200.0f, 300.0f};
  ASSERT_TRUE(invokeFn(*m, "bias",
                       {Tensor::fromVector<float>({2, 3, 4}, x),
                        Tensor::fromVector<float>({3, 1}, y)},
                       out));
  std::vector<float> yb = broadcastRef(y, {3, 1}, {2, 3, 4});
  std::vector<float> expected(24);
  for (int i = 0; i < 24; ++i)
    expected[i] = x[i] + y[(i / 4) % 3];
  EXPECT_TRUE(matches<float>(out[0], {2, 3, 4}, expected));
  for (int i = 0; i < 24; ++i)
    ASSERT_EQ(yb[i], y[(i / 4) % 3]); // the two references agree

  std::vector<float> y4 = {1.0f, 2.0f, 4.0f, 8.0f};
  ASSERT_TRUE(invokeFn(*m, "bias_lhs",
                       {Tensor::fromVector<float>({2, 3, 4}, x),
                        Tensor::fromVector<float>({4}, y4)},
                       out));
  for (int i = 0; i < 24; ++i)
    expected[i] = y4[i % 4] - x[i];
  EXPECT_TRUE(matches<float>(out[0], {2, 3, 4}, expected));

  ASSERT_TRUE(invokeFn(*m, "outer",
                       {Tensor::fromVector<int64_t>({3, 1}, {1, -2, 3}),
                        Tensor::fromVector<int64_t>({1, 4}, {10, 20, 30, 40})},
                       out));
  EXPECT_TRUE(matches<int64_t>(
      out[0], {3, 4}, {10, 20, 30, 40, -20, -40, -60, -80, 30, 60, 90, 120}));

  std::vector<double> xd = {1, 2, 3, 4, 5, 6};
  ASSERT_TRUE(invokeFn(*m, "scale",
                       {Tensor::fromVector<double>({2, 3}, xd),
                        Tensor::fromVector<double>({}, {4.0})},
                       out));
  EXPECT_TRUE(
      matches<double>(out[0], {2, 3}, {-0.75, -0.5, -0.25, 0.0, 0.25, 0.5}));

  std::vector<float> a = randomValues<float>(12, -1, 1, 2);
  std::vector<bool> c = {true, false, false, true};
  ASSERT_TRUE(invokeFn(
      *m, "mask",
      {Tensor::fromVector<bool>({4}, c), Tensor::fromVector<float>({3, 4}, a)},
      out));
  std::vector<float> masked(12);
  for (int i = 0; i < 12; ++i)
    masked[i] = c[i % 4] ? a[i] : 0.0f;
  EXPECT_TRUE(matches<float>(out[0], {3, 4}, masked));

  ASSERT_TRUE(
      invokeFn(*m, "same",
               {Tensor::fromVector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6})}, out));
  EXPECT_TRUE(matches<int32_t>(out[0], {2, 3}, {2, 4, 6, 8, 10, 12}));
}

} // namespace
