//===- LargeGraphTest.cpp - big intermediates, deep chains, a small MLP ---===//

#include "E2ETestUtil.h"

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace kiln;
using namespace kiln::e2e;

namespace {

TEST(LargeGraph, HundredMegabyteIntermediates) {
  // Every intermediate is 5000x5000xf32 = 100 MB (25e6 elements); only small
  // tensors cross the function boundary. Such buffers must live on the heap:
  // on the stack they would overflow it immediately.
  //   s = r_i + c_j;  a = relu(s);  d = a * a - a
  // With small integer inputs every value and every row sum is an integer
  // below 2^24, so the f32 results are exact.
  const char *ir = R"(
func.func @large(%r: tensor<5000x1xf32>, %c: tensor<5000xf32>)
    -> (tensor<5000xf32>, tensor<f32>, tensor<1x5000xf32>) {
  %rb = kiln.broadcast %r : tensor<5000x1xf32> -> tensor<5000x5000xf32>
  %cb = kiln.broadcast %c : tensor<5000xf32> -> tensor<5000x5000xf32>
  %s = kiln.add %rb, %cb : tensor<5000x5000xf32>
  %a = kiln.relu %s : tensor<5000x5000xf32>
  %sq = kiln.mul %a, %a : tensor<5000x5000xf32>
  %d = kiln.sub %sq, %a : tensor<5000x5000xf32>
  %rows = kiln.reduce_sum %d axes [1] : tensor<5000x5000xf32> -> tensor<5000xf32>
  %max = kiln.reduce_max %d axes [0, 1] : tensor<5000x5000xf32> -> tensor<f32>
  %cols = kiln.reduce_max %s axes [0] keepdims : tensor<5000x5000xf32> -> tensor<1x5000xf32>
  return %rows, %max, %cols : tensor<5000xf32>, tensor<f32>, tensor<1x5000xf32>
}
// A 100 MB matmul result (outer product) and a 100 MB transpose.
func.func @outer(%r: tensor<5000x1xf32>, %c: tensor<1x5000xf32>)
    -> (tensor<5000xf32>, tensor<5000xf32>) {
  %o = kiln.matmul %r, %c : tensor<5000x1xf32>, tensor<1x5000xf32> -> tensor<5000x5000xf32>
  %t = kiln.transpose %o [1, 0] : tensor<5000x5000xf32> -> tensor<5000x5000xf32>
  %a = kiln.abs %t : tensor<5000x5000xf32>
  %colsum = kiln.reduce_sum %a axes [1] : tensor<5000x5000xf32> -> tensor<5000xf32>
  %rowmax = kiln.reduce_max %o axes [1] : tensor<5000x5000xf32> -> tensor<5000xf32>
  return %colsum, %rowmax : tensor<5000xf32>, tensor<5000xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  const int64_t n = 5000;
  std::vector<float> r = randomValues<float>(n, 0, 9, 0xB16), c(n);
  Rng rng(0xB17);
  for (float &v : r)
    v = std::floor(v);
  for (float &v : c)
    v = static_cast<float>(rng.uniformInt(-6, 6));
  r[17] = 9; // make the maximum certain
  c[4321] = 6;

  std::vector<Tensor> out;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(invokeFn(
      *m, "large",
      {Tensor::fromVector<float>({n, 1}, r), Tensor::fromVector<float>({n}, c)},
      out));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_EQ(out.size(), 3u);

  // Reference: the column values only depend on c, so count them once.
  std::vector<float> rows(n);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0;
    for (int64_t j = 0; j < n; ++j) {
      double a = std::max(0.0, static_cast<double>(r[i]) + c[j]);
      sum += a * a - a;
    }
    rows[i] = static_cast<float>(sum);
    total += sum;
  }
  EXPECT_TRUE(matches<float>(out[0], {n}, rows, kExact));
  EXPECT_TRUE(matches<float>(out[1], {}, {15.0f * 15.0f - 15.0f}));
  const float maxR = *std::max_element(r.begin(), r.end());
  std::vector<float> cols(n);
  for (int64_t j = 0; j < n; ++j)
    cols[j] = maxR + c[j];
  EXPECT_TRUE(matches<float>(out[2], {1, n}, cols, kExact));

  // The grand total, summed in double on the test side.
  double got = 0;
  for (float v : toVector<float>(out[0]))
    got += v;
  EXPECT_EQ(got, total);
  RecordProperty("seconds", std::to_string(seconds));

  // outer: |r_i c_j| summed over i for each j (exact: integers < 2^24), and
  // max_j r_i c_j for each i.
  ASSERT_TRUE(invokeFn(*m, "outer",
                       {Tensor::fromVector<float>({n, 1}, r),
                        Tensor::fromVector<float>({1, n}, c)},
                       out));
  ASSERT_EQ(out.size(), 2u);
  double sumAbsR = 0;
  for (float v : r)
    sumAbsR += std::fabs(v);
  const float maxC = *std::max_element(c.begin(), c.end());
  const float minC = *std::min_element(c.begin(), c.end());
  std::vector<float> colsum(n), rowmax(n);
  for (int64_t j = 0; j < n; ++j)
    colsum[j] = static_cast<float>(sumAbsR * std::fabs(c[j]));
  for (int64_t i = 0; i < n; ++i)
    rowmax[i] = r[i] >= 0 ? r[i] * maxC : r[i] * minC;
  EXPECT_TRUE(matches<float>(out[0], {n}, colsum, kExact));
  EXPECT_TRUE(matches<float>(out[1], {n}, rowmax, kExact));
}

TEST(LargeGraph, DeepChainF64) {
  // 40 dependent layers x <- tanh(x * a + b) - x / 4 in one function: a long
  // graph with many intermediates (checks buffer reuse and deallocation).
  std::string body;
  std::string prev = "%x";
  for (int i = 0; i < 40; ++i) {
    std::string k = std::to_string(i);
    body += "  %m" + k + " = kiln.mul " + prev + ", %a : tensor<16x16xf64>\n";
    body += "  %s" + k + " = kiln.add %m" + k + ", %b : tensor<16x16xf64>\n";
    body += "  %t" + k + " = kiln.tanh %s" + k + " : tensor<16x16xf64>\n";
    body +=
        "  %q" + k + " = kiln.div " + prev + ", %four : tensor<16x16xf64>\n";
    body += "  %y" + k + " = kiln.sub %t" + k + ", %q" + k +
            " : tensor<16x16xf64>\n";
    prev = "%y" + k;
  }
  std::string ir =
      "func.func @deep(%x: tensor<16x16xf64>, %a: tensor<16x16xf64>, %b: "
      "tensor<16x16xf64>) -> tensor<16x16xf64> {\n"
      "  %four = kiln.constant dense<4.0> : tensor<16x16xf64>\n" +
      body + "  return " + prev + " : tensor<16x16xf64>\n}\n";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<double> x = randomValues<double>(256, -1, 1, 1);
  std::vector<double> a = randomValues<double>(256, -2, 2, 2);
  std::vector<double> b = randomValues<double>(256, -0.5, 0.5, 3);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "deep",
                       {Tensor::fromVector<double>({16, 16}, x),
                        Tensor::fromVector<double>({16, 16}, a),
                        Tensor::fromVector<double>({16, 16}, b)},
                       out));
  std::vector<double> y = x;
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 256; ++j)
      y[j] = std::tanh(y[j] * a[j] + b[j]) - y[j] / 4;
  EXPECT_TRUE(matches<double>(out[0], {16, 16}, y, Tol{1e-10, 1e-12}));
}

