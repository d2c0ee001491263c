//===- ModelLibrary.h - A compiled model as a library with a C ABI -*- C++
//-*-===//
//
// kilnc turns a model into a self-contained library: the model's code (the
// object file of the LLVM pipeline), a table describing its functions
// (generated C, below) and the runtime's KilnModelSupport archive (the C ABI
// of runtime/include/kiln/kiln_model.h), linked by the system C compiler
// into a shared library or one relocatable object.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BACKEND_MODELLIBRARY_H
#define KILN_BACKEND_MODELLIBRARY_H

#include "runtime/Runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace kiln {

/// `name` as a C identifier in upper case ("mlp-forward" -> "MLP_FORWARD"),
/// for the macros of a model header.
std::string macroName(llvm::StringRef name);

/// The C source defining `kiln_model_table_` (kiln/kiln_model_table.h) for
/// these functions, each called through `_mlir_ciface_<name>`.
std::string generateModelTable(llvm::StringRef modelName,
                               const std::vector<FunctionSignature> &functions);

/// A header for users of the model: the C ABI (`abiHeader`, the text of
/// kiln/kiln_model.h, so that the header stands alone), then the model's
/// functions and tensors as comments and constants, prefixed with
/// macroName(modelName).
std::string generateModelHeader(llvm::StringRef modelName,
                                llvm::StringRef sourceName,
                                const std::vector<FunctionSignature> &functions,
                                llvm::StringRef abiHeader);

struct ModelLibraryOptions {
  std::string compiler;   ///< the C compiler driver that compiles and links
  std::string includeDir; ///< holds kiln/kiln_model_table.h
  std::string supportLib; ///< libKilnModelSupport.a
  bool shared = true;     ///< a shared library, else a relocatable object
  std::string soname;     ///< a shared library's DT_SONAME
};

/// Compiles `tableSource` and links it with `codeObject` (the bytes of the
/// model's object file) and the support archive; writes the result to `os`.
/// Errors carry the compiler's messages.
llvm::Error writeModelLibrary(const ModelLibraryOptions &options,
                              llvm::StringRef codeObject,
                              llvm::StringRef tableSource,
                              llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_BACKEND_MODELLIBRARY_H
