//===- Models.h - The Fashion-MNIST examples' networks -----------------===//
//
// The two networks of the Fashion-MNIST examples, in one place so that the
// examples and the test that trains them beside PyTorch build the same
// graph. Layer indices, and so parameter names ("1.weight", ...), follow the
// equivalent torch.nn.Sequential, so a PyTorch state_dict loads as it is.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXAMPLES_FASHION_MNIST_MODELS_H
#define KILN_EXAMPLES_FASHION_MNIST_MODELS_H

#include "frontend/Frontend.h"

namespace kiln::examples {

/// Flatten -> Linear(784, 512) -> ReLU -> Linear(512, 512) -> ReLU ->
/// Linear(512, 10): logits [B, 10] of images [B, 1, 28, 28].
Var mlpClassifier(Graph &graph, const Var &images, bool training);

/// Conv2d(1, 32, 5, pad 2) -> ReLU -> MaxPool2d(2) -> Conv2d(32, 64, 5,
/// pad 2) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(3136, 10).
Var cnnClassifier(Graph &graph, const Var &images, bool training);

} // namespace kiln::examples

#endif // KILN_EXAMPLES_FASHION_MNIST_MODELS_H
