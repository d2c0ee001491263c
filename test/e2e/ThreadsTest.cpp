//===- ThreadsTest.cpp - Parallel loops: thread-count independence -------===//
//
// Compiled code splits large loop nests among threads (ParallelLoops.cpp,
// the row blocks of ContractionCodegen.cpp). Each test runs one compiled
// function at 1, 2 and 3 threads and requires bit-identical results, and
// checks them against a C++ reference: matrix products with remainders,
// a convolution with its gradients, reductions over each axis, a fused
// elementwise chain and a whole CNN training step. The shapes are above
// the parallel thresholds, so the parallel code paths are the ones run.
// Also: a training step's steady state takes no memory from the system.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include "fashion_mnist/Models.h"

#include <cstring>

using namespace kiln;
using namespace kiln::e2e;

namespace {

const int kThreadCounts[] = {1, 2, 3};

/// Restores the thread count a test changed.
class ThreadsTest : public ::testing::Test {
protected:
  void SetUp() override { saved = numThreads(); }
  void TearDown() override { ASSERT_TRUE(setNumThreads(saved)); }

private:
  int saved = 1;
};

bool sameBits(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.contiguous().data(), b.contiguous().data(),
                     a.sizeInBytes()) == 0;
}

/// Runs `fn` on `inputs` at every thread count; expects bit-identical
/// results and returns them.
std::vector<Tensor> runAtEveryThreadCount(const CompiledModule &module,
                                          const std::string &fn,
                                          const std::vector<Tensor> &inputs) {
  std::vector<Tensor> first;
  for (int threads : kThreadCounts) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    EXPECT_TRUE(setNumThreads(threads));
    std::vector<Tensor> outputs;
    EXPECT_TRUE(invokeFn(module, fn, inputs, outputs));
    if (first.empty()) {
      first = outputs;
      continue;
    }
    EXPECT_EQ(outputs.size(), first.size());
    for (size_t i = 0; i < outputs.size() && i < first.size(); ++i)
      EXPECT_TRUE(sameBits(outputs[i], first[i]))
          << fn << " result " << i << " differs at " << threads
          << " threads from 1 thread";
  }
  return first;
}

void expectClose(const std::vector<float> &actual,
                 const std::vector<double> &expected, double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i],
                tolerance * (1 + std::fabs(expected[i])))
        << "at " << i;
}

TEST_F(ThreadsTest, MatmulWithRemaindersIsThreadCountIndependent) {
  // 203 rows: 7 row blocks of 32, the last of 11 (not a multiple of the
  // register tile); N and K not multiples of the vector or cache tiles.
  const int64_t m = 203, k = 157, n = 141;
  std::unique_ptr<CompiledModule> module;
  ASSERT_TRUE(compileIR(R"(
func.func @mm(%a: tensor<203x157xf32>, %b: tensor<157x141xf32>) -> tensor<203x141xf32> {
  %r = kiln.matmul %a, %b : tensor<203x157xf32>, tensor<157x141xf32> -> tensor<203x141xf32>
  return %r : tensor<203x141xf32>
}
func.func @mm_tn(%a: tensor<157x203xf64>, %b: tensor<141x157xf64>) -> tensor<203x141xf64> {
  %r = kiln.matmul %a, %b {transpose_lhs, transpose_rhs} : tensor<157x203xf64>, tensor<141x157xf64> -> tensor<203x141xf64>
  return %r : tensor<203x141xf64>
}
)",
                        module));
  std::vector<float> a = randomValues<float>(m * k, -1, 1, 1),
                     b = randomValues<float>(k * n, -1, 1, 2);
  std::vector<Tensor> c =
      runAtEveryThreadCount(*module, "mm",
                            {Tensor::fromVector<float>({m, k}, a),
                             Tensor::fromVector<float>({k, n}, b)});
  ASSERT_EQ(c.size(), 1u);
  std::vector<double> expected(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        expected[i * n + j] += double(a[i * k + p]) * b[p * n + j];
  expectClose(toVector<float>(c[0]), expected, 1e-5);

  runAtEveryThreadCount(*module, "mm_tn",
                        {randomTensor<double>({k, m}, -1, 1, 3),
                         randomTensor<double>({n, k}, -1, 1, 4)});
}

