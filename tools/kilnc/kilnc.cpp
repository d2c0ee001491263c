//===- kilnc.cpp - The Kiln compiler driver -------------------------------===//
//
//   kilnc model.mlir --emit=kiln|linalg|llvm-dialect|llvm-ir|asm|obj -o out
//   kilnc model.mlir -o libmodel.so            (--emit=lib)
//   kilnc model.mlir -c -o model.o             (--emit=lib-obj, + model.h)
//   any of them with --no-fusion (one loop nest per op)
//
// Each --emit value stops the pipeline at one stage. The object file
// exports `_mlir_ciface_<fn>` for each public function and links against
// the Kiln runtime. A library (lib, lib-obj) is self-contained: the model's
// code, a table of its functions and the C ABI of kiln/kiln_model.h, linked
// by the system C compiler; it needs only libc and libm. When a pass fails,
// kilnc names it and prints a kiln-opt command that reproduces the failure.
//
//===----------------------------------------------------------------------===//

#include "backend/Backend.h"
#include "backend/ModelLibrary.h"
#include "frontend/Frontend.h"
#include "frontend/onnx/OnnxImport.h"

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
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>

using namespace mlir;
namespace cl = llvm::cl;

namespace {
// Only these show in --help: LLVM's and MLIR's own options would bury them
// under hundreds of lines. Those still work (--mlir-print-ir-after-all, say).
cl::OptionCategory toolOptions("kilnc options");

enum class Emit { Kiln, Linalg, LLVMDialect, LLVMIR, Asm, Obj, Lib, LibObj };

cl::opt<std::string> inputFile(cl::Positional, cl::cat(toolOptions),
                               cl::desc("<input .mlir or .onnx>"),
                               cl::Required);
cl::list<std::string> inputShapes("input-shape", cl::cat(toolOptions),
                                  cl::desc("Pin the shape of an ONNX input"),
                                  cl::value_desc("name=1x3x224x224"));
cl::opt<std::string>
    outputFile("o", cl::cat(toolOptions),
               cl::desc("Output file (default: <input>.o for obj and "
                        "lib-obj, <input>.s for asm, lib<input>.so for lib, "
                        "stdout otherwise; a name ending in .so selects "
                        "--emit=lib)"),
               cl::value_desc("file"));
cl::opt<Emit>
    emit("emit", cl::cat(toolOptions), cl::desc("What to produce"),
         cl::init(Emit::Obj),
         cl::values(clEnumValN(Emit::Kiln, "kiln",
                               "verified, canonicalized kiln IR"),
                    clEnumValN(Emit::Linalg, "linalg",
                               "linalg/tensor IR after kiln-lower-to-linalg "
                               "and kiln-fuse"),
                    clEnumValN(Emit::LLVMDialect, "llvm-dialect",
                               "the MLIR LLVM dialect"),
                    clEnumValN(Emit::LLVMIR, "llvm-ir", "optimized LLVM IR"),
                    clEnumValN(Emit::Asm, "asm", "host assembly"),
                    clEnumValN(Emit::Obj, "obj", "host object file"),
                    clEnumValN(Emit::Lib, "lib",
                               "self-contained shared library with the C "
                               "ABI of kiln/kiln_model.h"),
                    clEnumValN(Emit::LibObj, "lib-obj",
                               "the same as one relocatable object file, "
                               "plus a C header")));
cl::opt<bool> compileOnly("c", cl::cat(toolOptions),
                          cl::desc("Same as --emit=lib-obj"));
cl::opt<std::string>
    headerFile("header", cl::cat(toolOptions),
               cl::desc("Write the model's C header here (default for "
                        "lib-obj: the output file with a .h extension)"),
               cl::value_desc("file"));
cl::opt<std::string> cCompiler(
    "cc", cl::cat(toolOptions),
    cl::desc("C compiler that links libraries (default: $KILN_CC, else cc)"),
    cl::value_desc("program"));
cl::opt<unsigned> optLevel("O", cl::cat(toolOptions),
                           cl::desc("Optimization level 0-3 (default 3)"),
                           cl::Prefix, cl::init(3));
cl::opt<bool> noFusion("no-fusion", cl::cat(toolOptions),
                       cl::desc("Leave out kiln-fuse: one loop nest per op"),
                       cl::init(false));

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

/// The model's code, its table and the C ABI as a library in `os`; its
/// header, if asked for, in `header`. The runtime's pieces are found beside
/// kilnc, in <bin>/../lib and <bin>/../include.
llvm::Error writeLibrary(llvm::Module &llvmModule, llvm::TargetMachine &machine,
                         const char *argv0, bool shared, llvm::StringRef stem,
                         llvm::StringRef path,
                         const std::vector<kiln::FunctionSignature> &signatures,
                         llvm::raw_pwrite_stream &os,
                         llvm::ToolOutputFile *header) {
  std::string executable = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&writeLibrary));
  llvm::SmallString<128> prefix(llvm::sys::path::parent_path(executable));
  llvm::sys::path::remove_filename(prefix);
  llvm::SmallString<128> includeDir(prefix), supportLib(prefix);
  llvm::sys::path::append(includeDir, "include");
  llvm::sys::path::append(supportLib, "lib", "libKilnModelSupport.a");

  kiln::ModelLibraryOptions options;
  options.compiler = cCompiler;
  if (options.compiler.empty()) {
    const char *fromEnv = std::getenv("KILN_CC");
    options.compiler = fromEnv && *fromEnv ? fromEnv : "cc";
  }
  options.includeDir = std::string(includeDir);
  options.supportLib = std::string(supportLib);
  options.shared = shared;
  options.soname = llvm::sys::path::filename(path).str();

  if (header) {
    llvm::SmallString<128> abiPath(includeDir);
    llvm::sys::path::append(abiPath, "kiln", "kiln_model.h");
    auto abi = llvm::MemoryBuffer::getFile(abiPath);
    if (!abi)
      return llvm::createStringError("cannot read the C ABI header '" +
                                     abiPath +
                                     "': " + abi.getError().message());
    header->os() << kiln::generateModelHeader(
        stem, llvm::sys::path::filename(inputFile.getValue()), signatures,
        (*abi)->getBuffer());
  }
  llvm::SmallVector<char, 0> code;
  llvm::raw_svector_ostream codeStream(code);
  if (llvm::Error e =
          kiln::emitNativeCode(llvmModule, machine, false, codeStream))
    return e;
  return kiln::writeModelLibrary(
      options, llvm::StringRef(code.data(), code.size()),
      kiln::generateModelTable(stem, signatures), os);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "Kiln compiler\n");
  if (optLevel > 3)
    return error("-O" + llvm::Twine(optLevel) + " is not one of -O0..-O3");
  Emit what = emit;
  if (compileOnly) {
    if (emit.getNumOccurrences() && emit != Emit::LibObj)
      return error("-c makes a library object (--emit=lib-obj); it cannot "
                   "be combined with another --emit");
    what = Emit::LibObj;
  } else if (!emit.getNumOccurrences() &&
             llvm::StringRef(outputFile).ends_with(".so")) {
    what = Emit::Lib;
  }
  bool library = what == Emit::Lib || what == Emit::LibObj;
  if (!headerFile.empty() && !library)
    return error("--header needs a library: -c, --emit=lib or --emit=lib-obj");
  if (!cCompiler.empty() && !library)
    return error("--cc needs a library: -c, --emit=lib or --emit=lib-obj");

  DialectRegistry registry;
  kiln::registerDialects(registry);
  MLIRContext context(registry);
  // Users get the message and the source line, not a dump of the op.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // Errors without a location (a missing file) read as the tool's own; those
  // in an imported model name its node. Diagnostics with a file location go
  // on to `diagnostics`, which shows the source line.
  ScopedDiagnosticHandler located(&context, [](Diagnostic &d) {
    Location loc = d.getLocation();
    if (isa<UnknownLoc>(loc)) {
      error(d.str());
      return success();
    }
    if (loc->findInstanceOf<FileLineColLoc>())
      return failure();
    auto print = [](Location at, llvm::StringRef kind, const Diagnostic &m) {
      llvm::errs() << inputFile << ": " << kiln::describeLocation(at) << ": "
                   << kind << ": " << m.str() << "\n";
    };
    print(loc,
          d.getSeverity() == DiagnosticSeverity::Error ? "error" : "warning",
          d);
    for (const Diagnostic &note : d.getNotes())
      print(note.getLocation(), "note", note);
    return success();
  });

  kiln::OnnxImportOptions onnxOptions;
  for (const std::string &spec : inputShapes)
    if (std::string message = kiln::addInputShape(spec, onnxOptions);
        !message.empty())
      return error(message);
  OwningOpRef<ModuleOp> module =
      kiln::loadModelFile(inputFile, context, onnxOptions);
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
  kiln::Stage stage = what == Emit::Kiln     ? kiln::Stage::Kiln
                      : what == Emit::Linalg ? kiln::Stage::Linalg
                                             : kiln::Stage::LLVMDialect;
  kiln::PipelineOptions pipelineOptions;
  pipelineOptions.fusion = !noFusion;
  kiln::buildLoweringPipeline(pm, stage, pipelineOptions);
  if (failed(pm.run(*module))) {
    std::string pipeline;
    llvm::raw_string_ostream os(pipeline);
    pm.printAsTextualPipeline(os);
    // kiln-opt reads Kiln IR only: an ONNX model goes through --emit=kiln.
    std::string input = inputFile;
    std::string reproduce = "kiln-opt " + input;
    if (llvm::StringRef(input).ends_with(".onnx")) {
      std::string ir = llvm::sys::path::stem(input).str() + ".kiln.mlir";
      reproduce =
          "kilnc " + input + " --emit=kiln -o " + ir + " && kiln-opt " + ir;
    }
    error("pass '" + failedPass + "' failed; reproduce with: " + reproduce +
          " --pass-pipeline='" + pipeline + "'");
    return 1;
  }

  std::string stem = inputFile == "-"
                         ? "model"
                         : llvm::sys::path::stem(inputFile.getValue()).str();
  std::string path = outputFile;
  if (path.empty()) {
    switch (what) {
    case Emit::Obj:
    case Emit::LibObj:
      path = stem + ".o";
      break;
    case Emit::Asm:
      path = stem + ".s";
      break;
    case Emit::Lib:
      path = "lib" + stem + ".so";
      break;
    default:
      path = "-";
    }
  }
  std::string header = headerFile;
  if (header.empty() && what == Emit::LibObj && path != "-") {
    llvm::SmallString<128> h(path);
    llvm::sys::path::replace_extension(h, "h");
    header = std::string(h);
  }
  std::string openError;
  auto output = openOutputFile(path, &openError);
  if (!output)
    return error("cannot write '" + path + "': " + openError);
  std::unique_ptr<llvm::ToolOutputFile> headerOutput;
  if (!header.empty()) {
    headerOutput = openOutputFile(header, &openError);
    if (!headerOutput)
      return error("cannot write '" + header + "': " + openError);
  }

  if (what == Emit::Kiln || what == Emit::Linalg || what == Emit::LLVMDialect) {
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
    if (what == Emit::LLVMIR) {
      (*llvmModule)->print(output->os(), nullptr);
    } else if (!library) {
      if (llvm::Error e = kiln::emitNativeCode(**llvmModule, **machine,
                                               what == Emit::Asm, output->os()))
        return error(llvm::toString(std::move(e)));
    } else if (llvm::Error e = writeLibrary(
                   **llvmModule, **machine, argv[0], what == Emit::Lib, stem,
                   path, signatures, output->os(), headerOutput.get())) {
      return error(llvm::toString(std::move(e)));
    }
  }
  output->keep();
  if (headerOutput)
    headerOutput->keep();
  return 0;
}
