//===- GraphOpsTest.cpp - Every op builder and operator, run by the JIT ---===//
//
// Each test builds a graph with the builder, compiles it and compares the
// results with a reference loop in this file; IR-level tests check that
// broadcasting is explicit and scalars take the other operand's dtype.
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"

#include <cmath>

using namespace kiln;
using namespace kiln::frontend_test;

namespace {

/// Reference of a broadcasting binary op in double.
std::vector<double>
binaryRef(const std::vector<double> &a, const std::vector<int64_t> &aShape,
          const std::vector<double> &b, const std::vector<int64_t> &bShape,
          const std::vector<int64_t> &outShape, double (*f)(double, double)) {
  std::vector<double> x = broadcastRef(a, aShape, outShape);
  std::vector<double> y = broadcastRef(b, bShape, outShape);
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = f(x[i], y[i]);
  return out;
}

std::vector<double> toDouble(const std::vector<float> &v) {
  return std::vector<double>(v.begin(), v.end());
}

} // namespace

TEST(GraphOps, BinaryOpsBroadcast) {
  // x [2, 3] with y [3] and z [2, 1]: every binary op, both directions.
  std::vector<float> xs = randomValues<float>(6, 0.5, 2.0, 1);
  std::vector<float> ys = randomValues<float>(3, 0.5, 2.0, 2);
  std::vector<float> zs = randomValues<float>(2, 0.5, 2.0, 3);
  Graph g("binary");
  Var x = g.input("x", {2, 3}), y = g.input("y", {3}), z = g.input("z", {2, 1});
  g.output("add", add(x, y));
  g.output("sub", sub(z, x));
  g.output("mul", mul(y, z));
  g.output("div", div(x, z));
  g.output("maximum", maximum(x, y));
  g.output("minimum", minimum(z, y));
  g.output("pow", pow(x, y));
  auto out = compileAndRun(g, {Tensor::fromVector<float>({2, 3}, xs),
                               Tensor::fromVector<float>({3}, ys),
                               Tensor::fromVector<float>({2, 1}, zs)});
  ASSERT_EQ(out.size(), 7u);
  auto X = toDouble(xs), Y = toDouble(ys), Z = toDouble(zs);
  std::vector<int64_t> s = {2, 3};
  auto ref = [&](const std::vector<double> &a, std::vector<int64_t> as,
                 const std::vector<double> &b, std::vector<int64_t> bs,
                 double (*f)(double, double)) {
    return castVector<float>(binaryRef(a, as, b, bs, s, f));
  };
  EXPECT_TRUE(matches<float>(
      out[0], s, ref(X, s, Y, {3}, [](double a, double b) { return a + b; })));
  EXPECT_TRUE(matches<float>(
      out[1], s,
      ref(Z, {2, 1}, X, s, [](double a, double b) { return a - b; })));
  EXPECT_TRUE(matches<float>(
      out[2], s,
      ref(Y, {3}, Z, {2, 1}, [](double a, double b) { return a * b; })));
  EXPECT_TRUE(matches<float>(
      out[3], s,
      ref(X, s, Z, {2, 1}, [](double a, double b) { return a / b; })));
  EXPECT_TRUE(matches<float>(
      out[4], s,
      ref(X, s, Y, {3}, [](double a, double b) { return std::max(a, b); })));
  EXPECT_TRUE(
      matches<float>(out[5], s, ref(Z, {2, 1}, Y, {3}, [](double a, double b) {
                       return std::min(a, b);
                     })));
  EXPECT_TRUE(matches<float>(
      out[6], s,
      ref(X, s, Y, {3}, [](double a, double b) { return std::pow(a, b); }),
      kF32Math));
}

