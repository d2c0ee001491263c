//===- HostTensor.cpp - ONNX tensors decoded on the host ----------------===//

#include "frontend/onnx/Importer.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace kiln;
using namespace kiln::onnx_import;

void kiln::onnx_import::fail(const std::string &message) {
  throw ImportError(message);
}

std::string kiln::onnx_import::shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t kiln::onnx_import::checkedNumElements(const std::vector<int64_t> &shape,
                                              const std::string &what) {
  // Far beyond any real tensor, and small enough that byte counts of any
  // dtype cannot overflow.
  constexpr int64_t limit = int64_t(1) << 40;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      fail(what + " has a negative dimension in shape " + shapeStr(shape));
    if (d != 0 && n > limit / d)
      fail(what + " has too many elements (shape " + shapeStr(shape) + ")");
    n *= d;
  }
  return n;
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t HostTensor::intAt(int64_t i) const {
  if (!isFloat())
    return ints[i];
  double v = floats[i];
  if (std::isnan(v))
    return 0;
  if (v >= 9.2e18)
    return std::numeric_limits<int64_t>::max();
  if (v <= -9.2e18)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

std::vector<int64_t> HostTensor::toInts() const {
  std::vector<int64_t> out(numElements());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = intAt(i);
  return out;
}

void HostTensor::set(int64_t i, double value) {
  switch (dtype) {
  case DType::F32:
    floats[i] = static_cast<float>(value);
    return;
  case DType::F64:
    floats[i] = value;
    return;
  case DType::I1:
    ints[i] = value != 0;
    return;
  default: {
    int64_t v = 0;
    if (!std::isnan(value))
      v = value >= 9.2e18    ? std::numeric_limits<int64_t>::max()
          : value <= -9.2e18 ? std::numeric_limits<int64_t>::min()
                             : static_cast<int64_t>(value);
    ints[i] = dtype == DType::I32 ? static_cast<int32_t>(v) : v;
  }
  }
}

HostTensor HostTensor::make(DType dtype, std::vector<int64_t> shape,
                            const std::vector<double> &values) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  if (t.isFloat())
    t.floats.resize(values.size());
  else
    t.ints.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    t.set(i, values[i]);
  return t;
}

HostTensor HostTensor::fromInts(DType dtype, std::vector<int64_t> shape,
                                std::vector<int64_t> values) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  if (t.isFloat()) {
    t.floats.assign(values.begin(), values.end());
  } else {
    t.ints = std::move(values);
    for (int64_t &v : t.ints)
      v = dtype == DType::I1    ? v != 0
          : dtype == DType::I32 ? static_cast<int32_t>(v)
                                : v;
  }
  return t;
}

std::optional<DType> kiln::onnx_import::dtypeFromOnnx(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto_DataType_FLOAT:
    return DType::F32;
  case onnx::TensorProto_DataType_DOUBLE:
    return DType::F64;
  case onnx::TensorProto_DataType_INT32:
    return DType::I32;
  case onnx::TensorProto_DataType_INT64:
    return DType::I64;
  case onnx::TensorProto_DataType_BOOL:
    return DType::I1;
  default:
    return std::nullopt;
  }
}

std::string kiln::onnx_import::onnxTypeName(int32_t onnxType) {
  static const char *names[] = {
      "undefined", "float",  "uint8",     "int8",       "uint16",  "int16",
      "int32",     "int64",  "string",    "bool",       "float16", "double",
      "uint32",    "uint64", "complex64", "complex128", "bfloat16"};
  if (onnxType >= 0 && onnxType < int32_t(std::size(names)))
    return names[onnxType];
  return "type #" + std::to_string(onnxType);
}

namespace {
template <typename T>
void readRaw(const std::string &raw, size_t n, std::vector<double> &out) {
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = v;
  }
}
template <typename T>
void readRaw(const std::string &raw, size_t n, std::vector<int64_t> &out) {
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<int64_t>(v);
  }
}
} // namespace

HostTensor kiln::onnx_import::decodeTensor(const onnx::TensorProto &proto,
                                           const std::string &what) {
  std::optional<DType> dtype = dtypeFromOnnx(proto.data_type());
  if (!dtype)
    fail(what + " has element type " + onnxTypeName(proto.data_type()) +
         ", which is unsupported (Kiln has float, double, int32, int64 and "
         "bool)");
  if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    fail(what + " keeps its data in an external file, which is unsupported");
  if (proto.has_segment())
    fail(what + " is a segmented tensor, which is unsupported");
  HostTensor t;
  t.dtype = *dtype;
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t n = checkedNumElements(t.shape, what);
  auto mismatch = [&](size_t have) {
    fail(what + " holds " + std::to_string(have) + " values but its shape " +
         shapeStr(t.shape) + " needs " + std::to_string(n));
  };
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    size_t size = dtypeSize(*dtype);
    if (raw.size() != size_t(n) * size)
      mismatch(raw.size() / size);
    switch (*dtype) {
    case DType::F32:
      readRaw<float>(raw, n, t.floats);
      break;
    case DType::F64:
      readRaw<double>(raw, n, t.floats);
      break;
    case DType::I32:
      readRaw<int32_t>(raw, n, t.ints);
      break;
    case DType::I64:
      readRaw<int64_t>(raw, n, t.ints);
      break;
    default:
      readRaw<uint8_t>(raw, n, t.ints);
      for (int64_t &v : t.ints)
        v = v != 0;
      break;
    }
    return t;
  }
  switch (*dtype) {
  case DType::F32:
    if (proto.float_data_size() != n)
      mismatch(proto.float_data_size());
    t.floats.assign(proto.float_data().begin(), proto.float_data().end());
    break;
  case DType::F64:
    if (proto.double_data_size() != n)
      mismatch(proto.double_data_size());
    t.floats.assign(proto.double_data().begin(), proto.double_data().end());
    break;
  case DType::I64:
    if (proto.int64_data_size() != n)
      mismatch(proto.int64_data_size());
    t.ints.assign(proto.int64_data().begin(), proto.int64_data().end());
    break;
  default: // int32 and bool are stored in int32_data
    if (proto.int32_data_size() != n)
      mismatch(proto.int32_data_size());
    t.ints.assign(proto.int32_data().begin(), proto.int32_data().end());
    if (*dtype == DType::I1)
      for (int64_t &v : t.ints)
        v = v != 0;
    break;
  }
  return t;
}

