//===- Registration.cpp - Dialects the Kiln pipeline can meet ------------===//

#include "backend/Backend.h"
#include "ir/Kiln.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void kiln::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<KilnDialect>();
  // The pipeline goes through many upstream dialects and needs their
  // bufferization and deallocation interface models; registering them all
  // keeps a hand-written list from going stale.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}