TEST(GraphOps, OperatorsAndScalars) {
  std::vector<double> xs = randomValues<double>(4, -2.0, 2.0, 4);
  std::vector<double> ys = randomValues<double>(4, 0.5, 2.0, 5);
  Graph g("operators");
  Var x = g.input("x", {4}, DType::F64), y = g.input("y", {4}, DType::F64);
  g.output("a", x + y);
  g.output("b", x - y);
  g.output("c", x * y);
  g.output("d", x / y);
  g.output("e", -x);
  g.output("f", x * 0.5);
  g.output("g", 1.0 - x);
  g.output("h", 2.0 / y + x / 4);
  auto out = compileAndRun(g, {Tensor::fromVector<double>({4}, xs),
                               Tensor::fromVector<double>({4}, ys)});
  ASSERT_EQ(out.size(), 8u);
  std::vector<std::vector<double>> want(8, std::vector<double>(4));
  for (int i = 0; i < 4; ++i) {
    double a = xs[i], b = ys[i];
    std::vector<double> w = {a + b, a - b,   a * b,   a / b,
                             -a,    a * 0.5, 1.0 - a, 2.0 / b + a / 4};
    for (int k = 0; k < 8; ++k)
      want[k][i] = w[k];
  }
  for (int k = 0; k < 8; ++k)
    EXPECT_TRUE(matches<double>(out[k], {4}, want[k])) << "output " << k;
}