Tensor kiln::onnx_import::toRuntimeTensor(const HostTensor &host) {
  Tensor t = Tensor::zeros(host.dtype, host.shape);
  int64_t n = host.numElements();
  if (n == 0)
    return t;
  void *data = t.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (host.dtype) {
    case DType::F32:
      static_cast<float *>(data)[i] = static_cast<float>(host.floats[i]);
      break;
    case DType::F64:
      static_cast<double *>(data)[i] = host.floats[i];
      break;
    case DType::I32:
      static_cast<int32_t *>(data)[i] = static_cast<int32_t>(host.ints[i]);
      break;
    case DType::I64:
      static_cast<int64_t *>(data)[i] = host.ints[i];
      break;
    default:
      static_cast<uint8_t *>(data)[i] = host.ints[i] != 0;
      break;
    }
  }
  return t;
}

HostTensor kiln::onnx_import::fromRuntimeTensor(const Tensor &tensor) {
  HostTensor t;
  t.dtype = tensor.dtype();
  t.shape = tensor.shape();
  if (t.dtype == DType::U8)
    fail("uint8 tensors are unsupported");
  for (int64_t i = 0; i < tensor.numElements(); ++i) {
    if (t.isFloat())
      t.floats.push_back(tensor.getAsDouble(i));
    else if (t.dtype == DType::I64)
      t.ints.push_back(tensor.contiguous().dataAs<int64_t>()[i]);
    else
      t.ints.push_back(int64_t(tensor.getAsDouble(i)));
  }
  return t;
}

//===----------------------------------------------------------------------===//
// Folding on the host
//===----------------------------------------------------------------------===//

HostTensor kiln::onnx_import::hostElementwise(
    const std::vector<const HostTensor *> &inputs, DType resultType,
    const std::function<double(const std::vector<double> &)> &onFloats,
    const std::function<int64_t(const std::vector<int64_t> &)> &onInts) {
  std::vector<int64_t> shape;
  for (const HostTensor *t : inputs)
    shape = broadcastShapes(shape, t->shape);
  HostTensor out;
  out.dtype = resultType;
  out.shape = shape;
  int64_t n = checkedNumElements(shape, "folded result");
  bool useInts = onInts != nullptr;
  for (const HostTensor *t : inputs)
    useInts &= !t->isFloat();
  if (out.isFloat())
    out.floats.resize(n);
  else
    out.ints.resize(n);
  size_t rank = shape.size();
  std::vector<int64_t> index(rank, 0);
  std::vector<double> fargs(inputs.size());
  std::vector<int64_t> iargs(inputs.size());
  for (int64_t linear = 0; linear < n; ++linear) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      const HostTensor &t = *inputs[k];
      int64_t offset = 0;
      size_t skip = rank - t.shape.size();
      for (size_t d = 0; d < t.shape.size(); ++d)
        offset = offset * t.shape[d] + (t.shape[d] == 1 ? 0 : index[skip + d]);
      if (useInts)
        iargs[k] = t.ints[offset];
      else
        fargs[k] = t.at(offset);
    }
    if (useInts) {
      int64_t v = onInts(iargs);
      if (out.isFloat())
        out.floats[linear] = double(v);
      else
        out.ints[linear] = resultType == DType::I1    ? v != 0
                           : resultType == DType::I32 ? int32_t(v)
                                                      : v;
    } else {
      out.set(linear, onFloats(fargs));
    }
    for (size_t d = rank; d-- > 0;)
      if (++index[d] < shape[d])
        break;
      else
        index[d] = 0;
  }
  return out;
}

HostTensor kiln::onnx_import::hostTake(const HostTensor &data, int64_t axis,
                                       const std::vector<int64_t> &positions,
                                       std::vector<int64_t> positionsShape) {
  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + axis);
  shape.insert(shape.end(), positionsShape.begin(), positionsShape.end());
  shape.insert(shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  int64_t outer = 1, inner = 1, n = data.shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= data.shape[d];
  for (size_t d = axis + 1; d < data.shape.size(); ++d)
    inner *= data.shape[d];
  HostTensor out;
  out.dtype = data.dtype;
  out.shape = shape;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t p : positions) {
      if (p < 0 || p >= n)
        fail("index " + std::to_string(p) +
             " is out of range for a "
             "dimension of size " +
             std::to_string(n));
      for (int64_t i = 0; i < inner; ++i) {
        int64_t src = (o * n + p) * inner + i;
        if (data.isFloat())
          out.floats.push_back(data.floats[src]);
        else
          out.ints.push_back(data.ints[src]);
      }
    }
  return out;
}
