//===- kiln-run.cpp - JIT-compile Kiln IR and run it on .npy inputs -------===//
//
//   kiln-run model.mlir [--entry fn] [--input name=x.npy | x.npy ...]
//            [--output out.npy ... | --output-dir dir] [--repeat N] [-O N]
//            [--threads N] [--memory-stats] [--no-fusion]
//
// Inputs are matched to arguments by name (the `kiln.name` argument
// attribute, or argN) and positional .npy files fill the remaining
// arguments in order. Results are printed, or written as .npy files.
//
//===----------------------------------------------------------------------===//

#include "frontend/Frontend.h"
#include "frontend/onnx/OnnxImport.h"
#include "runtime/Runtime.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <sys/resource.h>

namespace cl = llvm::cl;

namespace {
// Only these show in --help: LLVM's and MLIR's own options would bury them
// under hundreds of lines. Those still work (--mlir-print-ir-after-all, say).
cl::OptionCategory toolOptions("kiln-run options");

cl::opt<std::string> inputFile(cl::Positional, cl::cat(toolOptions),
                               cl::desc("<input .mlir or .onnx>"),
                               cl::Required);
cl::list<std::string> inputShapes("input-shape", cl::cat(toolOptions),
                                  cl::desc("Pin the shape of an ONNX input"),
                                  cl::value_desc("name=1x3x224x224"));
cl::list<std::string> positionalInputs(cl::Positional, cl::cat(toolOptions),
                                       cl::desc("[inputs.npy...]"));
cl::list<std::string> namedInputs("input", cl::cat(toolOptions),
                                  cl::desc("Bind an argument to a .npy file"),
                                  cl::value_desc("name=file.npy"));
cl::opt<std::string> entry("entry", cl::cat(toolOptions),
                           cl::desc("Function to run (default: the only "
                                    "public function, or 'main')"),
                           cl::value_desc("name"));
cl::list<std::string> outputs("output", cl::cat(toolOptions),
                              cl::desc("Write result #i to the i-th --output"),
                              cl::value_desc("file.npy"));
cl::opt<std::string> outputDir("output-dir", cl::cat(toolOptions),
                               cl::desc("Write every result to "
                                        "<dir>/<result name or resultN>.npy"),
                               cl::value_desc("dir"));
cl::opt<unsigned> repeat("repeat", cl::cat(toolOptions),
                         cl::desc("Call the function N times and print the "
                                  "median and minimum time per call"),
                         cl::init(0));
cl::opt<bool>
    memoryStats("memory-stats", cl::cat(toolOptions),
                cl::desc("Print threads, memory and allocation counts "
                         "to stderr"));
cl::opt<unsigned> optLevel("O", cl::cat(toolOptions),
                           cl::desc("Optimization level 0-3 (default 3)"),
                           cl::Prefix, cl::init(3));
cl::opt<bool> noFusion("no-fusion", cl::cat(toolOptions),
                       cl::desc("Leave out kiln-fuse: one loop nest per op"),
                       cl::init(false));

int error(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kiln-run") << message << "\n";
  return 1;
}

/// LLVM registers a hidden --threads option of its own, so kiln-run takes
/// `--threads N` (or `--threads=N`) out of the arguments before LLVM parses
/// them. Returns false after an error message.
bool takeThreadsFlag(int &argc, char **argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    std::optional<std::string> value;
    if (arg == "--threads" || arg == "-threads") {
      if (i + 1 == argc) {
        error("--threads needs a thread count");
        return false;
      }
      value = argv[++i];
    } else if (arg.consume_front("--threads=") ||
               arg.consume_front("-threads=")) {
      value = arg.str();
    } else {
      argv[kept++] = argv[i];
      continue;
    }
    int count = 0;
    kiln::Status status = kiln::parseNumThreads(*value, "--threads", count);
    if (status)
      status = kiln::setNumThreads(count);
    if (!status) {
      error(status.message());
      return false;
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  return true;
}

std::string mebibytes(uint64_t bytes) {
  return llvm::formatv("{0:F1} MiB", bytes / 1048576.0).str();
}

/// --memory-stats: what the calls cost in threads and memory.
void printStats(const kiln::AllocationStats &before, unsigned calls) {
  kiln::AllocationStats after = kiln::allocationStats();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  llvm::errs() << "kiln-run: threads " << kiln::numThreads() << "\n"
               << "kiln-run: peak memory of intermediates "
               << mebibytes(after.peakLiveBytes) << " (held with the reuse "
               << "cache " << mebibytes(after.peakHeldBytes)
               << "), process peak RSS "
               << mebibytes(uint64_t(usage.ru_maxrss) * 1024) << "\n"
               << "kiln-run: " << calls << " calls, "
               << (after.allocations - before.allocations)
               << " buffer allocations, "
               << (after.osAllocations - before.osAllocations)
               << " from the system\n";
}

std::string argName(const kiln::TensorSpec &spec, size_t index,
                    const char *prefix) {
  return spec.name.empty() ? prefix + std::to_string(index) : spec.name;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (kiln::Status status = kiln::checkNumThreadsEnvironment(); !status)
    return error(status.message());
  if (!takeThreadsFlag(argc, argv))
    return 1;
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Kiln JIT runner\n\n  --threads N: threads for parallel loops (default: "
      "KILN_NUM_THREADS, else the available cores)\n");
  if (optLevel > 3)
    return error("-O" + llvm::Twine(optLevel) + " is not one of -O0..-O3");
  if (!outputs.empty() && !outputDir.empty())
    return error("use either --output or --output-dir, not both");

  kiln::CompileOptions options;
  options.optLevel = optLevel;
  options.fusion = !noFusion;
  kiln::OnnxImportOptions onnxOptions;
  for (const std::string &spec : inputShapes)
    if (std::string message = kiln::addInputShape(spec, onnxOptions);
        !message.empty())
      return error(message);
  auto module = kiln::compileModelFile(inputFile, options, onnxOptions);
  if (!module) {
    // Diagnostics carry file:line:col; one without a location (a missing
    // file) is named after the tool instead.
    std::string message = llvm::toString(module.takeError());
    if (llvm::StringRef(message).starts_with("error: "))
      message = "kiln-run: " + message;
    llvm::errs() << message << "\n";
    return 1;
  }

  // Choose the entry function.
  const auto &functions = (*module)->functions();
  std::string name = entry;
  if (name.empty()) {
    if (functions.size() == 1)
      name = functions.front().name;
    else if ((*module)->lookup("main"))
      name = "main";
    else
      return error(llvm::Twine(functions.size()) +
                   " public functions and none is 'main': choose one with "
                   "--entry");
  }
  const kiln::FunctionSignature *signature = (*module)->lookup(name);
  if (!signature) {
    std::string known;
    for (const auto &f : functions)
      known += (known.empty() ? "" : ", ") + f.name;
    return error("no public function '" + name + "' in " + inputFile +
                 " (it has: " + (known.empty() ? "none" : known) + ")");
  }

  // Bind inputs: by name first, then positional files in order.
  size_t numInputs = signature->inputs.size();
  std::vector<kiln::Tensor> inputs(numInputs);
  std::vector<bool> bound(numInputs, false);
  auto load = [&](size_t i, const std::string &path) -> bool {
    kiln::Status status = kiln::readNpy(path, inputs[i]);
    if (!status) {
      error(status.message());
      return false;
    }
    bound[i] = true;
    return true;
  };
  for (const std::string &binding : namedInputs) {
    size_t eq = binding.find('=');
    if (eq == std::string::npos)
      return error("--input expects name=file.npy, got '" + binding + "'");
    std::string argument = binding.substr(0, eq);
    size_t index = numInputs;
    for (size_t i = 0; i < numInputs; ++i)
      if (argName(signature->inputs[i], i, "arg") == argument ||
          "arg" + std::to_string(i) == argument)
        index = i;
    if (index == numInputs)
      return error("'" + name + "' has no argument named '" + argument + "'");
    if (bound[index])
      return error("argument '" + argument + "' is given twice");
    if (!load(index, binding.substr(eq + 1)))
      return 1;
  }
  size_t next = 0;
  for (const std::string &path : positionalInputs) {
    while (next < numInputs && bound[next])
      ++next;
    if (next == numInputs)
      return error("too many inputs: '" + name + "' takes " +
                   llvm::Twine(numInputs) + " arguments");
    if (!load(next, path))
      return 1;
  }
  for (size_t i = 0; i < numInputs; ++i)
    if (!bound[i])
      return error("no input for argument '" +
                   argName(signature->inputs[i], i, "arg") + "' (#" +
                   llvm::Twine(i) + ") of '" + name + "', expected " +
                   kiln::typeString(signature->inputs[i].dtype,
                                    signature->inputs[i].shape));
  if (!outputs.empty() && outputs.size() != signature->results.size())
    return error("'" + name + "' has " +
                 llvm::Twine(signature->results.size()) + " results but " +
                 llvm::Twine(outputs.size()) + " --output files were given");

  std::vector<kiln::Tensor> results;
  kiln::AllocationStats firstCall = kiln::allocationStats();
  if (kiln::Status status = (*module)->invoke(name, inputs, results); !status)
    return error(status.message());

  if (memoryStats)
    printStats(firstCall, 1);
  if (repeat > 0) {
    kiln::AllocationStats repeated = kiln::allocationStats();
    std::vector<double> ms;
    for (unsigned i = 0; i < repeat; ++i) {
      auto start = std::chrono::steady_clock::now();
      kiln::Status status = (*module)->invokeInto(name, inputs, results);
      auto stop = std::chrono::steady_clock::now();
      if (!status)
        return error(status.message());
      ms.push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
    }
    std::sort(ms.begin(), ms.end());
    llvm::outs() << llvm::format("%s: %u calls, median %.4f ms, min %.4f ms\n",
                                 name.c_str(), repeat.getValue(),
                                 ms[ms.size() / 2], ms.front());
    if (memoryStats)
      printStats(repeated, repeat);
  }

  for (size_t i = 0; i < results.size(); ++i) {
    const kiln::TensorSpec &spec = signature->results[i];
    std::string path;
    if (!outputs.empty())
      path = outputs[i];
    else if (!outputDir.empty())
      path = (outputDir + "/" + argName(spec, i, "result") + ".npy");
    if (path.empty()) {
      llvm::outs() << argName(spec, i, "result") << ": "
                   << kiln::typeString(spec.dtype, spec.shape) << "\n"
                   << results[i].toString() << "\n";
      continue;
    }
    if (kiln::Status status = kiln::writeNpy(path, results[i]); !status)
      return error(status.message());
  }
  return 0;
}
