//===- Importer.h - Internals of the ONNX importer --------------*- C++ -*-===//
//
// Shared by the importer's files (not installed): the values a graph walk
// tracks, the per-node context converters see, the IR-building helpers
// that check what kiln's type inference would reject, and the converter
// registry.
//
// Converters report a problem by throwing ImportError; the graph walk
// turns it into one diagnostic at the node's location.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_ONNX_IMPORTER_H
#define KILN_FRONTEND_ONNX_IMPORTER_H

#include "ir/Kiln.h"
#include "runtime/Runtime.h"

#include "mlir/IR/Builders.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln::onnx_import {

struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void fail(const std::string &message);

//===----------------------------------------------------------------------===//
// Host tensors: constants known while importing
//===----------------------------------------------------------------------===//

/// A constant held on the host: integers and booleans in `ints`, floats in
/// `floats` (as double; f32 values round-trip exactly).
struct HostTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<double> floats;
  std::vector<int64_t> ints;

  bool isFloat() const { return dtype == DType::F32 || dtype == DType::F64; }
  int64_t numElements() const;
  double at(int64_t i) const { return isFloat() ? floats[i] : double(ints[i]); }
  int64_t intAt(int64_t i) const;
  /// All elements as integers (floats truncated).
  std::vector<int64_t> toInts() const;
  /// A tensor of `dtype` and `shape` with `values` converted (floats) or
  /// truncated and wrapped (integers, booleans as != 0).
  static HostTensor make(DType dtype, std::vector<int64_t> shape,
                         const std::vector<double> &values);
  static HostTensor fromInts(DType dtype, std::vector<int64_t> shape,
                             std::vector<int64_t> values);
  void set(int64_t i, double value);
};

/// The Kiln dtype of an ONNX TensorProto data type; nullopt if Kiln has
/// none.
std::optional<DType> dtypeFromOnnx(int32_t onnxType);
/// "float", "uint8", ... for messages.
std::string onnxTypeName(int32_t onnxType);
/// Decodes a TensorProto (raw or typed data); throws ImportError naming
/// `what` on malformed data or an unsupported type.
HostTensor decodeTensor(const onnx::TensorProto &proto,
                        const std::string &what);
/// A runtime tensor of the same dtype, shape and values, and back.
Tensor toRuntimeTensor(const HostTensor &host);
HostTensor fromRuntimeTensor(const Tensor &tensor);

/// Folds an elementwise op with NumPy broadcasting on the host. `onInts`
/// (if given) is used when every input is an integer or bool tensor,
/// `onFloats` otherwise; results are converted to `resultType`.
HostTensor hostElementwise(
    const std::vector<const HostTensor *> &inputs, DType resultType,
    const std::function<double(const std::vector<double> &)> &onFloats,
    const std::function<int64_t(const std::vector<int64_t> &)> &onInts);
/// The slices at `positions` (in range) along `axis`, the positions laid
/// out as `positionsShape` (numpy.take).
HostTensor hostTake(const HostTensor &data, int64_t axis,
                    const std::vector<int64_t> &positions,
                    std::vector<int64_t> positionsShape);
/// Folding limit: larger results are computed at run time.
constexpr int64_t kMaxFoldElements = int64_t(1) << 16;

/// Number of elements of `shape`; throws on a negative dimension or
/// overflow past 2^40 elements.
int64_t checkedNumElements(const std::vector<int64_t> &shape,
                           const std::string &what);
std::string shapeStr(const std::vector<int64_t> &shape);

//===----------------------------------------------------------------------===//
// IR building
//===----------------------------------------------------------------------===//

mlir::Type elementTypeOf(mlir::MLIRContext *context, DType dtype);
DType dtypeOf(mlir::Value value);
std::vector<int64_t> shapeOf(mlir::Value value);

