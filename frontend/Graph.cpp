//===- Graph.cpp - Arguments, outputs and state of a builder graph -------===//

#include "frontend/Graph.h"
#include "frontend/GraphDetail.h"

#include "backend/Backend.h"
#include "ir/Kiln.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// CallSite, GraphError
//===----------------------------------------------------------------------===//

std::string CallSite::str() const {
  return std::string(file) + ":" + std::to_string(line);
}

void kiln::throwGraphError(const CallSite &site, const std::string &what,
                           const std::string &message) {
  throw GraphError(site.str() + ": " + what + ": " + message);
}

//===----------------------------------------------------------------------===//
// Var
//===----------------------------------------------------------------------===//

Var::Var(Graph &graph, Value value) : graph_(&graph), value_(value) {
  auto type = value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
  if (!type || !type.hasStaticShape() ||
      !toDType(type.getElementType(), dtype_))
    throw GraphError("a Var holds a statically shaped tensor of f32, f64, "
                     "i32, i64 or i1, not a value of another type");
  shape_.assign(type.getShape().begin(), type.getShape().end());
}

Graph &Var::graph() const {
  if (!graph_)
    throw GraphError("use of an empty Var (default-constructed, not built by "
                     "a Graph)");
  return *graph_;
}

int64_t Var::dim(int64_t axis) const {
  int64_t normalized = axis < 0 ? axis + rank() : axis;
  if (normalized < 0 || normalized >= rank())
    throw GraphError("dimension " + std::to_string(axis) +
                     " is out of range for " + typeString());
  return shape_[normalized];
}

int64_t Var::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape_)
    n *= d;
  return n;
}

std::string Var::typeString() const {
  return isNull() ? "<empty Var>" : kiln::typeString(dtype_, shape_);
}

std::string Var::describe() const {
  if (isNull())
    return "<empty Var>";
  if (auto arg = dyn_cast<BlockArgument>(value_)) {
    for (const Graph::Argument &a : graph_->arguments()) {
      if (a.var.value() != value_)
        continue;
      const char *role = a.role == TensorRole::Parameter ? "parameter"
                         : a.role == TensorRole::Buffer  ? "buffer"
                                                         : "input";
      return std::string(role) + " '" + a.name + "' " + typeString();
    }
  }
  std::string where = kiln::detail::locationText(value_.getLoc());
  return typeString() + (where.empty() ? "" : " built at " + where);
}

//===----------------------------------------------------------------------===//
// Graph: construction
//===----------------------------------------------------------------------===//

std::unique_ptr<MLIRContext> kiln::detail::newContext() {
  DialectRegistry registry;
  registerDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->loadDialect<KilnDialect, func::FuncDialect>();
  return context;
}

namespace {
/// FNV-1a: a parameter's seed depends on its name, so that adding a layer
/// does not change the initial values of the others.
uint64_t hashName(const std::string &name) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : name)
    hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

constexpr llvm::StringLiteral kName = "kiln.name";
constexpr llvm::StringLiteral kParameter = "kiln.parameter";
constexpr llvm::StringLiteral kBuffer = "kiln.buffer";
constexpr llvm::StringLiteral kUpdates = "kiln.updates";
} // namespace

Graph::Graph(const std::string &functionName, uint64_t seed)
    : context_(kiln::detail::newContext()), builder_(context_.get()),
      seed_(seed) {
  Location loc = UnknownLoc::get(context_.get());
  module_ = ModuleOp::create(loc);
  builder_.setInsertionPointToEnd(module_->getBody());
  function_ = func::FuncOp::create(builder_, loc, functionName,
                                   builder_.getFunctionType({}, {}));
  builder_.setInsertionPointToEnd(function_.addEntryBlock());
  func::ReturnOp::create(builder_, loc);
}

Graph::Graph(std::unique_ptr<MLIRContext> context, OwningOpRef<ModuleOp> module)
    : context_(std::move(context)), module_(std::move(module)),
      builder_(context_.get()) {}

Graph::~Graph() = default;

OpBuilder &Graph::builder() {
  builder_.setInsertionPoint(function_.getBody().front().getTerminator());
  return builder_;
}

Location Graph::location(const CallSite &site) {
  return FileLineColLoc::get(context_.get(), site.file, site.line, 0);
}

//===----------------------------------------------------------------------===//
// Graph: arguments
//===----------------------------------------------------------------------===//

const Graph::Argument *Graph::findArgument(const std::string &name) const {
  for (const Argument &argument : arguments_)
    if (argument.name == name)
      return &argument;
  return nullptr;
}

std::vector<Var> Graph::argumentsWithRole(TensorRole role) const {
  std::vector<Var> vars;
  for (const Argument &argument : arguments_)
    if (argument.role == role)
      vars.push_back(argument.var);
  return vars;
}

