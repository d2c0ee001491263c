//===- Backend.h - Kiln backend: lowering, JIT, object emission -*- C++ -*-===//
//
// The one public header of the backend library:
//  * the backend passes and the lowering pipeline (kiln -> linalg -> LLVM),
//  * translation to LLVM IR and native code for the host CPU,
//  * CompiledModule: compile a kiln module once with the JIT, invoke its
//    functions many times on runtime Tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BACKEND_BACKEND_H
#define KILN_BACKEND_BACKEND_H

#include "runtime/Runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
class raw_pwrite_stream;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class ExecutionEngine;
class OpPassManager;
class RewritePatternSet;
} // namespace mlir

namespace kiln {

#define GEN_PASS_DECL
#include "backend/Passes.h.inc"

/// Patterns lowering every kiln op to linalg/tensor/arith/math.
void populateKilnToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Patterns lowering the neural-network ops (ir/KilnNNOps.td) to
/// linalg/tensor/arith/scf.
void populateKilnNNToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Registers the backend passes and the `kiln-lower-to-llvm` pipeline.
void registerBackendPasses();

/// Everything the Kiln pipeline can meet: the kiln dialect, the upstream
/// dialects and their interface models, and the LLVM IR translations.
void registerDialects(mlir::DialectRegistry &registry);

/// How far the lowering pipeline goes.
enum class Stage {
  Kiln,        ///< verified kiln IR, canonicalized
  Linalg,      ///< linalg/tensor/arith/math on tensors
  LLVMDialect, ///< the LLVM dialect, ready for translation
};

/// The optional parts of the lowering pipeline.
struct PipelineOptions {
  /// kiln-fuse: elementwise chains, reductions and matmul epilogues as one
  /// loop nest each. Off, every op is its own loop nest (to measure fusion).
  bool fusion = true;
};

/// Adds the passes taking kiln IR to `stage` to `pm` (anchored on
/// builtin.module).
void buildLoweringPipeline(mlir::OpPassManager &pm, Stage stage,
                           const PipelineOptions &options = {});

/// The runtime DType of an MLIR element type (f32, f64, i32, i64, i1);
/// false for any other type.
bool toDType(mlir::Type type, DType &dtype);

/// Checks that every public function takes and returns statically shaped
/// tensors of supported element types (the entry-point ABI) and describes
/// them. Names come from the `kiln.name` attribute, roles from
/// `kiln.parameter` and `kiln.buffer`.
/// Emits a diagnostic and fails otherwise.
mlir::LogicalResult
collectSignatures(mlir::ModuleOp module,
                  std::vector<FunctionSignature> &signatures);

/// What the code generator needs to know about a CPU to size its tiles.
struct CpuModel {
  unsigned vectorBits;      ///< width of its widest vector registers
  unsigned vectorRegisters; ///< how many of them there are
  uint64_t l1Bytes;         ///< per-core L1 data cache
  uint64_t l2Bytes;         ///< per-core L2 cache
};

/// The host CPU, from the same features LLVM detects to compile for it
/// (so kernels are sized for the instructions they will be compiled to),
/// and the cache sizes the C library reports.
CpuModel hostCpuModel();

/// Columns of C per cache tile of kiln-contraction-codegen's kernel for
/// `element` on `cpu` (its NC), which kiln-fuse tiles matmul epilogues by.
int64_t contractionTileColumns(const CpuModel &cpu, mlir::Type element);

/// A TargetMachine for the host CPU and all of its features (AVX-512 where
/// present), at -O`optLevel`.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(int optLevel);

/// Translates a module in the LLVM dialect to LLVM IR for `machine`: its
/// triple, data layout, CPU and features on every function. Null after a
/// diagnostic on failure.
std::unique_ptr<llvm::Module> buildLLVMModule(mlir::Operation *module,
                                              llvm::LLVMContext &context,
                                              llvm::TargetMachine &machine);

/// Translates a module in the LLVM dialect to LLVM IR for `machine` and runs
/// LLVM's optimization pipeline at -O`optLevel`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine, int optLevel);

/// LLVM's optimization pipeline at -O`optLevel` for `machine`, as a module
/// transformer (for ExecutionEngine and translateToLLVMIR alike).
std::function<llvm::Error(llvm::Module *)>
makeLLVMOptimizer(int optLevel, llvm::TargetMachine &machine);

/// Writes `module` as an object file or assembly for `machine`.
llvm::Error emitNativeCode(llvm::Module &module, llvm::TargetMachine &machine,
                           bool assembly, llvm::raw_pwrite_stream &os);

/// Where a diagnostic is, for a message: "file:line:col" for the first file
/// location inside `loc`; for imported models, whose ops carry
/// fused<"OpType">["node", outputs...] (the ONNX importer's locations),
/// "node 'node' (OpType)"; a plain name location as "'name'"; "" for an
/// unknown location.
std::string describeLocation(mlir::Location loc);

/// Collects the error diagnostics of a context, while alive, into one
/// llvm::Error ("file:line:col: error: message" per line), for APIs that
/// report failures as values instead of printing them.
class ErrorCollector {
public:
  explicit ErrorCollector(mlir::MLIRContext *context);
  ~ErrorCollector();
  /// The errors so far as an llvm::Error (a generic message if none).
  llvm::Error takeError();

private:
  std::string messages;
  mlir::MLIRContext *context;
  uint64_t handlerId;
};

struct CompileOptions {
  int optLevel = 3;   ///< 0..3, for LLVM's optimizer and code generator
  bool fusion = true; ///< run kiln-fuse (see PipelineOptions::fusion)
};

/// A kiln module compiled once by the JIT; its public functions can be
/// invoked any number of times.
class CompiledModule {
public:
  /// Lowers a clone of `module` (which is left unchanged) and JIT-compiles
  /// it. Failures carry the diagnostics, with their locations.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  compile(mlir::ModuleOp module, const CompileOptions &options = {});
  ~CompiledModule();

  const std::vector<FunctionSignature> &functions() const { return signatures; }
  /// The signature of the public function `name`, or null.
  const FunctionSignature *lookup(llvm::StringRef name) const;

  /// Runs `name` on `inputs`, returning freshly allocated outputs.
  Status invoke(llvm::StringRef name, const std::vector<Tensor> &inputs,
                std::vector<Tensor> &outputs) const;
  /// Runs `name`, writing into `outputs`, which must match the signature
  /// (no allocation: for repeated calls).
  Status invokeInto(llvm::StringRef name, const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs) const;

private:
  CompiledModule();
  using Invoker = Status (*)(PackedFunction, const FunctionSignature &,
                             const std::vector<Tensor> &,
                             std::vector<Tensor> &);
  Status call(llvm::StringRef name, Invoker invoker,
              const std::vector<Tensor> &inputs,
              std::vector<Tensor> &outputs) const;

  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::vector<FunctionSignature> signatures;
  std::vector<PackedFunction> packed;
};

} // namespace kiln

#endif // KILN_BACKEND_BACKEND_H
