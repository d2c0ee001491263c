//===- TrainingBench.cpp - Training and inference steps, compile time ----===//
//
// Bench rows 3, 4 and 6 on Kiln's side, as a user of the C++ API runs them
// (examples/fashion_mnist): the Fashion-MNIST MLP 784-512-512-10 (batch
// 128, SGD lr 0.01 momentum 0.9) and CNN conv5x5 32 - pool - conv5x5 64 -
// pool - linear (batch 64, Adam lr 1e-3) built with kiln::nn, compiled
// into one TrainStep each and run on the first 32 batches of the training
// set in turn; the MLP's inference step (a Graph in eval mode, compiled);
// and the time from the MLP training graph's Kiln IR to a callable
// TrainStep. bench/torch_peers.py runs the same models in PyTorch, and
// bench/table.py puts both in the table.
//
//   kiln-bench-training [benchmark flags]   time every row at 1 and 2 threads
//   kiln-bench-training --check             compare with a plain C++
//                                           reference, no timing
//   kiln-bench-training --print-mlp-step    print the Kiln IR that row 6
//                                           compiles (to profile it with
//                                           kilnc --mlir-timing)
//   kiln-bench-training --print-cnn-step    the same for the CNN's step
//
//===----------------------------------------------------------------------===//

#include "SuiteTiming.h"
#include "TrainingReference.h"

#include "examples/fashion_mnist/Models.h"
#include "frontend/Frontend.h"
#include "runtime/Runtime.h"
#include "runtime/data/Data.h"

#include "llvm/Support/Error.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace kiln;
using bench::Values;

enum class Model { Mlp, Cnn };

constexpr int64_t kMlpBatch = 128, kCnnBatch = 64;
/// Batches a step cycles through (as bench/torch_peers.py).
constexpr int64_t kBatches = 32;
constexpr double kSgdLr = 0.01, kSgdMomentum = 0.9, kAdamLr = 1e-3;

int64_t batchSizeOf(Model model) {
  return model == Model::Mlp ? kMlpBatch : kCnnBatch;
}

/// The Fashion-MNIST examples' networks (examples/fashion_mnist/Models.h).
Var buildModel(Model model, Graph &g, const Var &images) {
  return model == Model::Mlp ? examples::mlpClassifier(g, images, true)
                             : examples::cnnClassifier(g, images, true);
}

/// The model's training graph: inputs images and labels, one output, the
/// mean cross-entropy.
std::unique_ptr<Graph> trainingGraph(Model model) {
  int64_t batch = batchSizeOf(model);
  auto g = std::make_unique<Graph>(model == Model::Mlp ? "mlp" : "cnn");
  Var images = g->input("images", {batch, 1, 28, 28});
  Var labels = g->input("labels", {batch}, DType::I64);
  g->output("loss", crossEntropy(buildModel(model, *g, images), labels));
  return g;
}

/// The MLP trains with SGD and momentum, the CNN with Adam.
Optimizer optimizerOf(Model model) {
  if (model == Model::Cnn)
    return Adam{kAdamLr};
  return SGD{kSgdLr, kSgdMomentum};
}

std::unique_ptr<TrainStep> createStep(Graph &graph, Model model) {
  auto step = TrainStep::create(graph, optimizerOf(model));
  if (!step) {
    std::fprintf(stderr,
                 "kiln-bench-training: compiling the step failed:\n%s\n",
                 llvm::toString(step.takeError()).c_str());
    return nullptr;
  }
  return std::move(*step);
}

/// The first kBatches batches of `size` training images and labels, in
/// file order.
struct Batches {
  std::vector<Tensor> images, labels;
};

