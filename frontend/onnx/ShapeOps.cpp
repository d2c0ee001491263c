//===- ShapeOps.cpp - ONNX shape and data-movement ops -------------------===//
//
// Shape, Size, Constant*, Range and the ops that only move data (Reshape,
// Transpose, Slice, Gather, Concat, Pad, ...). Shapes are static, so shape
// computations are folded on the host; the ops that move a host constant
// (Shape -> Gather -> Concat -> Reshape chains) are folded too.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

namespace {

int64_t product(const std::vector<int64_t> &shape, size_t from = 0,
                size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < std::min(to, shape.size()); ++i)
    p *= shape[i];
  return p;
}

/// Input 0 with a new shape: a host tensor stays on the host.
void setReshaped(Node &node, const std::vector<int64_t> &shape) {
  checkedNumElements(shape, "result");
  if (const HostTensor *c = node.constantInput(0)) {
    if (product(shape) != c->numElements())
      fail("cannot reshape " + shapeStr(c->shape) + " to " + shapeStr(shape));
    HostTensor out = *c;
    out.shape = shape;
    node.setOutput(0, out);
    return;
  }
  node.setOutput(0, node.emit.reshape(node.input(0), shape));
}

/// A host tensor, or a splat built at run time when it is too large to
/// hold on the host.
void setFilled(Node &node, std::vector<int64_t> shape, DType dtype,
               double value) {
  if (checkedNumElements(shape, "result") > kMaxFoldElements) {
    node.setOutput(0, node.emit.splat(value, dtype, shape));
    return;
  }
  node.setOutput(0,
                 HostTensor::make(dtype, shape,
                                  std::vector<double>(product(shape), value)));
}

/// Axes from the attribute (before `inputSince`) or the input #1.
std::optional<std::vector<int64_t>> axesOf(Node &node, int64_t inputSince,
                                           int input = 1) {
  if (node.opset < inputSince) {
    if (!node.attr("axes"))
      return std::nullopt;
    return node.attrInts("axes");
  }
  if (!node.hasInput(input))
    return std::nullopt;
  return node.requireConstant(input, "axes").toInts();
}

HostTensor hostConcat(const std::vector<const HostTensor *> &xs, int64_t axis) {
  std::vector<int64_t> shape = xs[0]->shape;
  shape[axis] = 0;
  for (const HostTensor *x : xs)
    shape[axis] += x->shape[axis];
  HostTensor out;
  out.dtype = xs[0]->dtype;
  out.shape = shape;
  int64_t outer = product(shape, 0, axis);
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *x : xs) {
      int64_t chunk = product(x->shape, axis);
      for (int64_t i = 0; i < chunk; ++i) {
        if (out.isFloat())
          out.floats.push_back(x->floats[o * chunk + i]);
        else
          out.ints.push_back(x->ints[o * chunk + i]);
      }
    }
  return out;
}

/// ONNX Slice on one axis, normalized: the elements taken, in order.
struct AxisSlice {
  int64_t start, count, step;
};
AxisSlice normalizeSlice(int64_t start, int64_t end, int64_t step,
                         int64_t dim) {
  if (step == 0)
    fail("slice step 0");
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  int64_t count;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    count = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    count = start > end ? (start - end + (-step) - 1) / (-step) : 0;
  }
  return {start, count, step};
}

