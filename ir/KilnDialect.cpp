//===- KilnDialect.cpp - The kiln dialect -------------------------------===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace kiln;

#include "ir/KilnDialect.cpp.inc"
#include "ir/KilnInterfaces.cpp.inc"

namespace {
/// Kiln ops are pure and region-free, so any call of a function made of
/// them can be inlined (the gradient functions of kiln-autodiff are).
struct KilnInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/KilnOps.cpp.inc"
      ,
#define GET_OP_LIST
#include "ir/KilnNNOps.cpp.inc"
      >();
  addInterfaces<KilnInlinerInterface>();
}

Operation *KilnDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

// Function argument and result attributes of the kiln namespace:
//   kiln.name       (string; arguments and results) names it for the runtime;
//   kiln.parameter  (unit; arguments) a trainable parameter of the model;
//   kiln.buffer     (unit; arguments) non-trainable state, such as running
//                   statistics;
//   kiln.updates    (integer i; results) the result is the new value of
//                   argument i, written into the caller's buffer.

/// Verifies `kiln.name`; any other attribute is unknown, and the message
/// lists the `known` ones for this position.
static LogicalResult verifyNameAttr(Operation *op, NamedAttribute attribute,
                                    StringRef what, unsigned index,
                                    StringRef known) {
  if (attribute.getName() != "kiln.name")
    return op->emitError() << "unknown kiln attribute '"
                           << attribute.getName().getValue() << "' on " << what
                           << " #" << index << " (" << known << ")";
  if (!isa<StringAttr>(attribute.getValue()))
    return op->emitError() << "'kiln.name' on " << what << " #" << index
                           << " must be a string, got " << attribute.getValue();
  return success();
}

LogicalResult KilnDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                    unsigned argIndex,
                                                    NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (name != "kiln.parameter" && name != "kiln.buffer")
    return verifyNameAttr(op, attribute, "argument", argIndex,
                          "kiln.name, kiln.parameter and kiln.buffer are "
                          "defined");
  if (!isa<UnitAttr>(attribute.getValue()))
    return op->emitError() << "'" << name << "' on argument #" << argIndex
                           << " is a unit attribute, got "
                           << attribute.getValue();
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (name == "kiln.buffer" && func &&
      func.getArgAttr(argIndex, "kiln.parameter"))
    return op->emitError() << "argument #" << argIndex
                           << " cannot be both a kiln.parameter and a "
                              "kiln.buffer";
  return success();
}

LogicalResult KilnDialect::verifyRegionResultAttribute(
    Operation *op, unsigned, unsigned resultIndex, NamedAttribute attribute) {
  if (attribute.getName() != "kiln.updates")
    return verifyNameAttr(op, attribute, "result", resultIndex,
                          "kiln.name and kiln.updates are defined");
  // `kiln.updates = i`: this result is the new value of argument i, written
  // into the caller's buffer (see kiln-prepare-in-place-updates).
  auto func = dyn_cast<FunctionOpInterface>(op);
  auto index = dyn_cast<IntegerAttr>(attribute.getValue());
  if (!func || !index)
    return op->emitError() << "'kiln.updates' on result #" << resultIndex
                           << " must be an integer argument index of a "
                              "function, got "
                           << attribute.getValue();
  int64_t arg = index.getInt();
  if (arg < 0 || arg >= static_cast<int64_t>(func.getNumArguments()))
    return op->emitError() << "'kiln.updates' on result #" << resultIndex
                           << " names argument #" << arg << ", but there are "
                           << func.getNumArguments() << " arguments";
  Type argType = func.getArgumentTypes()[arg];
  Type resultType = func.getResultTypes()[resultIndex];
  if (argType != resultType)
    return op->emitError() << "result #" << resultIndex << " of type "
                           << resultType << " cannot update argument #" << arg
                           << " of type " << argType;
  for (unsigned other = 0; other < resultIndex; ++other)
    if (auto prior =
            func.getResultAttrOfType<IntegerAttr>(other, "kiln.updates"))
      if (prior.getInt() == arg)
        return op->emitError()
               << "results #" << other << " and #" << resultIndex
               << " both update argument #" << arg;
  return success();
}
