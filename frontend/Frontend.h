//===- Frontend.h - Ways into Kiln: public header ----------------*- C++
//-*-===//
//
// Today one way in: Kiln IR text. Parsing verifies the module; errors are
// reported through the context's diagnostic handlers with file:line:col.
// The one-call helpers load, verify and JIT-compile a module.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_FRONTEND_H
#define KILN_FRONTEND_FRONTEND_H

#include "backend/Backend.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln {

/// Parses and verifies the Kiln IR file at `path` ("-" is stdin). Returns
/// null after reporting a diagnostic (missing file, syntax or verifier
/// error).
mlir::OwningOpRef<mlir::ModuleOp> parseKilnFile(llvm::StringRef path,
                                                mlir::MLIRContext &context);

/// Parses and verifies Kiln IR held in memory; `bufferName` names it in
/// diagnostics.
mlir::OwningOpRef<mlir::ModuleOp>
parseKilnSource(llvm::StringRef source, mlir::MLIRContext &context,
                llvm::StringRef bufferName = "<source>");

/// Loads a Kiln IR file and JIT-compiles it: the C++ way to run a model.
///   auto module = kiln::compileKilnFile("mlp.mlir");
///   if (!module) ... llvm::toString(module.takeError()) ...
///   (*module)->invoke("forward", inputs, outputs);
llvm::Expected<std::unique_ptr<CompiledModule>>
compileKilnFile(llvm::StringRef path, const CompileOptions &options = {});
llvm::Expected<std::unique_ptr<CompiledModule>>
compileKilnSource(llvm::StringRef source, const CompileOptions &options = {});

} // namespace kiln

#endif // KILN_FRONTEND_FRONTEND_H
