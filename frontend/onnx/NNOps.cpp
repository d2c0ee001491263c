//===- NNOps.cpp - ONNX neural-network ops -------------------------------===//
//
// MatMul, Gemm, convolutions and pooling (1-D as 2-D with height 1),
// normalizations (inference), softmax-like ops and Trilu. ONNX's 2-D pads
// [h_begin, w_begin, h_end, w_end] are kiln's [top, left, bottom, right].
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include <numeric>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

namespace {

bool isFloat(Value v) {
  return dtypeOf(v) == DType::F32 || dtypeOf(v) == DType::F64;
}

void requireFloat(Value v, const std::string &what) {
  if (!isFloat(v))
    fail(what + " " + typeString(dtypeOf(v), shapeOf(v)) +
         " is not a float tensor (unsupported)");
}

/// Window attributes of a convolution or pooling node over `spatial`
/// dimensions, with ONNX's defaults and auto_pad resolved.
struct Window {
  std::vector<int64_t> kernel, stride, dilation, padBegin, padEnd;
};

Window windowOf(Node &node, const std::vector<int64_t> &inSpatial,
                const std::vector<int64_t> &kernel) {
  size_t n = inSpatial.size();
  Window w;
  w.kernel = kernel;
  w.stride = node.attrInts("strides", std::vector<int64_t>(n, 1));
  w.dilation = node.attrInts("dilations", std::vector<int64_t>(n, 1));
  std::vector<int64_t> pads =
      node.attrInts("pads", std::vector<int64_t>(2 * n, 0));
  if (w.kernel.size() != n || w.stride.size() != n || w.dilation.size() != n ||
      pads.size() != 2 * n)
    fail("kernel_shape, strides, dilations or pads do not match " +
         std::to_string(n) + " spatial dimensions");
  for (size_t i = 0; i < n; ++i)
    if (w.kernel[i] < 1 || w.stride[i] < 1 || w.dilation[i] < 1 ||
        pads[i] < 0 || pads[n + i] < 0)
      fail("kernel " + shapeStr(w.kernel) + ", strides " +
           shapeStr(w.stride) + ", dilations " + shapeStr(w.dilation) +
           " or pads " + shapeStr(pads) + " are out of range");
  w.padBegin.assign(pads.begin(), pads.begin() + n);
  w.padEnd.assign(pads.begin() + n, pads.end());
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    std::fill(w.padBegin.begin(), w.padBegin.end(), 0);
    std::fill(w.padEnd.begin(), w.padEnd.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      int64_t out = (inSpatial[i] + w.stride[i] - 1) / w.stride[i];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * w.stride[i] +
                                   (w.kernel[i] - 1) * w.dilation[i] + 1 -
                                   inSpatial[i]);
      w.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.padEnd[i] = total - w.padBegin[i];
    }
  } else if (autoPad != "NOTSET") {
    fail("auto_pad '" + autoPad + "' is unknown");
  }
  return w;
}

std::string checkAutoPad(const onnx::NodeProto &node, int64_t) {
  for (const auto &a : node.attribute())
    if (a.name() == "auto_pad" && a.s() != "NOTSET" && a.s() != "VALID" &&
        a.s() != "SAME_UPPER" && a.s() != "SAME_LOWER")
      return "auto_pad '" + a.s() + "'";
  return "";
}

/// 1-D windows become 2-D ones of height 1; 2-D stay; others are
/// unsupported.
int64_t spatialRank(Value x, const std::string &what) {
  int64_t rank = shapeOf(x).size();
  if (rank != 3 && rank != 4)
    fail(what + " over " + std::to_string(rank - 2) +
         " spatial dimensions is unsupported (Kiln has 1-D and 2-D)");
  return rank - 2;
}
Value to2d(Emitter &e, Value x) {
  std::vector<int64_t> s = shapeOf(x);
  if (s.size() == 4)
    return x;
  return e.reshape(x, {s[0], s[1], 1, s[2]});
}
Window windowTo2d(Window w) {
  if (w.kernel.size() == 2)
    return w;
  auto lift = [](std::vector<int64_t> &v, int64_t one) {
    v.insert(v.begin(), one);
  };
  lift(w.kernel, 1);
  lift(w.stride, 1);
  lift(w.dilation, 1);
  lift(w.padBegin, 0);
  lift(w.padEnd, 0);
  return w;
}
Value from2d(Emitter &e, Value y, int64_t spatial) {
  if (spatial == 2)
    return y;
  std::vector<int64_t> s = shapeOf(y);
  return e.reshape(y, {s[0], s[1], s[3]});
}
std::vector<int64_t> padding(const Window &w) {
  return {w.padBegin[0], w.padBegin[1], w.padEnd[0], w.padEnd[1]};
}
int64_t outSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pads,
                bool ceil) {
  int64_t span = in + pads - (k - 1) * d - 1;
  if (span < 0)
    fail("the window (kernel " + std::to_string(k) + ", dilation " +
         std::to_string(d) + ") is larger than the padded input (" +
         std::to_string(in + pads) + ")");
  return (ceil ? (span + s - 1) / s : span / s) + 1;
}