TEST(LargeGraph, TwoLayerMlp) {
  // logits = relu(x W1 + b1) W2 + b2; returns log_softmax(logits) and the
  // mean negative log-likelihood of class 0 (a rank-0 result).
  const char *ir = R"(
func.func @mlp(%x: tensor<32x64xf32>, %w1: tensor<64x48xf32>, %b1: tensor<48xf32>,
               %w2: tensor<48x10xf32>, %b2: tensor<10xf32>)
    -> (tensor<32x10xf32>, tensor<f32>) {
  %h0 = kiln.matmul %x, %w1 : tensor<32x64xf32>, tensor<64x48xf32> -> tensor<32x48xf32>
  %b1b = kiln.broadcast %b1 : tensor<48xf32> -> tensor<32x48xf32>
  %h1 = kiln.add %h0, %b1b : tensor<32x48xf32>
  %h = kiln.relu %h1 : tensor<32x48xf32>
  %l0 = kiln.matmul %h, %w2 : tensor<32x48xf32>, tensor<48x10xf32> -> tensor<32x10xf32>
  %b2b = kiln.broadcast %b2 : tensor<10xf32> -> tensor<32x10xf32>
  %logits = kiln.add %l0, %b2b : tensor<32x10xf32>
  %lsm = kiln.log_softmax %logits axis 1 : tensor<32x10xf32>
  %first = kiln.slice %lsm start [0, 0] limit [32, 1] stride [1, 1] : tensor<32x10xf32> -> tensor<32x1xf32>
  %mean = kiln.reduce_mean %first axes [0, 1] : tensor<32x1xf32> -> tensor<f32>
  %nll = kiln.neg %mean : tensor<f32>
  return %lsm, %nll : tensor<32x10xf32>, tensor<f32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> x = randomValues<float>(32 * 64, -1, 1, 61);
  std::vector<float> w1 = randomValues<float>(64 * 48, -0.3, 0.3, 62);
  std::vector<float> b1 = randomValues<float>(48, -0.1, 0.1, 63);
  std::vector<float> w2 = randomValues<float>(48 * 10, -0.3, 0.3, 64);
  std::vector<float> b2 = randomValues<float>(10, -0.1, 0.1, 65);
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*m, "mlp",
                       {Tensor::fromVector<float>({32, 64}, x),
                        Tensor::fromVector<float>({64, 48}, w1),
                        Tensor::fromVector<float>({48}, b1),
                        Tensor::fromVector<float>({48, 10}, w2),
                        Tensor::fromVector<float>({10}, b2)},
                       out));
  ASSERT_EQ(out.size(), 2u);

  std::vector<float> lsm(32 * 10);
  double nll = 0;
  for (int i = 0; i < 32; ++i) {
    double h[48], logits[10];
    for (int j = 0; j < 48; ++j) {
      double s = b1[j];
      for (int k = 0; k < 64; ++k)
        s += static_cast<double>(x[i * 64 + k]) * w1[k * 48 + j];
      h[j] = std::max(0.0, s);
    }
    double mx = -INFINITY;
    for (int j = 0; j < 10; ++j) {
      double s = b2[j];
      for (int k = 0; k < 48; ++k)
        s += h[k] * w2[k * 10 + j];
      logits[j] = s;
      mx = std::max(mx, s);
    }
    double sum = 0;
    for (int j = 0; j < 10; ++j)
      sum += std::exp(logits[j] - mx);
    for (int j = 0; j < 10; ++j)
      lsm[i * 10 + j] = static_cast<float>(logits[j] - mx - std::log(sum));
    nll -= lsm[i * 10] / 32.0;
  }
  EXPECT_TRUE(matches<float>(out[0], {32, 10}, lsm, Tol{1e-4, 1e-5}));
  EXPECT_TRUE(
      matches<float>(out[1], {}, {static_cast<float>(nll)}, Tol{1e-4, 1e-5}));
}

// Compiled code cannot return an error: when memory runs out, the runtime's
// allocator ends the process with a message (never a segfault on a null
// pointer). 160 GB is more than any machine we run on can give.
TEST(LargeGraphDeathTest, OutOfMemoryEndsWithAMessage) {
  const char *ir = R"(
func.func @huge(%x: tensor<f32>) -> tensor<f32> {
  %b = kiln.broadcast %x : tensor<f32> -> tensor<200000x200000xf32>
  %e = kiln.exp %b : tensor<200000x200000xf32>
  %s = kiln.reduce_sum %e axes [0, 1] : tensor<200000x200000xf32> -> tensor<f32>
  return %s : tensor<f32>
}
)";
  EXPECT_EXIT(
      {
        std::unique_ptr<CompiledModule> m;
        if (!compileIR(ir, m))
          std::exit(2);
        std::vector<Tensor> out;
        (void)invokeFn(*m, "huge", {Tensor::fromVector<float>({}, {1.0f})},
                       out);
        std::exit(3);
      },
      ::testing::ExitedWithCode(1),
      "kiln: out of memory: compiled code could not allocate [0-9]+ bytes");
}

} // namespace
