//===- Training.cpp - Train a classifier on Fashion-MNIST ---------------===//

#include "Training.h"

#include "runtime/data/Data.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sys/resource.h>
#include <variant>
#include <vector>

namespace kiln::examples {

namespace {

bool parseNumber(const char *text, double &out) {
  char *end = nullptr;
  out = std::strtod(text, &end);
  return end != text && *end == '\0';
}

void printUsage(const char *program, const TrainingOptions &defaults) {
  bool adam = std::holds_alternative<Adam>(defaults.optimizer);
  double lr =
      std::visit([](const auto &o) { return o.lr; }, defaults.optimizer);
  std::printf(
      "usage: %s [flags]\n"
      "  --optimizer sgd|adam  SGD momentum 0.9 lr 0.01, or Adam lr 1e-3 "
      "(default %s)\n"
      "  --lr X                learning rate (default %g)\n"
      "  --epochs N            (default %lld)\n"
      "  --batch N             batch size (default %lld)\n"
      "  --seed N              initializers and batch order (default %llu)\n"
      "  --data DIR            Fashion-MNIST IDX files (default %s)\n"
      "  --max-steps N         stop each epoch after N steps\n"
      "  --csv FILE            per-epoch metrics\n"
      "  --checkpoint FILE     saved after each epoch; --resume continues it\n"
      "  --init FILE           start from these parameters (safetensors, "
      "e.g. a PyTorch state_dict)\n"
      "  --threads N           threads (default KILN_NUM_THREADS or the "
      "cores)\n"
      "  --stats               time, allocations and peak memory of the "
      "steps\n"
      "  --no-fusion           one loop nest per op (to measure kiln-fuse)\n",
      program, adam ? "adam" : "sgd", lr,
      static_cast<long long>(defaults.epochs),
      static_cast<long long>(defaults.batchSize),
      static_cast<unsigned long long>(defaults.seed), defaults.dataDir.c_str());
}

/// The tensors of the safetensors file `path` by name.
Status loadParameters(const std::string &path,
                      std::map<std::string, Tensor> &values) {
  std::vector<NamedTensor> tensors;
  if (Status s = loadSafetensors(path, tensors); !s)
    return s;
  for (NamedTensor &t : tensors)
    values[t.name] = std::move(t.tensor);
  return Status::ok();
}

/// Correct predictions: the argmax of each row of logits [B, C] (first
/// maximum on ties, as torch.argmax) against labels [B].
int64_t countCorrect(const Tensor &logits, const Tensor &labels,
                     int64_t count) {
  int64_t classes = logits.shape()[1], correct = 0;
  const float *z = logits.dataAs<float>();
  const int64_t *y = labels.dataAs<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (z[i * classes + c] > z[i * classes + best])
        best = c;
    correct += best == y[i];
  }
  return correct;
}

/// The model in eval mode for batches of `batch`, compiled.
std::unique_ptr<CompiledGraph> compileEvaluator(const TrainingOptions &options,
                                                const ModelBuilder &model,
                                                int64_t batch) {
  Graph g(options.name + "_eval", options.seed);
  Var images = g.input("images", {batch, 1, 28, 28});
  g.output("logits", model(g, images, /*training=*/false));
  return g.compile(options.compile);
}

double evaluate(CompiledGraph &evaluator, const TrainStep &step,
                const ImageDataset &test, int64_t batch) {
  for (const auto &[name, value] : step.state())
    if (evaluator.state().count(name))
      evaluator.setState(name, value);
  BatchLoader loader;
  BatchLoaderOptions loaderOptions;
  loaderOptions.batchSize = batch;
  loaderOptions.shuffle = false;
  loaderOptions.lastBatch = LastBatch::Pad;
  if (!BatchLoader::create(test.images, test.labels, loaderOptions, loader))
    return -1;
  int64_t correct = 0;
  loader.startEpoch(0);
  while (const Batch *b = loader.next()) {
    std::vector<Tensor> out = evaluator.run({b->inputs});
    correct += countCorrect(out[0], b->labels, b->size);
  }
  return static_cast<double>(correct) / test.size();
}

/// --stats: time, allocations and memory of the training steps. The first
/// step is reported apart: it fills the runtime's buffer cache.
class StepStats {
public:
  void begin() {
    before = allocationStats();
    faultsBefore = minorFaults();
    start = std::chrono::steady_clock::now();
  }
  void end() {
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    AllocationStats after = allocationStats();
    uint64_t allocations = after.allocations - before.allocations;
    uint64_t fromSystem = after.osAllocations - before.osAllocations;
    uint64_t faults = minorFaults() - faultsBefore;
    if (steps++ == 0) {
      firstMs = ms;
      firstAllocations = allocations;
      firstFromSystem = fromSystem;
      firstFaults = faults;
      return;
    }
    times.push_back(ms);
    laterAllocations += allocations;
    laterFromSystem += fromSystem;
    laterFaults += faults;
  }
  void print() {
    AllocationStats now = allocationStats();
    std::printf("threads %d; first step %.2f ms, %llu allocations, %llu from "
                "the system, %llu page faults\n",
                numThreads(), firstMs,
                static_cast<unsigned long long>(firstAllocations),
                static_cast<unsigned long long>(firstFromSystem),
                static_cast<unsigned long long>(firstFaults));
    if (!times.empty()) {
      std::sort(times.begin(), times.end());
      double later = static_cast<double>(times.size());
      std::printf("later steps: median %.2f ms; per step %.1f allocations, "
                  "%.2f from the system, %.1f page faults\n",
                  times[times.size() / 2], laterAllocations / later,
                  laterFromSystem / later, laterFaults / later);
    }
    std::printf("peak memory of intermediates %.1f MiB (held with the reuse "
                "cache %.1f MiB)\n",
                now.peakLiveBytes / 1048576.0, now.peakHeldBytes / 1048576.0);
  }

private:
  static uint64_t minorFaults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<uint64_t>(usage.ru_minflt);
  }

