//===- KilnNNOps.cpp - Verifiers and type inference of the NN ops --------===//
//
// Convolution and pooling share one window computation; each backward op
// checks its operands by inferring the forward op's result from its own
// result type (the forward input or filter) and comparing it with `dy`.
//
//===----------------------------------------------------------------------===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "ir/KilnNNOps.cpp.inc"

namespace {
/// Reports as the op's verifier would ("'kiln.conv2d' op ..."), from type
/// inference (which has only an optional location) and from verifiers.
/// Inference runs on unverified IR, so nothing here assumes valid operands.
struct Reporter {
  std::optional<Location> loc;
  StringRef opName;

  template <typename... Args> LogicalResult operator()(Args &&...args) const {
    return emitOptionalError(loc, "'kiln.", opName, "' op ",
                             std::forward<Args>(args)...);
  }
};

RankedTensorType asTensor(Value value) {
  return value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
}

/// `values` has `count` entries, each >= `min`.
LogicalResult checkEntries(const Reporter &report, StringRef name,
                           DenseI64ArrayAttr attr, size_t count, int64_t min,
                           StringRef layout) {
  if (!attr)
    return report("requires a '", name, "' attribute");
  ArrayRef<int64_t> values = attr.asArrayRef();
  if (values.size() == count &&
      llvm::all_of(values, [&](int64_t v) { return v >= min; }))
    return success();
  return report(name, " [", values, "] must have ", count, " entries ", layout,
                ", each >= ", min);
}

/// The window of a convolution or pooling op over the two spatial
/// dimensions: kernel extent, stride, padding and dilation.
struct Window {
  int64_t kernel[2];
  ArrayRef<int64_t> stride, padding, dilation;
};

/// Checks the window attributes (dilation may be absent: all ones).
LogicalResult checkWindowAttributes(const Reporter &report,
                                    DenseI64ArrayAttr stride,
                                    DenseI64ArrayAttr padding,
                                    DenseI64ArrayAttr dilation) {
  if (failed(checkEntries(report, "stride", stride, 2, 1, "(height, width)")) ||
      failed(checkEntries(report, "padding", padding, 4, 0,
                          "(top, left, bottom, right)")))
    return failure();
  if (dilation)
    return checkEntries(report, "dilation", dilation, 2, 1, "(height, width)");
  return success();
}

/// The output [OH, OW] of `window` over the last two dimensions of the
/// 4-D `input`, or an error naming `inputName` when the padded input is
/// smaller than the dilated window.
FailureOr<SmallVector<int64_t, 2>> windowOutputSize(const Reporter &report,
                                                    StringRef inputName,
                                                    RankedTensorType input,
                                                    const Window &window) {
  SmallVector<int64_t, 2> size, padded, extent;
  for (int d = 0; d < 2; ++d) {
    padded.push_back(input.getDimSize(2 + d) + window.padding[d] +
                     window.padding[2 + d]);
    extent.push_back(window.dilation[d] * (window.kernel[d] - 1) + 1);
    size.push_back((padded[d] - extent[d]) / window.stride[d] + 1);
  }
  if (padded[0] >= extent[0] && padded[1] >= extent[1])
    return size;
  std::string kernel =
      std::to_string(window.kernel[0]) + "x" + std::to_string(window.kernel[1]);
  if (window.dilation[0] != 1 || window.dilation[1] != 1)
    kernel += " dilated by " + std::to_string(window.dilation[0]) + "x" +
              std::to_string(window.dilation[1]);
  return report(inputName, " ", input, " padded to ", padded[0], "x", padded[1],
                " is smaller than the window, which spans ", extent[0], "x",
                extent[1], " (kernel ", kernel, ")");
}

LogicalResult checkRank4(const Reporter &report, StringRef name,
                         RankedTensorType type, StringRef layout) {
  if (type && type.getRank() == 4)
    return success();
  if (!type)
    return report(name, " must be a ranked tensor");
  return report(name, " ", type, " must be 4-D ", layout);
}

/// The result type of a 2-D convolution of `input` by `filter`. The operands
/// are named for messages: a backward op passes its result in one role.
FailureOr<RankedTensorType>
inferConv2d(const Reporter &report, StringRef inputName, RankedTensorType input,
            StringRef filterName, RankedTensorType filter,
            DenseI64ArrayAttr stride, DenseI64ArrayAttr padding,
            DenseI64ArrayAttr dilation, IntegerAttr groupsAttr) {
  if (failed(checkRank4(report, inputName, input, "[N, C, H, W]")) ||
      failed(checkRank4(report, filterName, filter, "[O, C / groups, kH, kW]")))
    return failure();
  if (input.getElementType() != filter.getElementType())
    return report(inputName, " ", input, " and ", filterName, " ", filter,
                  " must have the same element type");
  if (!groupsAttr || !dilation)
    return report("requires 'dilation' and 'groups' attributes");
  if (failed(checkWindowAttributes(report, stride, padding, dilation)))
    return failure();
  int64_t groups = groupsAttr.getInt();
  int64_t channels = input.getDimSize(1), outChannels = filter.getDimSize(0);
  if (groups < 1 || channels % groups != 0 || outChannels % groups != 0)
    return report("groups ", groups, " must be >= 1 and divide the ", inputName,
                  " channels (C = ", channels, ") and the ", filterName,
                  " output channels (O = ", outChannels, ")");
  if (filter.getDimSize(1) * groups != channels)
    return report(filterName, " ", filter,
                  " must have C / groups = ", channels / groups,
                  " input channels: ", inputName, " ", input,
                  " has C = ", channels, " in ", groups, " group(s)");
  if (filter.getDimSize(2) < 1 || filter.getDimSize(3) < 1)
    return report(filterName, " ", filter, " must have a kernel of at least ",
                  "1x1");
  Window window{{filter.getDimSize(2), filter.getDimSize(3)},
                stride.asArrayRef(),
                padding.asArrayRef(),
                dilation.asArrayRef()};
  auto size = windowOutputSize(report, inputName, input, window);
  if (failed(size))
    return failure();
  return input.clone(
      {input.getDimSize(0), outChannels, (*size)[0], (*size)[1]});
}

/// The result type of 2-D pooling of `input`; `dilation` is null for
/// average pooling.
FailureOr<RankedTensorType>
inferPool2d(const Reporter &report, StringRef inputName, RankedTensorType input,
            DenseI64ArrayAttr kernel, DenseI64ArrayAttr stride,
            DenseI64ArrayAttr padding, DenseI64ArrayAttr dilation) {
  if (failed(checkRank4(report, inputName, input, "[N, C, H, W]")) ||
      failed(checkEntries(report, "kernel", kernel, 2, 1, "(height, width)")) ||
      failed(checkWindowAttributes(report, stride, padding, dilation)))
    return failure();
  static constexpr int64_t noDilation[2] = {1, 1};
  Window window{{kernel[0], kernel[1]},
                stride.asArrayRef(),
                padding.asArrayRef(),
                dilation ? dilation.asArrayRef() : ArrayRef(noDilation)};
  auto size = windowOutputSize(report, inputName, input, window);
  if (failed(size))
    return failure();
  return input.clone(
      {input.getDimSize(0), input.getDimSize(1), (*size)[0], (*size)[1]});
}

/// A backward op's `dy` must have the type of the forward result.
LogicalResult checkGradientType(const Reporter &report, Type dy,
                                RankedTensorType forward, StringRef forwardOp,
                                StringRef operands) {
  if (dy == forward)
    return success();
  return report("dy ", dy, " must have the type of the ", forwardOp,
                " result for ", operands, ", ", forward);
}

/// The result of an inference helper as inferReturnTypes reports it.
LogicalResult returnType(FailureOr<RankedTensorType> type,
                         SmallVectorImpl<Type> &types) {
  if (failed(type))
    return failure();
  types.push_back(*type);
  return success();
}

std::string describe(StringRef name, Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << name << " '" << type << "'";
  return text;
}
} // namespace

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return returnType(
      inferConv2d({loc, "conv2d"}, "input", asTensor(adaptor.getInput()),
                  "filter", asTensor(adaptor.getFilter()),
                  adaptor.getStrideAttr(), adaptor.getPaddingAttr(),
                  adaptor.getDilationAttr(), adaptor.getGroupsAttr()),
      types);
}