bool loadBatches(int64_t size, Batches &out) {
  // Loaded once per process (decompressing it takes a second).
  static ImageDataset train;
  if (train.images.empty())
    if (Status s = loadFashionMnist(DatasetSplit::Train, train); !s) {
      std::fprintf(stderr, "kiln-bench-training: %s\n", s.message().c_str());
      return false;
    }
  const float *images = train.images.dataAs<float>();
  const int64_t *labels = train.labels.dataAs<int64_t>();
  for (int64_t b = 0; b < kBatches; ++b) {
    out.images.push_back(Tensor::fromData(DType::F32, {size, 1, 28, 28},
                                          images + b * size * 28 * 28));
    out.labels.push_back(
        Tensor::fromData(DType::I64, {size}, labels + b * size));
  }
  return true;
}

/// A compiled training step and the batches it cycles through.
struct Training {
  std::unique_ptr<Graph> graph;
  std::unique_ptr<TrainStep> step;
  Batches data;
  size_t next = 0;

  bool create(Model model) {
    graph = trainingGraph(model);
    step = createStep(*graph, model);
    return step && loadBatches(batchSizeOf(model), data);
  }

  Status run() {
    size_t i = next++ % data.images.size();
    return step->run({data.images[i], data.labels[i]});
  }
};

/// The MLP in eval mode, compiled, and one batch of images.
struct Inference {
  std::unique_ptr<Graph> graph;
  std::unique_ptr<CompiledGraph> compiled;
  Batches data;

  bool create() {
    graph = std::make_unique<Graph>("mlp_eval");
    Var images = graph->input("images", {kMlpBatch, 1, 28, 28});
    graph->output("logits",
                  examples::mlpClassifier(*graph, images, /*training=*/false));
    compiled = graph->compile();
    return loadBatches(kMlpBatch, data);
  }

  std::vector<Tensor> run() { return compiled->run({data.images[0]}); }
};

/// What the benchmarks compiled, created on first use. main owns it and
/// destroys it before returning: compiled modules must not outlive LLVM's
/// own static state at exit.
struct Compiled {
  std::map<Model, std::unique_ptr<Training>> training;
  std::unique_ptr<Inference> inference;
};
Compiled *compiled;

Training &training(Model model) {
  std::unique_ptr<Training> &t = compiled->training[model];
  if (!t) {
    t = std::make_unique<Training>();
    if (!t->create(model))
      std::exit(EXIT_FAILURE);
  }
  return *t;
}

Inference &inference() {
  if (!compiled->inference) {
    compiled->inference = std::make_unique<Inference>();
    if (!compiled->inference->create())
      std::exit(EXIT_FAILURE);
  }
  return *compiled->inference;
}

/// state.range(0) threads for compiled code.
void setThreads(benchmark::State &state) {
  if (!setNumThreads(static_cast<int>(state.range(0))))
    std::exit(EXIT_FAILURE);
}

void trainSteps(benchmark::State &state, Model model) {
  Training &t = training(model);
  setThreads(state);
  for (auto _ : state)
    if (Status s = t.run(); !s) {
      state.SkipWithError(s.message().c_str());
      break;
    }
}

void BM_KilnMlpTrain(benchmark::State &state) { trainSteps(state, Model::Mlp); }
void BM_KilnCnnTrain(benchmark::State &state) { trainSteps(state, Model::Cnn); }

void BM_KilnMlpInference(benchmark::State &state) {
  Inference &i = inference();
  setThreads(state);
  for (auto _ : state)
    benchmark::DoNotOptimize(i.run());
}

/// Row 6: the MLP training graph, already built (Kiln IR), to a callable
/// TrainStep: the step function (kiln.grad + SGD update), the whole
/// lowering and LLVM's code generation. At 1 thread MLIR's pass manager
/// runs single-threaded; at 2 it may run function passes on its pool.
void BM_KilnMlpCompile(benchmark::State &state) {
  std::unique_ptr<Graph> graph = trainingGraph(Model::Mlp);
  if (state.range(0) == 1)
    graph->context().disableMultithreading();
  for (auto _ : state) {
    std::unique_ptr<TrainStep> step = createStep(*graph, Model::Mlp);
    if (!step) {
      state.SkipWithError("compile failed");
      break;
    }
    state.PauseTiming();
    step.reset();
    state.ResumeTiming();
  }
}

