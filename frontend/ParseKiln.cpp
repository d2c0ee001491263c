//===- ParseKiln.cpp - Load Kiln IR text --------------------------------===//

#include "frontend/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

OwningOpRef<ModuleOp> kiln::parseKilnFile(llvm::StringRef path,
                                          MLIRContext &context) {
  std::string error;
  auto file = openInputFile(path, &error);
  if (!file) {
    emitError(UnknownLoc::get(&context)) << error;
    return nullptr;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

OwningOpRef<ModuleOp> kiln::parseKilnSource(llvm::StringRef source,
                                            MLIRContext &context,
                                            llvm::StringRef bufferName) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, bufferName), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}

namespace {
template <typename Load>
llvm::Expected<std::unique_ptr<kiln::CompiledModule>>
loadAndCompile(Load load, const kiln::CompileOptions &options) {
  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  OwningOpRef<ModuleOp> module;
  {
    // Parse errors go into the returned error, not to stderr.
    kiln::ErrorCollector errors(&context);
    module = load(context);
    if (!module)
      return errors.takeError();
  }
  return kiln::CompiledModule::compile(*module, options);
}
} // namespace

llvm::Expected<std::unique_ptr<kiln::CompiledModule>>
kiln::compileKilnFile(llvm::StringRef path, const CompileOptions &options) {
  return loadAndCompile(
      [&](MLIRContext &context) { return parseKilnFile(path, context); },
      options);
}

llvm::Expected<std::unique_ptr<kiln::CompiledModule>>
kiln::compileKilnSource(llvm::StringRef source, const CompileOptions &options) {
  return loadAndCompile(
      [&](MLIRContext &context) { return parseKilnSource(source, context); },
      options);
}
