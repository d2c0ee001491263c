//===- KilnDialect.cpp - The kiln dialect -------------------------------===//

#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"
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

static LogicalResult verifyNameAttr(Operation *op, NamedAttribute attribute,
                                    StringRef what, unsigned index) {
  if (attribute.getName() != "kiln.name")
    return op->emitError() << "unknown kiln attribute '"
                           << attribute.getName().getValue() << "' on " << what
                           << " #" << index << " (only kiln.name is defined)";
  if (!isa<StringAttr>(attribute.getValue()))
    return op->emitError() << "'kiln.name' on " << what << " #" << index
                           << " must be a string, got " << attribute.getValue();
  return success();
}

LogicalResult KilnDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                    unsigned argIndex,
                                                    NamedAttribute attribute) {
  return verifyNameAttr(op, attribute, "argument", argIndex);
}

LogicalResult KilnDialect::verifyRegionResultAttribute(
    Operation *op, unsigned, unsigned resultIndex, NamedAttribute attribute) {
  return verifyNameAttr(op, attribute, "result", resultIndex);
}