/// Builds kiln ops at one location. Every helper checks what kiln's type
/// inference and verifiers would reject and throws ImportError instead, so
/// a malformed model can never reach an assertion.
class Emitter {
public:
  Emitter(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  mlir::Value constant(const HostTensor &value);
  /// A tensor of `shape` with every element `value`.
  mlir::Value splat(double value, DType dtype,
                    const std::vector<int64_t> &shape = {});
  /// `value` as a scalar of x's dtype broadcast to x's shape.
  mlir::Value like(mlir::Value x, double value);

  mlir::Value broadcastTo(mlir::Value x, const std::vector<int64_t> &shape);
  mlir::Value reshape(mlir::Value x, const std::vector<int64_t> &shape);
  mlir::Value cast(mlir::Value x, DType dtype);
  mlir::Value transpose(mlir::Value x, const std::vector<int64_t> &perm);
  mlir::Value slice(mlir::Value x, const std::vector<int64_t> &start,
                    const std::vector<int64_t> &limit,
                    const std::vector<int64_t> &stride);
  /// Slice of one axis, [start, limit) with `stride`.
  mlir::Value sliceAxis(mlir::Value x, int64_t axis, int64_t start,
                        int64_t limit, int64_t stride = 1);
  mlir::Value concat(const std::vector<mlir::Value> &xs, int64_t axis);
  mlir::Value pad(mlir::Value x, const std::vector<int64_t> &low,
                  const std::vector<int64_t> &high, double value);
  /// Reverses `axis`.
  mlir::Value reverse(mlir::Value x, int64_t axis);

  /// Elementwise binary op with NumPy broadcasting; operands of one dtype.
  template <typename OpTy> mlir::Value binary(mlir::Value a, mlir::Value b) {
    auto [x, y] = broadcastPair(a, b, OpTy::getOperationName());
    return OpTy::create(this->b, loc, x, y);
  }
  template <typename OpTy> mlir::Value unary(mlir::Value x) {
    return OpTy::create(b, loc, x);
  }
  mlir::Value compare(ComparePredicate predicate, mlir::Value a, mlir::Value b);
  mlir::Value select(mlir::Value condition, mlir::Value onTrue,
                     mlir::Value onFalse);
  /// kiln.matmul with both operands at least 2-D and batch dimensions
  /// broadcast.
  mlir::Value matmul(mlir::Value a, mlir::Value b, bool transposeA = false,
                     bool transposeB = false);

  /// Reductions; `axes` may be negative, duplicates are an error.
  mlir::Value reduceSum(mlir::Value x, std::vector<int64_t> axes, bool keep);
  mlir::Value reduceMean(mlir::Value x, std::vector<int64_t> axes, bool keep);
  mlir::Value reduceMax(mlir::Value x, std::vector<int64_t> axes, bool keep);
  mlir::Value reduceMin(mlir::Value x, std::vector<int64_t> axes, bool keep);
  mlir::Value reduceProd(mlir::Value x, std::vector<int64_t> axes, bool keep);

  /// The index along `axis` of every element of `shape`, as i64.
  mlir::Value iota(const std::vector<int64_t> &shape, int64_t axis);
  /// ONNX Gather: data[..., indices, ...] along `axis`; negative indices
  /// count from the end.
  mlir::Value gather(mlir::Value data, mlir::Value indices, int64_t axis);

  mlir::OpBuilder &b;
  mlir::Location loc;

private:
  std::pair<mlir::Value, mlir::Value>
  broadcastPair(mlir::Value a, mlir::Value b, llvm::StringRef what);
  std::vector<int64_t> normalizeAxes(mlir::Value x,
                                     const std::vector<int64_t> &axes);
};

/// NumPy's broadcast shape of two shapes; throws if incompatible.
std::vector<int64_t> broadcastShapes(const std::vector<int64_t> &a,
                                     const std::vector<int64_t> &b);
/// `axis` in [-rank, rank) made non-negative; throws naming `what`.
int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string &what);

//===----------------------------------------------------------------------===//
// Values and nodes
//===----------------------------------------------------------------------===//

/// An ONNX value during import: an SSA value, a constant known on the host,
/// or both (a constant is materialized when first needed as a value).
struct ImportedValue {
  mlir::Value value;
  std::optional<HostTensor> constant;
};

class GraphImporter;

/// What a converter sees of one node.
class Node {
public:
  Node(GraphImporter &graph, const onnx::NodeProto &proto, int64_t opset,
       mlir::OpBuilder &builder, mlir::Location loc)
      : proto(proto), opset(opset), emit(builder, loc), graph(graph) {}

  const onnx::NodeProto &proto;
  const int64_t opset;
  Emitter emit;

  /// Inputs: an empty name is an omitted optional input.
  int numInputs() const { return proto.input_size(); }
  bool hasInput(int i) const {
    return i < proto.input_size() && !proto.input(i).empty();
  }
  /// The value of input i (materialized); throws if omitted.
  mlir::Value input(int i);
  /// Input i if it is known on the host, else null.
  const HostTensor *constantInput(int i);
  /// Input i, which must be known on the host; `what` names it in the
  /// error ("shape", "axes").
  const HostTensor &requireConstant(int i, const std::string &what);
  /// Every input present is known on the host.
  bool allInputsConstant();
  DType inputDType(int i);
  std::vector<int64_t> inputShape(int i);

  int numOutputs() const { return proto.output_size(); }
  bool hasOutput(int i) const {
    return i < proto.output_size() && !proto.output(i).empty();
  }
  void setOutput(int i, mlir::Value value);
  void setOutput(int i, HostTensor value);

  /// Attributes.
  const onnx::AttributeProto *attr(const std::string &name) const;
  int64_t attrInt(const std::string &name, int64_t otherwise) const;
  double attrFloat(const std::string &name, double otherwise) const;
  std::string attrString(const std::string &name,
                         const std::string &otherwise) const;
  std::vector<int64_t> attrInts(const std::string &name,
                                std::vector<int64_t> otherwise = {}) const;
  std::vector<double> attrFloats(const std::string &name) const;

private:
  ImportedValue &lookup(int i);
  GraphImporter &graph;
};

/// Translates one ONNX op type.
struct Converter {
  /// Opsets of the default domain it implements, inclusive.
  int64_t minOpset = 6, maxOpset = 17;
  std::function<void(Node &)> convert;
  /// Attribute checks that need no shapes: returns why the node cannot be
  /// imported, or "" if it can.
  std::function<std::string(const onnx::NodeProto &, int64_t opset)> check;
};
using ConverterTable = std::map<std::string, Converter>;

/// The registry, filled by the files that hold the converters.
const ConverterTable &converters();
void addElementwiseConverters(ConverterTable &table);
void addShapeConverters(ConverterTable &table);
void addReduceConverters(ConverterTable &table);
void addNNConverters(ConverterTable &table);

} // namespace kiln::onnx_import

#endif // KILN_FRONTEND_ONNX_IMPORTER_H
