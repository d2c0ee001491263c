//===- Models.cpp - The Fashion-MNIST examples' networks ---------------===//

#include "Models.h"

namespace kiln::examples {

Var mlpClassifier(Graph &graph, const Var &images, bool training) {
  nn::Sequential net(graph);
  net.add<nn::Flatten>();
  net.add<nn::Linear>(784, 512);
  net.add<nn::ReLU>();
  net.add<nn::Linear>(512, 512);
  net.add<nn::ReLU>();
  net.add<nn::Linear>(512, 10);
  if (!training)
    net.eval();
  return net(images);
}

Var cnnClassifier(Graph &graph, const Var &images, bool training) {
  nn::Sequential net(graph);
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
}

} // namespace kiln::examples