//===----------------------------------------------------------------------===//
// --check: Kiln against the plain C++ reference
//===----------------------------------------------------------------------===//

Values toValues(const Tensor &t) {
  const float *p = t.dataAs<float>();
  return Values(p, p + t.numElements());
}

std::vector<int64_t> toLabels(const Tensor &t) {
  const int64_t *p = t.dataAs<int64_t>();
  return std::vector<int64_t>(p, p + t.numElements());
}

/// Prints one comparison; true if `error` <= `tolerance`.
bool report(const char *what, double error, double tolerance) {
  bool ok = error <= tolerance; // false for NaN
  std::printf("%-52s %10.3g (tolerance %.3g): %s\n", what, error, tolerance,
              ok ? "ok" : "MISMATCH");
  return ok;
}

/// The MLP's parameters by layer: weights [out, in] and biases.
constexpr int64_t kMlpWidths[] = {784, 512, 512, 10};
constexpr const char *kMlpLayers[] = {"1", "3", "5"};

struct MlpParams {
  Values w[3], b[3];
};

MlpParams mlpParams(const std::map<std::string, Tensor> &byName) {
  MlpParams p;
  for (int l = 0; l < 3; ++l) {
    p.w[l] = toValues(byName.at(std::string(kMlpLayers[l]) + ".weight"));
    p.b[l] = toValues(byName.at(std::string(kMlpLayers[l]) + ".bias"));
  }
  return p;
}

std::map<std::string, Tensor> parametersOf(const TrainStep &step) {
  std::map<std::string, Tensor> byName;
  for (size_t i = 0; i < step.numParameters(); ++i)
    byName[step.state()[i].first] = step.state()[i].second;
  return byName;
}

/// Forward pass: the activations of each layer (input first), logits last.
std::vector<Values> mlpForward(const MlpParams &p, const Values &x) {
  std::vector<Values> acts = {x};
  for (int l = 0; l < 3; ++l) {
    Values y = bench::linear(acts.back(), kMlpBatch, kMlpWidths[l], p.w[l],
                             p.b[l], kMlpWidths[l + 1]);
    acts.push_back(l < 2 ? bench::relu(std::move(y)) : std::move(y));
  }
  return acts;
}

/// One SGD-with-momentum step of the reference; returns the loss.
double mlpReferenceStep(MlpParams &p, MlpParams &velocity, bool first,
                        const Values &x, const std::vector<int64_t> &labels) {
  std::vector<Values> acts = mlpForward(p, x);
  bench::CrossEntropy ce = bench::crossEntropy(acts[3], kMlpBatch, 10, labels);
  Values dy = ce.dlogits;
  MlpParams grads;
  for (int l = 2; l >= 0; --l) {
    bench::LinearGrads g = bench::linearBackward(
        acts[l], kMlpBatch, kMlpWidths[l], p.w[l], dy, kMlpWidths[l + 1]);
    grads.w[l] = std::move(g.dw);
    grads.b[l] = std::move(g.db);
    if (l > 0)
      dy = bench::reluBackward(acts[l], std::move(g.dx));
  }
  auto update = [&](Values &w, Values &v, const Values &g) {
    if (first)
      v.assign(g.size(), 0.0);
    for (size_t i = 0; i < w.size(); ++i) {
      v[i] = kSgdMomentum * v[i] + g[i];
      w[i] -= kSgdLr * v[i];
    }
  };
  for (int l = 0; l < 3; ++l) {
    update(p.w[l], velocity.w[l], grads.w[l]);
    update(p.b[l], velocity.b[l], grads.b[l]);
  }
  return ce.loss;
}

