//===- GemmBench.cpp - f32 GEMM: Kiln against OpenBLAS, 1 and 2 threads --===//
//
// C = A x B, row-major f32, M = N = K. Kiln's GEMM is a one-op Kiln graph
// compiled through the whole pipeline (CompiledModule) and called with
// invokeInto on preallocated tensors, as a training loop would call it;
// OpenBLAS's cblas_sgemm runs with the same thread count on the same
// buffers, in the same process, just before it. After Google Benchmark's
// own report, a table gives each size's and thread count's median GFLOP/s
// and the ratio Kiln / OpenBLAS.
//
//   kiln-bench-gemm [benchmark flags]   time the sizes 256, 1024, 2048
//   kiln-bench-gemm --check             only compare Kiln's C with OpenBLAS's
//
//===----------------------------------------------------------------------===//

#include "BenchUtil.h"
#include "SuiteTiming.h"

#include "frontend/Frontend.h"
#include "runtime/Runtime.h"

#include "llvm/Support/Error.h"

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

/// A GEMM of one shape: its operands, OpenBLAS's result and Kiln's.
struct Gemm {
  int64_t m, n, k;
  kiln::Tensor a, b, blasC;
  std::vector<kiln::Tensor> kilnOut;
  std::unique_ptr<kiln::CompiledModule> module;

  Gemm(int64_t m, int64_t n, int64_t k) : m(m), n(n), k(k) {
    a = kiln::bench::randomTensor({m, k}, 1);
    b = kiln::bench::randomTensor({k, n}, 2);
    blasC = kiln::Tensor::zeros(kiln::DType::F32, {m, n});
    kilnOut = {kiln::Tensor::zeros(kiln::DType::F32, {m, n})};
  }

  /// Compiles Kiln's GEMM; false after printing the error.
  bool compile() {
    auto tensor = [](int64_t rows, int64_t cols) {
      return "tensor<" + std::to_string(rows) + "x" + std::to_string(cols) +
             "xf32>";
    };
    std::string ta = tensor(m, k), tb = tensor(k, n), tc = tensor(m, n);
    std::string source = "func.func @gemm(%a: " + ta + ", %b: " + tb + ") -> " +
                         tc + " {\n  %c = kiln.matmul %a, %b : " + ta + ", " +
                         tb + " -> " + tc + "\n  return %c : " + tc + "\n}\n";
    auto compiled = kiln::compileKilnSource(source);
    if (!compiled) {
      std::fprintf(stderr,
                   "kiln-bench-gemm: compiling the %s GEMM failed:\n%s\n",
                   tc.c_str(), llvm::toString(compiled.takeError()).c_str());
      return false;
    }
    module = std::move(*compiled);
    return true;
  }

  void runBlas() {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                a.dataAs<float>(), k, b.dataAs<float>(), n, 0.0f,
                blasC.dataAs<float>(), n);
  }

  bool runKiln() {
    kiln::Status status = module->invokeInto("gemm", {a, b}, kilnOut);
    if (!status)
      std::fprintf(stderr, "kiln-bench-gemm: invoke failed: %s\n",
                   status.message().c_str());
    return static_cast<bool>(status);
  }

  /// Largest |Kiln - OpenBLAS| over C (NaN-safe: NaN counts as infinite).
  double maxError() const {
    return kiln::bench::maxAbsDifference(kilnOut[0].dataAs<float>(),
                                         blasC.dataAs<float>(), m * n);
  }
};

/// One Gemm per size, compiled once and shared by the benchmark's calls.
/// main owns them and destroys them before returning: compiled modules
/// must not outlive LLVM's own static state at exit.
std::map<int64_t, std::unique_ptr<Gemm>> *gemms;

Gemm &gemmOfSize(int64_t size) {
  std::unique_ptr<Gemm> &gemm = (*gemms)[size];
  if (!gemm) {
    gemm = std::make_unique<Gemm>(size, size, size);
    if (!gemm->compile())
      std::exit(EXIT_FAILURE);
  }
  return *gemm;
}

/// Both sides use state.range(1) threads.
void setThreads(benchmark::State &state) {
  int threads = static_cast<int>(state.range(1));
  openblas_set_num_threads(threads);
  if (!kiln::setNumThreads(threads))
    std::exit(EXIT_FAILURE);
}