LogicalResult Conv2DBackwardInputOp::verify() {
  Reporter report{getLoc(), "conv2d_backward_input"};
  auto forward = inferConv2d(
      report, "result", getType(), "filter", getFilter().getType(),
      getStrideAttr(), getPaddingAttr(), getDilationAttr(), getGroupsAttr());
  if (failed(forward))
    return failure();
  return checkGradientType(report, getDy().getType(), *forward, "conv2d",
                           describe("input", getType()) + " and " +
                               describe("filter", getFilter().getType()));
}

LogicalResult Conv2DBackwardFilterOp::verify() {
  Reporter report{getLoc(), "conv2d_backward_filter"};
  auto forward = inferConv2d(report, "input", getInput().getType(), "result",
                             getType(), getStrideAttr(), getPaddingAttr(),
                             getDilationAttr(), getGroupsAttr());
  if (failed(forward))
    return failure();
  return checkGradientType(report, getDy().getType(), *forward, "conv2d",
                           describe("input", getInput().getType()) + " and " +
                               describe("filter", getType()));
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return returnType(
      inferPool2d({loc, "max_pool2d"}, "input", asTensor(adaptor.getInput()),
                  adaptor.getKernelAttr(), adaptor.getStrideAttr(),
                  adaptor.getPaddingAttr(), adaptor.getDilationAttr()),
      types);
}