Var Graph::addArgument(const std::string &name,
                       const std::vector<int64_t> &shape, DType dtype,
                       TensorRole role, const CallSite &site) {
  SmallVector<NamedAttribute, 2> attrs{
      builder_.getNamedAttr(kName, builder_.getStringAttr(name))};
  if (role == TensorRole::Parameter)
    attrs.push_back(builder_.getNamedAttr(kParameter, builder_.getUnitAttr()));
  if (role == TensorRole::Buffer)
    attrs.push_back(builder_.getNamedAttr(kBuffer, builder_.getUnitAttr()));
  unsigned index = function_.getNumArguments();
  if (failed(function_.insertArgument(
          index, kiln::detail::tensorType(*context_, shape, dtype),
          builder_.getDictionaryAttr(attrs), location(site))))
    throwGraphError(site, "argument", "cannot add argument '" + name + "'");
  Var var(*this, function_.getArgument(index));
  arguments_.push_back({name, role, var});
  return var;
}

namespace {
const char *roleName(TensorRole role) {
  return role == TensorRole::Parameter ? "parameter"
         : role == TensorRole::Buffer  ? "buffer"
                                       : "input";
}
} // namespace

/// Checks what every new argument needs: a fresh name, a static shape and a
/// Kiln dtype.
static void checkNewArgument(const Graph &graph, const CallSite &site,
                             TensorRole role, const std::string &name,
                             const std::vector<int64_t> &shape, DType dtype) {
  std::string what = roleName(role);
  if (name.empty())
    throwGraphError(site, what, "needs a non-empty name");
  if (const Graph::Argument *existing = graph.findArgument(name))
    throwGraphError(site, what + " '" + name + "'",
                    "the name is taken by " + existing->var.describe());
  kiln::detail::checkShape(site, what + " '" + name + "'", shape);
  kiln::detail::checkDType(site, what + " '" + name + "'", dtype);
}

Var Graph::input(const std::string &name, const std::vector<int64_t> &shape,
                 DType dtype, CallSite site) {
  checkNewArgument(*this, site, TensorRole::Data, name, shape, dtype);
  return addArgument(name, shape, dtype, TensorRole::Data, site);
}

/// A parameter's or buffer's initial value, with its name in errors.
static Tensor initialValue(const CallSite &site, TensorRole role,
                           const std::string &name,
                           const std::vector<int64_t> &shape, DType dtype,
                           const Initializer &init, uint64_t graphSeed) {
  // Each parameter draws from its own stream: splitmix64 spreads nearby
  // graph seeds, the name hash separates parameters.
  uint64_t seed = graphSeed * 0x9E3779B97F4A7C15ull ^ hashName(name);
  try {
    return init.generate(shape, dtype, seed);
  } catch (const GraphError &error) {
    throwGraphError(site, std::string(roleName(role)) + " '" + name + "'",
                    error.what());
  }
}

Var Graph::parameter(const std::string &name, const std::vector<int64_t> &shape,
                     const Initializer &init, DType dtype, CallSite site) {
  checkNewArgument(*this, site, TensorRole::Parameter, name, shape, dtype);
  Tensor value = initialValue(site, TensorRole::Parameter, name, shape, dtype,
                              init, seed_);
  Var var = addArgument(name, shape, dtype, TensorRole::Parameter, site);
  values_[name] = value;
  return var;
}

Var Graph::buffer(const std::string &name, const std::vector<int64_t> &shape,
                  const Initializer &init, DType dtype, CallSite site) {
  checkNewArgument(*this, site, TensorRole::Buffer, name, shape, dtype);
  Tensor value =
      initialValue(site, TensorRole::Buffer, name, shape, dtype, init, seed_);
  Var var = addArgument(name, shape, dtype, TensorRole::Buffer, site);
  values_[name] = value;
  return var;
}

//===----------------------------------------------------------------------===//
// Graph: constants
//===----------------------------------------------------------------------===//

Var Graph::constant(const Tensor &value, CallSite site) {
  if (value.empty())
    throwGraphError(site, "constant", "the tensor is empty (no storage)");
  kiln::detail::checkDType(site, "constant", value.dtype());
  auto type = kiln::detail::tensorType(*context_, value.shape(), value.dtype());
  return Var(*this, ConstantOp::create(builder(), location(site),
                                       kiln::detail::tensorAttr(type, value)));
}

Var Graph::full(const std::vector<int64_t> &shape, double value, DType dtype,
                CallSite site) {
  kiln::detail::checkShape(site, "full", shape);
  kiln::detail::checkDType(site, "full", dtype);
  kiln::detail::checkScalarFits(site, "full", value, dtype);
  auto type = kiln::detail::tensorType(*context_, shape, dtype);
  return Var(*this, ConstantOp::create(builder(), location(site),
                                       kiln::detail::splatAttr(type, value)));
}

//===----------------------------------------------------------------------===//
// Graph: results
//===----------------------------------------------------------------------===//

/// Throws unless `var` is a value of `graph`.
static void checkOwnVar(Graph &graph, const CallSite &site,
                        const std::string &what, const Var &var) {
  if (var.isNull())
    throwGraphError(site, what, "got an empty Var");
  if (&var.graph() != &graph)
    throwGraphError(site, what, var.describe() + " belongs to another graph");
}