  AllocationStats before;
  uint64_t faultsBefore = 0;
  std::chrono::steady_clock::time_point start;
  int64_t steps = 0;
  double firstMs = 0;
  uint64_t firstAllocations = 0, firstFromSystem = 0, firstFaults = 0;
  uint64_t laterAllocations = 0, laterFromSystem = 0, laterFaults = 0;
  std::vector<double> times;
};

} // namespace

FlagsResult parseTrainingFlags(int argc, char **argv,
                               TrainingOptions &options) {
  // Every failure below has printed its line.
  constexpr FlagsResult failed = FlagsResult::Error;
  double lr = -1;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&](double &out) {
      if (i + 1 >= argc || !parseNumber(argv[i + 1], out)) {
        std::fprintf(stderr, "error: %s needs a number\n", flag.c_str());
        return false;
      }
      ++i;
      return true;
    };
    auto text = [&](std::string &out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", flag.c_str());
        return false;
      }
      out = argv[++i];
      return true;
    };
    double number = 0;
    std::string word;
    if (flag == "--optimizer") {
      if (!text(word))
        return failed;
      if (word == "sgd")
        options.optimizer = SGD{0.01, 0.9};
      else if (word == "adam")
        options.optimizer = Adam{1e-3};
      else {
        std::fprintf(stderr, "error: --optimizer is sgd or adam, got '%s'\n",
                     word.c_str());
        return failed;
      }
    } else if (flag == "--lr") {
      if (!value(lr))
        return failed;
    } else if (flag == "--epochs" || flag == "--batch" || flag == "--seed" ||
               flag == "--max-steps") {
      if (!value(number))
        return failed;
      if (number < (flag == "--batch" || flag == "--epochs" ? 1 : 0)) {
        std::fprintf(stderr, "error: %s %g is out of range\n", flag.c_str(),
                     number);
        return failed;
      }
      int64_t n = static_cast<int64_t>(number);
      if (flag == "--epochs")
        options.epochs = n;
      else if (flag == "--batch")
        options.batchSize = n;
      else if (flag == "--seed")
        options.seed = static_cast<uint64_t>(n);
      else
        options.maxSteps = n;
    } else if (flag == "--data") {
      if (!text(options.dataDir))
        return failed;
    } else if (flag == "--csv") {
      if (!text(options.csvPath))
        return failed;
    } else if (flag == "--checkpoint") {
      if (!text(options.checkpointPath))
        return failed;
    } else if (flag == "--resume") {
      options.resume = true;
    } else if (flag == "--threads") {
      if (!text(word))
        return failed;
      if (Status s = parseNumThreads(word, flag, options.threads); !s) {
        std::fprintf(stderr, "error: %s\n", s.message().c_str());
        return failed;
      }
    } else if (flag == "--stats") {
      options.stats = true;
    } else if (flag == "--init") {
      if (!text(options.initPath))
        return failed;
    } else if (flag == "--no-fusion") {
      options.compile.fusion = false;
    } else if (flag == "--help" || flag == "-h") {
      printUsage(argv[0], options);
      return FlagsResult::Help;
    } else {
      std::fprintf(stderr,
                   "error: unknown flag '%s' (flags: --optimizer sgd|adam, "
                   "--lr, --epochs, --batch, --seed, --data, --max-steps, "
                   "--csv, --checkpoint, --resume, --init, --threads N, "
                   "--stats, --no-fusion, --help)\n",
                   flag.c_str());
      return failed;
    }
  }
  if (lr > 0)
    std::visit([lr](auto &o) { o.lr = lr; }, options.optimizer);
  if (options.resume && options.checkpointPath.empty()) {
    std::fprintf(stderr, "error: --resume needs --checkpoint FILE\n");
    return failed;
  }
  if (options.resume && !options.initPath.empty()) {
    std::fprintf(stderr, "error: --resume and --init both set the starting "
                         "parameters; give one\n");
    return failed;
  }
  if (Status s = checkNumThreadsEnvironment(); !s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return failed;
  }
  return FlagsResult::Train;
}

