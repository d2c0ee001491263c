//===- MarkEntryPoints.cpp - C interface for public functions -----------===//

#include "backend/Backend.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNMARKENTRYPOINTS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {
struct KilnMarkEntryPointsPass
    : kiln::impl::KilnMarkEntryPointsBase<KilnMarkEntryPointsPass> {
  void runOnOperation() override {
    auto unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
  }
};
} // namespace