/// max |(after - before) - (refAfter - before)| / max |refAfter - before|.
double updateError(const Values &before, const Values &after,
                   const Values &refAfter) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < before.size(); ++i) {
    double e = std::fabs(after[i] - refAfter[i]);
    worst = e <= worst ? worst : (std::isnan(e) ? INFINITY : e);
    scale = std::max(scale, std::fabs(refAfter[i] - before[i]));
  }
  return worst / scale;
}

double lossTolerance(double reference) {
  return 1e-4 * std::max(1.0, std::fabs(reference));
}

/// Two MLP training steps (momentum in play on the second): losses and
/// parameter updates against the reference.
bool checkMlpTraining(const Batches &data) {
  std::unique_ptr<Graph> graph = trainingGraph(Model::Mlp);
  std::unique_ptr<TrainStep> step = createStep(*graph, Model::Mlp);
  if (!step)
    return false;
  MlpParams initial = mlpParams(parametersOf(*step)), ref = initial, velocity;
  bool ok = true;
  for (int s = 0; s < 2; ++s) {
    if (Status status = step->run({data.images[s], data.labels[s]}); !status) {
      std::fprintf(stderr, "kiln-bench-training: %s\n",
                   status.message().c_str());
      return false;
    }
    double refLoss =
        mlpReferenceStep(ref, velocity, s == 0, toValues(data.images[s]),
                         toLabels(data.labels[s]));
    std::string what = "MLP step " + std::to_string(s + 1) + " |loss - ref|";
    ok &= report(what.c_str(), std::fabs(step->loss() - refLoss),
                 lossTolerance(refLoss));
  }
  MlpParams after = mlpParams(parametersOf(*step));
  for (int l = 0; l < 3; ++l) {
    std::string layer = kMlpLayers[l];
    ok &= report(("MLP " + layer + ".weight update, relative error").c_str(),
                 updateError(initial.w[l], after.w[l], ref.w[l]), 1e-3);
    ok &= report(("MLP " + layer + ".bias update, relative error").c_str(),
                 updateError(initial.b[l], after.b[l], ref.b[l]), 1e-3);
  }
  return ok;
}

/// The inference step's logits against the reference forward pass.
bool checkMlpInference() {
  Inference inf;
  if (!inf.create())
    return false;
  std::vector<Values> acts = mlpForward(mlpParams(inf.compiled->state()),
                                        toValues(inf.data.images[0]));
  Values logits = toValues(inf.run()[0]);
  double worst = 0, scale = 1;
  for (size_t i = 0; i < logits.size(); ++i) {
    double e = std::fabs(logits[i] - acts[3][i]);
    worst = e <= worst ? worst : (std::isnan(e) ? INFINITY : e);
    scale = std::max(scale, std::fabs(acts[3][i]));
  }
  return report("MLP inference max |logits - ref|", worst, 1e-4 * scale);
}

