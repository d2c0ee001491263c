//===- kilnc.cpp - The Kiln compiler driver -------------------------------===//
//
//   kilnc model.mlir --emit=kiln|linalg|llvm-dialect|llvm-ir|asm|obj -o out
//
// Each --emit value stops the pipeline at one stage. The object file
// exports `_mlir_ciface_<fn>` for each public function and links against
// the Kiln runtime. When a pass fails, kilnc names it and prints a kiln-opt
// command that reproduces the failure.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"
#include "frontend/Frontend.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { Kiln, Linalg, LLVMDialect, LLVMIR, Asm, Obj };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                               cl::Required);
cl::opt<std::string> outputFile("o",
                                cl::desc("Output file (default: "
                                         "<input>.o for obj, <input>.s "
                                         "for asm, stdout otherwise)"),
                                cl::value_desc("file"));
cl::opt<Emit>
    emit("emit", cl::desc("What to produce"), cl::init(Emit::Obj),
         cl::values(clEnumValN(Emit::Kiln, "kiln",
                               "verified, canonicalized kiln IR"),
                    clEnumValN(Emit::Linalg, "linalg",
                               "linalg/tensor IR after kiln-lower-to-linalg"),
                    clEnumValN(Emit::LLVMDialect, "llvm-dialect",
                               "the MLIR LLVM dialect"),
                    clEnumValN(Emit::LLVMIR, "llvm-ir", "optimized LLVM IR"),
                    clEnumValN(Emit::Asm, "asm", "host assembly"),
                    clEnumValN(Emit::Obj, "obj", "host object file")));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 3)"),
                           cl::Prefix, cl::init(3));

int error(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kilnc") << message << "\n";
  return 1;
}

/// Remembers which pass failed, for the reproducer line.
struct FailureRecorder : PassInstrumentation {
  std::string *failedPass;
  explicit FailureRecorder(std::string *failedPass) : failedPass(failedPass) {}
  void runAfterPassFailed(Pass *pass, Operation *) override {
    if (failedPass->empty())
      *failedPass = pass->getArgument().str();
  }
};
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln compiler\n");
  if (optLevel > 3)
    return error("-O" + llvm::Twine(optLevel) + " is not one of -O0..-O3");

  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  // Users get the message and the source line, not a dump of the op.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // Errors without a location (a missing file) read as the tool's own.
  ScopedDiagnosticHandler unlocated(&context, [](Diagnostic &d) {
    if (!isa<UnknownLoc>(d.getLocation()))
      return failure();
    error(d.str());
    return success();
  });

  OwningOpRef<ModuleOp> module = kiln::parseKilnFile(inputFile, context);
  if (!module)
    return 1;
  std::vector<kiln::FunctionSignature> signatures;
  if (failed(kiln::collectSignatures(*module, signatures)))
    return 1;

  PassManager pm = PassManager::on<ModuleOp>(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return error("invalid pass manager options");
  std::string failedPass;
  pm.addInstrumentation(std::make_unique<FailureRecorder>(&failedPass));
  kiln::Stage stage = emit == Emit::Kiln     ? kiln::Stage::Kiln
                      : emit == Emit::Linalg ? kiln::Stage::Linalg
                                             : kiln::Stage::LLVMDialect;
  kiln::buildLoweringPipeline(pm, stage);
  if (failed(pm.run(*module))) {
    std::string pipeline;
    llvm::raw_string_ostream os(pipeline);
    pm.printAsTextualPipeline(os);
    error("pass '" + failedPass + "' failed; reproduce with: kiln-opt " +
          inputFile + " --pass-pipeline='" + pipeline + "'");
    return 1;
  }

  std::string path = outputFile;
  if (path.empty()) {
    llvm::SmallString<128> stem(
        llvm::sys::path::filename(inputFile.getValue()));
    llvm::sys::path::replace_extension(stem, emit == Emit::Obj ? "o" : "s");
    path = emit == Emit::Obj || emit == Emit::Asm ? std::string(stem) : "-";
  }
  std::string openError;
  auto output = openOutputFile(path, &openError);
  if (!output)
    return error("cannot write '" + path + "': " + openError);

  if (emit == Emit::Kiln || emit == Emit::Linalg || emit == Emit::LLVMDialect) {
    module->print(output->os());
  } else {
    auto machine = kiln::createHostTargetMachine(optLevel);
    if (!machine)
      return error(llvm::toString(machine.takeError()));
    llvm::LLVMContext llvmContext;
    auto llvmModule =
        kiln::translateToLLVMIR(*module, llvmContext, **machine, optLevel);
    if (!llvmModule)
      return error(llvm::toString(llvmModule.takeError()));
    if (emit == Emit::LLVMIR) {
      (*llvmModule)->print(output->os(), nullptr);
    } else if (llvm::Error e = kiln::emitNativeCode(
                   **llvmModule, **machine, emit == Emit::Asm, output->os())) {
      return error(llvm::toString(std::move(e)));
    }
  }
  output->keep();
  return 0;
}
