//===- ModuleTest.cpp - Function-level behaviour of compiled modules
//-------===//
//
// How results leave a function (an input returned as is, one value returned
// twice, a constant), calls to private helpers, strided (view) inputs,
// repeated invocation, and entry functions whose names are also C library
// symbols.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <thread>

using namespace kiln;
using namespace kiln::e2e;

namespace {

TEST(Module, InputsReturnedDirectly) {
  const char *ir = R"(
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
// An input returned next to a computed value.
func.func @mixed(%x: tensor<3xi32>) -> (tensor<3xi32>, tensor<3xi32>) {
  %n = kiln.neg %x : tensor<3xi32>
  return %n, %x : tensor<3xi32>, tensor<3xi32>
}
// Arguments swapped on the way out; one argument returned twice.
func.func @swap(%a: tensor<2xf64>, %b: tensor<2xf64>) -> (tensor<2xf64>, tensor<2xf64>, tensor<2xf64>) {
  return %b, %a, %b : tensor<2xf64>, tensor<2xf64>, tensor<2xf64>
}
// Views of a computed value returned next to it.
func.func @views(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<6xf32>, tensor<1x3xf32>) {
  %n = kiln.neg %x : tensor<2x3xf32>
  %r = kiln.reshape %n : tensor<2x3xf32> -> tensor<6xf32>
  %s = kiln.slice %n start [1, 0] limit [2, 3] stride [1, 1] : tensor<2x3xf32> -> tensor<1x3xf32>
  return %n, %r, %s : tensor<2x3xf32>, tensor<6xf32>, tensor<1x3xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<Tensor> out;

  Tensor x = Tensor::fromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(invokeFn(*m, "identity", {x}, out));
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, {1, 2, 3, 4, 5, 6}));
  // The result is a copy: writing to it leaves the input alone.
  out[0].dataAs<float>()[0] = 100;
  EXPECT_EQ(x.dataAs<float>()[0], 1.0f);