TEST(GraphOps, ScalarsTakeTheOtherOperandsDType) {
  Graph g("scalars");
  Var x = g.input("x", {2, 2}, DType::F64);
  Var n = g.input("n", {3}, DType::I64);
  Var a = x * 0.5;
  Var b = n + 1;
  EXPECT_EQ(a.dtype(), DType::F64);
  EXPECT_EQ(b.dtype(), DType::I64);
  g.output("a", a);
  g.output("b", b);
  std::string ir = g.toString();
  EXPECT_TRUE(
      contains(ir, "kiln.constant dense<5.000000e-01> : tensor<2x2xf64>"));
  EXPECT_TRUE(contains(ir, "kiln.constant dense<1> : tensor<3xi64>"));
  auto out = compileAndRun(g, {Tensor::fromVector<double>({2, 2}, {1, 2, 3, 4}),
                               Tensor::fromVector<int64_t>({3}, {-1, 0, 41})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<double>(out[0], {2, 2}, {0.5, 1, 1.5, 2}));
  EXPECT_TRUE(matches<int64_t>(out[1], {3}, {0, 1, 42}));
}

TEST(GraphOps, BroadcastingIsExplicitInTheIR) {
  Graph g("explicit");
  Var x = g.input("x", {4, 3}), y = g.input("y", {4, 3}), b = g.input("b", {3});
  g.output("same", x + y);  // no broadcast
  g.output("grown", x + b); // one broadcast of b
  std::string ir = g.toString();
  EXPECT_TRUE(
      contains(ir, "kiln.broadcast %arg2 : tensor<3xf32> -> tensor<4x3xf32>"));
  size_t count = 0;
  for (size_t p = ir.find("kiln.broadcast"); p != std::string::npos;
       p = ir.find("kiln.broadcast", p + 1))
    ++count;
  EXPECT_EQ(count, 1u) << ir;
}

TEST(GraphOps, ComparisonsAndWhere) {
  std::vector<int32_t> xs = {-2, 0, 3, 5, 7, 0};
  std::vector<int32_t> ys = {0, 5, 7};
  Graph g("compare");
  Var x = g.input("x", {2, 3}, DType::I32), y = g.input("y", {3}, DType::I32);
  g.output("eq", eq(x, y));
  g.output("ne", ne(x, y));
  g.output("lt", lt(x, y));
  g.output("le", le(x, 0));
  g.output("gt", gt(x, y));
  g.output("ge", ge(3, x));
  g.output("where", where(gt(x, 0), x, 100));
  auto out = compileAndRun(g, {Tensor::fromVector<int32_t>({2, 3}, xs),
                               Tensor::fromVector<int32_t>({3}, ys)});
  ASSERT_EQ(out.size(), 7u);
  std::vector<std::vector<bool>> want(6);
  std::vector<int32_t> picked;
  for (int i = 0; i < 6; ++i) {
    int32_t a = xs[i], b = ys[i % 3];
    want[0].push_back(a == b);
    want[1].push_back(a != b);
    want[2].push_back(a < b);
    want[3].push_back(a <= 0);
    want[4].push_back(a > b);
    want[5].push_back(3 >= a);
    picked.push_back(a > 0 ? a : 100);
  }
  for (int k = 0; k < 6; ++k)
    EXPECT_TRUE(matches<bool>(out[k], {2, 3}, want[k])) << "comparison " << k;
  EXPECT_TRUE(matches<int32_t>(out[6], {2, 3}, picked));
}

TEST(GraphOps, WhereBroadcastsConditionAndValues) {
  Graph g("where");
  Var c = g.input("c", {2, 1}, DType::I1);
  Var a = g.input("a", {3});
  g.output("r", where(c, a, -1.0));
  auto out = compileAndRun(g, {Tensor::fromVector<bool>({2, 1}, {true, false}),
                               Tensor::fromVector<float>({3}, {1, 2, 3})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, {1, 2, 3, -1, -1, -1}));
}

TEST(GraphOps, UnaryOps) {
  std::vector<float> xs = randomValues<float>(6, 0.1, 3.0, 6);
  std::vector<float> ns = randomValues<float>(6, -3.0, 3.0, 7);
  Graph g("unary");
  Var x = g.input("x", {6}), n = g.input("n", {6});
  g.output("neg", neg(n));
  g.output("abs", abs(n));
  g.output("relu", relu(n));
  g.output("exp", exp(n));
  g.output("log", log(x));
  g.output("sqrt", sqrt(x));
  g.output("rsqrt", rsqrt(x));
  g.output("tanh", tanh(n));
  g.output("sigmoid", sigmoid(n));
  auto out = compileAndRun(g, {Tensor::fromVector<float>({6}, xs),
                               Tensor::fromVector<float>({6}, ns)});
  ASSERT_EQ(out.size(), 9u);
  using F = double (*)(double);
  std::vector<std::pair<F, bool>> refs = {
      {[](double v) { return -v; }, false},
      {[](double v) { return std::fabs(v); }, false},
      {[](double v) { return v > 0 ? v : 0.0; }, false},
      {[](double v) { return std::exp(v); }, false},
      {[](double v) { return std::log(v); }, true},
      {[](double v) { return std::sqrt(v); }, true},
      {[](double v) { return 1.0 / std::sqrt(v); }, true},
      {[](double v) { return std::tanh(v); }, false},
      {[](double v) { return 1.0 / (1.0 + std::exp(-v)); }, false}};
  for (size_t k = 0; k < refs.size(); ++k) {
    std::vector<double> want;
    for (int i = 0; i < 6; ++i)
      want.push_back(refs[k].first(refs[k].second ? xs[i] : ns[i]));
    EXPECT_TRUE(matches<float>(out[k], {6}, castVector<float>(want), kF32Math))
        << "unary op " << k;
  }
}

TEST(GraphOps, Cast) {
  Graph g("cast");
  Var x = g.input("x", {4});
  Var n = g.input("n", {2}, DType::I64);
  g.output("i32", cast(x, DType::I32));
  g.output("f64", cast(n, DType::F64));
  g.output("bool", cast(x, DType::I1));
  EXPECT_EQ(cast(x, DType::F32).value(), x.value()); // no op for no change
  auto out =
      compileAndRun(g, {Tensor::fromVector<float>({4}, {-1.5, 0, 2.7, 9}),
                        Tensor::fromVector<int64_t>({2}, {-3, 1 << 20})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<int32_t>(out[0], {4}, {-1, 0, 2, 9}));
  EXPECT_TRUE(matches<double>(out[1], {2}, {-3, 1 << 20}));
  EXPECT_TRUE(matches<bool>(out[2], {4}, {true, false, true, true}));
}

TEST(GraphOps, ShapeOps) {
  std::vector<float> xs(24);
  for (int i = 0; i < 24; ++i)
    xs[i] = static_cast<float>(i);
  Graph g("shapes");
  Var x = g.input("x", {2, 3, 4});
  Var r = reshape(x, {4, -1});
  EXPECT_EQ(r.shape(), (std::vector<int64_t>{4, 6}));
  g.output("reshape", r);
  g.output("broadcast", broadcastTo(g.input("b", {3, 1}), {2, 3, 2}));
  Var t = transpose(x, {-1, 0, 1});
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{4, 2, 3}));
  g.output("transpose", t);
  g.output("concat", concat({x, x * 10.0}, -2));
  Var s = slice(x, {0, -2, 1}, {2, 3, 4}, {1, 1, 2});
  EXPECT_EQ(s.shape(), (std::vector<int64_t>{2, 2, 2}));
  g.output("slice", s);
  auto out = compileAndRun(g, {Tensor::fromVector<float>({2, 3, 4}, xs),
                               Tensor::fromVector<float>({3, 1}, {7, 8, 9})});
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(matches<float>(out[0], {4, 6}, xs));
  EXPECT_TRUE(
      matches<float>(out[1], {2, 3, 2}, {7, 7, 8, 8, 9, 9, 7, 7, 8, 8, 9, 9}));
  std::vector<float> tr, cat, sl;
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        tr.push_back(xs[i * 12 + j * 4 + k]);
  for (int i = 0; i < 2; ++i) {
    for (int part = 0; part < 2; ++part)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k)
          cat.push_back(xs[i * 12 + j * 4 + k] * (part ? 10.0f : 1.0f));
    for (int j = 1; j < 3; ++j)
      for (int k = 1; k < 4; k += 2)
        sl.push_back(xs[i * 12 + j * 4 + k]);
  }
  EXPECT_TRUE(matches<float>(out[2], {4, 2, 3}, tr));
  EXPECT_TRUE(matches<float>(out[3], {2, 6, 4}, cat));
  EXPECT_TRUE(matches<float>(out[4], {2, 2, 2}, sl));
}

