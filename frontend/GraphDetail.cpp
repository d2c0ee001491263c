//===- GraphDetail.cpp - Conversions and checks shared by the builder ----===//

#include "frontend/GraphDetail.h"

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
