//===- FashionMnistTrainingTest.cpp - A small MLP learns Fashion-MNIST --===//
//
// A small version of the MLP example (784 -> 128 -> ReLU -> 10, batch 64,
// SGD with momentum, 300 steps, fixed seed) through the same training code
// as the example: the loss must fall below a fixed bound and the test
// accuracy rise above one. Deterministic: same seed, same numbers.
//
//===----------------------------------------------------------------------===//

#include "fashion_mnist/Training.h"

#include <gtest/gtest.h>

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
  ASSERT_TRUE(examples::parseTrainingFlags(4, good, options));
  EXPECT_EQ(options.threads, 3);
  EXPECT_TRUE(options.stats);
  for (char *bad : {zero, word}) {
    char *args[] = {prog, threads, bad};
    testing::internal::CaptureStderr();
    EXPECT_FALSE(examples::parseTrainingFlags(3, args, options));
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "error: --threads is '" + std::string(bad) +
                  "', expected a thread count from 1 to 1024\n");
  }
}
