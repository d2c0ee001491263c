/*===- Threads.c - How many threads compiled code runs on ----------------===*
 *
 * Compiled code runs its parallel loops on the OpenMP runtime's thread pool
 * and asks this file, at every parallel region, how many threads to use
 * (`num_threads(kiln_num_threads())`). The count is the runtime's, not
 * OpenMP's, so the runtime needs no OpenMP headers and the setting is the
 * same for JIT and ahead-of-time compiled code. Plain C, like the rest of
 * what compiled code calls (Allocation.c).
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "runtime/ThreadCount.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* 0 until the count is first needed or set. */
static atomic_int threadCount;

int kiln_parse_num_threads(const char *text, int *out) {
  if (!text || *text < '0' || *text > '9')
    return 0;
  errno = 0;
  char *end;
  long value = strtol(text, &end, 10);
  if (errno || *end || value < 1 || value > KILN_MAX_THREADS)
    return 0;
  *out = (int)value;
  return 1;
}

int kiln_available_cores(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? (int)online : 1;
}

int32_t kiln_num_threads(void) {
  int count = atomic_load_explicit(&threadCount, memory_order_relaxed);
  if (count > 0)
    return count;
  const char *text = getenv(KILN_NUM_THREADS_VARIABLE);
  if (!text) {
    count = kiln_available_cores();
  } else if (!kiln_parse_num_threads(text, &count)) {
    /* Compiled code cannot report an error; tools check the variable
     * first and say so before anything runs. */
    fprintf(stderr, "kiln: %s is '%s', expected a thread count from 1 to %d\n",
            KILN_NUM_THREADS_VARIABLE, text, KILN_MAX_THREADS);
    exit(EXIT_FAILURE);
  }
  int expected = 0;
  atomic_compare_exchange_strong(&threadCount, &expected, count);
  return atomic_load_explicit(&threadCount, memory_order_relaxed);
}

void kiln_set_num_threads(int32_t count) {
  if (count >= 1 && count <= KILN_MAX_THREADS)
    atomic_store_explicit(&threadCount, count, memory_order_relaxed);
}