Value addChannelBias(Emitter &e, Value y, Value bias) {
  std::vector<int64_t> s = shapeOf(y);
  std::vector<int64_t> shape(s.size(), 1);
  shape[1] = s[1];
  if (shapeOf(bias) != std::vector<int64_t>{s[1]})
    fail("bias " + shapeStr(shapeOf(bias)) + " does not have one value per " +
         "output channel (" + std::to_string(s[1]) + ")");
  return e.binary<AddOp>(y, e.reshape(bias, shape));
}

void convertConv(Node &node) {
  Emitter &e = node.emit;
  Value x = node.input(0), w = node.input(1);
  requireFloat(x, "input");
  int64_t spatial = spatialRank(x, "convolution");
  std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  if (ws.size() != xs.size() || dtypeOf(w) != dtypeOf(x))
    fail("weight " + shapeStr(ws) + " does not match input " + shapeStr(xs));
  int64_t groups = node.attrInt("group", 1);
  if (groups < 1 || xs[1] % groups || ws[0] % groups ||
      ws[1] * groups != xs[1])
    fail("input channels " + std::to_string(xs[1]) + ", weight " +
         shapeStr(ws) + " and group " + std::to_string(groups) +
         " do not match");
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  Window win = windowTo2d(windowOf(
      node, std::vector<int64_t>(xs.begin() + 2, xs.end()),
      node.attrInts("kernel_shape", kernel)));
  Value x2 = to2d(e, x), w2 = to2d(e, w);
  std::vector<int64_t> w2s = shapeOf(w2);
  if (win.kernel != std::vector<int64_t>(w2s.begin() + 2, w2s.end()))
    fail("kernel_shape does not match the weight " + shapeStr(ws));
  std::vector<int64_t> x2s = shapeOf(x2);
  for (int i = 0; i < 2; ++i)
    outSize(x2s[2 + i], win.kernel[i], win.stride[i], win.dilation[i],
            win.padBegin[i] + win.padEnd[i], false);
  Value y = Conv2DOp::create(e.b, e.loc, x2, w2, win.stride, padding(win),
                             win.dilation, groups);
  y = from2d(e, y, spatial);
  if (node.hasInput(2))
    y = addChannelBias(e, y, node.input(2));
  node.setOutput(0, y);
}

