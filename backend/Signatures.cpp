//===- Signatures.cpp - Entry-point signatures of a kiln module ---------===//

#include "backend/Backend.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

bool kiln::toDType(Type type, DType &dtype) {
  if (type.isF32())
    dtype = kiln::DType::F32;
  else if (type.isF64())
    dtype = kiln::DType::F64;
  else if (type.isSignlessInteger(32))
    dtype = kiln::DType::I32;
  else if (type.isSignlessInteger(64))
    dtype = kiln::DType::I64;
  else if (type.isSignlessInteger(1))
    dtype = kiln::DType::I1;
  else
    return false;
  return true;
}

/// Describes one argument or result; fails with a diagnostic naming it.
static LogicalResult describe(func::FuncOp func, Type type, StringRef what,
                              unsigned index, StringRef name,
                              kiln::TensorSpec &spec) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !kiln::toDType(tensor.getElementType(), spec.dtype))
    return func.emitError() << "entry function '" << func.getSymName() << "' "
                            << what << " #" << index << " has type " << type
                            << "; entry functions take and return statically "
                               "shaped tensors of f32, f64, i32, i64 or i1";
  spec.name = name.str();
  spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return success();
}

LogicalResult
kiln::collectSignatures(ModuleOp module,
                        std::vector<FunctionSignature> &signatures) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    FunctionSignature signature;
    signature.name = func.getSymName().str();
    FunctionType type = func.getFunctionType();
    for (auto [i, input] : llvm::enumerate(type.getInputs())) {
      StringRef name;
      if (auto attr = func.getArgAttrOfType<StringAttr>(i, "kiln.name"))
        name = attr.getValue();
      signature.inputs.emplace_back();
      if (failed(describe(func, input, "argument", i, name,
                          signature.inputs.back())))
        return failure();
      if (func.getArgAttr(i, "kiln.parameter"))
        signature.inputs.back().role = TensorRole::Parameter;
      else if (func.getArgAttr(i, "kiln.buffer"))
        signature.inputs.back().role = TensorRole::Buffer;
    }
    for (auto [i, result] : llvm::enumerate(type.getResults())) {
      // A result that updates an argument is not returned: the argument's
      // buffer receives it.
      if (auto arg = func.getResultAttrOfType<IntegerAttr>(i, "kiln.updates")) {
        signature.inputs[arg.getInt()].updatedInPlace = true;
        continue;
      }
      StringRef name;
      if (auto attr = func.getResultAttrOfType<StringAttr>(i, "kiln.name"))
        name = attr.getValue();
      signature.results.emplace_back();
      if (failed(describe(func, result, "result", i, name,
                          signature.results.back())))
        return failure();
    }
    signatures.push_back(std::move(signature));
  }
  return success();
}
