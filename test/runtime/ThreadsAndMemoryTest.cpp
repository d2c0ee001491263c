//===- ThreadsAndMemoryTest.cpp - Thread count and the buffer cache ------===//

#include "runtime/Runtime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

using namespace kiln;

namespace {

TEST(ThreadCount, ParsesPositiveCounts) {
  int count = 0;
  ASSERT_TRUE(parseNumThreads("3", "--threads", count));
  EXPECT_EQ(count, 3);
  ASSERT_TRUE(parseNumThreads("1024", "--threads", count));
  EXPECT_EQ(count, 1024);
}

TEST(ThreadCount, RejectsInvalidCountsNamingTheSource) {
  for (const char *text :
       {"0", "-2", "", "two", "2x", " 2", "1025", "99999999999999999999"}) {
    int count = 7;
    Status status = parseNumThreads(text, "KILN_NUM_THREADS", count);
    ASSERT_FALSE(status) << text;
    EXPECT_EQ(status.message(), "KILN_NUM_THREADS is '" + std::string(text) +
                                    "', expected a thread count from 1 to "
                                    "1024");
    EXPECT_EQ(count, 7) << "unchanged on error";
  }
}

TEST(ThreadCount, SetterValidatesAndApplies) {
  int saved = numThreads();
  EXPECT_GE(saved, 1);
  ASSERT_TRUE(setNumThreads(2));
  EXPECT_EQ(numThreads(), 2);
  EXPECT_EQ(kiln_num_threads(), 2);
  Status status = setNumThreads(0);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "the thread count is 0, expected 1 to 1024");
  EXPECT_EQ(numThreads(), 2);
  ASSERT_TRUE(setNumThreads(saved));
}

TEST(ThreadCount, AvailableCoresIsPositive) { EXPECT_GE(availableCores(), 1); }

TEST(AllocationCache, ReusesFreedBuffersOfTheSameSizeClass) {
  void *first = _mlir_memref_to_llvm_alloc(100000);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
  _mlir_memref_to_llvm_free(first);
  AllocationStats before = allocationStats();
  // 100000 and 99000 round to the same class (a quarter of 64 KiB).
  void *second = _mlir_memref_to_llvm_alloc(99000);
  AllocationStats during = allocationStats();
  EXPECT_EQ(second, first);
  EXPECT_EQ(during.allocations, before.allocations + 1);
  EXPECT_EQ(during.osAllocations, before.osAllocations);
  EXPECT_GE(during.liveBytes, before.liveBytes + 99000);
  _mlir_memref_to_llvm_free(second);
  EXPECT_EQ(allocationStats().liveBytes, before.liveBytes);
}

TEST(AllocationCache, CountsSystemAllocationsAndPeaks) {
  releaseCachedAllocations();
  resetAllocationPeaks();
  AllocationStats before = allocationStats();
  EXPECT_EQ(before.cachedBytes, 0u);
  void *a = _mlir_memref_to_llvm_alloc(1 << 20);
  void *b = _mlir_memref_to_llvm_aligned_alloc(64, 1 << 20);
  AllocationStats during = allocationStats();
  EXPECT_EQ(during.osAllocations, before.osAllocations + 2);
  EXPECT_EQ(during.peakLiveBytes, before.liveBytes + (2u << 20));
  static_cast<char *>(a)[(1 << 20) - 1] = 1;
  static_cast<char *>(b)[(1 << 20) - 1] = 1;
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
  AllocationStats after = allocationStats();
  EXPECT_EQ(after.cachedBytes, 2u << 20);
  EXPECT_EQ(after.peakHeldBytes, during.peakLiveBytes + before.cachedBytes);
  releaseCachedAllocations();
  EXPECT_EQ(allocationStats().cachedBytes, 0u);
}

TEST(AllocationCache, OverAlignedBuffersAreAlignedAndNotCached) {
  AllocationStats before = allocationStats();
  void *p = _mlir_memref_to_llvm_aligned_alloc(4096, 5000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 4096, 0u);
  EXPECT_EQ(allocationStats().liveBytes, before.liveBytes + 5000);
  _mlir_memref_to_llvm_free(p);
  AllocationStats after = allocationStats();
  EXPECT_EQ(after.liveBytes, before.liveBytes);
  EXPECT_EQ(after.cachedBytes, before.cachedBytes);
}

TEST(AllocationCache, ZeroBytesGetsAUniquePointer) {
  void *a = _mlir_memref_to_llvm_alloc(0);
  void *b = _mlir_memref_to_llvm_alloc(0);
  EXPECT_NE(a, nullptr);
  EXPECT_NE(a, b);
  _mlir_memref_to_llvm_free(a);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(nullptr);
}

} // namespace
