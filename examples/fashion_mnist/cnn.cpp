//===- cnn.cpp - Fashion-MNIST with a small convolutional network -------===//
//
//   kiln-fashion-mnist-cnn [--optimizer adam|sgd] [--epochs 2] [--batch 64]
//                          [--lr X] [--seed N] [--csv FILE]
//                          [--checkpoint FILE [--resume]] [--max-steps N]
//                          [--init FILE] [--threads N] [--stats]
//                          [--no-fusion]
//
// conv5x5(32, pad 2) -> ReLU -> maxpool2 -> conv5x5(64, pad 2) -> ReLU ->
// maxpool2 -> Linear(3136 -> 10); Adam with lr 1e-3 by default.
//
//===----------------------------------------------------------------------===//

#include "Models.h"
#include "Training.h"

using namespace kiln;

int main(int argc, char **argv) {
  examples::TrainingOptions options;
  options.name = "cnn";
  options.optimizer = Adam{1e-3};
  options.epochs = 2;
  options.batchSize = 64;
  if (auto parsed = examples::parseTrainingFlags(argc, argv, options);
      parsed != examples::FlagsResult::Train)
    return parsed == examples::FlagsResult::Help ? 0 : 2;
  return examples::trainClassifier(options, examples::cnnClassifier)
                     .testAccuracy < 0
             ? 1
             : 0;
}
