//===- Threads.cpp - Thread count and buffer counters, C++ API -----------===//
//
// The C++ face (Runtime.h, with Status errors) of what Threads.c and
// Allocation.c implement in C for compiled code.
//
//===----------------------------------------------------------------------===//

#include "runtime/Runtime.h"

#include <cstdlib>

using namespace kiln;

Status kiln::parseNumThreads(std::string_view text, std::string_view what,
                             int &out) {
  std::string copy(text);
  int value = 0;
  if (!kiln_parse_num_threads(copy.c_str(), &value))
    return Status::error(std::string(what) + " is '" + copy +
                         "', expected a thread count from 1 to " +
                         std::to_string(kMaxThreads));
  out = value;
  return Status::ok();
}

Status kiln::checkNumThreadsEnvironment() {
  const char *text = std::getenv(KILN_NUM_THREADS_VARIABLE);
  int count;
  return text ? parseNumThreads(text, KILN_NUM_THREADS_VARIABLE, count)
              : Status::ok();
}

int kiln::numThreads() { return kiln_num_threads(); }

Status kiln::setNumThreads(int count) {
  if (count < 1 || count > kMaxThreads)
    return Status::error("the thread count is " + std::to_string(count) +
                         ", expected 1 to " + std::to_string(kMaxThreads));
  kiln_set_num_threads(count);
  return Status::ok();
}

int kiln::availableCores() { return kiln_available_cores(); }

AllocationStats kiln::allocationStats() {
  AllocationStats stats;
  kiln_allocation_stats(&stats);
  return stats;
}

void kiln::resetAllocationPeaks() { kiln_reset_allocation_peaks(); }

void kiln::releaseCachedAllocations() { kiln_release_cached_allocations(); }