void convertConvTranspose(Node &node) {
  Emitter &e = node.emit;
  Value x = node.input(0), w = node.input(1);
  requireFloat(x, "input");
  int64_t spatial = spatialRank(x, "transposed convolution");
  std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  int64_t groups = node.attrInt("group", 1);
  if (ws.size() != xs.size() || dtypeOf(w) != dtypeOf(x) || groups < 1 ||
      ws[0] != xs[1] || xs[1] % groups)
    fail("weight " + shapeStr(ws) + ", input " + shapeStr(xs) +
         " and group " + std::to_string(groups) + " do not match");
  size_t n = spatial;
  std::vector<int64_t> in(xs.begin() + 2, xs.end());
  std::vector<int64_t> kernel =
      node.attrInts("kernel_shape", std::vector<int64_t>(ws.begin() + 2, ws.end()));
  std::vector<int64_t> stride = node.attrInts("strides", std::vector<int64_t>(n, 1));
  std::vector<int64_t> dilation =
      node.attrInts("dilations", std::vector<int64_t>(n, 1));
  std::vector<int64_t> outPad =
      node.attrInts("output_padding", std::vector<int64_t>(n, 0));
  std::vector<int64_t> pads = node.attrInts("pads", std::vector<int64_t>(2 * n, 0));
  std::vector<int64_t> outShape = node.attrInts("output_shape");
  if (kernel.size() != n || stride.size() != n || dilation.size() != n ||
      outPad.size() != n || pads.size() != 2 * n ||
      kernel != std::vector<int64_t>(ws.begin() + 2, ws.end()))
    fail("window attributes do not match the weight " + shapeStr(ws));
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  if (outShape.size() > n)
    outShape.erase(outShape.begin(), outShape.end() - n);
  if (outShape.empty() && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"))
    for (size_t i = 0; i < n; ++i)
      outShape.push_back(in[i] * stride[i]);
  std::vector<int64_t> out(n), growBegin(n), growEnd(n);
  for (size_t i = 0; i < n; ++i) {
    if (stride[i] < 1 || dilation[i] < 1 || outPad[i] < 0 ||
        outPad[i] >= std::max(stride[i], dilation[i]))
      fail("strides, dilations or output_padding are out of range");
    int64_t full = stride[i] * (in[i] - 1) + outPad[i] +
                   (kernel[i] - 1) * dilation[i] + 1;
    if (!outShape.empty()) {
      // As ONNX's reference: floor division, also for negative totals.
      int64_t total = full - outShape[i];
      int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2);
      pads[i] = autoPad == "SAME_UPPER" ? half : total - half;
      pads[n + i] = total - pads[i];
    }
    out[i] = full - pads[i] - pads[n + i];
    // An output larger than the full transposed convolution (negative
    // padding) has zeros beyond it: computed unpadded, then padded.
    growBegin[i] = std::max<int64_t>(0, -pads[i]);
    growEnd[i] = std::max<int64_t>(0, -pads[n + i]);
    pads[i] += growBegin[i];
    pads[n + i] += growEnd[i];
    if (out[i] < 1)
      fail("the output would be empty");
  }
  for (size_t i = 0; i < n; ++i)
    out[i] -= growBegin[i] + growEnd[i];
  if (spatial == 1) {
    growBegin.insert(growBegin.begin(), 0);
    growEnd.insert(growEnd.begin(), 0);
    out.insert(out.begin(), 1);
    stride.insert(stride.begin(), 1);
    dilation.insert(dilation.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  std::vector<int64_t> resultShape{xs[0], ws[1] * groups, out[0], out[1]};
  auto type = RankedTensorType::get(resultShape,
                                    cast<RankedTensorType>(x.getType())
                                        .getElementType());
  Value y = Conv2DBackwardInputOp::create(e.b, e.loc, type, to2d(e, x),
                                          to2d(e, w), stride, pads, dilation,
                                          groups);
  y = e.pad(y, {0, 0, growBegin[0], growBegin[1]},
            {0, 0, growEnd[0], growEnd[1]}, 0.0);
  y = from2d(e, y, spatial);
  if (node.hasInput(2))
    y = addChannelBias(e, y, node.input(2));
  node.setOutput(0, y);
}

/// Max and average pooling.
void convertPool(Node &node, bool isMax) {
  Emitter &e = node.emit;
  Value x = node.input(0);
  requireFloat(x, "input");
  int64_t spatial = spatialRank(x, "pooling");
  std::vector<int64_t> xs = shapeOf(x);
  Window win = windowTo2d(windowOf(
      node, std::vector<int64_t>(xs.begin() + 2, xs.end()),
      node.attrInts("kernel_shape")));
  if (!isMax && (win.dilation[0] != 1 || win.dilation[1] != 1))
    fail("average pooling with dilations is unsupported");
  bool ceil = node.attrInt("ceil_mode", 0);
  Value x2 = to2d(e, x);
  std::vector<int64_t> s = shapeOf(x2);
  // Ceil mode: extra padding at the end makes the last window fit.
  std::vector<int64_t> extra(2), out(2);
  for (int i = 0; i < 2; ++i) {
    out[i] = outSize(s[2 + i], win.kernel[i], win.stride[i], win.dilation[i],
                     win.padBegin[i] + win.padEnd[i], ceil);
    extra[i] = std::max<int64_t>(
        0, (out[i] - 1) * win.stride[i] +
               (win.kernel[i] - 1) * win.dilation[i] + 1 -
               (s[2 + i] + win.padBegin[i] + win.padEnd[i]));
  }
  std::vector<int64_t> pad{win.padBegin[0], win.padBegin[1],
                           win.padEnd[0] + extra[0], win.padEnd[1] + extra[1]};
  Value y;
  if (isMax) {
    y = MaxPool2DOp::create(e.b, e.loc, x2, win.kernel, win.stride, pad,
                            win.dilation);
  } else {
    y = AvgPool2DOp::create(e.b, e.loc, x2, win.kernel, win.stride, pad);
    // kiln divides by the window size; ONNX by the number of positions in
    // the input (count_include_pad = 0) or in the padded input.
    bool includePad = node.attrInt("count_include_pad", 0);
    int64_t window = win.kernel[0] * win.kernel[1];
    std::vector<int64_t> counts(out[0] * out[1]);
    bool uniform = true;
    for (int64_t i = 0; i < out[0]; ++i)
      for (int64_t j = 0; j < out[1]; ++j) {
        int64_t c = 1;
        int64_t pos[2] = {i, j};
        for (int d = 0; d < 2; ++d) {
          int64_t lo = includePad ? -win.padBegin[d] : 0;
          int64_t hi = includePad ? s[2 + d] + win.padEnd[d] : s[2 + d];
          int64_t start = pos[d] * win.stride[d] - win.padBegin[d];
          int64_t inside = std::min(start + win.kernel[d], hi) -
                           std::max(start, lo);
          c *= std::max<int64_t>(inside, 0);
        }
        counts[i * out[1] + j] = c;
        uniform &= c == window;
      }
    if (!uniform) {
      std::vector<double> scale(counts.size());
      for (size_t k = 0; k < counts.size(); ++k)
        scale[k] = counts[k] ? double(window) / double(counts[k]) : 0.0;
      Value factor = e.constant(
          HostTensor::make(dtypeOf(y), {1, 1, out[0], out[1]}, scale));
      y = e.binary<MulOp>(y, factor);
    }
  }
  node.setOutput(0, from2d(e, y, spatial));
}

/// Softmax, LogSoftmax, Hardmax: before opset 13 over the flattened
/// dimensions from `axis` on, from 13 on over the one axis.
void convertSoftmaxLike(Node &node, int kind) {
  Emitter &e = node.emit;
  Value x = node.input(0);
  requireFloat(x, "input");
  std::vector<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  auto apply = [&](Value v, int64_t axis) -> Value {
    if (kind == 0)
      return SoftmaxOp::create(e.b, e.loc, v, axis);
    if (kind == 1)
      return LogSoftmaxOp::create(e.b, e.loc, v, axis);
    // Hardmax: 1 at the first maximum along the axis.
    std::vector<int64_t> s = shapeOf(v);
    Value m = e.reduceMax(v, {axis}, true);
    Value index = e.iota(s, axis);
    Value first = e.reduceMin(
        e.select(e.compare(ComparePredicate::eq, v, m), index,
                 e.like(index, double(s[axis]))),
        {axis}, true);
    return e.cast(e.compare(ComparePredicate::eq, index, first), dtypeOf(v));
  };
  if (node.opset >= 13) {
    int64_t axis = normalizeAxis(node.attrInt("axis", -1), rank, "axis");
    return node.setOutput(0, apply(x, axis));
  }
  int64_t axis = node.attrInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    fail("axis out of range");
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? rows : cols) *= shape[d];
  Value y = apply(e.reshape(x, {rows, cols}), 1);
  node.setOutput(0, e.reshape(y, shape));
}

/// Per-channel parameters (dimension 1 of the input) reshaped to
/// broadcast against it.
Value perChannel(Emitter &e, Value p, const std::vector<int64_t> &xs) {
  std::vector<int64_t> ps = shapeOf(p);
  std::vector<int64_t> shape(xs.size(), 1);
  if (ps.size() == 1 && xs.size() >= 2 && ps[0] == xs[1]) {
    shape[1] = xs[1];
  } else if (ps == std::vector<int64_t>(xs.begin() + 1, xs.end())) {
    std::copy(ps.begin(), ps.end(), shape.begin() + 1);
  } else {
    fail("parameter " + shapeStr(ps) + " does not match input " +
         shapeStr(xs) + " per channel");
  }
  return e.reshape(p, shape);
}

/// (x - mean) / sqrt(var + eps) over `axes`; also returns mean and
/// 1 / sqrt(var + eps) (kept dimensions).
std::tuple<Value, Value, Value> normalize(Emitter &e, Value x,
                                          const std::vector<int64_t> &axes,
                                          double eps) {
  Value mean = e.reduceMean(x, axes, true);
  Value centered = e.binary<SubOp>(x, mean);
  Value var = e.reduceMean(e.binary<MulOp>(centered, centered), axes, true);
  Value inv = e.unary<RsqrtOp>(e.binary<AddOp>(var, e.like(var, eps)));
  return {e.binary<MulOp>(centered, inv), mean, inv};
}

void convertBatchNorm(Node &node) {
  Emitter &e = node.emit;
  Value x = node.input(0);
  requireFloat(x, "input");
  bool training = node.attrInt("training_mode", 0);
  if (!training)
    for (int o = 1; o < node.numOutputs(); ++o)
      if (node.hasOutput(o))
        fail("the running statistics outputs (training mode before opset "
             "14) are unsupported");
  std::vector<int64_t> xs = shapeOf(x);
  double eps = node.attrFloat("epsilon", 1e-5);
  if (training) {
    // Batch statistics normalize; the running ones are updated with
    // `momentum` (population variance, as ONNX's reference).
    std::vector<int64_t> axes{0};
    for (size_t d = 2; d < xs.size(); ++d)
      axes.push_back(d);
    auto [y, mean, inv] = normalize(e, x, axes, eps);
    y = e.binary<MulOp>(y, perChannel(e, node.input(1), xs));
    node.setOutput(0, e.binary<AddOp>(y, perChannel(e, node.input(2), xs)));
    double momentum = node.attrFloat("momentum", 0.9);
    Value centered = e.binary<SubOp>(x, mean);
    Value var = e.reduceMean(e.binary<MulOp>(centered, centered), axes, false);
    Value batchMean = e.reduceMean(x, axes, false);
    auto blend = [&](Value running, Value current) {
      return e.binary<AddOp>(
          e.binary<MulOp>(running, e.like(running, momentum)),
          e.binary<MulOp>(current, e.like(current, 1 - momentum)));
    };
    node.setOutput(1, blend(node.input(3), batchMean));
    node.setOutput(2, blend(node.input(4), var));
    return;
  }
  // y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a.
  Value scale = perChannel(e, node.input(1), xs);
  Value bias = perChannel(e, node.input(2), xs);
  Value mean = perChannel(e, node.input(3), xs);
  Value var = perChannel(e, node.input(4), xs);
  Value a = e.binary<MulOp>(
      scale, e.unary<RsqrtOp>(e.binary<AddOp>(var, e.like(var, eps))));
  Value b = e.binary<SubOp>(bias, e.binary<MulOp>(mean, a));
  node.setOutput(0, e.binary<AddOp>(e.binary<MulOp>(x, a), b));
}

} // namespace

