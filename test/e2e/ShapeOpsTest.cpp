//===- ShapeOpsTest.cpp - reshape, transpose, concat, slice ---------------===//

#include "E2ETestUtil.h"

#include <algorithm>

using namespace kiln;
using namespace kiln::e2e;

namespace {

/// result.shape[i] = in.shape[perm[i]]; result[idx] = in[idx permuted back].
template <typename T>
std::vector<T>
transposeRef(const std::vector<T> &in, const std::vector<int64_t> &shape,
             const std::vector<int64_t> &perm, std::vector<int64_t> &outShape) {
  outShape.clear();
  for (int64_t p : perm)
    outShape.push_back(shape[p]);
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<T> out(in.size());
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    std::vector<int64_t> idx = unravel(i, outShape);
    int64_t offset = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      offset += idx[d] * inStrides[perm[d]];
    out[i] = in[offset];
  }
  return out;
}

template <typename T>
std::vector<T>
sliceRef(const std::vector<T> &in, const std::vector<int64_t> &shape,
         const std::vector<int64_t> &start, const std::vector<int64_t> &limit,
         const std::vector<int64_t> &stride, std::vector<int64_t> &outShape) {
  outShape.clear();
  for (size_t d = 0; d < shape.size(); ++d)
    outShape.push_back((limit[d] - start[d] + stride[d] - 1) / stride[d]);
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<T> out(static_cast<size_t>(numElementsOf(outShape)));
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    std::vector<int64_t> idx = unravel(i, outShape);
    int64_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      offset += (start[d] + idx[d] * stride[d]) * inStrides[d];
    out[i] = in[offset];
  }
  return out;
}

template <typename T>
std::vector<T> concatRef(const std::vector<std::vector<T>> &inputs,
                         const std::vector<std::vector<int64_t>> &shapes,
                         int64_t axis, std::vector<int64_t> &outShape) {
  outShape = shapes[0];
  outShape[axis] = 0;
  for (const auto &s : shapes)
    outShape[axis] += s[axis];
  std::vector<T> out(static_cast<size_t>(numElementsOf(outShape)));
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    std::vector<int64_t> idx = unravel(i, outShape);
    size_t which = 0;
    while (idx[axis] >= shapes[which][axis])
      idx[axis] -= shapes[which++][axis];
    std::vector<int64_t> strides = stridesOf(shapes[which]);
    int64_t offset = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      offset += idx[d] * strides[d];
    out[i] = inputs[which][offset];
  }
  return out;
}

std::vector<float> iota(int64_t n, float start = 0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[i] = start + static_cast<float>(i);
  return v;
}

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