TEST(GraphOps, Pad) {
  Graph g("pad");
  Var x = g.input("x", {2, 2}, DType::I32);
  Var p = pad(x, {0, 1}, {1, 0}, {0, 1}, -1);
  EXPECT_EQ(p.shape(), (std::vector<int64_t>{3, 4}));
  g.output("p", p);
  auto out =
      compileAndRun(g, {Tensor::fromVector<int32_t>({2, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<int32_t>(out[0], {3, 4},
                               {-1, 1, -1, 2, -1, 3, -1, 4, -1, -1, -1, -1}));
}

namespace {
/// C = op(A) op(B) for one [M, K] x [K, N] product in double.
std::vector<double> matmulRef(const std::vector<double> &a,
                              const std::vector<double> &b, int64_t m,
                              int64_t k, int64_t n, bool ta, bool tb) {
  std::vector<double> c(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        c[i * n + j] += (ta ? a[p * m + i] : a[i * k + p]) *
                        (tb ? b[j * k + p] : b[p * n + j]);
  return c;
}
} // namespace

TEST(GraphOps, Matmul) {
  std::vector<double> a = randomValues<double>(12, -1, 1, 8);        // [3, 4]
  std::vector<double> b = randomValues<double>(20, -1, 1, 9);        // [4, 5]
  std::vector<double> bt = randomValues<double>(20, -1, 1, 10);      // [5, 4]
  std::vector<double> batched = randomValues<double>(24, -1, 1, 11); // [2,3,4]
  Graph g("matmul");
  Var A = g.input("a", {3, 4}, DType::F64),
      B = g.input("b", {4, 5}, DType::F64);
  Var Bt = g.input("bt", {5, 4}, DType::F64);
  Var X = g.input("x", {2, 3, 4}, DType::F64);
  g.output("plain", matmul(A, B));
  g.output("transposed", matmul(A, Bt, false, true));
  g.output("lhsT", matmul(transpose(A, {1, 0}), B, true, false));
  g.output("batched", matmul(X, B)); // B broadcast over the batch
  auto out = compileAndRun(g, {Tensor::fromVector<double>({3, 4}, a),
                               Tensor::fromVector<double>({4, 5}, b),
                               Tensor::fromVector<double>({5, 4}, bt),
                               Tensor::fromVector<double>({2, 3, 4}, batched)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(
      matches<double>(out[0], {3, 5}, matmulRef(a, b, 3, 4, 5, false, false)));
  EXPECT_TRUE(
      matches<double>(out[1], {3, 5}, matmulRef(a, bt, 3, 4, 5, false, true)));
  EXPECT_TRUE(
      matches<double>(out[2], {3, 5}, matmulRef(a, b, 3, 4, 5, false, false)));
  std::vector<double> want;
  for (int i = 0; i < 2; ++i) {
    std::vector<double> slice(batched.begin() + i * 12,
                              batched.begin() + i * 12 + 12);
    auto c = matmulRef(slice, b, 3, 4, 5, false, false);
    want.insert(want.end(), c.begin(), c.end());
  }
  EXPECT_TRUE(matches<double>(out[3], {2, 3, 5}, want));
}

TEST(GraphOps, Reductions) {
  std::vector<double> xs = randomValues<double>(24, -2, 2, 12); // [2, 3, 4]
  Graph g("reduce");
  Var x = g.input("x", {2, 3, 4}, DType::F64);
  Var s = sum(x, {-1});
  EXPECT_EQ(s.shape(), (std::vector<int64_t>{2, 3}));
  g.output("sum", s);
  Var m = mean(x, {0, 2}, true);
  EXPECT_EQ(m.shape(), (std::vector<int64_t>{1, 3, 1}));
  g.output("mean", m);
  Var all = amax(x);
  EXPECT_EQ(all.rank(), 0);
  g.output("amax", all);
  auto out = compileAndRun(g, {Tensor::fromVector<double>({2, 3, 4}, xs)});
  ASSERT_EQ(out.size(), 3u);
  std::vector<double> sums(6, 0.0), means(3, 0.0);
  double best = -1e300;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) {
        double v = xs[i * 12 + j * 4 + k];
        sums[i * 3 + j] += v;
        means[j] += v / 8.0;
        best = std::max(best, v);
      }
  EXPECT_TRUE(matches<double>(out[0], {2, 3}, sums));
  EXPECT_TRUE(matches<double>(out[1], {1, 3, 1}, means));
  EXPECT_TRUE(matches<double>(out[2], {}, {best}));
}

TEST(GraphOps, SoftmaxAndLogSoftmax) {
  std::vector<double> xs = randomValues<double>(6, -3, 3, 13); // [2, 3]
  Graph g("softmax");
  Var x = g.input("x", {2, 3}, DType::F64);
  g.output("softmax", softmax(x, -1));
  g.output("log_softmax", logSoftmax(x, 0));
  auto out = compileAndRun(g, {Tensor::fromVector<double>({2, 3}, xs)});
  ASSERT_EQ(out.size(), 2u);
  std::vector<double> sm(6), lsm(6);
  for (int i = 0; i < 2; ++i) {
    double z = 0;
    for (int j = 0; j < 3; ++j)
      z += std::exp(xs[i * 3 + j]);
    for (int j = 0; j < 3; ++j)
      sm[i * 3 + j] = std::exp(xs[i * 3 + j]) / z;
  }
  for (int j = 0; j < 3; ++j) {
    double z = std::exp(xs[j]) + std::exp(xs[3 + j]);
    for (int i = 0; i < 2; ++i)
      lsm[i * 3 + j] = xs[i * 3 + j] - std::log(z);
  }
  EXPECT_TRUE(matches<double>(out[0], {2, 3}, sm));
  EXPECT_TRUE(matches<double>(out[1], {2, 3}, lsm));
}
