//===- KilnOps.cpp - Verifiers, type inference and folders of kiln ops ---===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln;

#include "ir/KilnEnums.cpp.inc"

#define GET_OP_CLASSES
#include "ir/KilnOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
// Inference runs on unverified IR (while parsing and verifying), so every
// helper tolerates operands that are not ranked tensors and reports instead
// of asserting.
RankedTensorType asTensor(Value value) {
  return value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
}

std::string str(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

std::string str(ArrayRef<int64_t> values) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(values, os);
  os << "]";
  return text;
}

// Reports an error as the op's verifier would, prefixed with the op name, so
// the message reads the same from the parser, the verifier and the builder.
template <typename... Args>
LogicalResult fail(std::optional<Location> loc, StringRef opName,
                   Args &&...args) {
  return emitOptionalError(loc, "'kiln.", opName, "' op ",
                           std::forward<Args>(args)...);
}

LogicalResult verifySameOperandTypes(Operation *op, Value lhs, Value rhs) {
  if (lhs.getType() == rhs.getType())
    return success();
  auto diag = op->emitOpError()
              << "operands must have the same type, got lhs " << lhs.getType()
              << " and rhs " << rhs.getType();
  auto l = cast<RankedTensorType>(lhs.getType());
  auto r = cast<RankedTensorType>(rhs.getType());
  if (l.getShape() != r.getShape())
    diag << "; insert kiln.broadcast to combine different shapes";
  else
    diag << "; insert kiln.cast to convert one element type";
  return diag;
}

LogicalResult verifyAxis(std::optional<Location> loc, StringRef opName,
                         int64_t axis, RankedTensorType type) {
  if (axis >= 0 && axis < type.getRank())
    return success();
  return fail(loc, opName, "axis ", axis, " is out of range for ", str(type),
              " (rank ", type.getRank(), ")");
}

/// Checks that each per-dimension attribute array of a slice or pad has one
/// entry per dimension of `in`.
LogicalResult
verifyPerDimension(std::optional<Location> loc, StringRef opName,
                   RankedTensorType in,
                   ArrayRef<std::pair<StringRef, ArrayRef<int64_t>>> lists) {
  if (llvm::all_of(lists, [&](auto list) {
        return static_cast<int64_t>(list.second.size()) == in.getRank();
      }))
    return success();
  std::string text;
  llvm::raw_string_ostream os(text);
  for (auto [i, list] : llvm::enumerate(lists))
    os << (i == 0                  ? ""
           : i + 1 == lists.size() ? " and "
                                   : ", ")
       << list.first << " " << str(list.second);
  return fail(loc, opName, text, " must each have ", in.getRank(),
              " entries, one per dimension of ", str(in));
}
} // namespace

//===----------------------------------------------------------------------===//
// Syntax of elementwise ops: `%a, %b : T` when the operands share type T
// (the usual case), `%a, %b : T1, T2` otherwise, so that a mismatch reaches
// the verifier, which names both types. The result type is inferred.
//===----------------------------------------------------------------------===//

/// Parses `operands attr-dict : types` where the last `numShared` operands
/// may share one type. `numLeading` operands before them each have their own.
static ParseResult parseOperandsWithTypes(OpAsmParser &parser,
                                          OperationState &state,
                                          unsigned numLeading,
                                          unsigned numShared) {
  SmallVector<OpAsmParser::UnresolvedOperand, 3> operands;
  SmallVector<Type, 3> types;
  SMLoc typeLoc;
  if (parser.parseOperandList(operands, numLeading + numShared) ||
      parser.parseOptionalAttrDict(state.attributes) || parser.parseColon() ||
      parser.getCurrentLocation(&typeLoc) || parser.parseTypeList(types))
    return failure();
  if (types.size() == numLeading + 1)
    types.append(numShared - 1, types.back());
  if (types.size() != numLeading + numShared)
    return parser.emitError(typeLoc) << "expected " << numLeading + 1 << " or "
                                     << numLeading + numShared << " types";
  return parser.resolveOperands(operands, types, typeLoc, state.operands);
}

