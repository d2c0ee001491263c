/*===- AllocationStats.h - Counters of compiled code's buffers -*- C -*-===*
 *
 * The C side of kiln::allocationStats (Runtime.h): what Allocation.c
 * counts, readable from C programs that run ahead-of-time compiled models.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_ALLOCATIONSTATS_H
#define KILN_RUNTIME_ALLOCATIONSTATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct KilnAllocationStats {
  uint64_t allocations;   /* buffers compiled code asked for */
  uint64_t osAllocations; /* of those, taken from the system allocator */
  uint64_t liveBytes;     /* in use by compiled code now */
  uint64_t peakLiveBytes; /* most in use at once */
  uint64_t cachedBytes;   /* freed and kept for reuse */
  uint64_t peakHeldBytes; /* most in use + kept at once */
} KilnAllocationStats;

void kiln_allocation_stats(KilnAllocationStats *out);
void kiln_reset_allocation_peaks(void);
void kiln_release_cached_allocations(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_ALLOCATIONSTATS_H */