void setFlops(benchmark::State &state) {
  double n = static_cast<double>(state.range(0));
  state.counters["GFLOP"] = benchmark::Counter(
      2 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_OpenBLAS(benchmark::State &state) {
  Gemm &gemm = gemmOfSize(state.range(0));
  setThreads(state);
  for (auto _ : state)
    gemm.runBlas();
  setFlops(state);
}

void BM_Kiln(benchmark::State &state) {
  Gemm &gemm = gemmOfSize(state.range(0));
  setThreads(state);
  for (auto _ : state)
    if (!gemm.runKiln()) {
      state.SkipWithError("invoke failed");
      break;
    }
  setFlops(state);
}

/// Google Benchmark's console output, plus each benchmark's median GFLOP/s
/// kept for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
public:
  /// (size, threads) -> benchmark name -> median GFLOP/s.
  std::map<std::pair<int64_t, int64_t>, std::map<std::string, double>> medians;

  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &run : runs)
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        // args is "<size>/<threads>".
        const std::string &args = run.run_name.args;
        size_t slash = args.find('/');
        std::pair<int64_t, int64_t> key = {
            std::stoll(args.substr(0, slash)),
            slash == std::string::npos ? 1
                                       : std::stoll(args.substr(slash + 1))};
        medians[key][run.run_name.function_name] =
            run.counters.at("GFLOP").value;
      }
    ConsoleReporter::ReportRuns(runs);
  }

  void printTable() const {
    std::printf("\nGEMM f32 row-major, M = N = K, median GFLOP/s\n");
    std::printf("%6s  %7s  %10s  %10s  %13s\n", "N", "threads", "Kiln",
                "OpenBLAS", "Kiln/OpenBLAS");
    for (const auto &[key, byName] : medians) {
      auto kiln = byName.find("BM_Kiln"), blas = byName.find("BM_OpenBLAS");
      if (kiln == byName.end() || blas == byName.end())
        continue;
      std::printf("%6lld  %7lld  %10.1f  %10.1f  %13.2f\n",
                  static_cast<long long>(key.first),
                  static_cast<long long>(key.second), kiln->second,
                  blas->second, kiln->second / blas->second);
    }
  }
};

/// Compares Kiln's C with OpenBLAS's on shapes with and without remainders.
int check() {
  int failures = 0;
  for (auto [m, n, k] :
       {std::tuple<int64_t, int64_t, int64_t>{256, 256, 256}, {67, 131, 45}}) {
    Gemm gemm(m, n, k);
    if (!gemm.compile())
      return EXIT_FAILURE;
    gemm.runBlas();
    std::fill_n(gemm.kilnOut[0].dataAs<float>(), m * n, NAN);
    if (!gemm.runKiln())
      return EXIT_FAILURE;
    // f32 sums of k products of values in [-1, 1).
    double error = gemm.maxError(), tolerance = 1e-5 * static_cast<double>(k);
    bool ok = error <= tolerance;
    failures += !ok;
    std::printf("%lldx%lldx%lld: max |Kiln - OpenBLAS| = %.3g (tolerance "
                "%.3g): %s\n",
                static_cast<long long>(m), static_cast<long long>(n),
                static_cast<long long>(k), error, tolerance,
                ok ? "ok" : "MISMATCH");
  }
  return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

} // namespace

int main(int argc, char **argv) {
  openblas_set_num_threads(1);
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--check") == 0)
      return check();

  for (int64_t threads : {1, 2})
    for (int64_t size : {256, 1024, 2048})
      for (auto [name, fn] : {std::pair{"BM_OpenBLAS", BM_OpenBLAS},
                              std::pair{"BM_Kiln", BM_Kiln}})
        kiln::bench::withSuiteTiming(benchmark::RegisterBenchmark(name, fn)
                                         ->Args({size, threads})
                                         ->Unit(benchmark::kMillisecond));
  if (!kiln::bench::initializeBenchmark(argc, argv))
    return EXIT_FAILURE;
  std::printf("OpenBLAS %s, core %s\n", openblas_get_config(),
              openblas_get_corename());
  std::map<int64_t, std::unique_ptr<Gemm>> compiled;
  gemms = &compiled;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  compiled.clear();
  reporter.printTable();
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
