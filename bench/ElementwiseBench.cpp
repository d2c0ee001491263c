//===- ElementwiseBench.cpp - Fused elementwise against copy bandwidth ---===//
//
// y = tanh(x * 0.5 + 1.0) * x on 2^24 f32 elements, at 1 and 2 threads:
// Kiln with and without fusion (CompileOptions::fusion), against the
// machine's copy bandwidth at the same thread count, measured in the same
// process (memcpy, and a plain copy loop, each thread copying its share),
// and against PyTorch eager, whose rates bench/run measures just before
// and passes in with --torch-gbps (one rate per thread count, comma
// separated). Effective bandwidth counts what the computation must move:
// 4 bytes read and 4 written per element, as for a copy of the same size.
//
//   kiln-bench-elementwise [--torch-gbps X1,X2] [benchmark flags]
//   kiln-bench-elementwise --check    fused == unfused == reference, no timing
//
//===----------------------------------------------------------------------===//

#include "SuiteTiming.h"

#include "frontend/Frontend.h"
#include "runtime/Runtime.h"

#include "llvm/Support/Error.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int64_t kElements = int64_t(1) << 24;
constexpr double kBytesMoved = 2.0 * 4 * kElements;
/// The thread counts of the table (the machines we run on have 2 cores).
constexpr int kThreadCounts[] = {1, 2};

std::string chainSource(int64_t n) {
  std::string t = "tensor<" + std::to_string(n) + "xf32>";
  return "func.func @chain(%x: " + t + ") -> " + t + R"( {
  %half = kiln.constant dense<0.5> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %h = kiln.broadcast %half : tensor<f32> -> )" +
         t + R"(
  %o = kiln.broadcast %one : tensor<f32> -> )" +
         t + R"(
  %a = kiln.mul %x, %h : )" +
         t + R"(
  %b = kiln.add %a, %o : )" +
         t + R"(
  %c = kiln.tanh %b : )" +
         t + R"(
  %y = kiln.mul %c, %x : )" +
         t + R"(
  return %y : )" +
         t + "\n}\n";
}

/// The chain compiled one way, with its input and a preallocated output.
struct Chain {
  std::unique_ptr<kiln::CompiledModule> module;
  kiln::Tensor x;
  std::vector<kiln::Tensor> y;

  bool compile(int64_t n, bool fusion) {
    kiln::CompileOptions options;
    options.fusion = fusion;
    auto compiled = kiln::compileKilnSource(chainSource(n), options);
    if (!compiled) {
      std::fprintf(stderr, "kiln-bench-elementwise: compile failed:\n%s\n",
                   llvm::toString(compiled.takeError()).c_str());
      return false;
    }
    module = std::move(*compiled);
    x = kiln::Tensor::zeros(kiln::DType::F32, {n});
    float *p = x.dataAs<float>();
    for (int64_t i = 0; i < n; ++i)
      p[i] = static_cast<float>(std::sin(0.001 * i) * 4.0);
    y = {kiln::Tensor::zeros(kiln::DType::F32, {n})};
    return run();
  }

  bool run() {
    kiln::Status status = module->invokeInto("chain", {x}, y);
    if (!status)
      std::fprintf(stderr, "kiln-bench-elementwise: invoke failed: %s\n",
                   status.message().c_str());
    return static_cast<bool>(status);
  }
};

/// Compiled chains by fusion flag; main owns them (they must not outlive
/// LLVM's static state at exit).
std::map<bool, std::unique_ptr<Chain>> *chains;

Chain &chain(bool fusion) {
  std::unique_ptr<Chain> &c = (*chains)[fusion];
  if (!c) {
    c = std::make_unique<Chain>();
    if (!c->compile(kElements, fusion))
      std::exit(EXIT_FAILURE);
  }
  return *c;
}

void setBandwidth(benchmark::State &state) {
  state.counters["GB/s"] = benchmark::Counter(
      kBytesMoved * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

/// Source and destination of the copy benchmarks, touched once up front.
struct CopyBuffers {
  std::vector<float> from = std::vector<float>(kElements, 1.0f);
  std::vector<float> to = std::vector<float>(kElements, 0.0f);
};

CopyBuffers &copyBuffers() {
  static CopyBuffers buffers;
  return buffers;
}

/// STREAM's copy kernel: a loop the compiler vectorizes, ordinary stores.
void loopCopy(float *__restrict to, const float *__restrict from, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    to[i] = from[i];
}

/// Runs copy(to, from, n) on `threads` equal shares of the buffers, one
/// per thread (the calling thread takes the first). Starting the threads
/// costs tens of microseconds against milliseconds of copying.
template <typename Copy>
void copyInShares(CopyBuffers &b, int threads, Copy copy) {
  int64_t share = (kElements + threads - 1) / threads;
  std::vector<std::thread> others;
  for (int t = 1; t < threads; ++t) {
    int64_t begin = std::min(kElements, t * share);
    int64_t n = std::min(kElements, begin + share) - begin;
    others.emplace_back(
        [&, begin, n] { copy(b.to.data() + begin, b.from.data() + begin, n); });
  }
  copy(b.to.data(), b.from.data(), std::min(kElements, share));
  for (std::thread &t : others)
    t.join();
}

void BM_Memcpy(benchmark::State &state) {
  CopyBuffers &b = copyBuffers();
  int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    copyInShares(b, threads, [](float *to, const float *from, int64_t n) {
      std::memcpy(to, from, n * sizeof(float));
    });
    benchmark::ClobberMemory();
  }
  setBandwidth(state);
}

void BM_LoopCopy(benchmark::State &state) {
  CopyBuffers &b = copyBuffers();
  int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    copyInShares(b, threads, loopCopy);
    benchmark::ClobberMemory();
  }
  setBandwidth(state);
}

