//===- DType.cpp - Element types and type strings -------------------------===//

#include "runtime/Runtime.h"

namespace kiln {

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::I1:
  case DType::U8:
    return 1;
  }
  // Unreachable for valid enumerators; a size of 1 keeps arithmetic safe.
  return 1;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F64:
    return "f64";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  case DType::I1:
    return "i1";
  case DType::U8:
    return "u8";
  }
  return "<invalid dtype>";
}

bool parseDType(std::string_view name, DType &out) {
  for (DType dtype :
       {DType::F32, DType::F64, DType::I32, DType::I64, DType::I1, DType::U8}) {
    if (name == dtypeName(dtype)) {
      out = dtype;
      return true;
    }
  }
  return false;
}

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string result;
  for (size_t i = 0, e = shape.size(); i != e; ++i) {
    if (i != 0)
      result += 'x';
    result += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return result;
}

std::string typeString(DType dtype, const std::vector<int64_t> &shape) {
  if (shape.empty())
    return dtypeName(dtype);
  return shapeString(shape) + 'x' + dtypeName(dtype);
}

} // namespace kiln