static void printOperandsWithTypes(OpAsmPrinter &p, Operation *op,
                                   unsigned numLeading,
                                   ArrayRef<StringRef> elided = {}) {
  p << " ";
  p.printOperands(op->getOperands());
  p.printOptionalAttrDict(op->getAttrs(), elided);
  p << " : ";
  // One type for the shared operands when they agree.
  auto types = llvm::to_vector(op->getOperandTypes());
  if (llvm::all_equal(ArrayRef<Type>(types).drop_front(numLeading)))
    types.resize(numLeading + 1);
  llvm::interleaveComma(types, p);
}

/// Infers the result type of a just-parsed op from its operands.
template <typename OpTy>
static ParseResult inferParsedResult(OpAsmParser &parser,
                                     OperationState &state) {
  SmallVector<Type, 1> types;
  typename OpTy::Adaptor adaptor(
      state.operands, state.attributes.getDictionary(parser.getContext()), {},
      {});
  if (failed(OpTy::inferReturnTypes(parser.getContext(), state.location,
                                    adaptor, types)))
    return failure();
  state.addTypes(types);
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto value = adaptor.getValueAttr();
  if (!value)
    return fail(loc, "constant", "requires a 'value' attribute");
  types.push_back(value.getType());
  return success();
}

LogicalResult ConstantOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOpError() << "value must be a statically shaped tensor, got "
                         << getValue().getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

#define KILN_BINARY_OP(Op)                                                     \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location>,   \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &types) {           \
    types.push_back(adaptor.getLhs().getType());                               \
    return success();                                                          \
  }                                                                            \
  LogicalResult Op::verify() {                                                 \
    return verifySameOperandTypes(*this, getLhs(), getRhs());                  \
  }                                                                            \
  ParseResult Op::parse(OpAsmParser &parser, OperationState &state) {          \
    if (parseOperandsWithTypes(parser, state, 0, 2))                           \
      return failure();                                                        \
    return inferParsedResult<Op>(parser, state);                               \
  }                                                                            \
  void Op::print(OpAsmPrinter &p) { printOperandsWithTypes(p, *this, 0); }
KILN_BINARY_OP(AddOp)
KILN_BINARY_OP(SubOp)
KILN_BINARY_OP(MulOp)
KILN_BINARY_OP(DivOp)
KILN_BINARY_OP(MaxOp)
KILN_BINARY_OP(MinOp)
KILN_BINARY_OP(PowOp)
#undef KILN_BINARY_OP

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto lhs = asTensor(adaptor.getLhs());
  if (!lhs)
    return fail(loc, "compare", "lhs must be a ranked tensor");
  types.push_back(lhs.clone(IntegerType::get(context, 1)));
  return success();
}

LogicalResult CompareOp::verify() {
  return verifySameOperandTypes(*this, getLhs(), getRhs());
}

ParseResult CompareOp::parse(OpAsmParser &parser, OperationState &state) {
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&keyword) || parser.parseComma())
    return failure();
  std::optional<ComparePredicate> predicate =
      symbolizeComparePredicate(keyword);
  if (!predicate)
    return parser.emitError(loc) << "unknown comparison predicate '" << keyword
                                 << "' (expected eq, ne, lt, le, gt or ge)";
  state.addAttribute(
      "predicate", ComparePredicateAttr::get(parser.getContext(), *predicate));
  if (parseOperandsWithTypes(parser, state, 0, 2))
    return failure();
  return inferParsedResult<CompareOp>(parser, state);
}

void CompareOp::print(OpAsmPrinter &p) {
  p << " " << stringifyComparePredicate(getPredicate()) << ",";
  printOperandsWithTypes(p, *this, 0, {"predicate"});
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getOnTrue().getType());
  return success();
}

ParseResult SelectOp::parse(OpAsmParser &parser, OperationState &state) {
  if (parseOperandsWithTypes(parser, state, 1, 2))
    return failure();
  return inferParsedResult<SelectOp>(parser, state);
}

void SelectOp::print(OpAsmPrinter &p) { printOperandsWithTypes(p, *this, 1); }

