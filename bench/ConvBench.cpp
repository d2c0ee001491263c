//===- ConvBench.cpp - conv2d 3x3: Kiln against oneDNN, 1 and 2 threads ---===//
//
// Bench row 5: y = conv2d(x, w), 3x3, 64 -> 64 channels, 56 x 56, stride 1,
// padding 1, no bias, f32, batch 1 and 8 (a ResNet stage-1 convolution).
// Kiln's is a one-op Kiln graph compiled through the whole pipeline and
// called with invokeInto on preallocated NCHW tensors. oneDNN's (Debian's
// libdnnl 2.6, its OpenMP build) runs in the same process on the same
// values, with the same thread count, two ways:
//  * BM_OneDNN, the peer: forward_inference with the layouts oneDNN picks
//    (format `any`: blocked activations, as inside a oneDNN network); the
//    reorders into them are done once, outside the timing.
//  * BM_OneDNNPlain, for information: the same primitive asked to read and
//    write plain NCHW / OIHW, as Kiln does.
//
//   kiln-bench-conv [benchmark flags]   time batch 1 and 8 at 1 and 2 threads
//   kiln-bench-conv --check             compare Kiln's y with oneDNN's
//
//===----------------------------------------------------------------------===//

#include "BenchUtil.h"
#include "SuiteTiming.h"

#include "frontend/Frontend.h"
#include "runtime/Runtime.h"

#include "llvm/Support/Error.h"

#include <benchmark/benchmark.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using dnnl::memory;

/// A 3x3 convolution, stride 1, padding 1 (output size = input size).
struct ConvShape {
  int64_t n, c, o, h, w;
  double flops() const { return 2.0 * n * o * h * w * c * 9; }
};

/// One oneDNN convolution primitive and its memories.
struct DnnlConv {
  dnnl::convolution_forward primitive;
  memory src, weights, dst;
  std::string implementation;
};

/// A convolution of one shape: its operands, Kiln's result and oneDNN's.
struct Conv {
  ConvShape shape;
  kiln::Tensor x, f;
  std::vector<kiln::Tensor> kilnOut;
  std::unique_ptr<kiln::CompiledModule> module;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  DnnlConv blocked, plain;

  explicit Conv(ConvShape s) : shape(s) {
    x = kiln::bench::randomTensor({s.n, s.c, s.h, s.w}, 1);
    f = kiln::bench::randomTensor({s.o, s.c, 3, 3}, 2);
    kilnOut = {kiln::Tensor::zeros(kiln::DType::F32, {s.n, s.o, s.h, s.w})};
  }

  std::string tensorType(int64_t a, int64_t b, int64_t c, int64_t d) const {
    return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "x" +
           std::to_string(c) + "x" + std::to_string(d) + "xf32>";
  }

  /// Compiles Kiln's convolution and creates oneDNN's primitives; false
  /// after printing the error.
  bool create() {
    const ConvShape &s = shape;
    std::string tx = tensorType(s.n, s.c, s.h, s.w),
                tf = tensorType(s.o, s.c, 3, 3),
                ty = tensorType(s.n, s.o, s.h, s.w);
    std::string source = "func.func @conv(%x: " + tx + ", %w: " + tf + ") -> " +
                         ty + " {\n  %y = kiln.conv2d %x, %w " +
                         "stride [1, 1] padding [1, 1, 1, 1] dilation [1, 1] "
                         "groups 1 : " +
                         tx + ", " + tf + " -> " + ty +
                         "\n  return %y : " + ty + "\n}\n";
    auto compiled = kiln::compileKilnSource(source);
    if (!compiled) {
      std::fprintf(stderr,
                   "kiln-bench-conv: compiling the %s conv failed:\n%s\n",
                   tx.c_str(), llvm::toString(compiled.takeError()).c_str());
      return false;
    }
    module = std::move(*compiled);
    try {
      blocked = createDnnl(memory::format_tag::any, memory::format_tag::any);
      plain = createDnnl(memory::format_tag::nchw, memory::format_tag::oihw);
    } catch (const dnnl::error &e) {
      std::fprintf(stderr, "kiln-bench-conv: oneDNN: %s\n", e.what());
      return false;
    }
    return true;
  }

  /// A primitive with activations in `activations` and the filter in
  /// `filter` layout; x and f are reordered into what it picked.
  DnnlConv createDnnl(memory::format_tag activations,
                      memory::format_tag filter) {
    const ConvShape &s = shape;
    memory::dims src = {s.n, s.c, s.h, s.w}, wei = {s.o, s.c, 3, 3},
                 dst = {s.n, s.o, s.h, s.w};
    auto f32 = memory::data_type::f32;
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
        memory::desc(src, f32, activations), memory::desc(wei, f32, filter),
        memory::desc(dst, f32, activations), {1, 1}, {1, 1}, {1, 1});
    dnnl::convolution_forward::primitive_desc pd(desc, engine);
    DnnlConv conv{dnnl::convolution_forward(pd), memory(pd.src_desc(), engine),
                  memory(pd.weights_desc(), engine),
                  memory(pd.dst_desc(), engine), pd.impl_info_str()};
    memory userX({src, f32, memory::format_tag::nchw}, engine, x.data());
    memory userF({wei, f32, memory::format_tag::oihw}, engine, f.data());
    dnnl::reorder(userX, conv.src).execute(stream, userX, conv.src);
    dnnl::reorder(userF, conv.weights).execute(stream, userF, conv.weights);
    stream.wait();
    return conv;
  }

  void runDnnl(DnnlConv &conv) {
    conv.primitive.execute(stream, {{DNNL_ARG_SRC, conv.src},
                                    {DNNL_ARG_WEIGHTS, conv.weights},
                                    {DNNL_ARG_DST, conv.dst}});
    stream.wait();
  }

  /// oneDNN's y of `conv`, as NCHW.
  kiln::Tensor dnnlResult(DnnlConv &conv) {
    const ConvShape &s = shape;
    kiln::Tensor y =
        kiln::Tensor::zeros(kiln::DType::F32, {s.n, s.o, s.h, s.w});
    memory out({{s.n, s.o, s.h, s.w},
                memory::data_type::f32,
                memory::format_tag::nchw},
               engine, y.data());
    dnnl::reorder(conv.dst, out).execute(stream, conv.dst, out);
    stream.wait();
    return y;
  }

  bool runKiln() {
    kiln::Status status = module->invokeInto("conv", {x, f}, kilnOut);
    if (!status)
      std::fprintf(stderr, "kiln-bench-conv: invoke failed: %s\n",
                   status.message().c_str());
    return static_cast<bool>(status);
  }
};