LogicalResult MaxPool2DBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  Reporter report{loc, "max_pool2d_backward"};
  auto input = asTensor(adaptor.getInput());
  auto forward = inferPool2d(report, "input", input, adaptor.getKernelAttr(),
                             adaptor.getStrideAttr(), adaptor.getPaddingAttr(),
                             adaptor.getDilationAttr());
  if (failed(forward) ||
      failed(checkGradientType(report, adaptor.getDy().getType(), *forward,
                               "max_pool2d", describe("input", input))))
    return failure();
  types.push_back(input);
  return success();
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  return returnType(
      inferPool2d({loc, "avg_pool2d"}, "input", asTensor(adaptor.getInput()),
                  adaptor.getKernelAttr(), adaptor.getStrideAttr(),
                  adaptor.getPaddingAttr(), nullptr),
      types);
}

LogicalResult AvgPool2DBackwardOp::verify() {
  Reporter report{getLoc(), "avg_pool2d_backward"};
  auto forward = inferPool2d(report, "result", getType(), getKernelAttr(),
                             getStrideAttr(), getPaddingAttr(), nullptr);
  if (failed(forward))
    return failure();
  return checkGradientType(report, getDy().getType(), *forward, "avg_pool2d",
                           describe("input", getType()));
}

//===----------------------------------------------------------------------===//
// Embedding lookup
//===----------------------------------------------------------------------===//

/// The type of `gather(table, indices)`: indices.shape + [D].
static FailureOr<RankedTensorType> inferGather(const Reporter &report,
                                               StringRef tableName,
                                               RankedTensorType table,
                                               RankedTensorType indices) {
  if (!table || !indices)
    return report(tableName, " and indices must be ranked tensors");
  if (table.getRank() != 2)
    return report(tableName, " ", table, " must be 2-D [V, D]");
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(table.getDimSize(1));
  return table.clone(shape);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return returnType(inferGather({loc, "gather"}, "table",
                                asTensor(adaptor.getTable()),
                                asTensor(adaptor.getIndices())),
                    types);
}

LogicalResult ScatterAddOp::verify() {
  Reporter report{getLoc(), "scatter_add"};
  auto rows = inferGather(report, "result", getType(), getIndices().getType());
  if (failed(rows))
    return failure();
  if (getUpdates().getType() != *rows)
    return report("updates ", getUpdates().getType(), " must have the type ",
                  *rows, ": the shape of indices ", getIndices().getType(),
                  " followed by the row size D of the result ", getType());
  return success();
}