LogicalResult SelectOp::verify() {
  auto cond = getCondition().getType();
  auto onTrue = getOnTrue().getType();
  if (cond.getShape() != onTrue.getShape())
    return emitOpError() << "condition " << cond
                         << " must have the shape of the selected values "
                         << onTrue;
  if (onTrue != getOnFalse().getType())
    return emitOpError() << "selected values must have the same type, got "
                         << onTrue << " and " << getOnFalse().getType();
  return success();
}

void CastOp::build(OpBuilder &builder, OperationState &state, Value input,
                   Type elementType) {
  auto type = cast<RankedTensorType>(input.getType());
  build(builder, state, type.clone(elementType), input);
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "changes the element type only, but input "
                         << getInput().getType() << " and result " << getType()
                         << " differ in shape";
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : nullptr;
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

void BroadcastOp::build(OpBuilder &builder, OperationState &state, Value input,
                        ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  build(builder, state, RankedTensorType::get(shape, type.getElementType()),
        input);
}

LogicalResult BroadcastOp::verify() {
  auto in = getInput().getType();
  auto out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "cannot change the element type: " << in << " -> "
                         << out;
  int64_t lead = out.getRank() - in.getRank();
  if (lead < 0)
    return emitOpError() << "cannot broadcast " << in << " to lower rank "
                         << out;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t from = in.getDimSize(i), to = out.getDimSize(lead + i);
    if (from != to && from != 1)
      return emitOpError() << "cannot broadcast " << in << " to " << out
                           << ": input dimension " << i << " has size " << from
                           << " but result dimension " << lead + i
                           << " has size " << to
                           << " (sizes must match or be 1)";
  }
  return success();
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  return nullptr;
}

void ReshapeOp::build(OpBuilder &builder, OperationState &state, Value input,
                      ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  build(builder, state, RankedTensorType::get(shape, type.getElementType()),
        input);
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType();
  auto out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "cannot change the element type: " << in << " -> "
                         << out;
  if (in.getNumElements() != out.getNumElements())
    return emitOpError() << "cannot reshape " << in << " ("
                         << in.getNumElements() << " elements) to " << out
                         << " (" << out.getNumElements() << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return nullptr;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  auto in = asTensor(adaptor.getInput());
  auto permAttr = adaptor.getPermutationAttr();
  if (!in || !permAttr)
    return fail(loc, "transpose", "requires a ranked tensor and a permutation");
  ArrayRef<int64_t> perm = permAttr.asArrayRef();
  bool valid = static_cast<int64_t>(perm.size()) == in.getRank();
  llvm::SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= in.getRank() || seen[p]) {
      valid = false;
      break;
    }
    seen[p] = true;
  }
  if (!valid)
    return fail(loc, "transpose", "permutation ", str(perm),
                " is not a permutation of the ", in.getRank(),
                " dimensions of ", str(in));
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(in.getDimSize(p));
  types.push_back(in.clone(shape));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPermutation()))
    if (static_cast<int64_t>(i) != p)
      return nullptr;
  return getInput();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto inputs = adaptor.getInputs();
  auto axisAttr = adaptor.getAxisAttr();
  if (inputs.empty() || !axisAttr)
    return fail(loc, "concat", "requires at least one input and an axis");
  auto first = asTensor(inputs.front());
  if (!first)
    return fail(loc, "concat", "inputs must be ranked tensors");
  int64_t axis = axisAttr.getInt();
  if (failed(verifyAxis(loc, "concat", axis, first)))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    auto type = asTensor(value);
    if (!type || type.getElementType() != first.getElementType() ||
        type.getRank() != first.getRank())
      return fail(loc, "concat", "input #", i + 1, " ", str(value.getType()),
                  " must have the element type and rank of input #0 ",
                  str(first));
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (d == axis)
        continue;
      if (type.getDimSize(d) != first.getDimSize(d))
        return fail(loc, "concat", "input #", i + 1, " ", str(type),
                    " differs from input #0 ", str(first), " in dimension ", d,
                    ", which is not the concatenation axis ", axis);
    }
    shape[axis] += type.getDimSize(axis);
  }
  types.push_back(first.clone(shape));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  auto in = asTensor(adaptor.getInput());
  if (!in || !adaptor.getStartAttr() || !adaptor.getLimitAttr() ||
      !adaptor.getStrideAttr())
    return fail(loc, "slice", "requires a ranked tensor, start, limit, stride");
  ArrayRef<int64_t> start = adaptor.getStart(), limit = adaptor.getLimit(),
                    stride = adaptor.getStride();
  int64_t rank = in.getRank();
  if (failed(verifyPerDimension(
          loc, "slice", in,
          {{"start", start}, {"limit", limit}, {"stride", stride}})))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (start[d] < 0 || start[d] > limit[d] || limit[d] > in.getDimSize(d) ||
        stride[d] < 1)
      return fail(loc, "slice", "dimension ", d, " of ", str(in),
                  ": need 0 <= start <= limit <= ", in.getDimSize(d),
                  " and stride >= 1, got start ", start[d], ", limit ",
                  limit[d], ", stride ", stride[d]);
    shape.push_back((limit[d] - start[d] + stride[d] - 1) / stride[d]);
  }
  types.push_back(in.clone(shape));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  auto in = asTensor(adaptor.getInput());
  if (!in || !adaptor.getLowAttr() || !adaptor.getHighAttr() ||
      !adaptor.getInteriorAttr())
    return fail(loc, "pad", "requires a ranked tensor, low, high, interior");
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh(),
                    interior = adaptor.getInterior();
  int64_t rank = in.getRank();
  if (failed(verifyPerDimension(
          loc, "pad", in,
          {{"low", low}, {"high", high}, {"interior", interior}})))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] < 0 || high[d] < 0 || interior[d] < 0)
      return fail(loc, "pad", "dimension ", d, " of ", str(in),
                  ": padding must be non-negative, got low ", low[d], ", high ",
                  high[d], ", interior ", interior[d]);
    int64_t size = in.getDimSize(d);
    shape.push_back(low[d] + high[d] + size +
                    std::max<int64_t>(size - 1, 0) * interior[d]);
  }
  types.push_back(in.clone(shape));
  return success();
}

