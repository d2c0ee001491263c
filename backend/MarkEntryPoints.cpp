//===- MarkEntryPoints.cpp - C interface for public functions -----------===//

#include "backend/Backend.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNMARKENTRYPOINTS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {
constexpr llvm::StringLiteral kNameAttr = "kiln.name";

struct KilnMarkEntryPointsPass
    : kiln::impl::KilnMarkEntryPointsBase<KilnMarkEntryPointsPass> {
  void runOnOperation() override {
    auto unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
      // Names like `kiln.name` served the runtime's signature; LLVM has no
      // meaning for them.
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.removeArgAttr(i, kNameAttr);
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        func.removeResultAttr(i, kNameAttr);
    }
  }
};
} // namespace
