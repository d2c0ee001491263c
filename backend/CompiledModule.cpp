//===- CompiledModule.cpp - Compile once with the JIT, invoke many times -===//

#include "backend/Backend.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace kiln;

std::string kiln::describeLocation(Location loc) {
  FileLineColLoc file;
  FusedLoc node;
  NameLoc name;
  loc->walk([&](Location inner) {
    if ((file = dyn_cast<FileLineColLoc>(inner)))
      return WalkResult::interrupt();
    auto fused = dyn_cast<FusedLoc>(inner);
    if (!node && fused && isa_and_nonnull<StringAttr>(fused.getMetadata()) &&
        !fused.getLocations().empty() &&
        isa<NameLoc>(fused.getLocations().front()))
      node = fused;
    if (!name)
      name = dyn_cast<NameLoc>(inner);
    return WalkResult::advance();
  });
  std::string text;
  llvm::raw_string_ostream os(text);
  if (file)
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
  else if (node)
    os << "node '"
       << cast<NameLoc>(node.getLocations().front()).getName().getValue()
       << "' (" << cast<StringAttr>(node.getMetadata()).getValue() << ")";
  else if (name)
    os << "'" << name.getName().getValue() << "'";
  else if (!isa<UnknownLoc>(loc))
    os << loc;
  return text;
}

/// "<location>: ", or nothing for an unknown location.
static void printLocation(llvm::raw_ostream &os, Location loc) {
  if (std::string where = describeLocation(loc); !where.empty())
    os << where << ": ";
}

ErrorCollector::ErrorCollector(MLIRContext *context) : context(context) {
  handlerId = context->getDiagEngine().registerHandler([this](Diagnostic &d) {
    if (d.getSeverity() != DiagnosticSeverity::Error)
      return success();
    llvm::raw_string_ostream os(messages);
    if (!messages.empty())
      os << "\n";
    printLocation(os, d.getLocation());
    os << "error: " << d.str();
    for (Diagnostic &note : d.getNotes()) {
      os << "\n";
      printLocation(os, note.getLocation());
      os << "note: " << note.str();
    }
    return success();
  });
}

ErrorCollector::~ErrorCollector() {
  context->getDiagEngine().eraseHandler(handlerId);
}

llvm::Error ErrorCollector::takeError() {
  std::string text = messages.empty() ? "compilation failed" : messages;
  messages.clear();
  return llvm::createStringError(text);
}

CompiledModule::CompiledModule() = default;
CompiledModule::~CompiledModule() = default;

llvm::Expected<std::unique_ptr<CompiledModule>>
CompiledModule::compile(ModuleOp module, const CompileOptions &options) {
  MLIRContext *context = module.getContext();
  DialectRegistry registry;
  registerDialects(registry);
  context->appendDialectRegistry(registry);

  ErrorCollector errors(context);
  auto fail = [&]() { return errors.takeError(); };

  std::unique_ptr<CompiledModule> result(new CompiledModule());
  if (failed(collectSignatures(module, result->signatures)))
    return fail();

  OwningOpRef<ModuleOp> lowered = module.clone();
  PassManager pm(context);
  PipelineOptions pipeline;
  pipeline.fusion = options.fusion;
  buildLoweringPipeline(pm, Stage::LLVMDialect, pipeline);
  if (failed(pm.run(*lowered)))
    return fail();

  auto machine = createHostTargetMachine(options.optLevel);
  if (!machine)
    return machine.takeError();
  // The transformer is a function_ref: keep the std::function alive.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeLLVMOptimizer(options.optLevel, **machine);
  llvm::TargetMachine *target = machine->get();
  auto build = [target](Operation *op, llvm::LLVMContext &llvmContext) {
    return buildLLVMModule(op, llvmContext, *target);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.llvmModuleBuilder = build;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = (*machine)->getOptLevel();
  auto engine =
      ExecutionEngine::create(*lowered, engineOptions, std::move(*machine));
  if (!engine)
    return engine.takeError();
  result->engine = std::move(*engine);

  for (const FunctionSignature &signature : result->signatures) {
    auto fn = result->engine->lookupPacked("_mlir_ciface_" + signature.name);
    if (!fn)
      return fn.takeError();
    result->packed.push_back(*fn);
  }
  return std::move(result);
}

const FunctionSignature *CompiledModule::lookup(llvm::StringRef name) const {
  for (const FunctionSignature &signature : signatures)
    if (signature.name == name)
      return &signature;
  return nullptr;
}

Status CompiledModule::call(llvm::StringRef name, Invoker invoker,
                            const std::vector<Tensor> &inputs,
                            std::vector<Tensor> &outputs) const {
  for (size_t i = 0; i < signatures.size(); ++i)
    if (signatures[i].name == name)
      return invoker(packed[i], signatures[i], inputs, outputs);
  std::string known;
  for (const FunctionSignature &s : signatures)
    known += (known.empty() ? "'" : ", '") + s.name + "'";
  return Status::error(
      "no public function named '" + name.str() +
      "' in the module (it has: " + (known.empty() ? "none" : known) + ")");
}

Status CompiledModule::invoke(llvm::StringRef name,
                              const std::vector<Tensor> &inputs,
                              std::vector<Tensor> &outputs) const {
  return call(name, invokePacked, inputs, outputs);
}

Status CompiledModule::invokeInto(llvm::StringRef name,
                                  const std::vector<Tensor> &inputs,
                                  std::vector<Tensor> &outputs) const {
  return call(name, invokePackedInto, inputs, outputs);
}
