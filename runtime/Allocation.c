/*===- Allocation.c - Memory for the intermediates of compiled code ------===*
 *
 * Compiled code allocates its buffers through these functions rather than
 * malloc/free directly (finalize-memref-to-llvm{use-generic-functions}):
 *  * compiled code cannot report errors, so a failed allocation jumps back
 *    to the C ABI call that entered it (AllocationFailure.h) or, outside
 *    one, ends the process with a message instead of a segfault on a null
 *    pointer;
 *  * the runtime owns the one place where a memory plan or arena can come
 *    in later.
 * Plain C, so that models compiled ahead of time need no C++ library.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/AllocationFailure.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

_Thread_local jmp_buf *kiln_allocation_failure_target;

static void outOfMemory(uint64_t size) {
  if (kiln_allocation_failure_target)
    longjmp(*kiln_allocation_failure_target, 1);
  fprintf(stderr,
          "kiln: out of memory: compiled code could not allocate %llu "
          "bytes for a tensor\n",
          (unsigned long long)size);
  exit(EXIT_FAILURE);
}

void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  void *ptr = malloc(size == 0 ? 1 : size);
  if (!ptr)
    outOfMemory(size);
  return ptr;
}

void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  /* aligned_alloc wants a size that is a multiple of the alignment; a size
   * near 2^64 would wrap to a small one when rounded up. */
  if (alignment == 0 || size > UINT64_MAX - alignment)
    outOfMemory(size);
  uint64_t rounded = (size + alignment - 1) / alignment * alignment;
  void *ptr = aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  if (!ptr)
    outOfMemory(size);
  return ptr;
}

void _mlir_memref_to_llvm_free(void *ptr) { free(ptr); }