void kiln::onnx_import::addNNConverters(ConverterTable &t) {
  Converter matmul;
  matmul.convert = [](Node &node) {
    Emitter &e = node.emit;
    Value a = node.input(0), b = node.input(1);
    std::vector<int64_t> as = shapeOf(a), bs = shapeOf(b);
    if (as.empty() || bs.empty())
      fail("matrix product of a scalar");
    bool vecA = as.size() == 1, vecB = bs.size() == 1;
    if (vecA)
      a = e.reshape(a, {1, as[0]});
    if (vecB)
      b = e.reshape(b, {bs[0], 1});
    Value y = e.matmul(a, b);
    std::vector<int64_t> ys = shapeOf(y);
    if (vecA)
      ys.erase(ys.end() - 2);
    if (vecB)
      ys.pop_back();
    node.setOutput(0, e.reshape(y, ys));
  };
  t["MatMul"] = matmul;

  Converter gemm;
  gemm.convert = [](Node &node) {
    Emitter &e = node.emit;
    Value a = node.input(0), b = node.input(1);
    if (shapeOf(a).size() != 2 || shapeOf(b).size() != 2)
      fail("Gemm needs 2-D A and B");
    Value y = e.matmul(a, b, node.attrInt("transA", 0),
                       node.attrInt("transB", 0));
    double alpha = node.attrFloat("alpha", 1.0), beta = node.attrFloat("beta", 1.0);
    if (alpha != 1.0)
      y = e.binary<MulOp>(y, e.like(y, alpha));
    if (node.hasInput(2)) {
      Value c = node.input(2);
      if (beta != 1.0)
        c = e.binary<MulOp>(c, e.like(c, beta));
      y = e.binary<AddOp>(y, e.broadcastTo(c, shapeOf(y)));
    }
    node.setOutput(0, y);
  };
  t["Gemm"] = gemm;

  Converter conv;
  conv.check = checkAutoPad;
  conv.convert = convertConv;
  t["Conv"] = conv;
  Converter convTranspose;
  convTranspose.check = checkAutoPad;
  convTranspose.convert = convertConvTranspose;
  t["ConvTranspose"] = convTranspose;

  Converter maxPool;
  maxPool.check = [](const onnx::NodeProto &node, int64_t opset) {
    if (node.output_size() > 1 && !node.output(1).empty())
      return std::string("the Indices output");
    return checkAutoPad(node, opset);
  };
  maxPool.convert = [](Node &node) { convertPool(node, true); };
  t["MaxPool"] = maxPool;
  Converter avgPool;
  avgPool.check = checkAutoPad;
  avgPool.convert = [](Node &node) { convertPool(node, false); };
  t["AveragePool"] = avgPool;

  auto global = [](bool isMax) {
    Converter c;
    c.convert = [=](Node &node) {
      Value x = node.input(0);
      requireFloat(x, "input");
      std::vector<int64_t> axes(shapeOf(x).size() - 2);
      std::iota(axes.begin(), axes.end(), 2);
      node.setOutput(0, isMax ? node.emit.reduceMax(x, axes, true)
                              : node.emit.reduceMean(x, axes, true));
    };
    return c;
  };
  t["GlobalAveragePool"] = global(false);
  t["GlobalMaxPool"] = global(true);
  t["GlobalAveragePool"].minOpset = t["GlobalMaxPool"].minOpset = 1;

  Converter batchNorm;
  batchNorm.convert = convertBatchNorm;
  t["BatchNormalization"] = batchNorm;

  Converter instanceNorm;
  instanceNorm.convert = [](Node &node) {
    Emitter &e = node.emit;
    Value x = node.input(0);
    requireFloat(x, "input");
    std::vector<int64_t> xs = shapeOf(x);
    if (xs.size() < 3)
      fail("input of rank " + std::to_string(xs.size()));
    std::vector<int64_t> axes(xs.size() - 2);
    std::iota(axes.begin(), axes.end(), 2);
    Value y = std::get<0>(normalize(e, x, axes, node.attrFloat("epsilon", 1e-5)));
    y = e.binary<MulOp>(y, perChannel(e, node.input(1), xs));
    node.setOutput(0, e.binary<AddOp>(y, perChannel(e, node.input(2), xs)));
  };
  t["InstanceNormalization"] = instanceNorm;

  Converter layerNorm;
  layerNorm.minOpset = 17;
  layerNorm.convert = [](Node &node) {
    Emitter &e = node.emit;
    Value x = node.input(0);
    requireFloat(x, "input");
    int64_t rank = shapeOf(x).size();
    int64_t axis = normalizeAxis(node.attrInt("axis", -1), rank, "axis");
    std::vector<int64_t> axes(rank - axis);
    std::iota(axes.begin(), axes.end(), axis);
    auto [y, mean, inv] =
        normalize(e, x, axes, node.attrFloat("epsilon", 1e-5));
    y = e.binary<MulOp>(y, node.input(1));
    if (node.hasInput(2))
      y = e.binary<AddOp>(y, node.input(2));
    node.setOutput(0, y);
    node.setOutput(1, mean);
    node.setOutput(2, inv);
  };
  t["LayerNormalization"] = layerNorm;

  for (int kind = 0; kind < 3; ++kind) {
    Converter c;
    c.convert = [=](Node &node) { convertSoftmaxLike(node, kind); };
    t[kind == 0 ? "Softmax" : kind == 1 ? "LogSoftmax" : "Hardmax"] = c;
  }

  Converter trilu;
  trilu.minOpset = 14;
  trilu.convert = [](Node &node) {
    Emitter &e = node.emit;
    Value x = node.input(0);
    std::vector<int64_t> s = shapeOf(x);
    if (s.size() < 2)
      fail("input of rank " + std::to_string(s.size()));
    int64_t k = 0;
    if (node.hasInput(1)) {
      const HostTensor &kt = node.requireConstant(1, "k");
      if (kt.numElements() != 1)
        fail("k must be a scalar");
      k = kt.intAt(0);
    }
    bool upper = node.attrInt("upper", 1);
    int64_t rows = s[s.size() - 2], cols = s.back();
    std::vector<int64_t> keep(rows * cols);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        keep[i * cols + j] = upper ? j - i >= k : j - i <= k;
    Value mask = e.constant(HostTensor::fromInts(DType::I1, {rows, cols}, keep));
    node.setOutput(0, e.select(mask, x, e.like(x, 0)));
  };
  t["Trilu"] = trilu;
}