  Tensor xi = Tensor::fromVector<int32_t>({3}, {1, -2, 3});
  ASSERT_TRUE(invokeFn(*m, "mixed", {xi}, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<int32_t>(out[0], {3}, {-1, 2, -3}));
  EXPECT_TRUE(matches<int32_t>(out[1], {3}, {1, -2, 3}));
  // Compiled functions never write to their inputs.
  EXPECT_TRUE(matches<int32_t>(xi, {3}, {1, -2, 3}));

  ASSERT_TRUE(invokeFn(*m, "swap",
                       {Tensor::fromVector<double>({2}, {1, 2}),
                        Tensor::fromVector<double>({2}, {3, 4})},
                       out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<double>(out[0], {2}, {3, 4}));
  EXPECT_TRUE(matches<double>(out[1], {2}, {1, 2}));
  EXPECT_TRUE(matches<double>(out[2], {2}, {3, 4}));

  ASSERT_TRUE(invokeFn(*m, "views", {x}, out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, {-1, -2, -3, -4, -5, -6}));
  EXPECT_TRUE(matches<float>(out[1], {6}, {-1, -2, -3, -4, -5, -6}));
  EXPECT_TRUE(matches<float>(out[2], {1, 3}, {-4, -5, -6}));
}

// Regression: returning one computed value twice used to crash
// buffer-results-to-out-params (hoist-static-allocs); kiln-copy-repeated-
// results now gives each result its own tensor. Runs in a child process so
// that a crash fails only this test.
TEST(ModuleDeathTest, SameComputedValueReturnedTwice) {
  expectSucceedsInChild(
      "returning one computed value twice", []() -> ::testing::AssertionResult {
        const char *ir = R"(
func.func @dup(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %n = kiln.neg %x : tensor<3xf32>
  return %n, %n : tensor<3xf32>, tensor<3xf32>
}
)";
        std::unique_ptr<CompiledModule> m;
        if (auto r = compileIR(ir, m); !r)
          return r;
        std::vector<Tensor> out;
        if (auto r = invokeFn(
                *m, "dup", {Tensor::fromVector<float>({3}, {1, -2, 3})}, out);
            !r)
          return r;
        if (out.size() != 2)
          return ::testing::AssertionFailure() << out.size() << " results";
        if (auto r = matches<float>(out[0], {3}, {-1, 2, -3}); !r)
          return r;
        return matches<float>(out[1], {3}, {-1, 2, -3});
      });
}

TEST(Module, PrivateHelperCalls) {
  const char *ir = R"(
func.func private @affine(%x: tensor<4xf32>, %s: tensor<4xf32>) -> tensor<4xf32> {
  %m = kiln.mul %x, %s : tensor<4xf32>
  %r = kiln.add %m, %s : tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func @twice(%x: tensor<4xf32>, %s: tensor<4xf32>) -> tensor<4xf32> {
  %a = func.call @affine(%x, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = func.call @affine(%a, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %b : tensor<4xf32>
}
// A public function calling another public function.
func.func @square(%x: tensor<4xf32>) -> tensor<4xf32> {
  %m = kiln.mul %x, %x : tensor<4xf32>
  return %m : tensor<4xf32>
}
func.func @fourth(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = func.call @square(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %b = func.call @square(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %b : tensor<4xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  std::vector<float> x = {1, -2, 0.5f, 3}, s = {2, 3, -1, 0.25f};
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(
      *m, "twice",
      {Tensor::fromVector<float>({4}, x), Tensor::fromVector<float>({4}, s)},
      out));
  std::vector<float> expected(4);
  for (int i = 0; i < 4; ++i)
    expected[i] = (x[i] * s[i] + s[i]) * s[i] + s[i];
  EXPECT_TRUE(matches<float>(out[0], {4}, expected));

  ASSERT_TRUE(invokeFn(*m, "fourth", {Tensor::fromVector<float>({4}, x)}, out));
  EXPECT_TRUE(matches<float>(out[0], {4}, {1, 16, 0.0625f, 81}));
  ASSERT_TRUE(invokeFn(*m, "square", {Tensor::fromVector<float>({4}, x)}, out));
  EXPECT_TRUE(matches<float>(out[0], {4}, {1, 4, 0.25f, 9}));
}

TEST(Module, StridedViewInputsAndRepeatedCalls) {
  const char *ir = R"(
func.func @scale(%x: tensor<3x2xf32>, %y: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %m = kiln.mul %x, %y : tensor<3x2xf32>
  return %m : tensor<3x2xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  // A transposed view of a 2x3 tensor: non-contiguous.
  Tensor base = Tensor::fromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor view = base.transposed({1, 0});
  ASSERT_FALSE(view.isContiguous());
  Tensor y = Tensor::fromVector<float>({3, 2}, {1, 10, 100, 1000, 2, 20});
  std::vector<Tensor> out;
  for (int rep = 0; rep < 5; ++rep) {
    ASSERT_TRUE(invokeFn(*m, "scale", {view, y}, out));
    // view = [[1, 4], [2, 5], [3, 6]]
    EXPECT_TRUE(matches<float>(out[0], {3, 2}, {1, 40, 200, 5000, 6, 120}))
        << "call #" << rep;
  }
}

// Regression: a Kiln function named like a C library function that the
// generated code calls (`exp` for f64 kiln.exp, `pow`, `malloc`, `free`,
// `memrefCopy`) used to replace it (infinite recursion, or a failed link).
// kiln-mark-entry-points now renames every function internally. Runs in a
// child process so that a crash fails only this test.
TEST(ModuleDeathTest, EntryFunctionNamedLikeLibmFunction) {
  expectSucceedsInChild(
      "entry functions named like C library functions",
      []() -> ::testing::AssertionResult {
        const char *ir = R"(
func.func @exp(%x: tensor<3xf64>) -> tensor<3xf64> {
  %e = kiln.exp %x : tensor<3xf64>
  return %e : tensor<3xf64>
}
func.func @pow(%x: tensor<3xf64>) -> tensor<3xf64> {
  %p = kiln.pow %x, %x : tensor<3xf64>
  return %p : tensor<3xf64>
}
func.func @malloc(%x: tensor<3xf64>) -> tensor<3xf64> {
  %e = kiln.exp %x : tensor<3xf64>
  %t = kiln.slice %e start [1] limit [3] stride [1] : tensor<3xf64> -> tensor<2xf64>
  %c = kiln.concat %t, %x axis 0 : tensor<2xf64>, tensor<3xf64> -> tensor<5xf64>
  %s = kiln.slice %c start [0] limit [5] stride [2] : tensor<5xf64> -> tensor<3xf64>
  return %s : tensor<3xf64>
}
func.func @free(%x: tensor<3xf64>) -> tensor<3xf64> {
  %m = func.call @malloc(%x) : (tensor<3xf64>) -> tensor<3xf64>
  return %m : tensor<3xf64>
}
func.func @memrefCopy(%x: tensor<3xf64>) -> tensor<3xf64> {
  %s = kiln.slice %x start [0] limit [3] stride [1] : tensor<3xf64> -> tensor<3xf64>
  return %s : tensor<3xf64>
}
)";
        std::unique_ptr<CompiledModule> m;
        if (auto r = compileIR(ir, m); !r)
          return r;
        Tensor x = Tensor::fromVector<double>({3}, {0, 1, -1});
        double e = std::exp(1.0), ie = std::exp(-1.0);
        std::vector<Tensor> out;
        if (auto r = invokeFn(*m, "exp", {x}, out); !r)
          return r;
        if (auto r = matches<double>(out[0], {3}, {1, e, ie}); !r)
          return r;
        if (auto r = invokeFn(*m, "pow", {x}, out); !r)
          return r;
        if (auto r = matches<double>(out[0], {3}, {1, 1, -1}); !r)
          return r;
        // concat(exp(x)[1:3], x)[::2] = [e, 0, -1]
        for (const char *name : {"malloc", "free"}) {
          if (auto r = invokeFn(*m, name, {x}, out); !r)
            return r;
          if (auto r = matches<double>(out[0], {3}, {e, 0, -1}); !r)
            return r << " (" << name << ")";
        }
        if (auto r = invokeFn(*m, "memrefCopy", {x}, out); !r)
          return r;
        return matches<double>(out[0], {3}, {0, 1, -1});
      });
}

TEST(Module, TwoModulesWithTheSameFunctionName) {
  // Each module has its own JIT session: same symbol, different code.
  const char *irA = R"(
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = kiln.add %x, %x : tensor<2xf32>
  return %y : tensor<2xf32>
}
)";
  const char *irB = R"(
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = kiln.mul %x, %x : tensor<2xf32>
  return %y : tensor<2xf32>
}
)";
  std::unique_ptr<CompiledModule> a, b;
  ASSERT_TRUE(compileIR(irA, a));
  ASSERT_TRUE(compileIR(irB, b));
  Tensor x = Tensor::fromVector<float>({2}, {3, -4});
  std::vector<Tensor> out;
  ASSERT_TRUE(invokeFn(*a, "f", {x}, out));
  EXPECT_TRUE(matches<float>(out[0], {2}, {6, -8}));
  ASSERT_TRUE(invokeFn(*b, "f", {x}, out));
  EXPECT_TRUE(matches<float>(out[0], {2}, {9, 16}));
  a.reset(); // destroying one leaves the other usable
  ASSERT_TRUE(invokeFn(*b, "f", {x}, out));
  EXPECT_TRUE(matches<float>(out[0], {2}, {9, 16}));
}

TEST(Module, ConcurrentInvocations) {
  const char *ir = R"(
func.func @f(%x: tensor<64x32xf32>, %w: tensor<32x16xf32>) -> tensor<64xf32> {
  %h = kiln.matmul %x, %w : tensor<64x32xf32>, tensor<32x16xf32> -> tensor<64x16xf32>
  %t = kiln.tanh %h : tensor<64x16xf32>
  %s = kiln.reduce_sum %t axes [1] : tensor<64x16xf32> -> tensor<64xf32>
  return %s : tensor<64xf32>
}
)";
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(ir, m));
  Tensor w = randomTensor<float>({32, 16}, -0.5, 0.5, 7);
  std::vector<Tensor> inputs;
  std::vector<Tensor> expected;
  for (int t = 0; t < 4; ++t) {
    inputs.push_back(randomTensor<float>({64, 32}, -1, 1, 100 + t));
    std::vector<Tensor> out;
    ASSERT_TRUE(invokeFn(*m, "f", {inputs.back(), w}, out));
    expected.push_back(out[0]);
  }
  // Same inputs from 4 threads at once, many times: identical results.
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t]() {
      for (int rep = 0; rep < 25; ++rep) {
        std::vector<Tensor> out;
        if (!m->invoke("f", {inputs[t], w}, out) ||
            toVector<float>(out[0]) != toVector<float>(expected[t]))
          ++failures[t];
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(Module, OptimizationLevelsAgree) {
  // The same graph compiled at -O0 and -O3 computes the same values.
  const char *ir = R"(
func.func @g(%x: tensor<5x7xf64>, %w: tensor<7x3xf64>) -> (tensor<5x3xf64>, tensor<3xi64>) {
  %h = kiln.matmul %x, %w : tensor<5x7xf64>, tensor<7x3xf64> -> tensor<5x3xf64>
  %s = kiln.sigmoid %h : tensor<5x3xf64>
  %p = kiln.log_softmax %s axis 0 : tensor<5x3xf64>
  %m = kiln.reduce_max %h axes [0] : tensor<5x3xf64> -> tensor<3xf64>
  %k = kiln.constant dense<100.0> : tensor<3xf64>
  %q = kiln.mul %m, %k : tensor<3xf64>
  %i = kiln.cast %q : tensor<3xf64> -> tensor<3xi64>
  return %p, %i : tensor<5x3xf64>, tensor<3xi64>
}
)";
  Tensor x = randomTensor<double>({5, 7}, -1, 1, 5);
  Tensor w = randomTensor<double>({7, 3}, -1, 1, 6);
  std::vector<std::vector<Tensor>> results;
  for (int level : {0, 1, 3}) {
    SCOPED_TRACE("-O" + std::to_string(level));
    CompileOptions options;
    options.optLevel = level;
    auto compiled = compileKilnSource(ir, options);
    ASSERT_TRUE(static_cast<bool>(compiled))
        << llvm::toString(compiled.takeError());
    std::vector<Tensor> out;
    ASSERT_TRUE(invokeFn(**compiled, "g", {x, w}, out));
    results.push_back(out);
  }
  // Reference for -O0.
  std::vector<double> xv = toVector<double>(x), wv = toVector<double>(w);
  std::vector<double> h(15), p(15);
  std::vector<int64_t> idx(3);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 3; ++j) {
      double acc = 0;
      for (int k = 0; k < 7; ++k)
        acc += xv[i * 7 + k] * wv[k * 3 + j];
      h[i * 3 + j] = acc;
    }
  for (int j = 0; j < 3; ++j) {
    double mx = -INFINITY, hmax = -INFINITY, sum = 0;
    for (int i = 0; i < 5; ++i) {
      p[i * 3 + j] = 1 / (1 + std::exp(-h[i * 3 + j]));
      mx = std::max(mx, p[i * 3 + j]);
      hmax = std::max(hmax, h[i * 3 + j]);
    }
    for (int i = 0; i < 5; ++i)
      sum += std::exp(p[i * 3 + j] - mx);
    for (int i = 0; i < 5; ++i)
      p[i * 3 + j] = p[i * 3 + j] - mx - std::log(sum);
    idx[j] = static_cast<int64_t>(hmax * 100);
  }
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(matches<double>(results[0][0], {5, 3}, p));
  EXPECT_TRUE(matches<int64_t>(results[0][1], {3}, idx));
  for (size_t i = 1; i < results.size(); ++i) {
    EXPECT_TRUE(matches<double>(results[i][0], {5, 3},
                                toVector<double>(results[0][0])));
    EXPECT_TRUE(
        matches<int64_t>(results[i][1], {3}, toVector<int64_t>(results[0][1])));
  }
}

} // namespace
