/*===- ThreadCount.h - The thread count of compiled code -------*- C -*-===*
 *
 * The C side of kiln::numThreads (Runtime.h), for compiled code (which
 * calls kiln_num_threads at each parallel region) and for C programs that
 * run ahead-of-time compiled models.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_THREADCOUNT_H
#define KILN_RUNTIME_THREADCOUNT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_MAX_THREADS 1024
#define KILN_NUM_THREADS_VARIABLE "KILN_NUM_THREADS"

/* The last kiln_set_num_threads, else KILN_NUM_THREADS, else the available
 * cores; an invalid KILN_NUM_THREADS ends the process with a message. */
int32_t kiln_num_threads(void);
/* Ignores counts outside [1, KILN_MAX_THREADS]. */
void kiln_set_num_threads(int32_t count);
/* 1 and *out = the count if `text` is a decimal count in
 * [1, KILN_MAX_THREADS] and nothing else; 0 otherwise. */
int kiln_parse_num_threads(const char *text, int *out);
/* The cores in this process's CPU affinity mask. */
int kiln_available_cores(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_THREADCOUNT_H */