/// The CNN's first loss against the reference forward pass, and its first
/// Adam update: m / (sqrt(v) + eps) is g / (|g| + eps) on step 1, so every
/// parameter moves by at most lr, and almost all by nearly lr.
bool checkCnnTraining(const Batches &data) {
  std::unique_ptr<Graph> graph = trainingGraph(Model::Cnn);
  std::unique_ptr<TrainStep> step = createStep(*graph, Model::Cnn);
  if (!step)
    return false;
  std::map<std::string, Tensor> params = parametersOf(*step);
  std::map<std::string, Values> before;
  for (const auto &[name, value] : params)
    before[name] = toValues(value);
  const int64_t n = kCnnBatch;
  Values c1 = bench::relu(bench::conv2d(toValues(data.images[0]), n, 1, 28, 28,
                                        before.at("0.weight"),
                                        before.at("0.bias"), 32, 5, 2));
  Values p1 = bench::maxPool2(c1, n, 32, 28, 28);
  Values c2 = bench::relu(bench::conv2d(
      p1, n, 32, 14, 14, before.at("3.weight"), before.at("3.bias"), 64, 5, 2));
  Values p2 = bench::maxPool2(c2, n, 64, 14, 14);
  Values logits = bench::linear(p2, n, 3136, before.at("7.weight"),
                                before.at("7.bias"), 10);
  double refLoss =
      bench::crossEntropy(logits, n, 10, toLabels(data.labels[0])).loss;
  if (Status status = step->run({data.images[0], data.labels[0]}); !status) {
    std::fprintf(stderr, "kiln-bench-training: %s\n", status.message().c_str());
    return false;
  }
  bool ok = report("CNN step 1 |loss - ref|", std::fabs(step->loss() - refLoss),
                   lossTolerance(refLoss));
  std::vector<double> moves;
  double largest = 0;
  for (const auto &[name, value] : params) {
    Values after = toValues(value);
    for (size_t i = 0; i < after.size(); ++i) {
      double move = std::fabs(after[i] - before[name][i]) / kAdamLr;
      largest = std::isnan(move) ? INFINITY : std::max(largest, move);
      moves.push_back(move);
    }
  }
  std::nth_element(moves.begin(), moves.begin() + moves.size() / 2,
                   moves.end());
  ok &= report("CNN Adam step 1: largest |update| / lr - 1",
               std::max(0.0, largest - 1), 1e-3);
  ok &= report("CNN Adam step 1: 1 - median |update| / lr",
               1 - moves[moves.size() / 2], 0.05);
  return ok;
}

int check() {
  Batches mlpData, cnnData;
  if (!loadBatches(kMlpBatch, mlpData) || !loadBatches(kCnnBatch, cnnData))
    return EXIT_FAILURE;
  bool ok = checkMlpTraining(mlpData);
  ok &= checkMlpInference();
  ok &= checkCnnTraining(cnnData);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

/// A model's training graph with its step function (forward, kiln.grad,
/// optimizer update), as Kiln IR, as TrainStep compiles it.
int printStep(Model model) {
  std::unique_ptr<Graph> graph = trainingGraph(model);
  std::vector<unsigned> params;
  for (auto [index, argument] : llvm::enumerate(graph->arguments()))
    if (argument.role == TensorRole::Parameter)
      params.push_back(index);
  if (!buildTrainStep(graph->module(), graph->function().getSymName(), params,
                      optimizerOf(model)))
    return EXIT_FAILURE;
  graph->function().setPrivate(); // as TrainStep::create compiles it
  std::fputs(graph->toString().c_str(), stdout);
  return EXIT_SUCCESS;
}

} // namespace

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--print-mlp-step") == 0) {
      return printStep(Model::Mlp);
    } else if (std::strcmp(argv[i], "--print-cnn-step") == 0) {
      return printStep(Model::Cnn);
    } else if (std::strcmp(argv[i], "--check") == 0) {
      try {
        return check();
      } catch (const GraphError &error) {
        std::fprintf(stderr, "kiln-bench-training: %s\n", error.what());
        return EXIT_FAILURE;
      }
    }

  for (int64_t threads : {1, 2})
    for (auto [name, fn] :
         {std::pair{"BM_KilnMlpTrain", BM_KilnMlpTrain},
          std::pair{"BM_KilnMlpInference", BM_KilnMlpInference},
          std::pair{"BM_KilnCnnTrain", BM_KilnCnnTrain},
          std::pair{"BM_KilnMlpCompile", BM_KilnMlpCompile}})
      kiln::bench::withSuiteTiming(
          benchmark::RegisterBenchmark(name, fn)->Arg(threads)->Unit(
              benchmark::kMillisecond));
  if (!kiln::bench::initializeBenchmark(argc, argv))
    return EXIT_FAILURE;
  Compiled owned;
  compiled = &owned;
  try {
    benchmark::RunSpecifiedBenchmarks();
  } catch (const GraphError &error) {
    std::fprintf(stderr, "kiln-bench-training: %s\n", error.what());
    return EXIT_FAILURE;
  }
  owned = Compiled();
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
