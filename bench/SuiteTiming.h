//===- SuiteTiming.h - The benchmark suite's timing policy ------*- C++ -*-===//
//
// How every kiln-bench-* program times its rows (bench/README.md, Method),
// kept in one place so that the rows stay comparable.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_SUITETIMING_H
#define KILN_BENCH_SUITETIMING_H

#include <benchmark/benchmark.h>

namespace kiln::bench {

/// Warm-up, then `repetitions` repetitions of at least 0.3 s; the tables
/// take the median repetition (the machines are shared and noisy). Wall
/// time: at 2 threads CPU time would add up the threads' times (and
/// OpenMP's spinning), and the peers in other processes (PyTorch) are
/// timed in wall time too.
inline benchmark::internal::Benchmark *
withSuiteTiming(benchmark::internal::Benchmark *b, int repetitions = 5) {
  return b->MinWarmUpTime(0.2)
      ->MinTime(0.3)
      ->Repetitions(repetitions)
      ->ReportAggregatesOnly(true)
      ->UseRealTime();
}

/// Hands the arguments the program did not take to Google Benchmark;
/// false if any of them is not one of its flags (it has said which).
inline bool initializeBenchmark(int &argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  return !benchmark::ReportUnrecognizedArguments(argc, argv);
}

} // namespace kiln::bench

#endif // KILN_BENCH_SUITETIMING_H