TEST_F(ThreadsTest, ConvolutionAndGradientsAreThreadCountIndependent) {
  // Batch 5, 3 -> 16 channels, 23 x 19 images, 3 x 3, stride 1, pad 1.
  const std::string x = "tensor<5x3x23x19xf32>", w = "tensor<16x3x3x3xf32>",
                    y = "tensor<5x16x23x19xf32>",
                    attrs = " stride [1, 1] padding [1, 1, 1, 1] dilation "
                            "[1, 1] groups 1";
  std::unique_ptr<CompiledModule> module;
  ASSERT_TRUE(compileIR(
      "func.func @forward(%x: " + x + ", %w: " + w + ") -> " + y +
          " {\n  %y = kiln.conv2d %x, %w" + attrs + " : " + x + ", " + w +
          " -> " + y + "\n  return %y : " + y + "\n}\n" +
          "func.func @input_grad(%dy: " + y + ", %w: " + w + ") -> " + x +
          " {\n  %dx = kiln.conv2d_backward_input %dy, %w" + attrs + " : " + y +
          ", " + w + " -> " + x + "\n  return %dx : " + x + "\n}\n" +
          "func.func @filter_grad(%x: " + x + ", %dy: " + y + ") -> " + w +
          " {\n  %dw = kiln.conv2d_backward_filter %x, %dy" + attrs + " : " +
          x + ", " + y + " -> " + w + "\n  return %dw : " + w + "\n}\n",
      module));
  std::vector<float> xs = randomValues<float>(5 * 3 * 23 * 19, -1, 1, 5),
                     ws = randomValues<float>(16 * 3 * 3 * 3, -1, 1, 6);
  Tensor xt = Tensor::fromVector<float>({5, 3, 23, 19}, xs),
         wt = Tensor::fromVector<float>({16, 3, 3, 3}, ws),
         dy = randomTensor<float>({5, 16, 23, 19}, -1, 1, 7);
  std::vector<Tensor> ys = runAtEveryThreadCount(*module, "forward", {xt, wt});
  runAtEveryThreadCount(*module, "input_grad", {dy, wt});
  runAtEveryThreadCount(*module, "filter_grad", {xt, dy});
  ASSERT_EQ(ys.size(), 1u);
  std::vector<double> expected(5 * 16 * 23 * 19, 0.0);
  for (int64_t b = 0; b < 5; ++b)
    for (int64_t o = 0; o < 16; ++o)
      for (int64_t h = 0; h < 23; ++h)
        for (int64_t v = 0; v < 19; ++v) {
          double sum = 0;
          for (int64_t c = 0; c < 3; ++c)
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 3; ++j) {
                int64_t hh = h + i - 1, vv = v + j - 1;
                if (hh < 0 || hh >= 23 || vv < 0 || vv >= 19)
                  continue;
                sum += double(xs[((b * 3 + c) * 23 + hh) * 19 + vv]) *
                       ws[((o * 3 + c) * 3 + i) * 3 + j];
              }
          expected[((b * 16 + o) * 23 + h) * 19 + v] = sum;
        }
  expectClose(toVector<float>(ys[0]), expected, 1e-5);
}

TEST_F(ThreadsTest, ReductionsAndElementwiseAreThreadCountIndependent) {
  // 301 x 517: each reduction splits its kept axis among threads, the
  // elementwise chain its rows; the full sum stays one ordered loop.
  const int64_t rows = 301, cols = 517;
  std::unique_ptr<CompiledModule> module;
  ASSERT_TRUE(compileIR(R"(
func.func @sums(%x: tensor<301x517xf32>) -> (tensor<517xf32>, tensor<301xf32>, tensor<f32>) {
  %c = kiln.reduce_sum %x axes [0] : tensor<301x517xf32> -> tensor<517xf32>
  %r = kiln.reduce_sum %x axes [1] : tensor<301x517xf32> -> tensor<301xf32>
  %t = kiln.reduce_sum %x axes [0, 1] : tensor<301x517xf32> -> tensor<f32>
  return %c, %r, %t : tensor<517xf32>, tensor<301xf32>, tensor<f32>
}
func.func @chain(%x: tensor<301x517xf32>) -> tensor<301x517xf32> {
  %h = kiln.constant dense<0.5> : tensor<301x517xf32>
  %o = kiln.constant dense<1.0> : tensor<301x517xf32>
  %a = kiln.mul %x, %h : tensor<301x517xf32>
  %b = kiln.add %a, %o : tensor<301x517xf32>
  %t = kiln.tanh %b : tensor<301x517xf32>
  %y = kiln.mul %t, %x : tensor<301x517xf32>
  return %y : tensor<301x517xf32>
}
)",
                        module));
  std::vector<float> xs = randomValues<float>(rows * cols, -1, 1, 8);
  Tensor x = Tensor::fromVector<float>({rows, cols}, xs);
  std::vector<Tensor> sums = runAtEveryThreadCount(*module, "sums", {x});
  ASSERT_EQ(sums.size(), 3u);
  std::vector<double> colSums(cols, 0.0), rowSums(rows, 0.0), total(1, 0.0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      colSums[j] += xs[i * cols + j];
      rowSums[i] += xs[i * cols + j];
      total[0] += xs[i * cols + j];
    }
  expectClose(toVector<float>(sums[0]), colSums, 1e-4);
  expectClose(toVector<float>(sums[1]), rowSums, 1e-4);
  expectClose(toVector<float>(sums[2]), total, 1e-3);

  std::vector<Tensor> chain = runAtEveryThreadCount(*module, "chain", {x});
  ASSERT_EQ(chain.size(), 1u);
  std::vector<double> expected(xs.size());
  for (size_t i = 0; i < xs.size(); ++i)
    expected[i] = std::tanh(xs[i] * 0.5 + 1.0) * xs[i];
  expectClose(toVector<float>(chain[0]), expected, 1e-6);
}