TEST(Reshape, ShapesAndRankZero) {
  const char *ir = R"(
func.func @shapes(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<24xf32>, tensor<4x3x2xf32>, tensor<1x24x1xf32>) {
  %0 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %2 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %3 = kiln.reshape %x : tensor<2x3x4xf32> -> tensor<1x24x1xf32>
  return %0, %1, %2, %3 : tensor<6x4xf32>, tensor<24xf32>, tensor<4x3x2xf32>, tensor<1x24x1xf32>
}
func.func @to_scalar(%x: tensor<1x1xf64>) -> tensor<f64> {
  %0 = kiln.reshape %x : tensor<1x1xf64> -> tensor<f64>
  return %0 : tensor<f64>
}
func.func @from_scalar(%x: tensor<i64>) -> tensor<1x1x1xi64> {
  %0 = kiln.reshape %x : tensor<i64> -> tensor<1x1x1xi64>
  return %0 : tensor<1x1x1xi64>
}
// Rank 0 in the middle of a computation: 1 -> () -> broadcast 2x2.
func.func @through_scalar(%x: tensor<1xf32>) -> tensor<2x2xf32> {
  %s = kiln.reshape %x : tensor<1xf32> -> tensor<f32>
  %e = kiln.exp %s : tensor<f32>
  %b = kiln.broadcast %e : tensor<f32> -> tensor<2x2xf32>
  return %b : tensor<2x2xf32>
}
// reshape(reshape(x)), and reshapes around arithmetic.
func.func @chain(%x: tensor<6xi32>) -> (tensor<3x2xi32>, tensor<2x3xi32>) {
  %a = kiln.reshape %x : tensor<6xi32> -> tensor<2x3xi32>
  %b = kiln.reshape %a : tensor<2x3xi32> -> tensor<3x2xi32>
  %c = kiln.add %a, %a : tensor<2x3xi32>
  %d = kiln.reshape %c : tensor<2x3xi32> -> tensor<6xi32>
  %e = kiln.reshape %d : tensor<6xi32> -> tensor<2x3xi32>
  return %b, %e : tensor<3x2xi32>, tensor<2x3xi32>
}
// Reshape of a (folded) constant.
func.func @of_constant() -> tensor<3x2xf32> {
  %c = kiln.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %r = kiln.reshape %c : tensor<6xf32> -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<float> x = iota(24, 1);
  ASSERT_TRUE(
      invokeFn(*m, "shapes", {Tensor::fromVector<float>({2, 3, 4}, x)}, out));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(matches<float>(out[0], {6, 4}, x, kExact));
  EXPECT_TRUE(matches<float>(out[1], {24}, x, kExact));
  EXPECT_TRUE(matches<float>(out[2], {4, 3, 2}, x, kExact));
  EXPECT_TRUE(matches<float>(out[3], {1, 24, 1}, x, kExact));

  ASSERT_TRUE(invokeFn(*m, "to_scalar",
                       {Tensor::fromVector<double>({1, 1}, {-6.25})}, out));
  EXPECT_TRUE(matches<double>(out[0], {}, {-6.25}));

  ASSERT_TRUE(invokeFn(*m, "from_scalar",
                       {Tensor::fromVector<int64_t>({}, {INT64_MIN + 3})},
                       out));
  EXPECT_TRUE(matches<int64_t>(out[0], {1, 1, 1}, {INT64_MIN + 3}));

  ASSERT_TRUE(invokeFn(*m, "through_scalar",
                       {Tensor::fromVector<float>({1}, {1.0f})}, out));
  EXPECT_TRUE(matches<float>(out[0], {2, 2}, std::vector<float>(4, 2.71828183f),
                             kF32Math));

  ASSERT_TRUE(invokeFn(*m, "chain",
                       {Tensor::fromVector<int32_t>({6}, {1, 2, 3, 4, 5, 6})},
                       out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<int32_t>(out[0], {3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(matches<int32_t>(out[1], {2, 3}, {2, 4, 6, 8, 10, 12}));

  ASSERT_TRUE(invokeFn(*m, "of_constant", {}, out));
  EXPECT_TRUE(matches<float>(out[0], {3, 2}, {1, 2, 3, 4, 5, 6}));
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

TEST(Transpose, TwoD) {
  const char *ir = R"(
func.func @t(%x: tensor<3x5xf32>) -> tensor<5x3xf32> {
  %t = kiln.transpose %x [1, 0] : tensor<3x5xf32> -> tensor<5x3xf32>
  return %t : tensor<5x3xf32>
}
// x + x^T on a square matrix, and transposing twice.
func.func @sym(%x: tensor<4x4xi64>) -> (tensor<4x4xi64>, tensor<4x4xi64>) {
  %t = kiln.transpose %x [1, 0] : tensor<4x4xi64> -> tensor<4x4xi64>
  %s = kiln.add %x, %t : tensor<4x4xi64>
  %tt = kiln.transpose %t [1, 0] : tensor<4x4xi64> -> tensor<4x4xi64>
  return %s, %tt : tensor<4x4xi64>, tensor<4x4xi64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<float> x = iota(15);
  ASSERT_TRUE(invokeFn(*m, "t", {Tensor::fromVector<float>({3, 5}, x)}, out));
  // Hand-derived: row j of the result is column j of x.
  EXPECT_TRUE(matches<float>(
      out[0], {5, 3}, {0, 5, 10, 1, 6, 11, 2, 7, 12, 3, 8, 13, 4, 9, 14}));

  std::vector<int64_t> s = {1, 2,  3,  4,  5,  6,  7,  8,
                            9, 10, 11, 12, 13, 14, 15, 16};
  ASSERT_TRUE(
      invokeFn(*m, "sym", {Tensor::fromVector<int64_t>({4, 4}, s)}, out));
  ASSERT_EQ(out.size(), 2u);
  std::vector<int64_t> sym(16);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      sym[i * 4 + j] = s[i * 4 + j] + s[j * 4 + i];
  EXPECT_TRUE(matches<int64_t>(out[0], {4, 4}, sym));
  EXPECT_TRUE(matches<int64_t>(out[1], {4, 4}, s));
}

TEST(Transpose, AllPermutationsOf3DAnd4D) {
  const char *ir = R"(
func.func @perms(%x: tensor<2x3x4xi32>)
    -> (tensor<2x3x4xi32>, tensor<2x4x3xi32>, tensor<3x2x4xi32>,
        tensor<3x4x2xi32>, tensor<4x2x3xi32>, tensor<4x3x2xi32>) {
  %0 = kiln.transpose %x [0, 1, 2] : tensor<2x3x4xi32> -> tensor<2x3x4xi32>
  %1 = kiln.transpose %x [0, 2, 1] : tensor<2x3x4xi32> -> tensor<2x4x3xi32>
  %2 = kiln.transpose %x [1, 0, 2] : tensor<2x3x4xi32> -> tensor<3x2x4xi32>
  %3 = kiln.transpose %x [1, 2, 0] : tensor<2x3x4xi32> -> tensor<3x4x2xi32>
  %4 = kiln.transpose %x [2, 0, 1] : tensor<2x3x4xi32> -> tensor<4x2x3xi32>
  %5 = kiln.transpose %x [2, 1, 0] : tensor<2x3x4xi32> -> tensor<4x3x2xi32>
  return %0, %1, %2, %3, %4, %5
      : tensor<2x3x4xi32>, tensor<2x4x3xi32>, tensor<3x2x4xi32>,
        tensor<3x4x2xi32>, tensor<4x2x3xi32>, tensor<4x3x2xi32>
}
func.func @four(%x: tensor<2x3x4x5xf64>) -> tensor<5x3x2x4xf64> {
  %t = kiln.transpose %x [3, 1, 0, 2] : tensor<2x3x4x5xf64> -> tensor<5x3x2x4xf64>
  return %t : tensor<5x3x2x4xf64>
}
// A transpose feeding arithmetic: exp(x^T) * 2, with x^T of 3-D f32.
func.func @compute(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %t = kiln.transpose %x [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %e = kiln.exp %t : tensor<4x3x2xf32>
  %s = kiln.add %e, %e : tensor<4x3x2xf32>
  return %s : tensor<4x3x2xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  std::vector<int32_t> x(24);
  for (int i = 0; i < 24; ++i)
    x[i] = i * 7 - 50;
  ASSERT_TRUE(
      invokeFn(*m, "perms", {Tensor::fromVector<int32_t>({2, 3, 4}, x)}, out));
  ASSERT_EQ(out.size(), 6u);
  const std::vector<std::vector<int64_t>> perms = {
      {0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (size_t p = 0; p < perms.size(); ++p) {
    std::vector<int64_t> shape;
    std::vector<int32_t> expected = transposeRef(x, {2, 3, 4}, perms[p], shape);
    EXPECT_TRUE(matches<int32_t>(out[p], shape, expected))
        << "permutation " << indexString(perms[p]);
  }
  // Hand-derived spot check: [2,0,1] puts x[a][b][c] at [c][a][b].
  EXPECT_EQ(out[4].dataAs<int32_t>()[(3 * 2 + 1) * 3 + 2],
            x[(1 * 3 + 2) * 4 + 3]);

  std::vector<double> x4 = randomValues<double>(120, -1, 1, 44);
  ASSERT_TRUE(invokeFn(*m, "four",
                       {Tensor::fromVector<double>({2, 3, 4, 5}, x4)}, out));
  std::vector<int64_t> shape4;
  std::vector<double> e4 = transposeRef(x4, {2, 3, 4, 5}, {3, 1, 0, 2}, shape4);
  EXPECT_TRUE(matches<double>(out[0], shape4, e4, kExact));

  std::vector<float> xf = randomValues<float>(24, -2, 2, 45);
  ASSERT_TRUE(
      invokeFn(*m, "compute", {Tensor::fromVector<float>({2, 3, 4}, xf)}, out));
  std::vector<int64_t> shape3;
  std::vector<float> t3 = transposeRef(xf, {2, 3, 4}, {2, 1, 0}, shape3);
  for (float &v : t3)
    v = static_cast<float>(2 * std::exp(static_cast<double>(v)));
  EXPECT_TRUE(matches<float>(out[0], shape3, t3, kF32Math));
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

TEST(Concat, AxesAndInputCounts) {
  const char *ir = R"(
func.func @axis0(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>, %c: tensor<4x3xf32>) -> tensor<7x3xf32> {
  %r = kiln.concat %a, %b, %c axis 0 : tensor<2x3xf32>, tensor<1x3xf32>, tensor<4x3xf32> -> tensor<7x3xf32>
  return %r : tensor<7x3xf32>
}
func.func @axis1(%a: tensor<2x1xi64>, %b: tensor<2x3xi64>, %c: tensor<2x2xi64>) -> tensor<2x6xi64> {
  %r = kiln.concat %a, %b, %c axis 1 : tensor<2x1xi64>, tensor<2x3xi64>, tensor<2x2xi64> -> tensor<2x6xi64>
  return %r : tensor<2x6xi64>
}
func.func @axis2(%a: tensor<2x2x3xf64>, %b: tensor<2x2x1xf64>) -> tensor<2x2x4xf64> {
  %r = kiln.concat %a, %b axis 2 : tensor<2x2x3xf64>, tensor<2x2x1xf64> -> tensor<2x2x4xf64>
  return %r : tensor<2x2x4xf64>
}
// The same value twice, one input alone, and i1.
func.func @misc(%a: tensor<2x2xi32>, %m: tensor<3xi1>, %n: tensor<2xi1>)
    -> (tensor<2x4xi32>, tensor<2x2xi32>, tensor<5xi1>) {
  %0 = kiln.concat %a, %a axis 1 : tensor<2x2xi32>, tensor<2x2xi32> -> tensor<2x4xi32>
  %1 = kiln.concat %a axis 0 : tensor<2x2xi32> -> tensor<2x2xi32>
  %2 = kiln.concat %m, %n axis 0 : tensor<3xi1>, tensor<2xi1> -> tensor<5xi1>
  return %0, %1, %2 : tensor<2x4xi32>, tensor<2x2xi32>, tensor<5xi1>
}
// Concatenated computed values feeding a computation.
func.func @computed(%a: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %n = kiln.neg %a : tensor<2x3xf32>
  %c = kiln.concat %a, %n axis 0 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
  %r = kiln.relu %c : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  std::vector<int64_t> shape;

  std::vector<float> a = iota(6, 1), b = iota(3, 100), c = iota(12, 200);
  ASSERT_TRUE(invokeFn(*m, "axis0",
                       {Tensor::fromVector<float>({2, 3}, a),
                        Tensor::fromVector<float>({1, 3}, b),
                        Tensor::fromVector<float>({4, 3}, c)},
                       out));
  std::vector<float> e0 =
      concatRef<float>({a, b, c}, {{2, 3}, {1, 3}, {4, 3}}, 0, shape);
  EXPECT_TRUE(matches<float>(out[0], shape, e0));
  // Along axis 0 it is plain concatenation of the buffers.
  std::vector<float> flat = a;
  flat.insert(flat.end(), b.begin(), b.end());
  flat.insert(flat.end(), c.begin(), c.end());
  EXPECT_EQ(e0, flat);

  std::vector<int64_t> ai = {1, 2}, bi = {10, 11, 12, 20, 21, 22},
                       ci = {-1, -2, -3, -4};
  ASSERT_TRUE(invokeFn(*m, "axis1",
                       {Tensor::fromVector<int64_t>({2, 1}, ai),
                        Tensor::fromVector<int64_t>({2, 3}, bi),
                        Tensor::fromVector<int64_t>({2, 2}, ci)},
                       out));
  EXPECT_TRUE(matches<int64_t>(out[0], {2, 6},
                               {1, 10, 11, 12, -1, -2, 2, 20, 21, 22, -3, -4}));

  std::vector<double> ad = randomValues<double>(12, -1, 1, 7);
  std::vector<double> bd = randomValues<double>(4, -1, 1, 8);
  ASSERT_TRUE(invokeFn(*m, "axis2",
                       {Tensor::fromVector<double>({2, 2, 3}, ad),
                        Tensor::fromVector<double>({2, 2, 1}, bd)},
                       out));
  EXPECT_TRUE(matches<double>(
      out[0], {2, 2, 4},
      concatRef<double>({ad, bd}, {{2, 2, 3}, {2, 2, 1}}, 2, shape)));

  ASSERT_TRUE(invokeFn(*m, "misc",
                       {Tensor::fromVector<int32_t>({2, 2}, {1, 2, 3, 4}),
                        Tensor::fromVector<bool>({3}, {true, false, true}),
                        Tensor::fromVector<bool>({2}, {false, true})},
                       out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<int32_t>(out[0], {2, 4}, {1, 2, 1, 2, 3, 4, 3, 4}));
  EXPECT_TRUE(matches<int32_t>(out[1], {2, 2}, {1, 2, 3, 4}));
  EXPECT_TRUE(matches<bool>(out[2], {5}, {true, false, true, false, true}));

  std::vector<float> x = {1, -2, 3, -4, 5, -6};
  ASSERT_TRUE(
      invokeFn(*m, "computed", {Tensor::fromVector<float>({2, 3}, x)}, out));
  EXPECT_TRUE(
      matches<float>(out[0], {4, 3}, {1, 0, 3, 0, 5, 0, 0, 2, 0, 4, 0, 6}));
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

TEST(Slice, StridesStartsAndDirectResults) {
  const char *ir = R"(
// Strided, non-zero start, returned directly as the function result.
func.func @direct(%x: tensor<5x8xf32>) -> tensor<2x3xf32> {
  %s = kiln.slice %x start [1, 2] limit [5, 8] stride [2, 2] : tensor<5x8xf32> -> tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}
// Two overlapping slices of the same input, both returned, one contiguous
// (a row block) and one with a column stride.
func.func @two(%x: tensor<4x6xi64>) -> (tensor<2x6xi64>, tensor<4x2xi64>) {
  %a = kiln.slice %x start [1, 0] limit [3, 6] stride [1, 1] : tensor<4x6xi64> -> tensor<2x6xi64>
  %b = kiln.slice %x start [0, 1] limit [4, 6] stride [1, 3] : tensor<4x6xi64> -> tensor<4x2xi64>
  return %a, %b : tensor<2x6xi64>, tensor<4x2xi64>
}
// 3-D slice with a different stride per dimension; limit not reached
// exactly by the stride.
func.func @three(%x: tensor<3x5x7xf64>) -> tensor<2x2x2xf64> {
  %s = kiln.slice %x start [0, 1, 2] limit [3, 5, 7] stride [2, 2, 3] : tensor<3x5x7xf64> -> tensor<2x2x2xf64>
  return %s : tensor<2x2x2xf64>
}
// A slice used in a computation, and a slice that is reshaped.
func.func @compute(%x: tensor<4x6xf32>) -> (tensor<2x3xf32>, tensor<6xf32>) {
  %a = kiln.slice %x start [0, 0] limit [4, 6] stride [2, 2] : tensor<4x6xf32> -> tensor<2x3xf32>
  %b = kiln.slice %x start [1, 1] limit [4, 6] stride [2, 2] : tensor<4x6xf32> -> tensor<2x3xf32>
  %s = kiln.mul %a, %b : tensor<2x3xf32>
  %r = kiln.reshape %b : tensor<2x3xf32> -> tensor<6xf32>
  return %s, %r : tensor<2x3xf32>, tensor<6xf32>
}
// The whole tensor (identity slice), a single element, and size-1 dims.
func.func @edges(%x: tensor<3x4xi32>) -> (tensor<3x4xi32>, tensor<1x1xi32>, tensor<1x4xi32>) {
  %a = kiln.slice %x start [0, 0] limit [3, 4] stride [1, 1] : tensor<3x4xi32> -> tensor<3x4xi32>
  %b = kiln.slice %x start [2, 3] limit [3, 4] stride [1, 1] : tensor<3x4xi32> -> tensor<1x1xi32>
  %c = kiln.slice %x start [1, 0] limit [3, 4] stride [5, 1] : tensor<3x4xi32> -> tensor<1x4xi32>
  return %a, %b, %c : tensor<3x4xi32>, tensor<1x1xi32>, tensor<1x4xi32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  std::vector<int64_t> shape;

  std::vector<float> x = iota(40);
  ASSERT_TRUE(
      invokeFn(*m, "direct", {Tensor::fromVector<float>({5, 8}, x)}, out));
  // Hand-derived: rows 1, 3; columns 2, 4, 6.
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, {10, 12, 14, 26, 28, 30}));

  std::vector<int64_t> xi(24);
  for (int i = 0; i < 24; ++i)
    xi[i] = 1000 + i;
  ASSERT_TRUE(
      invokeFn(*m, "two", {Tensor::fromVector<int64_t>({4, 6}, xi)}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<int64_t>(
      out[0], {2, 6}, sliceRef(xi, {4, 6}, {1, 0}, {3, 6}, {1, 1}, shape)));
  EXPECT_TRUE(matches<int64_t>(
      out[1], {4, 2}, {1001, 1004, 1007, 1010, 1013, 1016, 1019, 1022}));

  std::vector<double> xd = randomValues<double>(105, -3, 3, 99);
  ASSERT_TRUE(
      invokeFn(*m, "three", {Tensor::fromVector<double>({3, 5, 7}, xd)}, out));
  std::vector<double> e3 =
      sliceRef(xd, {3, 5, 7}, {0, 1, 2}, {3, 5, 7}, {2, 2, 3}, shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 2, 2}));
  EXPECT_TRUE(matches<double>(out[0], shape, e3, kExact));

  std::vector<float> xf = randomValues<float>(24, -2, 2, 98);
  ASSERT_TRUE(
      invokeFn(*m, "compute", {Tensor::fromVector<float>({4, 6}, xf)}, out));
  ASSERT_EQ(out.size(), 2u);
  std::vector<float> sa = sliceRef(xf, {4, 6}, {0, 0}, {4, 6}, {2, 2}, shape);
  std::vector<float> sb = sliceRef(xf, {4, 6}, {1, 1}, {4, 6}, {2, 2}, shape);
  std::vector<float> prod(6);
  for (int i = 0; i < 6; ++i)
    prod[i] = sa[i] * sb[i];
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, prod));
  EXPECT_TRUE(matches<float>(out[1], {6}, sb));

  std::vector<int32_t> x34 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  ASSERT_TRUE(
      invokeFn(*m, "edges", {Tensor::fromVector<int32_t>({3, 4}, x34)}, out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<int32_t>(out[0], {3, 4}, x34));
  EXPECT_TRUE(matches<int32_t>(out[1], {1, 1}, {11}));
  EXPECT_TRUE(matches<int32_t>(out[2], {1, 4}, {4, 5, 6, 7}));
}

/// Reference pad of a row-major tensor: element i of dimension d lands at
/// low[d] + i * (interior[d] + 1).
template <typename T>
std::vector<T>
padRef(const std::vector<T> &x, const std::vector<int64_t> &shape,
       const std::vector<int64_t> &low, const std::vector<int64_t> &high,
       const std::vector<int64_t> &interior, T value,
       std::vector<int64_t> &outShape) {
  size_t rank = shape.size();
  outShape.assign(rank, 0);
  for (size_t d = 0; d < rank; ++d)
    outShape[d] = low[d] + high[d] + shape[d] +
                  std::max<int64_t>(shape[d] - 1, 0) * interior[d];
  std::vector<T> out(static_cast<size_t>(numElementsOf(outShape)), value);
  std::vector<int64_t> index(rank, 0);
  for (size_t flat = 0; flat < x.size(); ++flat) {
    int64_t target = 0;
    for (size_t d = 0; d < rank; ++d)
      target = target * outShape[d] + low[d] + index[d] * (interior[d] + 1);
    out[static_cast<size_t>(target)] = x[flat];
    for (size_t d = rank; d-- > 0;)
      if (++index[d] < shape[d])
        break;
      else
        index[d] = 0;
  }
  return out;
}

TEST(Pad, EdgesInteriorAndValue) {
  const char *ir = R"(
func.func @f(%x: tensor<2x3xf32>) -> tensor<4x9xf32> {
  %p = kiln.pad %x low [1, 0] high [0, 2] interior [1, 2] : tensor<2x3xf32> -> tensor<4x9xf32>
  return %p : tensor<4x9xf32>
}
func.func @i(%x: tensor<3xi64>) -> tensor<6xi64> {
  %p = kiln.pad %x low [2] high [1] interior [0] {value = -7.0} : tensor<3xi64> -> tensor<6xi64>
  return %p : tensor<6xi64>
}
// Interior padding of a size-1 dimension adds nothing.
func.func @d(%x: tensor<2x1x3xf64>) -> tensor<3x3x3xf64> {
  %p = kiln.pad %x low [0, 1, 0] high [1, 1, 0] interior [0, 5, 0] {value = 2.5} : tensor<2x1x3xf64> -> tensor<3x3x3xf64>
  return %p : tensor<3x3x3xf64>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;
  std::vector<int64_t> shape;

  std::vector<float> x = randomValues<float>(6, -2, 2, 31);
  ASSERT_TRUE(invokeFn(*m, "f", {Tensor::fromVector<float>({2, 3}, x)}, out));
  std::vector<float> ef =
      padRef<float>(x, {2, 3}, {1, 0}, {0, 2}, {1, 2}, 0.0f, shape);
  EXPECT_TRUE(matches<float>(out[0], shape, ef, kExact));

  ASSERT_TRUE(
      invokeFn(*m, "i", {Tensor::fromVector<int64_t>({3}, {4, 5, 6})}, out));
  EXPECT_TRUE(matches<int64_t>(out[0], {6}, {-7, -7, 4, 5, 6, -7}));

  std::vector<double> xd = randomValues<double>(6, -2, 2, 32);
  ASSERT_TRUE(
      invokeFn(*m, "d", {Tensor::fromVector<double>({2, 1, 3}, xd)}, out));
  std::vector<double> ed = padRef<double>(xd, {2, 1, 3}, {0, 1, 0}, {1, 1, 0},
                                          {0, 5, 0}, 2.5, shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 3, 3}));
  EXPECT_TRUE(matches<double>(out[0], shape, ed, kExact));
}

} // namespace