void convertSlice(Node &node) {
  std::vector<int64_t> shape = node.inputShape(0);
  int64_t rank = shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (node.opset < 10) {
    starts = node.attrInts("starts");
    ends = node.attrInts("ends");
    axes = node.attrInts("axes");
  } else {
    starts = node.requireConstant(1, "starts").toInts();
    ends = node.requireConstant(2, "ends").toInts();
    if (node.hasInput(3))
      axes = node.requireConstant(3, "axes").toInts();
    if (node.hasInput(4))
      steps = node.requireConstant(4, "steps").toInts();
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    fail("starts, ends, axes and steps differ in length");
  std::vector<AxisSlice> slices(rank);
  for (int64_t d = 0; d < rank; ++d)
    slices[d] = {0, shape[d], 1};
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = normalizeAxis(axes[i], rank, "slice axis");
    slices[axis] = normalizeSlice(starts[i], ends[i], steps[i], shape[axis]);
  }
  if (const HostTensor *c = node.constantInput(0)) {
    HostTensor out = *c;
    for (int64_t d = 0; d < rank; ++d) {
      std::vector<int64_t> positions;
      for (int64_t k = 0; k < slices[d].count; ++k)
        positions.push_back(slices[d].start + k * slices[d].step);
      out = hostTake(out, d, positions, {slices[d].count});
    }
    node.setOutput(0, out);
    return;
  }
  Value x = node.input(0);
  std::vector<int64_t> lo(rank), hi(rank), st(rank);
  for (int64_t d = 0; d < rank; ++d) {
    const AxisSlice &s = slices[d];
    int64_t step = std::abs(s.step);
    // A negative step takes the same elements as a positive one from the
    // lowest of them, then reverses the axis.
    lo[d] = s.step > 0 ? s.start
                       : s.start - std::max<int64_t>(s.count - 1, 0) * step;
    hi[d] = s.count ? lo[d] + (s.count - 1) * step + 1 : lo[d];
    st[d] = step;
  }
  x = node.emit.slice(x, lo, hi, st);
  for (int64_t d = 0; d < rank; ++d)
    if (slices[d].step < 0)
      x = node.emit.reverse(x, d);
  node.setOutput(0, x);
}

void convertPad(Node &node) {
  std::vector<int64_t> pads;
  double value = 0;
  if (node.opset < 11) {
    pads = node.attrInts(node.opset < 2 ? "paddings" : "pads");
    value = node.attrFloat("value", 0);
  } else {
    pads = node.requireConstant(1, "pads").toInts();
    if (node.hasInput(2)) {
      const HostTensor &v = node.requireConstant(2, "constant_value");
      if (v.numElements())
        value = v.at(0);
    }
  }
  std::string mode = node.attrString("mode", "constant");
  Value x = node.input(0);
  std::vector<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  if (int64_t(pads.size()) != 2 * rank)
    fail("pads has " + std::to_string(pads.size()) +
         " entries for a tensor of rank " + std::to_string(rank));
  std::vector<int64_t> low(pads.begin(), pads.begin() + rank),
      high(pads.begin() + rank, pads.end());
  Emitter &e = node.emit;
  if (mode == "constant") {
    node.setOutput(0, e.pad(x, low, high, value));
    return;
  }
  // reflect / edge: concatenate slices of the input axis by axis.
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] < 0 || high[d] < 0)
      fail("negative pads with mode '" + mode + "'");
    if (!low[d] && !high[d])
      continue;
    int64_t n = shapeOf(x)[d];
    if (n == 0 || (mode == "reflect" && (low[d] >= n || high[d] >= n)))
      fail("pads " + shapeStr(pads) + " are too large for mode '" + mode +
           "' on " + shapeStr(shape));
    std::vector<Value> parts;
    auto take = [&](int64_t i) { return e.sliceAxis(x, d, i, i + 1); };
    for (int64_t k = low[d]; k >= 1; --k)
      parts.push_back(take(mode == "edge" ? 0 : k));
    parts.push_back(x);
    for (int64_t k = 1; k <= high[d]; ++k)
      parts.push_back(take(mode == "edge" ? n - 1 : n - 1 - k));
    x = e.concat(parts, d);
  }
  node.setOutput(0, x);
}

/// Input 0 of DepthToSpace or SpaceToDepth, its shape and `blocksize`.
struct BlockInput {
  Value x;
  std::vector<int64_t> shape;
  int64_t blocksize;
};

