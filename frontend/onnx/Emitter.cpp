//===- Emitter.cpp - Checked construction of kiln ops for the importer ----===//
//
// Each helper checks the conditions under which kiln's type inference
// would fail before it creates an op: an ONNX model is untrusted input, and
// a failed inference inside an op builder is a fatal error, not a
// diagnostic.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

Type kiln::onnx_import::elementTypeOf(MLIRContext *context, DType dtype) {
  Builder b(context);
  switch (dtype) {
  case DType::F32:
    return b.getF32Type();
  case DType::F64:
    return b.getF64Type();
  case DType::I32:
    return b.getI32Type();
  case DType::I64:
    return b.getI64Type();
  default:
    return b.getI1Type();
  }
}

DType kiln::onnx_import::dtypeOf(Value value) {
  Type t = cast<RankedTensorType>(value.getType()).getElementType();
  if (t.isF32())
    return DType::F32;
  if (t.isF64())
    return DType::F64;
  if (t.isInteger(32))
    return DType::I32;
  if (t.isInteger(64))
    return DType::I64;
  return DType::I1;
}

std::vector<int64_t> kiln::onnx_import::shapeOf(Value value) {
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  return {shape.begin(), shape.end()};
}

static int64_t product(const std::vector<int64_t> &shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

static std::string typeStr(Value v) {
  return typeString(dtypeOf(v), shapeOf(v));
}

std::vector<int64_t>
kiln::onnx_import::broadcastShapes(const std::vector<int64_t> &a,
                                   const std::vector<int64_t> &b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      fail("shapes " + shapeStr(a) + " and " + shapeStr(b) +
           " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t kiln::onnx_import::normalizeAxis(int64_t axis, int64_t rank,
                                         const std::string &what) {
  if (axis < -rank || axis >= rank)
    fail(what + " " + std::to_string(axis) + " is out of range for rank " +
         std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

Value Emitter::constant(const HostTensor &value) {
  auto type = RankedTensorType::get(value.shape,
                                    elementTypeOf(b.getContext(), value.dtype));
  int64_t n = value.numElements();
  bool splat = n > 0;
  for (int64_t i = 1; i < n && splat; ++i)
    splat = value.at(i) == value.at(0);
  if (splat)
    return buildSplat(b, loc, type, value.at(0));
  DenseElementsAttr attr;
  switch (value.dtype) {
  case DType::F32: {
    std::vector<float> data(value.floats.begin(), value.floats.end());
    attr = DenseElementsAttr::get(type, ArrayRef<float>(data));
    break;
  }
  case DType::F64:
    attr = DenseElementsAttr::get(type, ArrayRef<double>(value.floats));
    break;
  case DType::I32: {
    std::vector<int32_t> data(value.ints.begin(), value.ints.end());
    attr = DenseElementsAttr::get(type, ArrayRef<int32_t>(data));
    break;
  }
  case DType::I64:
    attr = DenseElementsAttr::get(type, ArrayRef<int64_t>(value.ints));
    break;
  default: {
    SmallVector<bool> data(value.ints.begin(), value.ints.end());
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(data));
    break;
  }
  }
  return ConstantOp::create(b, loc, attr);
}

Value Emitter::splat(double value, DType dtype,
                     const std::vector<int64_t> &shape) {
  return buildSplat(
      b, loc,
      RankedTensorType::get(shape, elementTypeOf(b.getContext(), dtype)),
      value);
}

Value Emitter::like(Value x, double value) {
  return buildSplat(b, loc, mlir::cast<RankedTensorType>(x.getType()), value);
}

Value Emitter::broadcastTo(Value x, const std::vector<int64_t> &shape) {
  std::vector<int64_t> from = shapeOf(x);
  if (from == shape)
    return x;
  if (from.size() > shape.size() || broadcastShapes(from, shape) != shape)
    fail("cannot broadcast " + typeStr(x) + " to " + shapeStr(shape));
  return BroadcastOp::create(b, loc, x, shape);
}

Value Emitter::reshape(Value x, const std::vector<int64_t> &shape) {
  if (shapeOf(x) == shape)
    return x;
  if (product(shapeOf(x)) != checkedNumElements(shape, "reshape target"))
    fail("cannot reshape " + typeStr(x) + " to " + shapeStr(shape) +
         ": the element counts differ");
  return ReshapeOp::create(b, loc, x, shape);
}

Value Emitter::cast(Value x, DType dtype) {
  if (dtypeOf(x) == dtype)
    return x;
  return CastOp::create(b, loc, x, elementTypeOf(b.getContext(), dtype));
}

Value Emitter::transpose(Value x, const std::vector<int64_t> &perm) {
  int64_t rank = shapeOf(x).size();
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    fail("permutation " + shapeStr(perm) + " is not a permutation of the " +
         std::to_string(rank) + " dimensions of " + typeStr(x));
  if (perm == identity)
    return x;
  return TransposeOp::create(b, loc, x, perm);
}

Value Emitter::slice(Value x, const std::vector<int64_t> &start,
                     const std::vector<int64_t> &limit,
                     const std::vector<int64_t> &stride) {
  std::vector<int64_t> shape = shapeOf(x);
  if (start.size() != shape.size() || limit.size() != shape.size() ||
      stride.size() != shape.size())
    fail("slice bounds do not match the rank of " + typeStr(x));
  bool whole = true;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (start[i] < 0 || start[i] > limit[i] || limit[i] > shape[i] ||
        stride[i] < 1)
      fail("slice [" + std::to_string(start[i]) + ":" +
           std::to_string(limit[i]) + ":" + std::to_string(stride[i]) +
           "] of dimension " + std::to_string(i) + " is out of bounds for " +
           typeStr(x));
    whole &= start[i] == 0 && limit[i] == shape[i] && stride[i] == 1;
  }
  if (whole)
    return x;
  std::vector<int64_t> out(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    out[i] = (limit[i] - start[i] + stride[i] - 1) / stride[i];
  // An empty result reads nothing (and an empty slice at the end of a
  // dimension would have an offset past it).
  if (product(out) == 0)
    return splat(0, dtypeOf(x), out);
  return SliceOp::create(b, loc, x, start, limit, stride);
}

Value Emitter::sliceAxis(Value x, int64_t axis, int64_t start, int64_t limit,
                         int64_t stride) {
  std::vector<int64_t> shape = shapeOf(x);
  std::vector<int64_t> lo(shape.size(), 0), hi = shape, st(shape.size(), 1);
  lo[axis] = start;
  hi[axis] = limit;
  st[axis] = stride;
  return slice(x, lo, hi, st);
}

Value Emitter::concat(const std::vector<Value> &xs, int64_t axis) {
  if (xs.empty())
    fail("concatenation of no tensors");
  std::vector<int64_t> first = shapeOf(xs[0]);
  axis = normalizeAxis(axis, first.size(), "concatenation axis");
  std::vector<Value> nonEmpty;
  for (Value x : xs) {
    std::vector<int64_t> s = shapeOf(x);
    bool compatible = s.size() == first.size() && dtypeOf(x) == dtypeOf(xs[0]);
    for (size_t i = 0; compatible && i < s.size(); ++i)
      compatible = int64_t(i) == axis || s[i] == first[i];
    if (!compatible)
      fail("cannot concatenate " + typeStr(xs[0]) + " and " + typeStr(x) +
           " along axis " + std::to_string(axis));
    if (s[axis] != 0)
      nonEmpty.push_back(x);
  }
  if (nonEmpty.empty())
    return xs[0];
  if (nonEmpty.size() == 1)
    return nonEmpty[0];
  return ConcatOp::create(b, loc, nonEmpty, axis);
}

Value Emitter::pad(Value x, const std::vector<int64_t> &low,
                   const std::vector<int64_t> &high, double value) {
  std::vector<int64_t> shape = shapeOf(x);
  size_t rank = shape.size();
  if (low.size() != rank || high.size() != rank)
    fail("padding " + shapeStr(low) + ", " + shapeStr(high) +
         " does not match the rank of " + typeStr(x));
  // Negative padding crops.
  std::vector<int64_t> start(rank), limit(rank), lo(rank), hi(rank);
  bool any = false;
  for (size_t i = 0; i < rank; ++i) {
    start[i] = std::max<int64_t>(0, -low[i]);
    limit[i] = shape[i] - std::max<int64_t>(0, -high[i]);
    if (start[i] > limit[i])
      fail("negative padding removes more than dimension " + std::to_string(i) +
           " of " + typeStr(x) + " holds");
    lo[i] = std::max<int64_t>(0, low[i]);
    hi[i] = std::max<int64_t>(0, high[i]);
    any |= lo[i] || hi[i];
  }
  x = slice(x, start, limit, std::vector<int64_t>(rank, 1));
  if (!any)
    return x;
  return PadOp::create(b, loc, x, lo, hi, std::vector<int64_t>(rank, 0),
                       llvm::APFloat(value));
}

Value Emitter::reverse(Value x, int64_t axis) {
  int64_t n = shapeOf(x)[axis];
  if (n <= 1)
    return x;
  std::vector<int64_t> indices(n);
  for (int64_t i = 0; i < n; ++i)
    indices[i] = n - 1 - i;
  return gather(x, constant(HostTensor::fromInts(DType::I64, {n}, indices)),
                axis);
}

std::pair<Value, Value> Emitter::broadcastPair(Value x, Value y,
                                               llvm::StringRef what) {
  if (dtypeOf(x) != dtypeOf(y))
    fail(what.str() + " of different element types: " + typeStr(x) + " and " +
         typeStr(y));
  std::vector<int64_t> shape = broadcastShapes(shapeOf(x), shapeOf(y));
  return {broadcastTo(x, shape), broadcastTo(y, shape)};
}

Value Emitter::compare(ComparePredicate predicate, Value x, Value y) {
  auto [l, r] = broadcastPair(x, y, "comparison");
  return CompareOp::create(b, loc, predicate, l, r);
}

Value Emitter::select(Value condition, Value onTrue, Value onFalse) {
  if (dtypeOf(condition) != DType::I1)
    fail("condition " + typeStr(condition) + " is not bool");
  if (dtypeOf(onTrue) != dtypeOf(onFalse))
    fail("select of different element types: " + typeStr(onTrue) + " and " +
         typeStr(onFalse));
  std::vector<int64_t> shape = broadcastShapes(
      shapeOf(condition), broadcastShapes(shapeOf(onTrue), shapeOf(onFalse)));
  return SelectOp::create(b, loc, broadcastTo(condition, shape),
                          broadcastTo(onTrue, shape),
                          broadcastTo(onFalse, shape));
}

Value Emitter::matmul(Value x, Value y, bool transposeX, bool transposeY) {
  if (dtypeOf(x) != dtypeOf(y) || dtypeOf(x) == DType::I1)
    fail("matrix product of " + typeStr(x) + " and " + typeStr(y));
  std::vector<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  if (xs.size() < 2 || ys.size() < 2)
    fail("matrix product needs 2-D operands, got " + typeStr(x) + " and " +
         typeStr(y));
  int64_t kx = transposeX ? xs[xs.size() - 2] : xs.back();
  int64_t ky = transposeY ? ys.back() : ys[ys.size() - 2];
  if (kx != ky)
    fail("contraction dimensions differ: " + typeStr(x) + " and " + typeStr(y));
  // [B..., M, K] x [K, N]: one [B*M, K] x [K, N] product.
  if (ys.size() == 2 && xs.size() > 2 && !transposeX) {
    int64_t rows = product(xs) / xs.back();
    Value product2d =
        matmul(reshape(x, {rows, xs.back()}), y, false, transposeY);
    std::vector<int64_t> out(xs.begin(), xs.end() - 1);
    out.push_back(shapeOf(product2d).back());
    return reshape(product2d, out);
  }
  std::vector<int64_t> bx(xs.begin(), xs.end() - 2),
      by(ys.begin(), ys.end() - 2);
  std::vector<int64_t> batch = broadcastShapes(bx, by);
  auto withBatch = [&](Value v, const std::vector<int64_t> &s) {
    std::vector<int64_t> target = batch;
    target.push_back(s[s.size() - 2]);
    target.push_back(s.back());
    return broadcastTo(v, target);
  };
  return MatmulOp::create(b, loc, withBatch(x, xs), withBatch(y, ys),
                          transposeX, transposeY);
}

std::vector<int64_t> Emitter::normalizeAxes(Value x,
                                            const std::vector<int64_t> &axes) {
  int64_t rank = shapeOf(x).size();
  std::vector<int64_t> out;
  for (int64_t a : axes) {
    int64_t n = normalizeAxis(a, rank, "reduction axis");
    if (std::find(out.begin(), out.end(), n) != out.end())
      fail("reduction axis " + std::to_string(a) + " is repeated");
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Value Emitter::reduceSum(Value x, std::vector<int64_t> axes, bool keep) {
  axes = normalizeAxes(x, axes);
  if (axes.empty())
    return x;
  if (dtypeOf(x) == DType::I1)
    fail("sum of bool tensor " + typeStr(x));
  return ReduceSumOp::create(b, loc, x, axes, keep);
}

Value Emitter::reduceMean(Value x, std::vector<int64_t> axes, bool keep) {
  axes = normalizeAxes(x, axes);
  if (axes.empty())
    return x;
  if (dtypeOf(x) != DType::F32 && dtypeOf(x) != DType::F64) {
    // Integer means truncate, like ONNX's reference.
    std::vector<int64_t> s = shapeOf(x);
    int64_t count = 1;
    for (int64_t a : axes)
      count *= s[a];
    Value sum = reduceSum(x, axes, keep);
    return binary<DivOp>(sum, like(sum, double(count)));
  }
  return ReduceMeanOp::create(b, loc, x, axes, keep);
}

Value Emitter::reduceMax(Value x, std::vector<int64_t> axes, bool keep) {
  axes = normalizeAxes(x, axes);
  if (axes.empty())
    return x;
  if (dtypeOf(x) == DType::I1)
    fail("maximum of bool tensor " + typeStr(x));
  return ReduceMaxOp::create(b, loc, x, axes, keep);
}

Value Emitter::reduceMin(Value x, std::vector<int64_t> axes, bool keep) {
  if (dtypeOf(x) == DType::I1)
    fail("minimum of bool tensor " + typeStr(x));
  if (dtypeOf(x) == DType::F32 || dtypeOf(x) == DType::F64)
    return unary<NegOp>(reduceMax(unary<NegOp>(x), axes, keep));
  // min(x) = ~max(~x) with ~x = -x - 1, which cannot overflow in wrapping
  // arithmetic (unlike -x for the most negative integer).
  auto invert = [&](Value v) {
    return binary<SubOp>(unary<NegOp>(v), like(v, 1));
  };
  return invert(reduceMax(invert(x), axes, keep));
}

Value Emitter::reduceProd(Value x, std::vector<int64_t> axes, bool keep) {
  axes = normalizeAxes(x, axes);
  if (dtypeOf(x) == DType::I1)
    fail("product of bool tensor " + typeStr(x));
  std::vector<int64_t> shape = shapeOf(x);
  // Pairwise products of halves until one element is left on each axis.
  for (int64_t axis : axes) {
    while (shapeOf(x)[axis] > 1) {
      int64_t n = shapeOf(x)[axis];
      if (n % 2) {
        std::vector<int64_t> lo(shape.size(), 0), hi(shape.size(), 0);
        hi[axis] = 1;
        x = pad(x, lo, hi, 1.0);
        ++n;
      }
      x = binary<MulOp>(sliceAxis(x, axis, 0, n / 2),
                        sliceAxis(x, axis, n / 2, n));
    }
    if (shapeOf(x)[axis] == 0) {
      std::vector<int64_t> s = shapeOf(x);
      s[axis] = 1;
      x = splat(1.0, dtypeOf(x), s);
    }
  }
  if (keep)
    return x;
  std::vector<int64_t> out;
  for (size_t i = 0; i < shape.size(); ++i)
    if (std::find(axes.begin(), axes.end(), int64_t(i)) == axes.end())
      out.push_back(shape[i]);
  return reshape(x, out);
}

Value Emitter::iota(const std::vector<int64_t> &shape, int64_t axis) {
  int64_t n = shape[axis];
  std::vector<int64_t> values(n);
  std::iota(values.begin(), values.end(), 0);
  std::vector<int64_t> along(shape.size(), 1);
  along[axis] = n;
  Value line = constant(HostTensor::fromInts(DType::I64, {n}, values));
  return broadcastTo(reshape(line, along), shape);
}

Value Emitter::gather(Value data, Value indices, int64_t axis) {
  std::vector<int64_t> ds = shapeOf(data), is = shapeOf(indices);
  int64_t rank = ds.size();
  if (rank == 0)
    fail("gather from a scalar " + typeStr(data));
  axis = normalizeAxis(axis, rank, "gather axis");
  if (dtypeOf(indices) != DType::I32 && dtypeOf(indices) != DType::I64)
    fail("gather indices " + typeStr(indices) + " are not integers");
  int64_t n = ds[axis];
  // Negative indices count from the end.
  indices = select(compare(ComparePredicate::lt, indices, like(indices, 0)),
                   binary<AddOp>(indices, like(indices, double(n))), indices);
  std::vector<int64_t> perm{axis}, pre(ds.begin(), ds.begin() + axis),
      post(ds.begin() + axis + 1, ds.end());
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      perm.push_back(i);
  int64_t rest = product(pre) * product(post);
  Value table = reshape(transpose(data, perm), {n, rest});
  Value rows = GatherOp::create(b, loc, table, indices);
  // rows: indices + [pre..., post...]; wanted: pre + indices + post.
  std::vector<int64_t> expanded = is;
  expanded.insert(expanded.end(), pre.begin(), pre.end());
  expanded.insert(expanded.end(), post.begin(), post.end());
  Value out = reshape(rows, expanded);
  int64_t q = is.size();
  std::vector<int64_t> order;
  for (int64_t i = 0; i < axis; ++i)
    order.push_back(q + i);
  for (int64_t i = 0; i < q; ++i)
    order.push_back(i);
  for (size_t i = 0; i < post.size(); ++i)
    order.push_back(q + axis + i);
  return transpose(out, order);
}
