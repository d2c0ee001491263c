//===- Training.h - Train a classifier on Fashion-MNIST -----------------===//
//
// The loop the Fashion-MNIST examples share, written as a user would write
// it with Kiln: a training Graph compiled into one TrainStep, an evaluation
// Graph of the same model in eval mode, seeded minibatches, a progress bar,
// per-epoch CSV metrics and checkpoints to resume from.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXAMPLES_FASHION_MNIST_TRAINING_H
#define KILN_EXAMPLES_FASHION_MNIST_TRAINING_H

#include "frontend/Frontend.h"

#include <functional>
#include <string>

namespace kiln::examples {

/// Builds the model on `images` [B, 1, 28, 28] and returns logits [B, 10].
/// Called once in training mode and once in eval mode, with the same graph
/// seed, so both graphs have the same parameter names.
using ModelBuilder =
    std::function<Var(Graph &graph, const Var &images, bool training)>;

struct TrainingOptions {
  std::string name = "model";
  Optimizer optimizer = SGD{0.01, 0.9};
  int64_t epochs = 5;
  int64_t batchSize = 128;
  uint64_t seed = 0;
  std::string dataDir = "/usr/share/datasets/fashion-mnist";
  /// Stop each epoch after this many steps (0: the whole epoch).
  int64_t maxSteps = 0;
  std::string csvPath;        ///< per-epoch metrics, if set
  std::string checkpointPath; ///< saved after each epoch, if set
  /// Parameters to start from instead of the seeded initializers: a
  /// safetensors file with every parameter under its stateDict() name, e.g.
  /// a PyTorch state_dict of the same network.
  std::string initPath;
  bool resume = false; ///< continue from checkpointPath
  /// Threads for parallel loops (0: KILN_NUM_THREADS, else the cores).
  int threads = 0;
  /// Print the training steps' time, allocations and peak memory.
  bool stats = false;
  CompileOptions compile; ///< --no-fusion sets compile.fusion = false
};

/// What a program does after parseTrainingFlags.
enum class FlagsResult {
  Train, ///< the flags are in `options`
  Help,  ///< --help printed the usage: exit with 0
  Error, ///< one line on stderr said what is wrong: exit with 2
};

/// Parses --optimizer sgd|adam --lr --epochs --batch --seed --data
/// --max-steps --csv --checkpoint --resume --init --threads --stats
/// --no-fusion --help into `options` (whose values are the defaults, shown
/// by --help).
FlagsResult parseTrainingFlags(int argc, char **argv, TrainingOptions &options);

struct TrainingResult {
  /// Test accuracy after the last epoch, in [0, 1]; negative after an
  /// error (reported in one line on stderr).
  double testAccuracy = -1;
  /// Mean training loss over the last epoch.
  double trainLoss = 0;
};

/// Trains, printing progress and each epoch's test accuracy.
TrainingResult trainClassifier(const TrainingOptions &options,
                               const ModelBuilder &model);

} // namespace kiln::examples

#endif // KILN_EXAMPLES_FASHION_MNIST_TRAINING_H
