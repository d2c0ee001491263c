//===- GraphDetail.cpp - Conversions and checks shared by the builder ----===//

#include "frontend/GraphDetail.h"
#include "frontend/GraphOps.h"

#include "mlir/IR/Location.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>
#include <sstream>

using namespace mlir;
using namespace kiln;

std::string kiln::detail::shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

void kiln::detail::checkDType(const CallSite &site, const std::string &what,
                              DType dtype) {
  if (dtype == DType::U8)
    throwGraphError(site, what,
                    "dtype u8 is not a Kiln IR element type (use f32, f64, "
                    "i32, i64 or i1)");
}

void kiln::detail::checkShape(const CallSite &site, const std::string &what,
                              const std::vector<int64_t> &shape) {
  for (int64_t d : shape)
    if (d < 0)
      throwGraphError(site, what,
                      "shape " + shapeText(shape) +
                          " has a negative dimension; Kiln shapes are static");
}

std::string kiln::detail::scalarText(double value) {
  std::ostringstream os;
  os.precision(15);
  os << value;
  return os.str();
}

void kiln::detail::checkScalarFits(const CallSite &site,
                                   const std::string &what, double value,
                                   DType dtype) {
  if (isFloat(dtype))
    return;
  bool fits;
  if (dtype == DType::I1)
    fits = value == 0.0 || value == 1.0;
  else if (dtype == DType::I32)
    fits = std::trunc(value) == value && value >= -2147483648.0 &&
           value <= 2147483647.0;
  else // i64: doubles at or above 2^63 do not fit
    fits = std::trunc(value) == value && value >= -0x1p63 && value < 0x1p63;
  if (!fits)
    throwGraphError(site, what,
                    "scalar " + scalarText(value) +
                        " is not representable in " + dtypeName(dtype) +
                        " (a scalar takes the dtype of the other operand)");
}

void kiln::detail::checkAccepts(const CallSite &site, const std::string &what,
                                Accepts accepts, const Var &var,
                                const char *role) {
  if (accepts == Accepts::Float && !isFloat(var.dtype()))
    throwGraphError(site, what,
                    std::string("needs a float (f32 or f64) tensor, got ") +
                        role + var.describe());
  if (accepts == Accepts::Numeric && var.dtype() == DType::I1)
    throwGraphError(site, what,
                    std::string("needs numbers (f32, f64, i32 or i64), got ") +
                        role + var.describe() + "; cast() it first");
}

const Var &kiln::detail::checkVar(const CallSite &site, const std::string &what,
                                  const Var &var) {
  if (var.isNull())
    throwGraphError(site, what, "got an empty Var");
  return var;
}

Graph &kiln::detail::graphOf(const CallSite &site, const std::string &what,
                             ArrayRef<const Var *> vars) {
  Graph *graph = nullptr;
  for (const Var *var : vars) {
    if (var->isNull())
      continue;
    if (graph && graph != &var->graph())
      throwGraphError(site, what,
                      "operands belong to different graphs: " +
                          var->describe() + " is from another graph");
    graph = &var->graph();
  }
  if (!graph)
    throwGraphError(site, what, "needs at least one Var operand");
  return *graph;
}

std::string kiln::detail::pairText(const HeightWidth &pair) {
  return std::to_string(pair.height) + "x" + std::to_string(pair.width);
}

std::string kiln::detail::paddingText(const Padding2d &padding) {
  return shapeText({padding.top, padding.left, padding.bottom, padding.right});
}

void kiln::detail::checkWindow(const CallSite &site, const std::string &what,
                               const HeightWidth *kernel,
                               const HeightWidth &stride,
                               const Padding2d &padding,
                               const HeightWidth &dilation) {
  auto atLeast = [&](const char *name, const HeightWidth &pair, int64_t min) {
    if (pair.height < min || pair.width < min)
      throwGraphError(site, what,
                      std::string(name) + " " + pairText(pair) +
                          " must be at least " + std::to_string(min) +
                          " in height and width");
  };
  if (kernel)
    atLeast("kernel", *kernel, 1);
  atLeast("stride", stride, 1);
  atLeast("dilation", dilation, 1);
  if (padding.top < 0 || padding.left < 0 || padding.bottom < 0 ||
      padding.right < 0)
    throwGraphError(site, what,
                    "padding " + paddingText(padding) +
                        " (top, left, bottom, right) must be non-negative");
}

RankedTensorType kiln::detail::tensorType(MLIRContext &context,
                                          const std::vector<int64_t> &shape,
                                          DType dtype) {
  Type element;
  switch (dtype) {
  case DType::F32:
    element = Float32Type::get(&context);
    break;
  case DType::F64:
    element = Float64Type::get(&context);
    break;
  case DType::I32:
    element = IntegerType::get(&context, 32);
    break;
  case DType::I64:
    element = IntegerType::get(&context, 64);
    break;
  case DType::I1:
  case DType::U8: // rejected by checkDType before anything is built
    element = IntegerType::get(&context, 1);
    break;
  }
  return RankedTensorType::get(shape, element);
}

DenseElementsAttr kiln::detail::splatAttr(RankedTensorType type, double value) {
  Type element = type.getElementType();
  if (isa<FloatType>(element))
    return DenseElementsAttr::get(type, FloatAttr::get(element, value));
  unsigned width = element.getIntOrFloatBitWidth();
  if (width == 1)
    return DenseElementsAttr::get(type, value != 0.0);
  return DenseElementsAttr::get(
      type, IntegerAttr::get(element, APInt(width, static_cast<int64_t>(value),
                                            /*isSigned=*/true)));
}

namespace {
template <typename T>
DenseElementsAttr elementsAttr(RankedTensorType type, const Tensor &tensor) {
  const T *data = tensor.dataAs<T>();
  return DenseElementsAttr::get(
      type, ArrayRef<T>(data, static_cast<size_t>(tensor.numElements())));
}
} // namespace

DenseElementsAttr kiln::detail::tensorAttr(RankedTensorType type,
                                           const Tensor &tensor) {
  Tensor dense = tensor.contiguous();
  switch (dense.dtype()) {
  case DType::F32:
    return elementsAttr<float>(type, dense);
  case DType::F64:
    return elementsAttr<double>(type, dense);
  case DType::I32:
    return elementsAttr<int32_t>(type, dense);
  case DType::I64:
    return elementsAttr<int64_t>(type, dense);
  case DType::I1:
  case DType::U8: {
    const auto *bytes = static_cast<const uint8_t *>(dense.data());
    SmallVector<bool> values(bytes, bytes + dense.numElements());
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  }
  return {};
}

std::string kiln::detail::locationText(Location loc) {
  return llvm::TypeSwitch<LocationAttr, std::string>(loc)
      .Case<FileLineColLoc>([](FileLineColLoc file) {
        return (file.getFilename().getValue() + ":" +
                std::to_string(file.getLine()))
            .str();
      })
      .Case<NameLoc>(
          [](NameLoc name) { return locationText(name.getChildLoc()); })
      .Case<CallSiteLoc>(
          [](CallSiteLoc call) { return locationText(call.getCallee()); })
      .Case<FusedLoc>([](FusedLoc fused) {
        for (Location inner : fused.getLocations())
          if (std::string text = locationText(inner); !text.empty())
            return text;
        return std::string();
      })
      .Default([](LocationAttr) { return std::string(); });
}
