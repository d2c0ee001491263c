//===- MlpForwardTest.cpp - The example MLP against a C++ reference ------===//

#include "frontend/Frontend.h"
#include "runtime/Runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <sys/wait.h>

extern "C" void _mlir_ciface_mlp_forward(void *x, void *w1, void *b1, void *w2,
                                         void *b2, void *probs);

namespace {
const char *const kNames[] = {"x", "w1", "b1", "w2", "b2"};

std::vector<kiln::Tensor> loadInputs() {
  std::vector<kiln::Tensor> inputs(5);
  for (int i = 0; i < 5; ++i) {
    kiln::Status status = kiln::readNpy(
        std::string(KILN_EXAMPLE_DATA) + "/" + kNames[i] + ".npy", inputs[i]);
    EXPECT_TRUE(status.isOk()) << status.message();
  }
  return inputs;
}

/// softmax(relu(x w1 + b1) w2 + b2), in double, written out as loops.
std::vector<double> reference(const std::vector<kiln::Tensor> &in) {
  const float *x = in[0].dataAs<float>(), *w1 = in[1].dataAs<float>(),
              *b1 = in[2].dataAs<float>(), *w2 = in[3].dataAs<float>(),
              *b2 = in[4].dataAs<float>();
  std::vector<double> probs(8 * 10);
  for (int n = 0; n < 8; ++n) {
    std::vector<double> hidden(512);
    for (int j = 0; j < 512; ++j) {
      double sum = b1[j];
      for (int k = 0; k < 784; ++k)
        sum += double(x[n * 784 + k]) * w1[k * 512 + j];
      hidden[j] = sum > 0 ? sum : 0;
    }
    double logits[10], max = -INFINITY, total = 0;
    for (int c = 0; c < 10; ++c) {
      logits[c] = b2[c];
      for (int j = 0; j < 512; ++j)
        logits[c] += hidden[j] * w2[j * 10 + c];
      max = std::max(max, logits[c]);
    }
    for (int c = 0; c < 10; ++c)
      total += std::exp(logits[c] - max);
    for (int c = 0; c < 10; ++c)
      probs[n * 10 + c] = std::exp(logits[c] - max) / total;
  }
  return probs;
}

void expectMatches(const kiln::Tensor &probs, const std::vector<double> &ref) {
  ASSERT_EQ(probs.shape(), (std::vector<int64_t>{8, 10}));
  ASSERT_EQ(probs.dtype(), kiln::DType::F32);
  for (int i = 0; i < 80; ++i)
    EXPECT_NEAR(probs.getAsDouble(i), ref[i], 1e-5 + 1e-4 * ref[i])
        << "at row " << i / 10 << " class " << i % 10;
  for (int n = 0; n < 8; ++n) {
    double rowSum = 0;
    for (int c = 0; c < 10; ++c)
      rowSum += probs.getAsDouble(n * 10 + c);
    EXPECT_NEAR(rowSum, 1.0, 1e-5);
  }
}

TEST(MlpForward, JitMatchesReference) {
  std::vector<kiln::Tensor> inputs = loadInputs();
  auto module = kiln::compileKilnFile(KILN_EXAMPLE_MLIR);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  std::vector<kiln::Tensor> outputs;
  kiln::Status status = (*module)->invoke("mlp_forward", inputs, outputs);
  ASSERT_TRUE(status.isOk()) << status.message();
  ASSERT_EQ(outputs.size(), 1u);
  expectMatches(outputs[0], reference(inputs));

  // Compiled once, invoked many times: the same inputs give the same bits.
  std::vector<kiln::Tensor> again;
  ASSERT_TRUE((*module)->invoke("mlp_forward", inputs, again).isOk());
  for (int i = 0; i < 80; ++i)
    EXPECT_EQ(again[0].getAsDouble(i), outputs[0].getAsDouble(i));
}

TEST(MlpForward, AheadOfTimeObjectMatchesReference) {
  std::vector<kiln::Tensor> inputs = loadInputs();
  kiln::Tensor probs = kiln::Tensor::zeros(kiln::DType::F32, {8, 10});
  std::vector<kiln::MemRefDescriptor> d;
  for (kiln::Tensor &t : inputs)
    d.emplace_back(t);
  kiln::MemRefDescriptor out(probs);
  _mlir_ciface_mlp_forward(d[0].get(), d[1].get(), d[2].get(), d[3].get(),
                           d[4].get(), out.get());
  expectMatches(probs, reference(inputs));
}

/// Runs the C example (examples/aot/run_model.c, linked with
/// libmlp_forward.so) on `args`; returns its exit status and its output.
int runCExample(const std::string &args, std::string &output) {
  std::string command = std::string(KILN_C_EXAMPLE) + " " + args + " 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return -1;
  char chunk[4096];
  while (size_t n = std::fread(chunk, 1, sizeof(chunk), pipe))
    output.append(chunk, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string inputPaths() {
  std::string paths;
  for (const char *name : kNames)
    paths += std::string(" ") + KILN_EXAMPLE_DATA + "/" + name + ".npy";
  return paths;
}

TEST(MlpForward, CProgramMatchesJit) {
  std::vector<kiln::Tensor> inputs = loadInputs();
  auto module = kiln::compileKilnFile(KILN_EXAMPLE_MLIR);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  std::vector<kiln::Tensor> jit;
  ASSERT_TRUE((*module)->invoke("mlp_forward", inputs, jit).isOk());

  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-c-example", dir));
  std::string output;
  ASSERT_EQ(
      runCExample("--output-dir " + std::string(dir) + inputPaths(), output), 0)
      << output;
  EXPECT_EQ(output.rfind("probs: 8x10xf32\n", 0), 0u) << output;
  kiln::Tensor probs;
  kiln::Status status = kiln::readNpy(std::string(dir) + "/probs.npy", probs);
  llvm::sys::fs::remove_directories(dir);
  ASSERT_TRUE(status.isOk()) << status.message();
  ASSERT_EQ(probs.shape(), jit[0].shape());
  // The same IR through the same pipeline for the same CPU.
  for (int i = 0; i < 80; ++i)
    EXPECT_NEAR(probs.getAsDouble(i), jit[0].getAsDouble(i), 1e-6) << i;
  expectMatches(probs, reference(inputs));
}

TEST(MlpForward, CProgramReportsTheABIsErrors) {
  std::string output;
  // w1 where x belongs: the library names the input and both types.
  std::string swapped = inputPaths();
  swapped.replace(swapped.find("/x.npy"), 6, "/w1.npy");
  EXPECT_EQ(runCExample(swapped, output), 1);
  EXPECT_NE(output.find("error: input 'x' (#0) of 'mlp_forward': expected "
                        "8x784xf32, got 784x512xf32 (wrong shape)"),
            std::string::npos)
      << output;
  output.clear();
  EXPECT_EQ(runCExample(std::string(KILN_EXAMPLE_DATA) + "/x.npy", output), 2);
  EXPECT_NE(output.find("'mlp_forward' takes 5 inputs: x w1 b1 w2 b2"),
            std::string::npos)
      << output;
}

TEST(MlpForward, CProgramComparesWithExpectedOutputsAndTimes) {
  std::vector<kiln::Tensor> inputs = loadInputs();
  std::vector<double> expected = reference(inputs);
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-c-expect", dir));
  std::string good = std::string(dir) + "/good.npy";
  std::string bad = std::string(dir) + "/bad.npy";
  std::vector<float> values(expected.begin(), expected.end());
  ASSERT_TRUE(
      kiln::writeNpy(good, kiln::Tensor::fromVector<float>({8, 10}, values))
          .isOk());
  // One probability off by 0.01: far beyond 1e-4 of the largest (<= 1).
  values[17] += 0.01f;
  ASSERT_TRUE(
      kiln::writeNpy(bad, kiln::Tensor::fromVector<float>({8, 10}, values))
          .isOk());

  std::string output;
  EXPECT_EQ(
      runCExample("--expect " + good + " --repeat 3" + inputPaths(), output), 0)
      << output;
  EXPECT_NE(output.find("probs vs " + good + ": max abs error"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("(tolerance 0.0001): ok"), std::string::npos) << output;
  EXPECT_NE(output.find("over 3 runs (3 warm-up)"), std::string::npos)
      << output;

  output.clear();
  EXPECT_EQ(runCExample("--expect " + bad + inputPaths(), output), 3) << output;
  EXPECT_NE(output.find("max abs error 0.01"), std::string::npos) << output;
  EXPECT_NE(output.find("MISMATCH"), std::string::npos) << output;
  output.clear();
  // A looser tolerance accepts it.
  EXPECT_EQ(runCExample("--rtol 0.1 --expect " + bad + inputPaths(), output), 0)
      << output;

  // The wrong shape, a bad option, more files than outputs: clear errors.
  output.clear();
  EXPECT_EQ(runCExample("--expect " + std::string(KILN_EXAMPLE_DATA) +
                            "/x.npy" + inputPaths(),
                        output),
            1);
  EXPECT_NE(output.find("holds 8x784xf32, output 'probs' is 8x10xf32"),
            std::string::npos)
      << output;
  output.clear();
  EXPECT_EQ(runCExample("--repeat -1" + inputPaths(), output), 2);
  EXPECT_NE(output.find("error: bad option '--repeat -1'"), std::string::npos)
      << output;
  output.clear();
  EXPECT_EQ(runCExample("--expect " + good + " --expect " + good + inputPaths(),
                        output),
            2);
  EXPECT_NE(output.find("2 --expect files for 1 outputs"), std::string::npos)
      << output;
  llvm::sys::fs::remove_directories(dir);
}

TEST(MlpForward, SignatureNamesComeFromTheIR) {
  auto module = kiln::compileKilnFile(KILN_EXAMPLE_MLIR);
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  const kiln::FunctionSignature *sig = (*module)->lookup("mlp_forward");
  ASSERT_NE(sig, nullptr);
  ASSERT_EQ(sig->inputs.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(sig->inputs[i].name, kNames[i]);
  EXPECT_EQ(sig->inputs[1].shape, (std::vector<int64_t>{784, 512}));
  ASSERT_EQ(sig->results.size(), 1u);
  EXPECT_EQ(sig->results[0].name, "probs");
}
} // namespace
