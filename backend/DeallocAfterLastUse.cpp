//===- DeallocAfterLastUse.cpp - Free buffers as soon as they are dead ----===//

#include "backend/Backend.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNDEALLOCAFTERLASTUSE
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {

/// The last op of `block` that uses `buffer` or a value derived from it,
/// or null if one of them is used outside `block` (or by `except`).
Operation *lastUseInBlock(Value buffer, Block *block, Operation *except) {
  Operation *last = buffer.getDefiningOp();
  SmallVector<Value> worklist = {buffer};
  llvm::DenseSet<Value> seen = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == except)
        continue;
      Operation *anchor = block->findAncestorOpInBlock(*user);
      if (!anchor)
        return nullptr;
      if (last->isBeforeInBlock(anchor))
        last = anchor;
      // Whatever the user and the ops around it up to the block produce
      // may alias the buffer: a view, a loop's result, a selected buffer.
      for (Operation *op = user;; op = op->getParentOp()) {
        for (Value result : op->getResults())
          if (isa<BaseMemRefType>(result.getType()) &&
              seen.insert(result).second)
            worklist.push_back(result);
        if (op == anchor)
          break;
      }
    }
  }
  return last;
}

struct KilnDeallocAfterLastUsePass
    : kiln::impl::KilnDeallocAfterLastUseBase<KilnDeallocAfterLastUsePass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation().walk(
        [&](memref::DeallocOp dealloc) { deallocs.push_back(dealloc); });
    for (memref::DeallocOp dealloc : deallocs) {
      auto alloc = dealloc.getMemref().getDefiningOp<memref::AllocOp>();
      Block *block = dealloc->getBlock();
      if (!alloc || alloc->getBlock() != block)
        continue;
      Operation *last = lastUseInBlock(alloc, block, dealloc);
      if (last && last->isBeforeInBlock(dealloc))
        dealloc->moveAfter(last);
    }
  }
};

} // namespace
