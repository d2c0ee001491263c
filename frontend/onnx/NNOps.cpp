//===- NNOps.cpp - ONNX neural-network ops -------------------------------===//
//
// MatMul, Gemm, convolutions and pooling (1-D as 2-D with height 1),
// normalizations (inference), softmax-like ops and Trilu. ONNX's 2-D pads
// [h_begin, w_begin, h_end, w_end] are kiln's [top, left, bottom, right].
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"

#include <limits>
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
      fail("kernel " + shapeStr(w.kernel) + ", strides " + shapeStr(w.stride) +
           ", dilations " + shapeStr(w.dilation) + " or pads " +
           shapeStr(pads) + " are out of range");
  w.padBegin.assign(pads.begin(), pads.begin() + n);
  w.padEnd.assign(pads.begin() + n, pads.end());
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    std::fill(w.padBegin.begin(), w.padBegin.end(), 0);
    std::fill(w.padEnd.begin(), w.padEnd.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < n; ++i) {
      int64_t out = (inSpatial[i] + w.stride[i] - 1) / w.stride[i];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * w.stride[i] + (w.kernel[i] - 1) * w.dilation[i] + 1 -
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
         " spatial dimensions is unsupported");
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

/// A 3-D convolution as a sum over the kernel's depth of 2-D convolutions
/// of strided depth slices, the output depth folded into the batch.
Value conv3d(Node &node, Value x, Value w, int64_t groups) {
  Emitter &e = node.emit;
  std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  Window win = windowOf(node, {xs[2], xs[3], xs[4]},
                        node.attrInts("kernel_shape", {ws[2], ws[3], ws[4]}));
  if (win.kernel != std::vector<int64_t>{ws[2], ws[3], ws[4]})
    fail("kernel_shape does not match the weight " + shapeStr(ws));
  int64_t outDepth = outSize(xs[2], ws[2], win.stride[0], win.dilation[0],
                             win.padBegin[0] + win.padEnd[0], false);
  for (int i = 1; i < 3; ++i)
    outSize(xs[2 + i], ws[2 + i], win.stride[i], win.dilation[i],
            win.padBegin[i] + win.padEnd[i], false);
  x = e.pad(x, {0, 0, win.padBegin[0], 0, 0}, {0, 0, win.padEnd[0], 0, 0}, 0.0);
  Value acc;
  for (int64_t k = 0; k < ws[2]; ++k) {
    int64_t start = k * win.dilation[0];
    Value slab = e.sliceAxis(
        x, 2, start, start + (outDepth - 1) * win.stride[0] + 1, win.stride[0]);
    slab = e.reshape(e.transpose(slab, {0, 2, 1, 3, 4}),
                     {xs[0] * outDepth, xs[1], xs[3], xs[4]});
    Value filter =
        e.reshape(e.sliceAxis(w, 2, k, k + 1), {ws[0], ws[1], ws[3], ws[4]});
    Value y = Conv2DOp::create(
        e.b, e.loc, slab, filter,
        std::vector<int64_t>{win.stride[1], win.stride[2]},
        std::vector<int64_t>{win.padBegin[1], win.padBegin[2], win.padEnd[1],
                             win.padEnd[2]},
        std::vector<int64_t>{win.dilation[1], win.dilation[2]}, groups);
    acc = acc ? e.binary<AddOp>(acc, y) : y;
  }
  std::vector<int64_t> ys = shapeOf(acc);
  return e.transpose(e.reshape(acc, {xs[0], outDepth, ws[0], ys[2], ys[3]}),
                     {0, 2, 1, 3, 4});
}

