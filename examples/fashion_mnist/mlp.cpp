//===- mlp.cpp - Fashion-MNIST with a multilayer perceptron -------------===//
//
//   kiln-fashion-mnist-mlp [--optimizer sgd|adam] [--epochs 5] [--batch 128]
//                          [--lr X] [--seed N] [--csv FILE]
//                          [--checkpoint FILE [--resume]] [--max-steps N]
//                          [--threads N] [--stats]
//
// 784 -> 512 -> ReLU -> 512 -> ReLU -> 10, pixels in [0, 1], softmax
// cross-entropy; SGD with momentum 0.9 and lr 0.01 by default, or Adam
// with lr 1e-3.
//
//===----------------------------------------------------------------------===//

#include "Training.h"

using namespace kiln;

int main(int argc, char **argv) {
  examples::TrainingOptions options;
  options.name = "mlp";
  if (!examples::parseTrainingFlags(argc, argv, options))
    return 2;
  auto model = [](Graph &g, const Var &images, bool training) {
    nn::Sequential net(g);
    net.add<nn::Flatten>();
    net.add<nn::Linear>(784, 512);
    net.add<nn::ReLU>();
    net.add<nn::Linear>(512, 512);
    net.add<nn::ReLU>();
    net.add<nn::Linear>(512, 10);
    if (!training)
      net.eval();
    return net(images);
  };
  return examples::trainClassifier(options, model).testAccuracy < 0 ? 1 : 0;
}