TrainingResult trainClassifier(const TrainingOptions &options,
                               const ModelBuilder &model) {
  auto fail = [](const std::string &message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    return TrainingResult();
  };
  if (options.threads > 0)
    if (Status s = setNumThreads(options.threads); !s)
      return fail(s.message());
  ImageDataset train, test;
  if (Status s = loadMnistFormat(options.dataDir, DatasetSplit::Train, train);
      !s)
    return fail(s.message());
  if (Status s = loadMnistFormat(options.dataDir, DatasetSplit::Test, test); !s)
    return fail(s.message());

  // Static shapes: full batches run `step`; when the batch size does not
  // divide the training set, the last batch of each epoch (kept, as
  // PyTorch's DataLoader does by default) runs `lastStep`, compiled for its
  // size and sharing `step`'s weights and optimizer state.
  const int64_t remainder = train.size() % options.batchSize;
  std::map<std::string, Tensor> initial;
  if (!options.initPath.empty())
    if (Status s = loadParameters(options.initPath, initial); !s)
      return fail(s.message());
  auto buildStep = [&](int64_t batch) {
    Graph g(options.name, options.seed);
    Var images = g.input("images", {batch, 1, 28, 28});
    Var labels = g.input("labels", {batch}, DType::I64);
    Var logits = model(g, images, /*training=*/true);
    if (!initial.empty()) {
      try {
        g.loadStateDict(initial);
      } catch (const GraphError &error) {
        throw GraphError("--init " + options.initPath + ": " + error.what());
      }
    }
    g.output("loss", crossEntropy(logits, labels));
    g.output("logits", logits);
    return TrainStep::create(g, options.optimizer, options.compile);
  };
  std::unique_ptr<TrainStep> step, lastStep;
  std::unique_ptr<CompiledGraph> evaluator;
  const int64_t evalBatch = 500;
  try {
    auto created = buildStep(options.batchSize);
    if (!created)
      return fail(llvm::toString(created.takeError()));
    step = std::move(*created);
    if (remainder > 0) {
      auto last = buildStep(remainder);
      if (!last)
        return fail(llvm::toString(last.takeError()));
      lastStep = std::move(*last);
      if (Status s = lastStep->shareState(*step); !s)
        return fail(s.message());
    }
    evaluator = compileEvaluator(options, model, evalBatch);
  } catch (const GraphError &error) {
    return fail(error.what());
  }

  int64_t startEpoch = 0, startBatch = 0;
  if (options.resume) {
    std::map<std::string, std::string> metadata;
    if (Status s = step->load(options.checkpointPath, &metadata); !s)
      return fail(s.message());
    startEpoch = std::atoll(metadata["epoch"].c_str());
    startBatch = std::atoll(metadata["batch"].c_str());
    std::printf("resuming %s at epoch %lld, batch %lld\n",
                options.checkpointPath.c_str(),
                static_cast<long long>(startEpoch + 1),
                static_cast<long long>(startBatch));
  }

  BatchLoader loader;
  BatchLoaderOptions loaderOptions;
  loaderOptions.batchSize = options.batchSize;
  loaderOptions.seed = options.seed;
  loaderOptions.lastBatch = LastBatch::Keep;
  if (Status s = BatchLoader::create(train.images, train.labels, loaderOptions,
                                     loader);
      !s)
    return fail(s.message());
  int64_t steps = loader.batchesPerEpoch();
  if (options.maxSteps > 0 && options.maxSteps < steps)
    steps = options.maxSteps;

  CsvWriter csv;
  if (!options.csvPath.empty())
    if (Status s =
            CsvWriter::open(options.csvPath,
                            {"epoch", "steps", "train_loss", "train_accuracy",
                             "test_accuracy", "seconds"},
                            csv, options.resume);
        !s)
      return fail(s.message());

  ProgressBarOptions barOptions;
  barOptions.numEpochs = options.epochs;
  barOptions.stepsPerEpoch = steps;
  ProgressBar bar(barOptions);
  double accuracy = 0, trainLoss = 0;
  StepStats stepStats;
  for (int64_t epoch = startEpoch; epoch < options.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    int64_t first = epoch == startEpoch ? startBatch : 0;
    loader.startEpoch(epoch, first);
    bar.startEpoch(epoch, first);
    for (int64_t s = first; s < steps; ++s) {
      const Batch *batch = loader.next();
      TrainStep &current = batch->size == options.batchSize ? *step : *lastStep;
      // --stats counts the full-size steps (the last partial batch's step
      // is compiled apart).
      bool counted = &current == step.get();
      if (counted)
        stepStats.begin();
      if (Status status = current.run({batch->inputs, batch->labels}); !status)
        return fail(status.message());
      if (counted)
        stepStats.end();
      bar.update(
          s + 1, current.loss(), batch->size,
          countCorrect(current.outputs()[1], batch->labels, batch->size));
    }
    trainLoss = bar.meanLoss();
    accuracy = evaluate(*evaluator, *step, test, evalBatch);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, " test acc %.2f%%", 100 * accuracy);
    bar.finishEpoch(suffix);
    if (!options.csvPath.empty())
      if (Status s = csv.writeRow({epoch + 1, steps, bar.meanLoss(),
                                   bar.accuracy(), accuracy, seconds});
          !s)
        return fail(s.message());
    if (!options.checkpointPath.empty())
      if (Status s = step->save(options.checkpointPath,
                                {{"epoch", std::to_string(epoch + 1)},
                                 {"batch", "0"},
                                 {"seed", std::to_string(options.seed)}});
          !s)
        return fail(s.message());
  }
  std::printf("test accuracy: %.2f%%\n", 100 * accuracy);
  if (options.stats)
    stepStats.print();
  return {accuracy, trainLoss};
}

} // namespace kiln::examples
