//===- OnnxImport.h - ONNX models as Kiln IR: public header -----*- C++ -*-===//
//
// Imports an ONNX model (opsets 6 to 17 of the default domain) into one
// func.func of the kiln dialect, `main`, whose arguments are the graph's
// inputs and whose results are its outputs (kiln.name = the ONNX names).
//
//  * Shapes are static. A dynamic input dimension must be pinned with
//    OnnxImportOptions::inputShapes (`--input-shape name=1x3x224x224` in the
//    tools); one that is not is an error naming the input.
//  * Shape computations (Shape, Size, Range, ConstantOfShape, Reshape's
//    shape, ...) are folded while importing, so the IR holds only tensor
//    work.
//  * Every op of a node carries the location
//    fused<"OpType">["node name", "output name", ...], so diagnostics and
//    dumps point at the ONNX node.
//  * An unsupported op is never imported silently: before anything is
//    built, one error lists every unsupported op type with its nodes and
//    the opset.
//
// Errors are diagnostics on the context (attach a handler, e.g.
// kiln::ErrorCollector); the functions then return null.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_ONNX_ONNXIMPORT_H
#define KILN_FRONTEND_ONNX_ONNXIMPORT_H

#include "backend/Backend.h"
#include "runtime/Runtime.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

struct OnnxImportOptions {
  /// Shapes for graph inputs by name; they replace the model's shape
  /// (which they must agree with in rank and in every static dimension).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Graph inputs fixed at import time: they become constants (and are
  /// folded like initializers) instead of function arguments. For inputs
  /// a model uses as shapes or axes, which Kiln needs to know statically.
  std::map<std::string, Tensor> inputValues;
  /// Initializers become function arguments marked kiln.parameter (named
  /// after the initializer, after the graph inputs) instead of constants.
  bool initializersAsParameters = false;
  /// The name of the imported function.
  std::string functionName = "main";
};

/// Parses "name=1x3x224x224" into `options.inputShapes`. Returns an error
/// message, or "" on success.
std::string addInputShape(const std::string &spec, OnnxImportOptions &options);

/// Imports the ONNX model in `bytes`; `bufferName` names it in messages.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnx(llvm::StringRef bytes, mlir::MLIRContext &context,
           const OnnxImportOptions &options = {},
           llvm::StringRef bufferName = "<onnx>");

/// Imports the ONNX model file at `path`.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(llvm::StringRef path, mlir::MLIRContext &context,
               const OnnxImportOptions &options = {});

/// Loads a model by its extension: ONNX for `.onnx`, Kiln IR otherwise.
/// What kilnc and kiln-run read.
mlir::OwningOpRef<mlir::ModuleOp>
loadModelFile(llvm::StringRef path, mlir::MLIRContext &context,
              const OnnxImportOptions &options = {});

/// loadModelFile, then JIT compilation (compileKilnFile for any model).
llvm::Expected<std::unique_ptr<CompiledModule>>
compileModelFile(llvm::StringRef path, const CompileOptions &options = {},
                 const OnnxImportOptions &importOptions = {});

/// One node whose op Kiln cannot import.
struct UnsupportedNode {
  std::string opType;   ///< "Domain::Op" outside the default domain
  std::string nodeName; ///< the node's name, or its first output's
  int64_t opset = 0;    ///< the opset the model imports for the op's domain
  std::string reason;   ///< why, e.g. "no converter", "mode 'wrap'"
};

/// The nodes of the model in `bytes` that the importer cannot translate,
/// found without building anything (what importOnnx reports as one error).
/// Returns false, with `error` set, if the model cannot be read.
bool findUnsupportedNodes(llvm::StringRef bytes,
                          std::vector<UnsupportedNode> &nodes,
                          std::string &error);

/// Reads a serialized ONNX TensorProto (the test data's input_0.pb) into a
/// tensor of the Kiln dtype the importer gives that ONNX type.
Status readOnnxTensor(const std::string &path, Tensor &out);

} // namespace kiln

#endif // KILN_FRONTEND_ONNX_ONNXIMPORT_H
