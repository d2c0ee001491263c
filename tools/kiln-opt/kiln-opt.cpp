//===- kiln-opt.cpp - The mlir-opt of Kiln --------------------------------===//
//
// Parses Kiln IR (and any upstream dialect), runs passes by name, prints the
// result. All Kiln passes and pipelines and all upstream passes are
// registered, so lit tests can exercise any stage of the pipeline.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"
#include "frontend/Frontend.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  kiln::registerKilnPasses();
  kiln::registerBackendPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  kiln::registerDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