/// Fails, naming the input and the blocksize, unless the input is 4-D, the
/// blocksize positive and the blocks divide what they are taken from: the
/// channels (DepthToSpace, `fromChannels`) or the height and width.
BlockInput blockInput(Node &node, bool fromChannels) {
  Value x = node.input(0);
  std::vector<int64_t> s = shapeOf(x);
  int64_t b = node.attrInt("blocksize", 0);
  if (s.size() != 4 || b <= 0 ||
      (fromChannels ? s[1] % (b * b) != 0 : s[2] % b || s[3] % b))
    fail("input " + shapeStr(s) + " and blocksize " + std::to_string(b));
  return {x, s, b};
}

} // namespace

void kiln::onnx_import::addShapeConverters(ConverterTable &t) {
  Converter shapeOp;
  shapeOp.convert = [](Node &node) {
    std::vector<int64_t> shape = node.inputShape(0);
    int64_t rank = shape.size();
    int64_t start = node.attrInt("start", 0), end = node.attrInt("end", rank);
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
    node.setOutput(
        0, HostTensor::fromInts(DType::I64, {int64_t(dims.size())}, dims));
  };
  t["Shape"] = shapeOp;

  Converter size;
  size.convert = [](Node &node) {
    node.setOutput(
        0, HostTensor::fromInts(DType::I64, {}, {product(node.inputShape(0))}));
  };
  t["Size"] = size;

  Converter constant;
  constant.check = [](const onnx::NodeProto &node, int64_t) {
    for (const auto &a : node.attribute())
      if (a.name() == "sparse_value" || a.name() == "value_string" ||
          a.name() == "value_strings")
        return "attribute '" + a.name() + "'";
    return std::string();
  };
  constant.convert = [](Node &node) {
    if (const auto *a = node.attr("value"))
      return node.setOutput(0, decodeTensor(a->t(), "value"));
    if (const auto *a = node.attr("value_float"))
      return node.setOutput(0, HostTensor::make(DType::F32, {}, {a->f()}));
    if (const auto *a = node.attr("value_int"))
      return node.setOutput(0, HostTensor::fromInts(DType::I64, {}, {a->i()}));
    if (node.attr("value_floats")) {
      std::vector<double> v = node.attrFloats("value_floats");
      return node.setOutput(
          0, HostTensor::make(DType::F32, {int64_t(v.size())}, v));
    }
    if (node.attr("value_ints")) {
      std::vector<int64_t> v = node.attrInts("value_ints");
      return node.setOutput(
          0, HostTensor::fromInts(DType::I64, {int64_t(v.size())}, v));
    }
    fail("no value attribute");
  };
  t["Constant"] = constant;

  Converter constantOfShape;
  constantOfShape.minOpset = 9;
  constantOfShape.convert = [](Node &node) {
    std::vector<int64_t> shape = node.requireConstant(0, "shape").toInts();
    DType dtype = DType::F32;
    double value = 0;
    if (const auto *a = node.attr("value")) {
      HostTensor v = decodeTensor(a->t(), "value");
      if (v.numElements() != 1)
        fail("value must hold one element");
      dtype = v.dtype;
      value = v.at(0);
    }
    setFilled(node, shape, dtype, value);
  };
  t["ConstantOfShape"] = constantOfShape;

  Converter range;
  range.minOpset = 11;
  range.convert = [](Node &node) {
    const HostTensor &start = node.requireConstant(0, "start");
    const HostTensor &limit = node.requireConstant(1, "limit");
    const HostTensor &delta = node.requireConstant(2, "delta");
    if (start.numElements() != 1 || limit.numElements() != 1 ||
        delta.numElements() != 1)
      fail("start, limit and delta must be scalars");
    double s = start.at(0), l = limit.at(0), d = delta.at(0);
    if (d == 0)
      fail("delta is 0");
    double steps = std::ceil((l - s) / d);
    if (!(steps < double(kMaxFoldElements)))
      fail("range of " + std::to_string(steps) + " elements is too large");
    int64_t n = std::max<int64_t>(0, int64_t(steps));
    std::vector<double> values(n);
    for (int64_t i = 0; i < n; ++i)
      values[i] = s + double(i) * d;
    if (!start.isFloat()) {
      std::vector<int64_t> ints(n);
      for (int64_t i = 0; i < n; ++i)
        ints[i] = start.intAt(0) + i * delta.intAt(0);
      return node.setOutput(0, HostTensor::fromInts(start.dtype, {n}, ints));
    }
    node.setOutput(0, HostTensor::make(start.dtype, {n}, values));
  };
  t["Range"] = range;

  Converter reshape;
  reshape.convert = [](Node &node) {
    std::vector<int64_t> in = node.inputShape(0);
    std::vector<int64_t> target =
        node.opset < 5 ? node.attrInts("shape")
                       : node.requireConstant(1, "shape").toInts();
    bool allowZero = node.attrInt("allowzero", 0);
    int64_t inferred = -1, known = 1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == 0 && !allowZero) {
        if (i >= in.size())
          fail("shape " + shapeStr(target) + " copies dimension " +
               std::to_string(i) + " of a rank-" + std::to_string(in.size()) +
               " input");
        target[i] = in[i];
      }
      if (target[i] == -1) {
        if (inferred >= 0)
          fail("shape " + shapeStr(target) + " has two -1 entries");
        inferred = i;
      } else if (target[i] < 0) {
        fail("shape " + shapeStr(target) + " has a negative entry");
      } else {
        known *= target[i];
      }
    }
    if (inferred >= 0) {
      if (known == 0 || product(in) % known)
        fail("cannot reshape " + shapeStr(in) + " to " + shapeStr(target));
      target[inferred] = product(in) / known;
    }
    setReshaped(node, target);
  };
  t["Reshape"] = reshape;

  Converter flatten;
  flatten.convert = [](Node &node) {
    std::vector<int64_t> in = node.inputShape(0);
    int64_t rank = in.size();
    int64_t axis = node.attrInt("axis", 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis > rank)
      fail("axis " + std::to_string(node.attrInt("axis", 1)) +
           " is out of range for rank " + std::to_string(rank));
    setReshaped(node, {product(in, 0, axis), product(in, axis)});
  };
  t["Flatten"] = flatten;

  Converter squeeze;
  squeeze.convert = [](Node &node) {
    std::vector<int64_t> in = node.inputShape(0), out;
    std::optional<std::vector<int64_t>> axes = axesOf(node, 13);
    std::vector<bool> drop(in.size(), false);
    if (!axes) {
      for (size_t i = 0; i < in.size(); ++i)
        drop[i] = in[i] == 1;
    } else {
      for (int64_t a : *axes) {
        int64_t axis = normalizeAxis(a, in.size(), "axis");
        if (in[axis] != 1)
          fail("cannot squeeze dimension " + std::to_string(axis) +
               " of size " + std::to_string(in[axis]));
        drop[axis] = true;
      }
    }
    for (size_t i = 0; i < in.size(); ++i)
      if (!drop[i])
        out.push_back(in[i]);
    setReshaped(node, out);
  };
  t["Squeeze"] = squeeze;

  Converter unsqueeze;
  unsqueeze.convert = [](Node &node) {
    std::vector<int64_t> in = node.inputShape(0);
    std::optional<std::vector<int64_t>> axes = axesOf(node, 13);
    if (!axes)
      fail("no axes");
    int64_t rank = in.size() + axes->size();
    std::vector<bool> inserted(rank, false);
    for (int64_t a : *axes) {
      int64_t axis = normalizeAxis(a, rank, "axis");
      if (inserted[axis])
        fail("axis " + std::to_string(a) + " is repeated");
      inserted[axis] = true;
    }
    std::vector<int64_t> out;
    size_t next = 0;
    for (int64_t i = 0; i < rank; ++i)
      out.push_back(inserted[i] ? 1 : in[next++]);
    setReshaped(node, out);
  };
  t["Unsqueeze"] = unsqueeze;

  Converter transpose;
  transpose.convert = [](Node &node) {
    Value x = node.input(0);
    int64_t rank = shapeOf(x).size();
    std::vector<int64_t> perm(rank);
    std::iota(perm.rbegin(), perm.rend(), 0);
    perm = node.attrInts("perm", perm);
    for (int64_t &p : perm)
      p = normalizeAxis(p, rank, "permutation entry");
    node.setOutput(0, node.emit.transpose(x, perm));
  };
  t["Transpose"] = transpose;

  Converter concat;
  concat.convert = [](Node &node) {
    int64_t rank = node.inputShape(0).size();
    int64_t axis = normalizeAxis(node.attrInt("axis", node.opset < 4 ? 1 : 0),
                                 rank, "axis");
    if (node.allInputsConstant()) {
      std::vector<const HostTensor *> xs;
      for (int i = 0; i < node.numInputs(); ++i) {
        xs.push_back(node.constantInput(i));
        if (xs.back()->shape.size() != size_t(rank) ||
            xs.back()->dtype != xs[0]->dtype)
          fail("inputs differ in rank or element type");
        for (int64_t d = 0; d < rank; ++d)
          if (d != axis && xs.back()->shape[d] != xs[0]->shape[d])
            fail("cannot concatenate " + shapeStr(xs[0]->shape) + " and " +
                 shapeStr(xs.back()->shape));
      }
      return node.setOutput(0, hostConcat(xs, axis));
    }
    std::vector<Value> xs;
    for (int i = 0; i < node.numInputs(); ++i)
      xs.push_back(node.input(i));
    node.setOutput(0, node.emit.concat(xs, axis));
  };
  t["Concat"] = concat;

  Converter split;
  split.convert = [](Node &node) {
    Value x = node.input(0);
    std::vector<int64_t> shape = shapeOf(x);
    int64_t axis = normalizeAxis(node.attrInt("axis", 0), shape.size(), "axis");
    std::vector<int64_t> sizes = node.opset < 13 ? node.attrInts("split")
                                 : node.hasInput(1)
                                     ? node.requireConstant(1, "split").toInts()
                                     : std::vector<int64_t>{};
    int64_t n = node.numOutputs();
    if (sizes.empty()) {
      if (n == 0 || shape[axis] % n)
        fail("dimension " + std::to_string(shape[axis]) +
             " does not split into " + std::to_string(n) + " equal parts");
      sizes.assign(n, shape[axis] / n);
    }
    if (int64_t(sizes.size()) != n ||
        std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != shape[axis])
      fail("split sizes " + shapeStr(sizes) + " do not cover dimension " +
           std::to_string(axis) + " of " + shapeStr(shape) + " in " +
           std::to_string(n) + " outputs");
    int64_t offset = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (sizes[i] < 0)
        fail("negative split size");
      node.setOutput(i,
                     node.emit.sliceAxis(x, axis, offset, offset + sizes[i]));
      offset += sizes[i];
    }
  };
  t["Split"] = split;

  t["Slice"].convert = convertSlice;

  Converter gather;
  gather.convert = [](Node &node) {
    std::vector<int64_t> shape = node.inputShape(0);
    int64_t axis = normalizeAxis(node.attrInt("axis", 0), shape.size(), "axis");
    const HostTensor *indices = node.constantInput(1);
    if (node.inputDType(1) != DType::I32 && node.inputDType(1) != DType::I64)
      fail("indices are not integers");
    if (indices) {
      std::vector<int64_t> positions = indices->toInts();
      for (int64_t &p : positions) {
        if (p < -shape[axis] || p >= shape[axis])
          fail("index " + std::to_string(p) + " is out of range for axis " +
               std::to_string(axis) + " of " + shapeStr(shape));
        if (p < 0)
          p += shape[axis];
      }
      if (const HostTensor *data = node.constantInput(0))
        return node.setOutput(0,
                              hostTake(*data, axis, positions, indices->shape));
      Value idx = node.emit.constant(
          HostTensor::fromInts(DType::I64, indices->shape, positions));
      return node.setOutput(0, node.emit.gather(node.input(0), idx, axis));
    }
    node.setOutput(0, node.emit.gather(node.input(0), node.input(1), axis));
  };
  t["Gather"] = gather;

  Converter expand;
  expand.minOpset = 8;
  expand.convert = [](Node &node) {
    std::vector<int64_t> target = node.requireConstant(1, "shape").toInts();
    std::vector<int64_t> shape = broadcastShapes(node.inputShape(0), target);
    if (const HostTensor *c = node.constantInput(0))
      if (c->numElements() == 1 && product(shape) <= kMaxFoldElements)
        return setFilled(node, shape, c->dtype, c->at(0));
    node.setOutput(0, node.emit.broadcastTo(node.input(0), shape));
  };
  t["Expand"] = expand;

  Converter tile;
  tile.convert = [](Node &node) {
    Value x = node.input(0);
    std::vector<int64_t> shape = shapeOf(x);
    std::vector<int64_t> repeats = node.requireConstant(1, "repeats").toInts();
    if (repeats.size() != shape.size())
      fail("repeats " + shapeStr(repeats) + " do not match rank " +
           std::to_string(shape.size()));
    // [d0, d1] -> [1, d0, 1, d1] -> broadcast [r0, d0, r1, d1] -> reshape.
    std::vector<int64_t> spread, tiled, out;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (repeats[i] < 0)
        fail("negative repeat count");
      spread.insert(spread.end(), {1, shape[i]});
      tiled.insert(tiled.end(), {repeats[i], shape[i]});
      out.push_back(repeats[i] * shape[i]);
    }
    checkedNumElements(tiled, "result");
    Emitter &e = node.emit;
    node.setOutput(0,
                   e.reshape(e.broadcastTo(e.reshape(x, spread), tiled), out));
  };
  t["Tile"] = tile;

  Converter pad;
  pad.check = [](const onnx::NodeProto &node, int64_t) {
    for (const auto &a : node.attribute())
      if (a.name() == "mode" && a.s() != "constant" && a.s() != "reflect" &&
          a.s() != "edge")
        return "mode '" + a.s() + "'";
    return std::string();
  };
  pad.convert = convertPad;
  t["Pad"] = pad;

  Converter depthToSpace;
  depthToSpace.convert = [](Node &node) {
    auto [x, s, b] = blockInput(node, /*fromChannels=*/true);
    Emitter &e = node.emit;
    int64_t c = s[1] / (b * b);
    bool crd = node.attrString("mode", "DCR") == "CRD";
    Value y = crd ? e.reshape(x, {s[0], c, b, b, s[2], s[3]})
                  : e.reshape(x, {s[0], b, b, c, s[2], s[3]});
    y = crd ? e.transpose(y, {0, 1, 4, 2, 5, 3})
            : e.transpose(y, {0, 3, 4, 1, 5, 2});
    node.setOutput(0, e.reshape(y, {s[0], c, s[2] * b, s[3] * b}));
  };
  t["DepthToSpace"] = depthToSpace;

  Converter spaceToDepth;
  spaceToDepth.convert = [](Node &node) {
    auto [x, s, b] = blockInput(node, /*fromChannels=*/false);
    Emitter &e = node.emit;
    Value y = e.reshape(x, {s[0], s[1], s[2] / b, b, s[3] / b, b});
    y = e.transpose(y, {0, 3, 5, 1, 2, 4});
    node.setOutput(0, e.reshape(y, {s[0], s[1] * b * b, s[2] / b, s[3] / b}));
  };
  t["SpaceToDepth"] = spaceToDepth;
}
