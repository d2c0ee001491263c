//===- TrainsLikePyTorchTest.cpp - Same start, same batches, same run ---===//
//
// The Fashion-MNIST examples' networks trained by Kiln and by PyTorch
// (torch_reference.py, run first by ctest) from the same initial parameters
// on the same batches. This checks the whole training stack at once
// (forward, autodiff, loss, optimizer, f32 numerics over hundreds of steps)
// against an independent implementation, on the very models the examples
// train.
//
// How close two correct runs stay depends on the optimizer. Rounding
// differences grow step by step, fastest under Adam, which scales tiny
// gradient differences up to full steps. PyTorch against itself, with the
// initial parameters perturbed by 1e-7 (relative), differs in the loss by up
// to 2.5% (MLP, Adam; beyond 1e-4 from step 27) and 0.25% (CNN, Adam; from
// step 11), but only by 3.4e-6 with SGD; `torch_reference.py --perturb 1e-7`
// prints these figures. So each case compares every step's loss tightly for
// as long as two correct runs stay together, then the mean loss of the last
// steps. CatchesAWrongOptimizerConstant shows that the tight part can fail.
//
//===----------------------------------------------------------------------===//

#include "fashion_mnist/Models.h"
#include "runtime/data/Data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <variant>

using namespace kiln;

namespace {

struct Case {
  const char *name;
  Var (*network)(Graph &, const Var &, bool);
  int64_t batch;
  Optimizer optimizer;
  /// Steps whose losses must agree to 1e-4 relative (and, if that is all
  /// of them, the final parameters to 1e-3 in the L2 norm).
  int64_t exactSteps;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

template <typename T> std::vector<T> readArray(const std::string &path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  EXPECT_TRUE(file) << "cannot read " << path;
  std::vector<T> values(static_cast<size_t>(file.tellg()) / sizeof(T));
  file.seekg(0);
  file.read(reinterpret_cast<char *>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(T)));
  return values;
}

std::map<std::string, Tensor> readParameters(const std::string &path) {
  std::vector<NamedTensor> tensors;
  Status status = loadSafetensors(path, tensors);
  EXPECT_TRUE(status) << status.message();
  std::map<std::string, Tensor> byName;
  for (NamedTensor &t : tensors)
    byName[t.name] = t.tensor;
  return byName;
}

/// |a - b| / |b| over all elements, in the L2 norm.
double relativeDistance(const Tensor &a, const Tensor &b) {
  const float *x = a.dataAs<float>(), *y = b.dataAs<float>();
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < b.numElements(); ++i) {
    diff += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
    norm += double(y[i]) * y[i];
  }
  return std::sqrt(diff / norm);
}

/// PyTorch's side of a case: the batches it trained on and its losses.
struct Reference {
  std::string dir;
  std::vector<int64_t> order;
  std::vector<double> losses;
};

Reference readReference(const Case &c) {
  Reference ref;
  ref.dir = std::string(KILN_TORCH_REFERENCE) + "/" + c.name;
  ref.order = readArray<int64_t>(ref.dir + "/order.bin");
  ref.losses = readArray<double>(ref.dir + "/losses.bin");
  EXPECT_EQ(ref.order.size(), ref.losses.size() * c.batch);
  return ref;
}

/// Trains the case's network with `optimizer` from PyTorch's initial
/// parameters on PyTorch's batches for `steps` steps; returns each step's
/// loss, and the step (for its parameters) in `trained`.
std::vector<double> trainOnReference(const Case &c, const Optimizer &optimizer,
                                     const Reference &ref, int64_t steps,
                                     std::unique_ptr<TrainStep> &trained) {
  Graph g(c.name, /*seed=*/0);
  Var images = g.input("images", {c.batch, 1, 28, 28});
  Var labels = g.input("labels", {c.batch}, DType::I64);
  g.output("loss", crossEntropy(c.network(g, images, true), labels));
  g.loadStateDict(readParameters(ref.dir + "/init.safetensors"));
  auto step = TrainStep::create(g, optimizer);
  EXPECT_TRUE(static_cast<bool>(step)) << llvm::toString(step.takeError());
  if (!step)
    return {};
  trained = std::move(*step);

  ImageDataset train;
  Status loaded = loadFashionMnist(DatasetSplit::Train, train);
  EXPECT_TRUE(loaded) << loaded.message();
  if (!loaded)
    return {};
  Tensor x = Tensor::zeros(DType::F32, {c.batch, 1, 28, 28});
  Tensor y = Tensor::zeros(DType::I64, {c.batch});
  const float *pixels = train.images.dataAs<float>();
  const int64_t *classes = train.labels.dataAs<int64_t>();
  std::vector<double> losses;
  for (int64_t s = 0; s < steps; ++s) {
    for (int64_t i = 0; i < c.batch; ++i) {
      int64_t k = ref.order[s * c.batch + i];
      std::memcpy(x.dataAs<float>() + i * 784, pixels + k * 784,
                  784 * sizeof(float));
      y.dataAs<int64_t>()[i] = classes[k];
    }
    Status ran = trained->run({x, y});
    EXPECT_TRUE(ran) << ran.message();
    if (!ran)
      return {};
    losses.push_back(trained->loss());
  }
  return losses;
}

