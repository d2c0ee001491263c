/*===- AllocationFailure.h - Where a failed allocation goes ----*- C -*-===*
 *
 * Compiled code cannot check the allocations it makes. The C ABI of an
 * ahead-of-time compiled model sets a jump target, per thread, around each
 * call into compiled code, so that running out of memory there becomes an
 * error code (leaking the buffers the call had made) instead of an exit.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_ALLOCATIONFAILURE_H
#define KILN_RUNTIME_ALLOCATIONFAILURE_H

#include <setjmp.h>

/* Null (the default) ends the process with a message; otherwise a failed
 * allocation longjmps here with the value 1. */
extern _Thread_local jmp_buf *kiln_allocation_failure_target;

#endif /* KILN_RUNTIME_ALLOCATIONFAILURE_H */
