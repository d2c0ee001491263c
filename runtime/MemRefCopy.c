/*===- MemRefCopy.c - Strided copy called by compiled code ---------------===*
 *
 * The LLVM lowering of memref.copy calls `memrefCopy` when a side is not
 * contiguous (e.g. a strided slice copied into a result). MLIR ships it in
 * libmlir_c_runner_utils; the runtime provides its own so that compiled
 * models need nothing but the Kiln runtime. Plain C, so that models
 * compiled ahead of time need no C++ library.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <string.h>

/* MLIR's unranked memref: the rank and a pointer to a ranked descriptor
 * { char *allocated; char *aligned; int64_t offset; int64_t sizes[rank];
 *   int64_t strides[rank]; }. */
typedef struct UnrankedDescriptor {
  int64_t rank;
  void *descriptor;
} UnrankedDescriptor;

typedef struct RankedView {
  char *data; /* aligned pointer + offset, in bytes */
  const int64_t *sizes;
  const int64_t *strides;
} RankedView;

static RankedView view(const UnrankedDescriptor *memref, int64_t elementSize) {
  int64_t *words = (int64_t *)memref->descriptor;
  char *aligned = (char *)(intptr_t)words[1];
  int64_t offset = words[2];
  RankedView result = {aligned + offset * elementSize, words + 3,
                       words + 3 + memref->rank};
  return result;
}

void memrefCopy(int64_t elementSize, UnrankedDescriptor *source,
                UnrankedDescriptor *target) {
  int64_t rank = source->rank;
  RankedView src = view(source, elementSize);
  RankedView dst = view(target, elementSize);
  if (rank == 0) {
    memcpy(dst.data, src.data, elementSize);
    return;
  }
  for (int64_t d = 0; d < rank; ++d)
    if (src.sizes[d] == 0)
      return;
  /* Odometer over all indices but the last; the last dimension is a loop.
   * Ranks are small: the index lives on the stack. */
  int64_t index[rank];
  memset(index, 0, sizeof(index));
  int64_t inner = src.sizes[rank - 1];
  for (;;) {
    int64_t srcOffset = 0, dstOffset = 0;
    for (int64_t d = 0; d < rank - 1; ++d) {
      srcOffset += index[d] * src.strides[d];
      dstOffset += index[d] * dst.strides[d];
    }
    char *from = src.data + srcOffset * elementSize;
    char *to = dst.data + dstOffset * elementSize;
    if (src.strides[rank - 1] == 1 && dst.strides[rank - 1] == 1) {
      memcpy(to, from, inner * elementSize);
    } else {
      for (int64_t i = 0; i < inner; ++i)
        memcpy(to + i * dst.strides[rank - 1] * elementSize,
               from + i * src.strides[rank - 1] * elementSize, elementSize);
    }
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      if (++index[d] < src.sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