/// Both sides use state.range(1) threads. Debian's oneDNN is built on
/// libgomp, but its GOMP_* and omp_* calls bind to libomp, which the
/// runtime loads first: one OpenMP pool serves both.
void setThreads(benchmark::State &state) {
  int threads = static_cast<int>(state.range(1));
  omp_set_num_threads(threads);
  if (!kiln::setNumThreads(threads))
    std::exit(EXIT_FAILURE);
}

/// The row's convolution by (batch, threads), created on first use after
/// setThreads: a oneDNN primitive splits its work for the thread count it
/// was created with. main owns them and destroys them before returning:
/// compiled modules must not outlive LLVM's own static state at exit.
std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Conv>> *convs;

Conv &convFor(benchmark::State &state) {
  setThreads(state);
  std::unique_ptr<Conv> &conv = (*convs)[{state.range(0), state.range(1)}];
  if (!conv) {
    conv = std::make_unique<Conv>(ConvShape{state.range(0), 64, 64, 56, 56});
    if (!conv->create())
      std::exit(EXIT_FAILURE);
  }
  return *conv;
}

void setFlops(benchmark::State &state, const Conv &conv) {
  state.counters["GFLOP"] = benchmark::Counter(
      conv.shape.flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

/// Times one of the row's oneDNN primitives, labelled with the
/// implementation oneDNN picked for it.
void runOneDnn(benchmark::State &state, DnnlConv Conv::*primitive) {
  Conv &conv = convFor(state);
  DnnlConv &dnnl = conv.*primitive;
  for (auto _ : state)
    conv.runDnnl(dnnl);
  setFlops(state, conv);
  state.SetLabel(dnnl.implementation);
}

void BM_OneDNN(benchmark::State &state) { runOneDnn(state, &Conv::blocked); }
void BM_OneDNNPlain(benchmark::State &state) { runOneDnn(state, &Conv::plain); }

void BM_Kiln(benchmark::State &state) {
  Conv &conv = convFor(state);
  for (auto _ : state)
    if (!conv.runKiln()) {
      state.SkipWithError("invoke failed");
      break;
    }
  setFlops(state, conv);
}

/// Kiln's y against both oneDNN primitives' on the row's shape and on one
/// with odd sizes everywhere.
int check() {
  int failures = 0;
  for (ConvShape s :
       {ConvShape{1, 64, 64, 56, 56}, ConvShape{2, 3, 5, 13, 11}}) {
    Conv conv(s);
    if (!conv.create() || !conv.runKiln())
      return EXIT_FAILURE;
    conv.runDnnl(conv.blocked);
    conv.runDnnl(conv.plain);
    // f32 sums of 9 c products of values in [-1, 1).
    double tolerance = 1e-5 * 9 * static_cast<double>(s.c);
    for (auto [name, dnnl] : {std::pair{"oneDNN", &conv.blocked},
                              std::pair{"oneDNN plain", &conv.plain}}) {
      kiln::Tensor y = conv.dnnlResult(*dnnl);
      double error = kiln::bench::maxAbsDifference(
          conv.kilnOut[0].dataAs<float>(), y.dataAs<float>(), y.numElements());
      bool ok = error <= tolerance;
      failures += !ok;
      std::printf("n %lld, %lld -> %lld channels, %lld x %lld: max |Kiln - "
                  "%s (%s)| = %.3g (tolerance %.3g): %s\n",
                  static_cast<long long>(s.n), static_cast<long long>(s.c),
                  static_cast<long long>(s.o), static_cast<long long>(s.h),
                  static_cast<long long>(s.w), name,
                  dnnl->implementation.c_str(), error, tolerance,
                  ok ? "ok" : "MISMATCH");
    }
  }
  return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

} // namespace

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--check") == 0)
      return check();

  for (int64_t threads : {1, 2})
    for (int64_t batch : {1, 8})
      for (auto [name, fn] : {std::pair{"BM_OneDNN", BM_OneDNN},
                              std::pair{"BM_OneDNNPlain", BM_OneDNNPlain},
                              std::pair{"BM_Kiln", BM_Kiln}})
        kiln::bench::withSuiteTiming(benchmark::RegisterBenchmark(name, fn)
                                         ->Args({batch, threads})
                                         ->Unit(benchmark::kMillisecond));
  if (!kiln::bench::initializeBenchmark(argc, argv))
    return EXIT_FAILURE;
  const dnnl_version_t *v = dnnl_version();
  std::printf("oneDNN %d.%d.%d\n", v->major, v->minor, v->patch);
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Conv>> owned;
  convs = &owned;
  benchmark::RunSpecifiedBenchmarks();
  owned.clear();
  benchmark::Shutdown();
  return EXIT_SUCCESS;
}
