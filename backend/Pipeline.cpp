//===- Pipeline.cpp - The kiln -> LLVM lowering pipeline ----------------===//

#include "backend/Backend.h"
#include "passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace kiln {
#define GEN_PASS_REGISTRATION
#include "backend/Passes.h.inc"
} // namespace kiln

void kiln::buildLoweringPipeline(OpPassManager &pm, Stage stage,
                                 const PipelineOptions &options) {
  // Differentiate, then inline the generated gradient functions (and any
  // other calls) so that one entry point is one graph; the gradient
  // functions are then dead.
  pm.addPass(createKilnAutodiff());
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (stage == Stage::Kiln)
    return;

  pm.addNestedPass<func::FuncOp>(createKilnLowerToLinalg());
  pm.addPass(createCanonicalizerPass());
  // Fusion: one loop nest per elementwise chain, reduction or epilogue.
  if (options.fusion) {
    pm.addNestedPass<func::FuncOp>(createKilnFuse());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (stage == Stage::Linalg)
    return;

  // Tensors -> buffers. Function boundaries use plain (identity-layout)
  // memrefs, and results become caller-provided out-parameters: the runtime
  // owns every buffer it passes in or gets back. Intermediates are heap
  // allocations (memref.alloc -> the runtime's _mlir_memref_to_llvm_alloc),
  // freed by the deallocation pipeline, so large graphs never touch the
  // stack.
  // Results marked kiln.updates are computed in their argument's buffer.
  pm.addNestedPass<func::FuncOp>(createKilnPrepareInPlaceUpdates());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addNestedPass<func::FuncOp>(createKilnCopyRepeatedResults());
  // Matrix products become tiled, vectorized kernels (on tensors, so that
  // their accumulators are hoisted into registers).
  pm.addNestedPass<func::FuncOp>(createKilnContractionCodegen());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addNestedPass<func::FuncOp>(createKilnDropInPlaceResults());
  // Folds the loops' memref iter_args, so that a result computed in loops
  // is its allocation again, which the next pass turns into the caller's
  // buffer (instead of copying into it).
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  // Scratch buffers of fixed size (packed panels) are allocated once per
  // call, not once per loop iteration.
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferLoopHoistingPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
  // ... and each intermediate freed when it is dead, not when the function
  // returns, so that the next allocation of its size reuses it in cache.
  pm.addNestedPass<func::FuncOp>(createKilnDeallocAfterLastUse());
  // Threads: large loop nests get parallel outer loops (see ParallelLoops).
  pm.addNestedPass<func::FuncOp>(createKilnParallelizeLoops());

  // Loops, then the LLVM dialect.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createKilnLowerVectorOps());
  // exp/log/tanh as arithmetic, so that LLVM vectorizes the loops.
  pm.addNestedPass<func::FuncOp>(createKilnPolynomialMath());
  // Short loops of static length become straight-line code here, where
  // their bounds are known; LLVM's own unrolling is off (see
  // makeLLVMOptimizer).
  pm.addNestedPass<func::FuncOp>(createKilnUnrollShortLoops());
  pm.addPass(createKilnMarkEntryPoints());
  pm.addPass(createConvertMathToFuncs());
  // Threads: parallel loops -> OpenMP, with the runtime's thread count.
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(createKilnSetThreadCount());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Buffers come from the runtime's allocation functions, not malloc.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass()); // Threads
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createKilnFinalizeEntryPoints());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {
/// PipelineOptions as textual pipeline options of kiln-lower-to-llvm.
struct LoweringPipelineOptions : PassPipelineOptions<LoweringPipelineOptions> {
  Option<bool> fusion{*this, "fusion",
                      llvm::cl::desc("Run kiln-fuse (default: true)"),
                      llvm::cl::init(true)};
};
} // namespace

void kiln::registerBackendPasses() {
  registerKilnBackendPasses();
  PassPipelineRegistration<LoweringPipelineOptions>(
      "kiln-lower-to-llvm",
      "The whole Kiln lowering: kiln -> linalg -> buffers -> loops -> LLVM",
      [](OpPassManager &pm, const LoweringPipelineOptions &registered) {
        PipelineOptions options;
        options.fusion = registered.fusion;
        buildLoweringPipeline(pm, Stage::LLVMDialect, options);
      });
}