void Graph::output(const std::string &name, const Var &value, CallSite site) {
  checkOwnVar(*this, site, "output '" + name + "'", value);
  if (name.empty())
    throwGraphError(site, "output", "needs a non-empty name");
  for (const Output &existing : outputs_)
    if (existing.name == name)
      throwGraphError(site, "output '" + name + "'",
                      "an output of that name exists: " +
                          existing.var.describe());
  outputs_.push_back({name, value});
  updateResults();
}

void Graph::updateBuffer(const Var &buffer, const Var &newValue,
                         CallSite site) {
  checkOwnVar(*this, site, "updateBuffer", buffer);
  const Argument *argument = nullptr;
  for (const Argument &a : arguments_)
    if (a.var.value() == buffer.value() && a.role == TensorRole::Buffer)
      argument = &a;
  if (!argument)
    throwGraphError(site, "updateBuffer",
                    buffer.describe() + " is not a buffer of this graph");
  std::string what = "updateBuffer '" + argument->name + "'";
  checkOwnVar(*this, site, what, newValue);
  if (newValue.value().getType() != buffer.value().getType())
    throwGraphError(site, what,
                    "the new value " + newValue.describe() +
                        " must have the buffer's type " + buffer.typeString());
  for (const BufferUpdate &update : bufferUpdates_)
    if (update.buffer.value() == buffer.value())
      throwGraphError(site, what,
                      "the buffer already has a new value, " +
                          update.newValue.describe() +
                          " (one update per graph)");
  bufferUpdates_.push_back({buffer, newValue});
  updateResults();
}

void Graph::updateResults() {
  SmallVector<Value> values;
  SmallVector<Attribute> attrs;
  for (const Output &output : outputs_) {
    values.push_back(output.var.value());
    attrs.push_back(builder_.getDictionaryAttr(
        builder_.getNamedAttr(kName, builder_.getStringAttr(output.name))));
  }
  for (const BufferUpdate &update : bufferUpdates_) {
    values.push_back(update.newValue.value());
    unsigned index = cast<BlockArgument>(update.buffer.value()).getArgNumber();
    attrs.push_back(builder_.getDictionaryAttr(
        {builder_.getNamedAttr(kName,
                               builder_.getStringAttr(arguments_[index].name)),
         builder_.getNamedAttr(kUpdates, builder_.getI64IntegerAttr(index))}));
  }
  Operation *terminator = function_.getBody().front().getTerminator();
  terminator->setOperands(values);
  function_.setType(builder_.getFunctionType(function_.getArgumentTypes(),
                                             ValueRange(values).getTypes()));
  function_.setAllResultAttrs(attrs);
}

//===----------------------------------------------------------------------===//
// Graph: values of parameters and buffers
//===----------------------------------------------------------------------===//

/// The parameter or buffer `name`; throws otherwise.
static const Graph::Argument &stateArgument(const Graph &graph,
                                            const std::string &name) {
  const Graph::Argument *argument = graph.findArgument(name);
  if (!argument || argument->role == TensorRole::Data) {
    std::string known;
    for (const Graph::Argument &a : graph.arguments())
      if (a.role != TensorRole::Data)
        known += (known.empty() ? "" : ", ") + a.name;
    throw GraphError("'" + name + "' is not a parameter or buffer of the " +
                     "graph (it has: " + (known.empty() ? "none" : known) +
                     ")");
  }
  return *argument;
}

const Tensor &Graph::value(const std::string &name) const {
  stateArgument(*this, name);
  return values_.at(name);
}

/// Throws unless `value` fits the parameter or buffer `argument`.
static void checkValue(const Graph::Argument &argument, const Tensor &value) {
  if (value.empty() || value.dtype() != argument.var.dtype() ||
      value.shape() != argument.var.shape())
    throw GraphError(
        "value for " + std::string(roleName(argument.role)) + " '" +
        argument.name + "' must be " + argument.var.typeString() + ", got " +
        (value.empty() ? std::string("an empty tensor")
                       : kiln::typeString(value.dtype(), value.shape())));
}

void Graph::setValue(const std::string &name, const Tensor &value) {
  checkValue(stateArgument(*this, name), value);
  values_[name] = value;
}

std::map<std::string, Tensor> Graph::stateDict() const { return values_; }

void Graph::loadStateDict(const std::map<std::string, Tensor> &values,
                          bool strict) {
  if (strict) {
    for (const Argument &argument : arguments_)
      if (argument.role != TensorRole::Data && !values.count(argument.name))
        throw GraphError("loadStateDict: no value for " +
                         std::string(roleName(argument.role)) + " '" +
                         argument.name + "'");
  }
  // Check everything before changing anything.
  for (const auto &[name, value] : values)
    checkValue(stateArgument(*this, name), value);
  for (const auto &[name, value] : values)
    values_[name] = value;
}
