//===- FashionMnistTrainingTest.cpp - A small MLP learns Fashion-MNIST --===//
//
// A small version of the MLP example (784 -> 128 -> ReLU -> 10, batch 64,
// SGD with momentum, 300 steps, fixed seed) through the same training code
// as the example: the loss must fall below a fixed bound and the test
// accuracy rise above one. Deterministic: same seed, same numbers.
//
//===----------------------------------------------------------------------===//

#include "fashion_mnist/Training.h"
#include "runtime/data/Data.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace kiln;

TEST(FashionMnistTraining, SmallMlpLearns) {
  examples::TrainingOptions options;
  options.name = "small_mlp";
  options.optimizer = SGD{0.01, 0.9};
  options.epochs = 1;
  options.batchSize = 64;
  options.maxSteps = 300;
  options.seed = 1;
  auto model = [](Graph &g, const Var &images, bool training) {
    nn::Sequential net(g);
    net.add<nn::Flatten>();
    net.add<nn::Linear>(784, 128);
    net.add<nn::ReLU>();
    net.add<nn::Linear>(128, 10);
    if (!training)
      net.eval();
    return net(images);
  };
  examples::TrainingResult result = examples::trainClassifier(options, model);
  ASSERT_GE(result.testAccuracy, 0) << "training failed";
  // Chance is 10% accuracy and a loss of ln(10) = 2.30.
  EXPECT_LT(result.trainLoss, 1.0);
  EXPECT_GT(result.testAccuracy, 0.72);
}

TEST(FashionMnistTraining, ThreadsAndStatsFlags) {
  examples::TrainingOptions options;
  char prog[] = "train", threads[] = "--threads", three[] = "3",
       stats[] = "--stats", zero[] = "0", word[] = "many";
  char *good[] = {prog, threads, three, stats};
  ASSERT_EQ(examples::parseTrainingFlags(4, good, options),
            examples::FlagsResult::Train);
  EXPECT_EQ(options.threads, 3);
  EXPECT_TRUE(options.stats);
  for (char *bad : {zero, word}) {
    char *args[] = {prog, threads, bad};
    testing::internal::CaptureStderr();
    EXPECT_EQ(examples::parseTrainingFlags(3, args, options),
              examples::FlagsResult::Error);
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "error: --threads is '" + std::string(bad) +
                  "', expected a thread count from 1 to 1024\n");
  }
}

TEST(FashionMnistTraining, HelpListsTheFlagsWithDefaults) {
  examples::TrainingOptions options;
  options.batchSize = 64;
  char prog[] = "train", help[] = "--help";
  char *args[] = {prog, help};
  testing::internal::CaptureStdout();
  EXPECT_EQ(examples::parseTrainingFlags(2, args, options),
            examples::FlagsResult::Help);
  std::string usage = testing::internal::GetCapturedStdout();
  EXPECT_EQ(usage.rfind("usage: train [flags]\n", 0), 0u) << usage;
  EXPECT_NE(usage.find("--batch N             batch size (default 64)"),
            std::string::npos)
      << usage;
  EXPECT_NE(usage.find("--init FILE"), std::string::npos) << usage;
}

TEST(FashionMnistTraining, BadInitFileNamesTheFileAndTheParameter) {
  examples::TrainingOptions options;
  options.name = "init_mlp";
  options.epochs = 1;
  options.maxSteps = 1;
  auto model = [](Graph &g, const Var &images, bool training) {
    nn::Sequential net(g);
    net.add<nn::Flatten>();
    net.add<nn::Linear>(784, 10);
    return net(images);
  };

  options.initPath = testing::TempDir() + "kiln_no_such_init.safetensors";
  testing::internal::CaptureStderr();
  EXPECT_LT(examples::trainClassifier(options, model).testAccuracy, 0);
  EXPECT_NE(testing::internal::GetCapturedStderr().find(options.initPath),
            std::string::npos);

  // A file of another network: its weight has another shape, its bias is
  // missing.
  options.initPath = testing::TempDir() + "kiln_other_init.safetensors";
  ASSERT_TRUE(saveSafetensors(options.initPath,
                              {{"1.weight", Tensor::zeros(DType::F32, {5, 3})},
                               {"1.bias", Tensor::zeros(DType::F32, {5})}}));
  testing::internal::CaptureStderr();
  EXPECT_LT(examples::trainClassifier(options, model).testAccuracy, 0);
  std::string error = testing::internal::GetCapturedStderr();
  EXPECT_NE(error.find("--init " + options.initPath + ": "), std::string::npos)
      << error;
  EXPECT_NE(error.find("'1."), std::string::npos) << error;
  std::remove(options.initPath.c_str());
}
