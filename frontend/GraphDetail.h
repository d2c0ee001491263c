//===- GraphDetail.h - Helpers shared by the builder's sources --*- C++ -*-===//
//
// Internal to KilnFrontend: conversions between runtime dtypes/tensors and
// MLIR types/attributes, and the checks every builder function applies to
// user-provided shapes, dtypes and scalars before it builds anything.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_GRAPHDETAIL_H
#define KILN_FRONTEND_GRAPHDETAIL_H

#include "frontend/Graph.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln {
struct HeightWidth;
struct Padding2d;
} // namespace kiln

namespace kiln::detail {

inline bool isFloat(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F64;
}
inline bool isInteger(DType dtype) {
  return dtype == DType::I32 || dtype == DType::I64;
}

/// A context for a graph: every dialect the pipeline needs is registered
/// (compilation lowers in the graph's context), kiln and func are loaded.
std::unique_ptr<mlir::MLIRContext> newContext();

/// "[2, 3]"
std::string shapeText(const std::vector<int64_t> &shape);

/// `value` with up to 15 significant digits ("0.5", "1e-05").
std::string scalarText(double value);

/// Throws unless `dtype` is one Kiln IR has (f32, f64, i32, i64, i1).
void checkDType(const CallSite &site, const std::string &what, DType dtype);
/// Throws for a negative (dynamic) dimension: Kiln shapes are static.
void checkShape(const CallSite &site, const std::string &what,
                const std::vector<int64_t> &shape);
/// Throws unless `value` is exactly representable in `dtype` (an integer in
/// range for i32/i64, 0 or 1 for i1).
void checkScalarFits(const CallSite &site, const std::string &what,
                     double value, DType dtype);

/// What an op accepts as operand elements.
enum class Accepts { Any, Numeric, Float };
/// Throws unless `var` holds what `accepts` says; `role` ("lhs ", "") starts
/// its description.
void checkAccepts(const CallSite &site, const std::string &what,
                  Accepts accepts, const Var &var, const char *role);
/// `var`, or a GraphError if it is empty.
const Var &checkVar(const CallSite &site, const std::string &what,
                    const Var &var);
/// The graph of the Var operands (null ones skipped), which must exist and
/// share it.
Graph &graphOf(const CallSite &site, const std::string &what,
               llvm::ArrayRef<const Var *> vars);

/// Throws unless the window of a convolution or pooling is valid: `kernel`
/// (if given), stride and dilation entries >= 1, padding >= 0.
void checkWindow(const CallSite &site, const std::string &what,
                 const HeightWidth *kernel, const HeightWidth &stride,
                 const Padding2d &padding, const HeightWidth &dilation);
/// "3x3"
std::string pairText(const HeightWidth &pair);
/// "[top, left, bottom, right]"
std::string paddingText(const Padding2d &padding);

mlir::RankedTensorType tensorType(mlir::MLIRContext &context,
                                  const std::vector<int64_t> &shape,
                                  DType dtype);
/// Every element `value` (already checked to fit the element type).
mlir::DenseElementsAttr splatAttr(mlir::RankedTensorType type, double value);
/// The elements of `tensor` (any strides) as an attribute of `type`.
mlir::DenseElementsAttr tensorAttr(mlir::RankedTensorType type,
                                   const Tensor &tensor);

/// "file:line" of the first file location inside `loc`, or "".
std::string locationText(mlir::Location loc);

} // namespace kiln::detail

#endif // KILN_FRONTEND_GRAPHDETAIL_H