LogicalResult PadOp::verify() {
  double value = getValue().convertToDouble();
  Type element = getType().getElementType();
  if (isa<IntegerType>(element) &&
      (value != static_cast<double>(static_cast<int64_t>(value)) ||
       (element.isInteger(1) && value != 0 && value != 1)))
    return emitOpError() << "padding value " << value
                         << " is not representable in " << element;
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto lhs = asTensor(adaptor.getLhs());
  auto rhs = asTensor(adaptor.getRhs());
  if (!lhs || !rhs)
    return fail(loc, "matmul", "operands must be ranked tensors");
  if (lhs.getElementType() != rhs.getElementType())
    return fail(loc, "matmul", "operands must have one element type, got lhs ",
                str(lhs), " and rhs ", str(rhs));
  int64_t rank = lhs.getRank();
  if (rank < 2 || rhs.getRank() != rank)
    return fail(loc, "matmul",
                "operands must both be 2-D, or batched with the same rank; "
                "got lhs ",
                str(lhs), " and rhs ", str(rhs));
  if (lhs.getShape().drop_back(2) != rhs.getShape().drop_back(2))
    return fail(loc, "matmul", "batch dimensions differ: lhs ", str(lhs),
                " vs rhs ", str(rhs),
                "; insert kiln.broadcast to share an operand across a batch");
  bool tl = static_cast<bool>(adaptor.getTransposeLhsAttr());
  bool tr = static_cast<bool>(adaptor.getTransposeRhsAttr());
  int64_t m = lhs.getDimSize(rank - (tl ? 1 : 2));
  int64_t kl = lhs.getDimSize(rank - (tl ? 2 : 1));
  int64_t kr = rhs.getDimSize(rank - (tr ? 1 : 2));
  int64_t n = rhs.getDimSize(rank - (tr ? 2 : 1));
  if (kl != kr)
    return fail(loc, "matmul", "contraction dimensions differ: lhs ", str(lhs),
                tl ? " (transposed)" : "", " has K = ", kl, " but rhs ",
                str(rhs), tr ? " (transposed)" : "", " has K = ", kr);
  SmallVector<int64_t> shape(lhs.getShape().drop_back(2));
  shape.push_back(m);
  shape.push_back(n);
  types.push_back(lhs.clone(shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and softmax
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(StringRef opName, std::optional<Location> loc,
                                 Value input, DenseI64ArrayAttr axesAttr,
                                 bool keepdims, SmallVectorImpl<Type> &types) {
  auto in = asTensor(input);
  if (!in || !axesAttr)
    return fail(loc, opName, "requires a ranked tensor and axes");
  ArrayRef<int64_t> axes = axesAttr.asArrayRef();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axes) {
    if (failed(verifyAxis(loc, opName, axis, in)))
      return failure();
    if (!seen.insert(axis).second)
      return fail(loc, opName, "axis ", axis, " is listed twice in ",
                  str(axes));
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (!seen.contains(d))
      shape.push_back(in.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  types.push_back(in.clone(shape));
  return success();
}

#define KILN_REDUCE_OP(Op, name)                                               \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &types) {                                          \
    return inferReduce(name, loc, adaptor.getInput(), adaptor.getAxesAttr(),   \
                       static_cast<bool>(adaptor.getKeepdimsAttr()), types);   \
  }
KILN_REDUCE_OP(ReduceSumOp, "reduce_sum")
KILN_REDUCE_OP(ReduceMeanOp, "reduce_mean")
KILN_REDUCE_OP(ReduceMaxOp, "reduce_max")
#undef KILN_REDUCE_OP

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(getLoc(), "softmax", getAxis(), getType());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(getLoc(), "log_softmax", getAxis(), getType());
}

//===----------------------------------------------------------------------===//
// GradOp
//===----------------------------------------------------------------------===//

static bool isLossType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType()) &&
         tensor.getNumElements() == 1;
}

