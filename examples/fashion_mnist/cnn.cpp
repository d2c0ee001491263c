//===- cnn.cpp - Fashion-MNIST with a small convolutional network -------===//
//
//   kiln-fashion-mnist-cnn [--optimizer adam|sgd] [--epochs 2] [--batch 64]
//                          [--lr X] [--seed N] [--csv FILE]
//                          [--checkpoint FILE [--resume]] [--max-steps N]
//                          [--threads N] [--stats]
//
// conv5x5(32, pad 2) -> ReLU -> maxpool2 -> conv5x5(64, pad 2) -> ReLU ->
// maxpool2 -> Linear(3136 -> 10); Adam with lr 1e-3 by default.
//
//===----------------------------------------------------------------------===//

#include "Training.h"

using namespace kiln;

int main(int argc, char **argv) {
  examples::TrainingOptions options;
  options.name = "cnn";
  options.optimizer = Adam{1e-3};
  options.epochs = 2;
  options.batchSize = 64;
  if (!examples::parseTrainingFlags(argc, argv, options))
    return 2;
  auto model = [](Graph &g, const Var &images, bool training) {
    nn::Sequential net(g);
    net.add<nn::Conv2d>(1, 32, 5, /*stride=*/1, /*padding=*/2);
    net.add<nn::ReLU>();
    net.add<nn::MaxPool2d>(2);
    net.add<nn::Conv2d>(32, 64, 5, /*stride=*/1, /*padding=*/2);
    net.add<nn::ReLU>();
    net.add<nn::MaxPool2d>(2);
    net.add<nn::Flatten>();
    net.add<nn::Linear>(3136, 10);
    if (!training)
      net.eval();
    return net(images);
  };
  return examples::trainClassifier(options, model).testAccuracy < 0 ? 1 : 0;
}