void runKiln(benchmark::State &state, bool fusion) {
  Chain &c = chain(fusion);
  if (kiln::Status s = kiln::setNumThreads(static_cast<int>(state.range(0)));
      !s) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  for (auto _ : state)
    if (!c.run()) {
      state.SkipWithError("invoke failed");
      break;
    }
  setBandwidth(state);
}

void BM_KilnFused(benchmark::State &state) { runKiln(state, true); }
void BM_KilnUnfused(benchmark::State &state) { runKiln(state, false); }

class MedianReporter : public benchmark::ConsoleReporter {
public:
  /// "benchmark/threads" -> median GB/s.
  std::map<std::string, double> medians;

  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &run : runs)
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median")
        medians[run.run_name.function_name + "/" + run.run_name.args] =
            run.counters.at("GB/s").value;
    ConsoleReporter::ReportRuns(runs);
  }

  double get(const char *name, int threads) const {
    auto it =
        medians.find(std::string(name) + "/threads:" + std::to_string(threads));
    return it == medians.end() ? NAN : it->second;
  }

  void printTable(int threads, double torchGBps) const {
    double copy =
        std::fmax(get("BM_Memcpy", threads), get("BM_LoopCopy", threads));
    std::printf("\nFused elementwise y = tanh(x * 0.5 + 1.0) * x, 2^24 f32, "
                "%d thread%s, median effective GB/s (8 bytes per element)\n",
                threads, threads == 1 ? "" : "s");
    std::printf("%-22s %8s %14s %14s\n", "", "GB/s", "/ copy", "/ PyTorch");
    auto row = [&](const char *label, double gbps) {
      std::printf("%-22s %8.2f %14.2f %14.2f\n", label, gbps, gbps / copy,
                  gbps / torchGBps);
    };
    row("copy (memcpy)", get("BM_Memcpy", threads));
    row("copy (loop)", get("BM_LoopCopy", threads));
    row("PyTorch eager", torchGBps);
    row("Kiln fused", get("BM_KilnFused", threads));
    row("Kiln --no-fusion", get("BM_KilnUnfused", threads));
    std::printf("targets: Kiln fused >= 0.85 x copy (the faster of the two), "
                ">= 3 x PyTorch eager\n");
  }
};

/// Fused and unfused against a double-precision reference on sizes with
/// remainders: the benchmark only times code that is right.
int check() {
  int failures = 0;
  for (int64_t n : {int64_t(1), int64_t(15), int64_t(1000003)}) {
    Chain fused, unfused;
    if (!fused.compile(n, true) || !unfused.compile(n, false))
      return EXIT_FAILURE;
    const float *x = fused.x.dataAs<float>();
    const float *a = fused.y[0].dataAs<float>();
    const float *b = unfused.y[0].dataAs<float>();
    double worst = 0;
    bool same = true;
    for (int64_t i = 0; i < n; ++i) {
      double ref = std::tanh(x[i] * 0.5 + 1.0) * x[i];
      double e = std::fabs(a[i] - ref) / std::fmax(1.0, std::fabs(ref));
      worst = e <= worst ? worst : (std::isnan(e) ? INFINITY : e);
      same &= a[i] == b[i];
    }
    bool ok = worst <= 1e-6 && same;
    failures += !ok;
    std::printf("n = %lld: max relative error %.3g, fused %s unfused: %s\n",
                static_cast<long long>(n), worst,
                same ? "==" : "!=", ok ? "ok" : "MISMATCH");
  }
  return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

} // namespace

int main(int argc, char **argv) {
  // PyTorch's rate per thread count, in the order of kThreadCounts.
  std::vector<double> torchGBps;
  std::vector<char *> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0)
      return check();
    if (std::strcmp(argv[i], "--torch-gbps") == 0 && i + 1 < argc) {
      for (char *p = argv[++i]; *p;) {
        char *end;
        torchGBps.push_back(std::strtod(p, &end));
        if (end == p)
          break;
        p = *end == ',' ? end + 1 : end;
      }
      continue;
    }
    rest.push_back(argv[i]);
  }
  int restCount = static_cast<int>(rest.size());

  // 7 repetitions rather than the suite's 5: the copy rates, the yardstick
  // of this row, are the noisiest figures of the suite on shared machines
  // (memory bandwidth is what the other tenants contend for most).
  constexpr int kRepetitions = 7;
  for (auto [name, fn] : {std::pair{"BM_Memcpy", BM_Memcpy},
                          std::pair{"BM_LoopCopy", BM_LoopCopy},
                          std::pair{"BM_KilnFused", BM_KilnFused},
                          std::pair{"BM_KilnUnfused", BM_KilnUnfused}})
    kiln::bench::withSuiteTiming(benchmark::RegisterBenchmark(name, fn)
                                     ->Unit(benchmark::kMillisecond)
                                     ->ArgName("threads")
                                     ->Arg(kThreadCounts[0])
                                     ->Arg(kThreadCounts[1]),
                                 kRepetitions);
  if (!kiln::bench::initializeBenchmark(restCount, rest.data()))
    return EXIT_FAILURE;
  std::map<bool, std::unique_ptr<Chain>> compiled;
  chains = &compiled;
  MedianReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  compiled.clear();
  for (size_t i = 0; i < std::size(kThreadCounts); ++i)
    reporter.printTable(kThreadCounts[i],
                        i < torchGBps.size() ? torchGBps[i] : NAN);
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