LogicalResult GradOp::verify() {
  ArrayRef<int64_t> wrt = getWrt();
  if (wrt.empty())
    return emitOpError() << "lists no arguments to differentiate (wrt [])";
  int64_t numOperands = getOperands().size();
  for (auto [i, index] : llvm::enumerate(wrt)) {
    if (index < 0 || index >= numOperands)
      return emitOpError() << "wrt index " << index << " is out of range for "
                           << numOperands << " operands";
    if (i > 0 && index <= wrt[i - 1])
      return emitOpError() << "wrt indices must be increasing, got "
                           << str(wrt);
    Type type = getOperands()[index].getType();
    if (!isa<FloatType>(cast<RankedTensorType>(type).getElementType()))
      return emitOpError() << "cannot differentiate with respect to operand #"
                           << index << " of type " << type
                           << ": only floating-point tensors have gradients";
  }
  return success();
}

LogicalResult GradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto callee = symbolTable.lookupNearestSymbolFrom<FunctionOpInterface>(
      *this, getCalleeAttr());
  if (!callee)
    return emitOpError() << "callee @" << getCallee()
                         << " is not a function in this module";
  if (callee.isExternal())
    return emitOpError() << "callee @" << getCallee()
                         << " has no body to differentiate";
  ArrayRef<Type> inputs = callee.getArgumentTypes();
  ArrayRef<Type> results = callee.getResultTypes();
  if (TypeRange(getOperands()) != TypeRange(inputs))
    return emitOpError() << "operand types " << getOperands().getTypes()
                         << " do not match the arguments of @" << getCallee()
                         << ": " << TypeRange(inputs);
  if (results.empty() || !isLossType(results.front()))
    return emitOpError()
           << "the first result of @" << getCallee()
           << " is the loss and must be a floating-point tensor of one "
              "element, got "
           << (results.empty() ? std::string("no result")
                               : str(results.front()));
  SmallVector<Type> expected(results);
  for (int64_t index : getWrt())
    expected.push_back(inputs[index]);
  if (TypeRange(getResults()) != TypeRange(expected))
    return emitOpError() << "result types " << getResults().getTypes()
                         << " must be the results of @" << getCallee()
                         << " followed by the types of the wrt operands: "
                         << TypeRange(expected);
  return success();
}
