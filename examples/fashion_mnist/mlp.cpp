//===- mlp.cpp - Fashion-MNIST with a multilayer perceptron -------------===//
//
//   kiln-fashion-mnist-mlp [--optimizer sgd|adam] [--epochs 5] [--batch 128]
//                          [--lr X] [--seed N] [--csv FILE]
//                          [--checkpoint FILE [--resume]] [--max-steps N]
//                          [--init FILE] [--threads N] [--stats]
//                          [--no-fusion]
//
// 784 -> 512 -> ReLU -> 512 -> ReLU -> 10, pixels in [0, 1], softmax
// cross-entropy; SGD with momentum 0.9 and lr 0.01 by default, or Adam
// with lr 1e-3.
//
//===----------------------------------------------------------------------===//

#include "Models.h"
#include "Training.h"

using namespace kiln;

int main(int argc, char **argv) {
  examples::TrainingOptions options;
  options.name = "mlp";
  if (auto parsed = examples::parseTrainingFlags(argc, argv, options);
      parsed != examples::FlagsResult::Train)
    return parsed == examples::FlagsResult::Help ? 0 : 2;
  return examples::trainClassifier(options, examples::mlpClassifier)
                     .testAccuracy < 0
             ? 1
             : 0;
}
