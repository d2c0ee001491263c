//===- EntryPoints.cpp - The C interface of compiled functions -----------===//
//
// Entry points are called as `_mlir_ciface_<name>(descriptors...)`. To keep
// user names from clashing with the C library functions the generated code
// calls (a Kiln function named `exp` would otherwise replace libm's), every
// function is renamed `_kiln_<name>` before the LLVM lowering, and only the
// C interface wrappers get the user's names back afterwards.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_DEF_KILNMARKENTRYPOINTS
#define GEN_PASS_DEF_KILNFINALIZEENTRYPOINTS
#include "backend/Passes.h.inc"
} // namespace kiln

namespace {
constexpr llvm::StringLiteral kSignatureAttrs[] = {
    "kiln.name", "kiln.parameter", "kiln.buffer"};
constexpr llvm::StringLiteral kInternalPrefix = "_kiln_";
constexpr llvm::StringLiteral kCInterfacePrefix = "_mlir_ciface_";

struct KilnMarkEntryPointsPass
    : kiln::impl::KilnMarkEntryPointsBase<KilnMarkEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    auto unit = UnitAttr::get(&getContext());
    for (auto func :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      if (func.isPublic())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
      // kiln.name, kiln.parameter and kiln.buffer served the runtime's
      // signature; LLVM has no meaning for them.
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        for (StringRef attr : kSignatureAttrs)
          func.removeArgAttr(i, attr);
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        for (StringRef attr : kSignatureAttrs)
          func.removeResultAttr(i, attr);
      auto internal =
          StringAttr::get(&getContext(), kInternalPrefix + func.getSymName());
      if (failed(symbols.rename(func, internal))) {
        func.emitError() << "cannot rename '" << func.getSymName()
                         << "' for code generation";
        return signalPassFailure();
      }
    }
  }
};

struct KilnFinalizeEntryPointsPass
    : kiln::impl::KilnFinalizeEntryPointsBase<KilnFinalizeEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    std::string prefix = (kCInterfacePrefix + kInternalPrefix).str();
    for (auto func :
         llvm::make_early_inc_range(module.getOps<LLVM::LLVMFuncOp>())) {
      StringRef name = func.getSymName();
      // Bodies are reached through their C interface only: keep them out of
      // the object's exported symbols.
      if (name.starts_with(kInternalPrefix) && !func.isExternal())
        func.setLinkage(LLVM::Linkage::Internal);
      if (!name.starts_with(prefix))
        continue;
      auto entry = StringAttr::get(
          &getContext(), kCInterfacePrefix + name.drop_front(prefix.size()));
      if (failed(symbols.rename(func, entry))) {
        func.emitError() << "cannot name the C interface '" << entry.getValue()
                         << "'";
        return signalPassFailure();
      }
    }
  }
};
} // namespace
