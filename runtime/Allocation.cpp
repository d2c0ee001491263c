//===- Allocation.cpp - Memory for the intermediates of compiled code ----===//
//
// Compiled code allocates its buffers through these functions rather than
// malloc/free directly (finalize-memref-to-llvm{use-generic-functions}):
//  * compiled code cannot report errors, so a failed allocation ends the
//    process with a message instead of a segfault on a null pointer;
//  * the runtime owns the one place where a memory plan or arena can come
//    in later.
//
//===----------------------------------------------------------------------===//

#include "runtime/Runtime.h"

#include <cstdio>
#include <cstdlib>

namespace {
[[noreturn]] void outOfMemory(uint64_t size) {
  std::fprintf(stderr,
               "kiln: out of memory: compiled code could not allocate %llu "
               "bytes for a tensor\n",
               static_cast<unsigned long long>(size));
  std::exit(EXIT_FAILURE);
}
} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  void *ptr = std::malloc(size == 0 ? 1 : size);
  if (!ptr)
    outOfMemory(size);
  return ptr;
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment,
                                                    uint64_t size) {
  // aligned_alloc wants a size that is a multiple of the alignment.
  uint64_t rounded = (size + alignment - 1) / alignment * alignment;
  void *ptr = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  if (!ptr)
    outOfMemory(size);
  return ptr;
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) { std::free(ptr); }