/// The first step whose loss is not within `rel` of PyTorch's, or -1.
int64_t firstDeparture(const std::vector<double> &kiln,
                       const std::vector<double> &torch, double rel) {
  for (size_t s = 0; s < kiln.size(); ++s)
    if (!(std::fabs(kiln[s] - torch[s]) <= rel * torch[s]))
      return static_cast<int64_t>(s);
  return -1;
}

class TrainsLikePyTorch : public testing::TestWithParam<Case> {};

TEST_P(TrainsLikePyTorch, SameLossesAndParameters) {
  const Case &c = GetParam();
  Reference ref = readReference(c);
  const int64_t steps = static_cast<int64_t>(ref.losses.size());
  ASSERT_GT(steps, 0);
  std::unique_ptr<TrainStep> step;
  std::vector<double> kilnLosses =
      trainOnReference(c, c.optimizer, ref, steps, step);
  ASSERT_EQ(kilnLosses.size(), static_cast<size_t>(steps));

  const int64_t exact = std::min(c.exactSteps, steps);
  for (int64_t s = 0; s < exact; ++s)
    EXPECT_NEAR(kilnLosses[s], ref.losses[s], 1e-4 * ref.losses[s])
        << "step " << s;
  // The last quarter's mean loss: where training got to.
  const int64_t tail = steps / 4;
  double kilnTail = 0, torchTail = 0;
  for (int64_t s = steps - tail; s < steps; ++s) {
    kilnTail += kilnLosses[s] / tail;
    torchTail += ref.losses[s] / tail;
  }
  EXPECT_NEAR(kilnTail, torchTail, 0.02 * torchTail);
  std::printf("%s: steps 0-%lld within 1e-4, mean loss of the last %lld "
              "steps %.4f (PyTorch %.4f)\n",
              c.name, static_cast<long long>(exact - 1),
              static_cast<long long>(tail), kilnTail, torchTail);
  if (exact < steps)
    return;
  for (const auto &[name, expected] :
       readParameters(ref.dir + "/final.safetensors")) {
    Tensor actual = step->parameter(name);
    ASSERT_FALSE(actual.empty()) << name;
    ASSERT_EQ(actual.shape(), expected.shape()) << name;
    EXPECT_LT(relativeDistance(actual, expected), 1e-3) << name;
  }
}

// The comparison above must be able to fail: one optimizer constant off by
// a little (SGD momentum 0.89 for 0.9, Adam epsilon 1e-7 for 1e-8) has to
// move a loss beyond 1e-4 within the steps it checks that tightly.
TEST_P(TrainsLikePyTorch, CatchesAWrongOptimizerConstant) {
  const Case &c = GetParam();
  Optimizer wrong = c.optimizer;
  if (auto *sgd = std::get_if<SGD>(&wrong))
    sgd->momentum = 0.89;
  if (auto *adam = std::get_if<Adam>(&wrong))
    adam->eps = 1e-7;
  Reference ref = readReference(c);
  const int64_t steps =
      std::min<int64_t>(10, static_cast<int64_t>(ref.losses.size()));
  std::unique_ptr<TrainStep> step;
  std::vector<double> losses = trainOnReference(c, wrong, ref, steps, step);
  ASSERT_EQ(losses.size(), static_cast<size_t>(steps));
  int64_t departure = firstDeparture(losses, ref.losses, 1e-4);
  EXPECT_GE(departure, 0) << "a wrong constant went unnoticed for " << steps
                          << " steps";
  std::printf("%s with a wrong constant: loss off by more than 1e-4 from "
              "step %lld\n",
              c.name, static_cast<long long>(departure));
}

INSTANTIATE_TEST_SUITE_P(
    FashionMnistExamples, TrainsLikePyTorch,
    testing::Values(Case{"mlp_sgd", examples::mlpClassifier, 128,
                         SGD{0.01, 0.9}, /*exactSteps=*/1000},
                    Case{"mlp_adam", examples::mlpClassifier, 128, Adam{1e-3},
                         /*exactSteps=*/10},
                    Case{"cnn_adam", examples::cnnClassifier, 64, Adam{1e-3},
                         /*exactSteps=*/10}),
    [](const testing::TestParamInfo<Case> &info) { return info.param.name; });

} // namespace
