//===- NativeCode.cpp - LLVM IR, host target machine, object emission ---===//

#include "backend/Backend.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <unistd.h>

using namespace mlir;

static llvm::CodeGenOptLevel codeGenLevel(int optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

/// A cache size from sysconf, or `fallback` where it is not known.
static uint64_t cacheBytes(int name, uint64_t fallback) {
  long size = sysconf(name);
  return size > 0 ? static_cast<uint64_t>(size) : fallback;
}

kiln::CpuModel kiln::hostCpuModel() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto has = [&](llvm::StringRef name) { return features.lookup(name); };
  CpuModel cpu;
  if (has("avx512f")) {
    cpu.vectorBits = 512;
    cpu.vectorRegisters = 32;
  } else if (has("avx")) {
    cpu.vectorBits = 256;
    cpu.vectorRegisters = 16;
  } else if (has("neon")) {
    cpu.vectorBits = 128;
    cpu.vectorRegisters = 32;
  } else {
    // SSE2 (every x86-64) and the unknown: 16 registers of 128 bits.
    cpu.vectorBits = 128;
    cpu.vectorRegisters = 16;
  }
  cpu.l1Bytes = cacheBytes(_SC_LEVEL1_DCACHE_SIZE, 32 * 1024);
  cpu.l2Bytes = cacheBytes(_SC_LEVEL2_CACHE_SIZE, 512 * 1024);
  return cpu;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
kiln::createHostTargetMachine(int optLevel) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();
  // detectHost() fills in the CPU name and every feature it reports
  // (AVX-512 on our machines), so the code uses the real vector width.
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(codeGenLevel(optLevel));
  // Position-independent, so objects link into PIE executables and shared
  // libraries alike.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  return builder->createTargetMachine();
}

std::unique_ptr<llvm::Module>
kiln::buildLLVMModule(Operation *module, llvm::LLVMContext &context,
                      llvm::TargetMachine &machine) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return nullptr;
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple());
  // The CPU's own tuning may prefer 256-bit vectors even where AVX-512 is
  // there; our kernels are long, regular loops that gain from full width.
  bool avx512 = machine.getTargetFeatureString().contains("+avx512f");
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", machine.getTargetCPU());
    function.addFnAttr("target-features", machine.getTargetFeatureString());
    if (avx512)
      function.addFnAttr("prefer-vector-width", "512");
  }
  return llvmModule;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
kiln::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                        llvm::TargetMachine &machine, int optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      buildLLVMModule(module, context, machine);
  if (!llvmModule)
    return llvm::createStringError("translation to LLVM IR failed");
  if (llvm::Error error =
          makeLLVMOptimizer(optLevel, machine)(llvmModule.get()))
    return std::move(error);
  return std::move(llvmModule);
}

static llvm::OptimizationLevel optimizationLevel(int optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::OptimizationLevel::O0;
  case 1:
    return llvm::OptimizationLevel::O1;
  case 2:
    return llvm::OptimizationLevel::O2;
  default:
    return llvm::OptimizationLevel::O3;
  }
}

std::function<llvm::Error(llvm::Module *)>
kiln::makeLLVMOptimizer(int optLevel, llvm::TargetMachine &machine) {
  return [optLevel, &machine](llvm::Module *module) -> llvm::Error {
    llvm::LoopAnalysisManager loops;
    llvm::FunctionAnalysisManager functions;
    llvm::CGSCCAnalysisManager sccs;
    llvm::ModuleAnalysisManager modules;
    llvm::PipelineTuningOptions tuning;
    tuning.LoopInterleaving = true;
    tuning.LoopVectorization = true;
    tuning.SLPVectorization = true;
    // Kiln unrolls the loops that gain from it (kiln-unroll-short-loops);
    // LLVM's unrolling copied nearly every loop whose trip count it could
    // see, which took half of the compile time for no speed.
    tuning.LoopUnrolling = false;
    llvm::PassBuilder builder(&machine, tuning);
    builder.registerModuleAnalyses(modules);
    builder.registerCGSCCAnalyses(sccs);
    builder.registerFunctionAnalyses(functions);
    builder.registerLoopAnalyses(loops);
    builder.crossRegisterProxies(loops, functions, sccs, modules);
    llvm::OptimizationLevel level = optimizationLevel(optLevel);
    llvm::ModulePassManager passes =
        level == llvm::OptimizationLevel::O0
            ? builder.buildO0DefaultPipeline(level)
            : builder.buildPerModuleDefaultPipeline(level);
    passes.run(*module, modules);
    return llvm::Error::success();
  };
}

llvm::Error kiln::emitNativeCode(llvm::Module &module,
                                 llvm::TargetMachine &machine, bool assembly,
                                 llvm::raw_pwrite_stream &os) {
  llvm::legacy::PassManager passes;
  auto fileType = assembly ? llvm::CodeGenFileType::AssemblyFile
                           : llvm::CodeGenFileType::ObjectFile;
  if (machine.addPassesToEmitFile(passes, os, nullptr, fileType))
    return llvm::createStringError("the target cannot emit this file type");
  passes.run(module);
  return llvm::Error::success();
}