void convertConv(Node &node) {
  Emitter &e = node.emit;
  Value x = node.input(0), w = node.input(1);
  requireFloat(x, "input");
  if (shapeOf(x).size() == 5) {
    std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
    int64_t groups = node.attrInt("group", 1);
    if (ws.size() != 5 || dtypeOf(w) != dtypeOf(x) || groups < 1 ||
        xs[1] % groups || ws[0] % groups || ws[1] * groups != xs[1])
      fail("input " + shapeStr(xs) + ", weight " + shapeStr(ws) +
           " and group " + std::to_string(groups) + " do not match");
    Value y = conv3d(node, x, w, groups);
    if (node.hasInput(2))
      y = addChannelBias(e, y, node.input(2));
    return node.setOutput(0, y);
  }
  int64_t spatial = spatialRank(x, "convolution");
  std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  if (ws.size() != xs.size() || dtypeOf(w) != dtypeOf(x))
    fail("weight " + shapeStr(ws) + " does not match input " + shapeStr(xs));
  int64_t groups = node.attrInt("group", 1);
  if (groups < 1 || xs[1] % groups || ws[0] % groups || ws[1] * groups != xs[1])
    fail("input channels " + std::to_string(xs[1]) + ", weight " +
         shapeStr(ws) + " and group " + std::to_string(groups) +
         " do not match");
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  Window win =
      windowTo2d(windowOf(node, std::vector<int64_t>(xs.begin() + 2, xs.end()),
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

/// A 3-D transposed convolution: per kernel depth, a 2-D transposed
/// convolution of every input depth slice, spread along the output depth
/// with interior padding (stride) at its offset, summed, then cropped by
/// the depth padding. `out` is the result size without depth cropping
/// applied twice: out[0] is the cropped depth.
Value convTranspose3d(Emitter &e, Value x, Value w, int64_t groups,
                      const std::vector<int64_t> &stride,
                      const std::vector<int64_t> &dilation,
                      const std::vector<int64_t> &pads,
                      const std::vector<int64_t> &outPad,
                      const std::vector<int64_t> &out) {
  std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  int64_t n = xs[0], depth = xs[2], m = ws[1] * groups;
  int64_t full =
      stride[0] * (depth - 1) + outPad[0] + (ws[2] - 1) * dilation[0] + 1;
  Value slices = e.reshape(e.transpose(x, {0, 2, 1, 3, 4}),
                           {n * depth, xs[1], xs[3], xs[4]});
  auto type = RankedTensorType::get(
      {n * depth, m, out[1], out[2]},
      cast<RankedTensorType>(x.getType()).getElementType());
  Value acc;
  for (int64_t k = 0; k < ws[2]; ++k) {
    Value filter =
        e.reshape(e.sliceAxis(w, 2, k, k + 1), {ws[0], ws[1], ws[3], ws[4]});
    Value z = Conv2DBackwardInputOp::create(
        e.b, e.loc, type, slices, filter,
        std::vector<int64_t>{stride[1], stride[2]},
        std::vector<int64_t>{pads[1], pads[2], pads[4], pads[5]},
        std::vector<int64_t>{dilation[1], dilation[2]}, groups);
    z = e.transpose(e.reshape(z, {n, depth, m, out[1], out[2]}),
                    {0, 2, 1, 3, 4});
    int64_t low = k * dilation[0];
    int64_t high = full - low - ((depth - 1) * stride[0] + 1);
    Value placed = PadOp::create(
        e.b, e.loc, z, std::vector<int64_t>{0, 0, low, 0, 0},
        std::vector<int64_t>{0, 0, high, 0, 0},
        std::vector<int64_t>{0, 0, stride[0] - 1, 0, 0}, llvm::APFloat(0.0));
    acc = acc ? e.binary<AddOp>(acc, placed) : placed;
  }
  return e.sliceAxis(acc, 2, pads[0], pads[0] + out[0]);
}

void convertConvTranspose(Node &node) {
  Emitter &e = node.emit;
  Value x = node.input(0), w = node.input(1);
  requireFloat(x, "input");
  int64_t spatial =
      shapeOf(x).size() == 5 ? 3 : spatialRank(x, "transposed convolution");
  std::vector<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  int64_t groups = node.attrInt("group", 1);
  if (ws.size() != xs.size() || dtypeOf(w) != dtypeOf(x) || groups < 1 ||
      ws[0] != xs[1] || xs[1] % groups)
    fail("weight " + shapeStr(ws) + ", input " + shapeStr(xs) + " and group " +
         std::to_string(groups) + " do not match");
  size_t n = spatial;
  std::vector<int64_t> in(xs.begin() + 2, xs.end());
  std::vector<int64_t> kernel = node.attrInts(
      "kernel_shape", std::vector<int64_t>(ws.begin() + 2, ws.end()));
  std::vector<int64_t> stride =
      node.attrInts("strides", std::vector<int64_t>(n, 1));
  std::vector<int64_t> dilation =
      node.attrInts("dilations", std::vector<int64_t>(n, 1));
  std::vector<int64_t> outPad =
      node.attrInts("output_padding", std::vector<int64_t>(n, 0));
  std::vector<int64_t> pads =
      node.attrInts("pads", std::vector<int64_t>(2 * n, 0));
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
    int64_t full =
        stride[i] * (in[i] - 1) + outPad[i] + (kernel[i] - 1) * dilation[i] + 1;
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
  if (spatial == 3) {
    Value y =
        convTranspose3d(e, x, w, groups, stride, dilation, pads, outPad, out);
    y = e.pad(y, {0, 0, growBegin[0], growBegin[1], growBegin[2]},
              {0, 0, growEnd[0], growEnd[1], growEnd[2]}, 0.0);
    if (node.hasInput(2))
      y = addChannelBias(e, y, node.input(2));
    return node.setOutput(0, y);
  }
  if (spatial == 1) {
    growBegin.insert(growBegin.begin(), 0);
    growEnd.insert(growEnd.begin(), 0);
    out.insert(out.begin(), 1);
    stride.insert(stride.begin(), 1);
    dilation.insert(dilation.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  std::vector<int64_t> resultShape{xs[0], ws[1] * groups, out[0], out[1]};
  auto type = RankedTensorType::get(
      resultShape, cast<RankedTensorType>(x.getType()).getElementType());
  Value y = Conv2DBackwardInputOp::create(
      e.b, e.loc, type, to2d(e, x), to2d(e, w), stride, pads, dilation, groups);
  y = e.pad(y, {0, 0, growBegin[0], growBegin[1]},
            {0, 0, growEnd[0], growEnd[1]}, 0.0);
  y = from2d(e, y, spatial);
  if (node.hasInput(2))
    y = addChannelBias(e, y, node.input(2));
  node.setOutput(0, y);
}

/// How many positions of each window along one dimension lie in the
/// input (or, with `includePad`, in the padded input).
std::vector<int64_t> windowCounts(int64_t in, int64_t k, int64_t s,
                                  int64_t padBegin, int64_t padEnd, int64_t out,
                                  bool includePad) {
  std::vector<int64_t> counts(out);
  int64_t lo = includePad ? -padBegin : 0;
  int64_t hi = includePad ? in + padEnd : in;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - padBegin;
    counts[o] =
        std::max<int64_t>(0, std::min(start + k, hi) - std::max(start, lo));
  }
  return counts;
}

/// MaxPool's Indices: the flat index into the input of each window's first
/// maximum (row-major windows; `storage_order` 1 numbers H and W
/// column-major). Each kernel offset's strided view of the padded input is
/// compared with the maximum; the first offset that matches wins.
Value maxPoolIndices(Emitter &e, Value x, Value y,
                     const std::vector<int64_t> &kernel,
                     const std::vector<int64_t> &stride,
                     const std::vector<int64_t> &pad,
                     const std::vector<int64_t> &dilation,
                     int64_t storageOrder) {
  std::vector<int64_t> xs = shapeOf(x), ys = shapeOf(y);
  int64_t n = xs[0], c = xs[1], h = xs[2], w = xs[3], oh = ys[2], ow = ys[3];
  Value padded = e.pad(x, {0, 0, pad[0], pad[1]}, {0, 0, pad[2], pad[3]},
                       -std::numeric_limits<double>::infinity());
  Value found = e.splat(0, DType::I1, ys);
  Value index = e.splat(0, DType::I64, ys);
  for (int64_t ki = 0; ki < kernel[0]; ++ki)
    for (int64_t kj = 0; kj < kernel[1]; ++kj) {
      int64_t r0 = ki * dilation[0], c0 = kj * dilation[1];
      Value view = e.slice(
          padded, {0, 0, r0, c0},
          {n, c, r0 + (oh - 1) * stride[0] + 1, c0 + (ow - 1) * stride[1] + 1},
          {1, 1, stride[0], stride[1]});
      std::vector<int64_t> where(oh * ow);
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t r = i * stride[0] + r0 - pad[0],
                  q = j * stride[1] + c0 - pad[1];
          where[i * ow + j] = storageOrder ? q * h + r : r * w + q;
        }
      Value here = e.broadcastTo(
          e.constant(HostTensor::fromInts(DType::I64, {1, 1, oh, ow}, where)),
          ys);
      Value hit = e.select(found, e.like(found, 0),
                           e.compare(ComparePredicate::eq, view, y));
      index = e.select(hit, here, index);
      found = e.select(hit, e.like(found, 1), found);
    }
  std::vector<int64_t> base(n * c);
  for (int64_t i = 0; i < n * c; ++i)
    base[i] = i * h * w;
  return e.binary<AddOp>(
      index, e.constant(HostTensor::fromInts(DType::I64, {n, c, 1, 1}, base)));
}

/// Max and average pooling over 1, 2 or 3 spatial dimensions: kiln's 2-D
/// pooling over the last two, a 3-D window's depth combined from strided
/// slices of the 2-D results.
void convertPool(Node &node, bool isMax) {
  Emitter &e = node.emit;
  Value x = node.input(0);
  requireFloat(x, "input");
  std::vector<int64_t> xs = shapeOf(x);
  int64_t spatial = int64_t(xs.size()) - 2;
  if (spatial < 1 || spatial > 3)
    fail("pooling over " + std::to_string(spatial) +
         " spatial dimensions is unsupported");
  std::vector<int64_t> in(xs.begin() + 2, xs.end());
  Window w = windowOf(node, in, node.attrInts("kernel_shape"));
  if (!isMax)
    for (int64_t d : w.dilation)
      if (d != 1)
        fail("average pooling with dilations is unsupported");
  bool ceil = node.attrInt("ceil_mode", 0);
  // Ceil mode: extra padding at the end makes the last window fit.
  std::vector<int64_t> out(spatial), extra(spatial);
  for (int64_t i = 0; i < spatial; ++i) {
    out[i] = outSize(in[i], w.kernel[i], w.stride[i], w.dilation[i],
                     w.padBegin[i] + w.padEnd[i], ceil);
    extra[i] = std::max<int64_t>(0, (out[i] - 1) * w.stride[i] +
                                        (w.kernel[i] - 1) * w.dilation[i] + 1 -
                                        (in[i] + w.padBegin[i] + w.padEnd[i]));
  }
  bool includePad = node.attrInt("count_include_pad", 0);
  std::vector<std::vector<int64_t>> counts(spatial);
  bool uniform = spatial < 3;
  for (int64_t i = 0; i < spatial; ++i) {
    counts[i] = windowCounts(in[i], w.kernel[i], w.stride[i], w.padBegin[i],
                             w.padEnd[i], out[i], includePad);
    for (int64_t c : counts[i])
      uniform &= c == w.kernel[i];
  }

  // The 2-D part: the last two dimensions (height 1 for 1-D).
  Value v = x;
  int64_t first = spatial == 1 ? -1 : spatial - 2; // first 2-D dim
  auto pick = [&](const std::vector<int64_t> &vals, int64_t fill) {
    return std::vector<int64_t>{first < 0 ? fill : vals[first],
                                vals[spatial - 1]};
  };
  std::vector<int64_t> kernel = pick(w.kernel, 1), stride = pick(w.stride, 1),
                       dilation = pick(w.dilation, 1);
  std::vector<int64_t> lo = pick(w.padBegin, 0), hi = pick(w.padEnd, 0),
                       more = pick(extra, 0);
  std::vector<int64_t> pad{lo[0], lo[1], hi[0] + more[0], hi[1] + more[1]};
  int64_t depth = 0;
  if (spatial == 3) {
    // Pad the depth (padding never wins a maximum), fold it into channels.
    std::vector<int64_t> low(5, 0), high(5, 0);
    low[2] = w.padBegin[0];
    high[2] = w.padEnd[0] + extra[0];
    v = e.pad(v, low, high,
              isMax ? -std::numeric_limits<double>::infinity() : 0.0);
    depth = shapeOf(v)[2];
    v = e.reshape(v, {xs[0], xs[1] * depth, xs[3], xs[4]});
  } else if (spatial == 1) {
    v = e.reshape(v, {xs[0], xs[1], 1, xs[2]});
  }
  Value y;
  if (isMax)
    y = MaxPool2DOp::create(e.b, e.loc, v, kernel, stride, pad, dilation);
  else
    y = AvgPool2DOp::create(e.b, e.loc, v, kernel, stride, pad);
  if (isMax && node.hasOutput(1)) {
    if (spatial != 2)
      fail("the Indices output of " + std::to_string(spatial) +
           "-D max pooling is unsupported");
    node.setOutput(1, maxPoolIndices(e, x, y, kernel, stride, pad, dilation,
                                     node.attrInt("storage_order", 0)));
  }
  std::vector<int64_t> ys = shapeOf(y);
  if (!isMax && !uniform) // window sums
    y = e.binary<MulOp>(y, e.like(y, double(kernel[0] * kernel[1])));
  if (spatial == 3) {
    y = e.reshape(y, {xs[0], xs[1], depth, ys[2], ys[3]});
    Value acc;
    for (int64_t k = 0; k < w.kernel[0]; ++k) {
      int64_t start = k * w.dilation[0];
      Value part = e.sliceAxis(
          y, 2, start, start + (out[0] - 1) * w.stride[0] + 1, w.stride[0]);
      acc = !acc    ? part
            : isMax ? e.binary<MaxOp>(acc, part)
                    : e.binary<AddOp>(acc, part);
    }
    y = acc;
  } else if (spatial == 1) {
    y = e.reshape(y, {xs[0], xs[1], ys[3]});
  }
  if (!isMax && !uniform) {
    // Divide each window's sum by its count (ONNX's count_include_pad).
    int64_t n = 1;
    for (int64_t o : out)
      n *= o;
    std::vector<double> scale(n);
    for (int64_t i = 0; i < n; ++i) {
      int64_t rest = i, count = 1;
      for (int64_t d = spatial - 1; d >= 0; --d) {
        count *= counts[d][rest % out[d]];
        rest /= out[d];
      }
      scale[i] = count ? 1.0 / double(count) : 0.0;
    }
    std::vector<int64_t> shape{1, 1};
    shape.insert(shape.end(), out.begin(), out.end());
    y = e.binary<MulOp>(y,
                        e.constant(HostTensor::make(dtypeOf(y), shape, scale)));
  }
  node.setOutput(0, y);
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
    Value first = e.reduceMin(e.select(e.compare(ComparePredicate::eq, v, m),
                                       index, e.like(index, double(s[axis]))),
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
    fail("parameter " + shapeStr(ps) + " does not match input " + shapeStr(xs) +
         " per channel");
  }
  return e.reshape(p, shape);
}

/// (x - mean) / sqrt(var + eps) over `axes`; also returns mean and
/// 1 / sqrt(var + eps) (kept dimensions).
std::tuple<Value, Value, Value>
normalize(Emitter &e, Value x, const std::vector<int64_t> &axes, double eps) {
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
    Value y =
        e.matmul(a, b, node.attrInt("transA", 0), node.attrInt("transB", 0));
    double alpha = node.attrFloat("alpha", 1.0),
           beta = node.attrFloat("beta", 1.0);
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
  maxPool.check = checkAutoPad;
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
    Value y =
        std::get<0>(normalize(e, x, axes, node.attrFloat("epsilon", 1e-5)));
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
    Value mask =
        e.constant(HostTensor::fromInts(DType::I1, {rows, cols}, keep));
    node.setOutput(0, e.select(mask, x, e.like(x, 0)));
  };
  t["Trilu"] = trilu;
}
