/*===- Allocation.c - Memory for the intermediates of compiled code ------===*
 *
 * Compiled code allocates its buffers through these functions rather than
 * malloc/free directly (finalize-memref-to-llvm{use-generic-functions}):
 *  * compiled code cannot report errors, so a failed allocation jumps back
 *    to the C ABI call that entered it (AllocationFailure.h) or, outside
 *    one, ends the process with a message instead of a segfault on a null
 *    pointer;
 *  * freed buffers are kept and reused. The C library returns large blocks
 *    to the system when they are freed (glibc mmaps them), so a training
 *    step that allocates the same intermediates on every call would fault
 *    in every page of them afresh each time (12-39 us per 4 KiB page on a
 *    VM). Buffers are kept in size classes (four per power of two, so at
 *    most a quarter is wasted); a step's sizes repeat, so from its second
 *    call on every allocation is served from the cache.
 * Plain C, so that models compiled ahead of time need no C++ library.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/AllocationFailure.h"
#include "runtime/AllocationStats.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Thread_local jmp_buf *kiln_allocation_failure_target;

/* Every block starts with this header, one alignment unit before the
 * pointer compiled code gets. `next` links kept blocks of one class. */
typedef struct Header {
  _Alignas(64) uint64_t bytes; /* usable bytes (the class of a kept block) */
  void *base;                  /* what the system allocator returned */
  struct Header *next;
  bool cached; /* goes back to the cache when freed */
} Header;
enum { kAlignment = sizeof(Header) };
/* Kept bytes beyond this go back to the system. */
static const uint64_t kMaxCachedBytes = (uint64_t)2 << 30;
/* Classes: 64 multiples of 64 bytes up to 4 KiB, then four per power of
 * two up to 2^63. */
enum { kSmallClasses = 64, kNumClasses = kSmallClasses + 4 * 52 };

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static Header *freeBlocks[kNumClasses];
static KilnAllocationStats stats;
static int enabled = -1; /* -1 until KILN_ALLOCATION_CACHE is read */

static void outOfMemory(uint64_t size) {
  if (kiln_allocation_failure_target)
    longjmp(*kiln_allocation_failure_target, 1);
  fprintf(stderr,
          "kiln: out of memory: compiled code could not allocate %llu "
          "bytes for a tensor\n",
          (unsigned long long)size);
  exit(EXIT_FAILURE);
}

/* The class of `size`, and its usable bytes in *bytes. */
static int sizeClass(uint64_t size, uint64_t *bytes) {
  if (size <= 4096) {
    uint64_t units = size == 0 ? 1 : (size + 63) / 64;
    *bytes = units * 64;
    return (int)units - 1;
  }
  int log2 = 63 - __builtin_clzll(size - 1); /* >= 12 */
  uint64_t quarter = (uint64_t)1 << (log2 - 2);
  uint64_t quarters = (size + quarter - 1) / quarter; /* 5..8 */
  *bytes = quarters * quarter;
  return kSmallClasses + 4 * (log2 - 12) + (int)(quarters - 5);
}

/* Called with the mutex held. */
static void noteAllocated(uint64_t bytes, bool fromSystem) {
  ++stats.allocations;
  stats.osAllocations += fromSystem;
  stats.liveBytes += bytes;
  if (stats.liveBytes > stats.peakLiveBytes)
    stats.peakLiveBytes = stats.liveBytes;
  if (stats.liveBytes + stats.cachedBytes > stats.peakHeldBytes)
    stats.peakHeldBytes = stats.liveBytes + stats.cachedBytes;
}

/* KILN_ALLOCATION_CACHE=0 turns the cache off (every buffer goes back to
 * the system when freed), to measure what it saves or to let memory
 * checkers see every buffer's lifetime. Called with the mutex held. */
static bool cacheEnabled(void) {
  if (enabled < 0) {
    const char *setting = getenv("KILN_ALLOCATION_CACHE");
    enabled = !(setting && strcmp(setting, "0") == 0);
  }
  return enabled;
}

static void *allocate(uint64_t size) {
  if (size > UINT64_MAX / 2)
    outOfMemory(size);
  uint64_t bytes;
  int index = sizeClass(size, &bytes);
  pthread_mutex_lock(&mutex);
  Header *header = freeBlocks[index];
  if (header) {
    freeBlocks[index] = header->next;
    stats.cachedBytes -= bytes;
    noteAllocated(bytes, false);
    pthread_mutex_unlock(&mutex);
    return header + 1;
  }
  pthread_mutex_unlock(&mutex);
  void *base = aligned_alloc(kAlignment, kAlignment + bytes);
  if (!base)
    outOfMemory(size);
  header = (Header *)base;
  header->bytes = bytes;
  header->base = base;
  header->next = NULL;
  header->cached = true;
  pthread_mutex_lock(&mutex);
  noteAllocated(bytes, true);
  pthread_mutex_unlock(&mutex);
  return header + 1;
}

/* Stricter alignments than the header's are rare (an explicit alignment on
 * a memref.alloc): such blocks are not cached. */
static void *allocateOverAligned(uint64_t alignment, uint64_t size) {
  /* aligned_alloc wants a size that is a multiple of the alignment; a size
   * near 2^64 would wrap to a small one when rounded up. */
  if (size > UINT64_MAX / 2 - 2 * alignment)
    outOfMemory(size);
  uint64_t rounded = (alignment + size + alignment - 1) / alignment * alignment;
  char *base = aligned_alloc(alignment, rounded);
  if (!base)
    outOfMemory(size);
  Header *header = (Header *)(base + alignment) - 1;
  header->bytes = size;
  header->base = base;
  header->next = NULL;
  header->cached = false;
  pthread_mutex_lock(&mutex);
  noteAllocated(size, true);
  pthread_mutex_unlock(&mutex);
  return header + 1;
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) { return allocate(size); }

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    outOfMemory(size);
  return alignment <= kAlignment ? allocate(size)
                                 : allocateOverAligned(alignment, size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Header *header = (Header *)ptr - 1;
  uint64_t bytes = header->bytes;
  pthread_mutex_lock(&mutex);
  stats.liveBytes -= bytes;
  if (header->cached && cacheEnabled() &&
      stats.cachedBytes + bytes <= kMaxCachedBytes) {
    uint64_t classBytes;
    int index = sizeClass(bytes, &classBytes);
    header->next = freeBlocks[index];
    freeBlocks[index] = header;
    stats.cachedBytes += bytes;
    pthread_mutex_unlock(&mutex);
    return;
  }
  pthread_mutex_unlock(&mutex);
  free(header->base);
}

void kiln_allocation_stats(KilnAllocationStats *out) {
  pthread_mutex_lock(&mutex);
  *out = stats;
  pthread_mutex_unlock(&mutex);
}

void kiln_reset_allocation_peaks(void) {
  pthread_mutex_lock(&mutex);
  stats.peakLiveBytes = stats.liveBytes;
  stats.peakHeldBytes = stats.liveBytes + stats.cachedBytes;
  pthread_mutex_unlock(&mutex);
}

void kiln_release_cached_allocations(void) {
  pthread_mutex_lock(&mutex);
  Header *blocks[kNumClasses];
  memcpy(blocks, freeBlocks, sizeof blocks);
  memset(freeBlocks, 0, sizeof freeBlocks);
  stats.cachedBytes = 0;
  pthread_mutex_unlock(&mutex);
  for (int i = 0; i < kNumClasses; ++i)
    for (Header *h = blocks[i], *next; h; h = next) {
      next = h->next;
      free(h->base);
    }
}