/// The Fashion-MNIST CNN (examples/fashion_mnist/Models.h) at batch 8,
/// with Adam: every kind of parallel loop in one step.
std::unique_ptr<TrainStep> createCnnStep() {
  Graph g("cnn", /*seed=*/3);
  Var images = g.input("images", {8, 1, 28, 28});
  Var labels = g.input("labels", {8}, DType::I64);
  Var logits = examples::cnnClassifier(g, images, /*training=*/true);
  g.output("loss", crossEntropy(logits, labels));
  auto step = TrainStep::create(g, Adam{1e-3});
  if (!step) {
    ADD_FAILURE() << llvm::toString(step.takeError());
    return nullptr;
  }
  return std::move(*step);
}

/// One compiled CNN step for both tests (compiling it takes seconds).
TrainStep *sharedCnnStep() {
  static std::unique_ptr<TrainStep> step = createCnnStep();
  return step.get();
}

std::vector<Tensor> cnnBatch(uint64_t seed) {
  return {randomTensor<float>({8, 1, 28, 28}, 0, 1, seed),
          randomTensor<int64_t>({8}, 0, 9, seed + 1)};
}

TEST_F(ThreadsTest, TrainingStepIsThreadCountIndependent) {
  TrainStep *step = sharedCnnStep();
  ASSERT_TRUE(step);
  // Every thread count starts from the same parameters and optimizer state.
  auto copyState = [&] {
    std::vector<Tensor> copies;
    for (const auto &[name, tensor] : step->state())
      copies.push_back(Tensor::fromData(tensor.dtype(), tensor.shape(),
                                        tensor.contiguous().data()));
    return copies;
  };
  std::vector<Tensor> initial = copyState();
  std::vector<std::vector<Tensor>> finalStates;
  std::vector<double> losses;
  for (int threads : kThreadCounts) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ASSERT_TRUE(setNumThreads(threads));
    for (size_t i = 0; i < initial.size(); ++i) {
      Tensor live = step->state()[i].second;
      std::memcpy(live.data(), initial[i].data(), initial[i].sizeInBytes());
    }
    for (uint64_t s = 0; s < 3; ++s) {
      Status status = step->run(cnnBatch(10 + 2 * s));
      ASSERT_TRUE(status) << status.message();
    }
    losses.push_back(step->loss());
    finalStates.push_back(copyState());
  }
  for (size_t t = 1; t < finalStates.size(); ++t) {
    EXPECT_EQ(losses[t], losses[0]) << kThreadCounts[t] << " threads";
    for (size_t i = 0; i < initial.size(); ++i)
      EXPECT_TRUE(sameBits(finalStates[t][i], finalStates[0][i]))
          << step->state()[i].first << " differs at " << kThreadCounts[t]
          << " threads from 1 thread";
  }
  // And the steps did train: the state moved.
  EXPECT_FALSE(sameBits(finalStates[0][0], initial[0]));
}

TEST_F(ThreadsTest, SteadyStateStepTakesNoMemoryFromTheSystem) {
  TrainStep *step = sharedCnnStep();
  ASSERT_TRUE(step);
  ASSERT_TRUE(setNumThreads(2));
  std::vector<Tensor> batch = cnnBatch(20);
  // The first steps fill the runtime's buffer cache.
  for (int s = 0; s < 3; ++s)
    ASSERT_TRUE(step->run(batch));
  AllocationStats before = allocationStats();
  for (int s = 0; s < 3; ++s)
    ASSERT_TRUE(step->run(batch));
  AllocationStats after = allocationStats();
  EXPECT_GT(after.allocations, before.allocations)
      << "the step allocates intermediates";
  EXPECT_EQ(after.osAllocations, before.osAllocations)
      << (after.allocations - before.allocations)
      << " allocations in 3 steps, some from the system";
  EXPECT_EQ(after.liveBytes, before.liveBytes) << "the step leaks";
}

} // namespace
