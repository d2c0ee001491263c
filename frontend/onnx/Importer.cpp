//===- Importer.cpp - ONNX model to kiln func.func ----------------------===//
//
// Reads the model, lists every node it cannot translate (one report,
// before anything is built), then walks the graph in order: graph inputs
// become function arguments, initializers constants (or parameters), and
// each node goes through its op type's converter with the node's location.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/Importer.h"
#include "frontend/Frontend.h"
#include "frontend/onnx/OnnxImport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

#include <set>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx_import;

// Opsets of the default domain the importer reads; most converters start
// at opset 6 (their Converter::minOpset), the ops unchanged since opset 1
// at 1.
static constexpr int64_t kMinOpset = 1, kMaxOpset = 17;

const ConverterTable &kiln::onnx_import::converters() {
  static const ConverterTable table = [] {
    ConverterTable t;
    addElementwiseConverters(t);
    addShapeConverters(t);
    addReduceConverters(t);
    addNNConverters(t);
    return t;
  }();
  return table;
}

namespace {

bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// Parses a ModelProto strictly: the whole buffer must be consumed.
bool parseModel(llvm::StringRef bytes, onnx::ModelProto &model,
                std::string &error) {
  if (bytes.size() > size_t(INT32_MAX)) {
    error = "model is larger than 2 GiB, which protobuf cannot read";
    return false;
  }
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()), int(bytes.size()));
  stream.SetRecursionLimit(64);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    error = "not a valid ONNX model (truncated or corrupt protobuf)";
    return false;
  }
  if (!model.has_graph()) {
    error = "ONNX model has no graph";
    return false;
  }
  return true;
}

/// The opset of the default domain; error if missing or outside what
/// Kiln knows.
bool defaultOpset(const onnx::ModelProto &model, int64_t &opset,
                  std::string &error) {
  opset = -1;
  for (const auto &entry : model.opset_import())
    if (isDefaultDomain(entry.domain()))
      opset = entry.version();
  if (opset < 0) {
    error = "ONNX model imports no opset of the default domain, which is "
            "unsupported";
    return false;
  }
  if (opset < kMinOpset || opset > kMaxOpset) {
    error = "ONNX opset " + std::to_string(opset) +
            " is unsupported (Kiln imports opsets " +
            std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
            ")";
    return false;
  }
  return true;
}

std::string nodeLabel(const onnx::NodeProto &node, int index) {
  if (!node.name().empty())
    return node.name();
  if (node.output_size() && !node.output(0).empty())
    return node.output(0);
  return node.op_type() + "#" + std::to_string(index);
}

std::vector<UnsupportedNode> unsupportedNodes(const onnx::ModelProto &model,
                                              int64_t opset) {
  std::vector<UnsupportedNode> out;
  std::map<std::string, int64_t> domains;
  for (const auto &entry : model.opset_import())
    domains[entry.domain()] = entry.version();
  const auto &graph = model.graph();
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &node = graph.node(i);
    UnsupportedNode u;
    u.nodeName = nodeLabel(node, i);
    u.opType = node.op_type();
    u.opset = opset;
    if (!isDefaultDomain(node.domain())) {
      u.opType = node.domain() + "::" + node.op_type();
      u.opset = domains.count(node.domain()) ? domains[node.domain()] : 0;
      u.reason = "only the default ONNX domain is supported";
      out.push_back(u);
      continue;
    }
    auto it = converters().find(node.op_type());
    if (it == converters().end()) {
      u.reason = "no converter";
    } else if (opset < it->second.minOpset || opset > it->second.maxOpset) {
      u.reason = "supported in opsets " + std::to_string(it->second.minOpset) +
                 " to " + std::to_string(it->second.maxOpset);
    } else if (it->second.check) {
      u.reason = it->second.check(node, opset);
    }
    if (!u.reason.empty())
      out.push_back(u);
  }
  return out;
}

/// The report importOnnx gives: one line per op type with its nodes.
std::string unsupportedReport(const std::vector<UnsupportedNode> &nodes) {
  std::map<std::string, std::vector<const UnsupportedNode *>> byType;
  for (const auto &n : nodes)
    byType[n.opType].push_back(&n);
  std::string s = "unsupported ONNX ops (" + std::to_string(byType.size()) +
                  " op type" + (byType.size() == 1 ? "" : "s") + ", " +
                  std::to_string(nodes.size()) + " node" +
                  (nodes.size() == 1 ? "" : "s") + "):";
  for (const auto &[type, list] : byType) {
    s += "\n  " + type + " (opset " + std::to_string(list[0]->opset) + "): ";
    std::set<std::string> reasons;
    for (size_t i = 0; i < list.size(); ++i) {
      if (i == 8) {
        s += ", ... (" + std::to_string(list.size()) + " nodes)";
        break;
      }
      s += (i ? ", '" : "'") + list[i]->nodeName + "'";
    }
    for (const auto *n : list)
      reasons.insert(n->reason);
    std::string joined;
    for (const auto &r : reasons)
      joined += (joined.empty() ? "" : "; ") + r;
    s += " [" + joined + "]";
  }
  return s;
}

} // namespace

//===----------------------------------------------------------------------===//
// The graph walk
//===----------------------------------------------------------------------===//

namespace kiln::onnx_import {

class GraphImporter {
public:
  GraphImporter(MLIRContext &context, const OnnxImportOptions &options,
                StringRef bufferName)
      : context(context), options(options), bufferName(bufferName.str()),
        builder(&context) {}

  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model, int64_t opset);

  ImportedValue &lookup(const std::string &name) {
    auto it = values.find(name);
    if (it == values.end())
      fail("value '" + name + "' is used before it is defined");
    return it->second;
  }
  Value materialize(ImportedValue &v, Emitter &emit) {
    if (!v.value)
      v.value = emit.constant(*v.constant);
    return v.value;
  }
  void define(const std::string &name, ImportedValue value) {
    if (name.empty())
      return;
    values[name] = std::move(value);
  }

private:
  Location nodeLocation(const onnx::NodeProto &node, int index);
  std::vector<int64_t> inputShape(const onnx::ValueInfoProto &info);
  Type tensorType(const onnx::ValueInfoProto &info, const std::string &what);

  MLIRContext &context;
  const OnnxImportOptions &options;
  std::string bufferName;
  OpBuilder builder;
  std::map<std::string, ImportedValue> values;
};

} // namespace kiln::onnx_import

Location GraphImporter::nodeLocation(const onnx::NodeProto &node, int index) {
  SmallVector<Location> parts;
  parts.push_back(
      NameLoc::get(StringAttr::get(&context, nodeLabel(node, index))));
  for (const auto &out : node.output())
    if (!out.empty() && out != node.name())
      parts.push_back(NameLoc::get(StringAttr::get(&context, out)));
  return FusedLoc::get(&context, parts,
                       StringAttr::get(&context, node.op_type()));
}

std::vector<int64_t>
GraphImporter::inputShape(const onnx::ValueInfoProto &info) {
  const std::string &name = info.name();
  if (!info.type().has_tensor_type())
    fail("input '" + name + "' is not a tensor, which is unsupported");
  const auto &tensor = info.type().tensor_type();
  auto given = options.inputShapes.find(name);
  if (!tensor.has_shape()) {
    if (given == options.inputShapes.end())
      fail("input '" + name +
           "' has no shape in the model; give one with "
           "--input-shape " +
           name + "=<d0>x<d1>...");
    return given->second;
  }
  std::vector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim())
    shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  if (given != options.inputShapes.end()) {
    const std::vector<int64_t> &pinned = given->second;
    if (pinned.size() != shape.size())
      fail("--input-shape " + name + "=" + shapeString(pinned) + " has rank " +
           std::to_string(pinned.size()) + " but the model's input has rank " +
           std::to_string(shape.size()));
    for (size_t i = 0; i < shape.size(); ++i)
      if (shape[i] >= 0 && shape[i] != pinned[i])
        fail("--input-shape " + name + "=" + shapeString(pinned) +
             " contradicts the model's static dimension " + std::to_string(i) +
             " of size " + std::to_string(shape[i]));
    return pinned;
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0)
      continue;
    const auto &dim = tensor.shape().dim(i);
    std::string symbol =
        dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : "";
    fail("input '" + name + "' has a dynamic dimension " + std::to_string(i) +
         symbol + " (shape " + shapeString(shape) +
         "); pin it with --input-shape " + name + "=<d0>x<d1>...");
  }
  return shape;
}

Type GraphImporter::tensorType(const onnx::ValueInfoProto &info,
                               const std::string &what) {
  int32_t elem = info.type().tensor_type().elem_type();
  std::optional<DType> dtype = dtypeFromOnnx(elem);
  if (!dtype)
    fail(what + " '" + info.name() + "' has element type " +
         onnxTypeName(elem) +
         ", which is unsupported (Kiln has float, double, int32, int64 and "
         "bool)");
  std::vector<int64_t> shape = inputShape(info);
  checkedNumElements(shape, what + " '" + info.name() + "'");
  return RankedTensorType::get(shape, elementTypeOf(&context, *dtype));
}

OwningOpRef<ModuleOp> GraphImporter::run(const onnx::ModelProto &model,
                                         int64_t opset) {
  const onnx::GraphProto &graph = model.graph();
  Location modelLoc = NameLoc::get(StringAttr::get(&context, bufferName));
  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  try {
    // Initializers first: graph inputs with an initializer are constants.
    std::set<std::string> initialized;
    std::vector<std::pair<std::string, HostTensor>> initializers;
    for (const auto &init : graph.initializer()) {
      initialized.insert(init.name());
      initializers.push_back(
          {init.name(),
           decodeTensor(init, "initializer '" + init.name() + "'")});
    }
    std::vector<Type> argTypes;
    std::vector<std::string> argNames;
    std::vector<std::pair<std::string, HostTensor>> fixed;
    for (const auto &input : graph.input()) {
      if (initialized.count(input.name()))
        continue;
      auto value = options.inputValues.find(input.name());
      if (value != options.inputValues.end()) {
        HostTensor host = fromRuntimeTensor(value->second);
        const auto &declared = input.type().tensor_type();
        bool matches = dtypeFromOnnx(declared.elem_type()) == host.dtype;
        if (matches && declared.has_shape()) {
          matches = declared.shape().dim_size() == int(host.shape.size());
          for (int d = 0; matches && d < declared.shape().dim_size(); ++d)
            matches = !declared.shape().dim(d).has_dim_value() ||
                      declared.shape().dim(d).dim_value() == host.shape[d];
        }
        if (!matches)
          fail("the value given for input '" + input.name() + "' (" +
               typeString(host.dtype, host.shape) +
               ") does not match its declared type");
        fixed.push_back({input.name(), std::move(host)});
        continue;
      }
      argTypes.push_back(tensorType(input, "input"));
      argNames.push_back(input.name());
    }
    for (const auto &[name, tensor] : initializers)
      if (options.initializersAsParameters) {
        argTypes.push_back(RankedTensorType::get(
            tensor.shape, elementTypeOf(&context, tensor.dtype)));
        argNames.push_back(name);
      }
    for (const auto &output : graph.output()) {
      if (!output.type().has_tensor_type())
        fail("output '" + output.name() +
             "' is not a tensor, which is "
             "unsupported");
      if (!dtypeFromOnnx(output.type().tensor_type().elem_type()))
        fail("output '" + output.name() + "' has element type " +
             onnxTypeName(output.type().tensor_type().elem_type()) +
             ", which is unsupported");
    }

    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, modelLoc, options.functionName,
                                     builder.getFunctionType(argTypes, {}));
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToEnd(body);
    size_t numInputs =
        argNames.size() -
        (options.initializersAsParameters ? initializers.size() : 0);
    for (size_t i = 0; i < argNames.size(); ++i) {
      func.setArgAttr(i, "kiln.name", builder.getStringAttr(argNames[i]));
      if (i >= numInputs)
        func.setArgAttr(i, "kiln.parameter", builder.getUnitAttr());
      define(argNames[i], ImportedValue{body->getArgument(i), std::nullopt});
    }
    if (!options.initializersAsParameters)
      for (auto &[name, tensor] : initializers)
        define(name, ImportedValue{Value(), std::move(tensor)});
    for (auto &[name, tensor] : fixed)
      define(name, ImportedValue{Value(), std::move(tensor)});

    for (int i = 0; i < graph.node_size(); ++i) {
      const onnx::NodeProto &proto = graph.node(i);
      Location loc = nodeLocation(proto, i);
      Node node(*this, proto, opset, builder, loc);
      try {
        converters().at(proto.op_type()).convert(node);
        for (int o = 0; o < proto.output_size(); ++o)
          if (!proto.output(o).empty() && !values.count(proto.output(o)))
            fail("output #" + std::to_string(o) + " ('" + proto.output(o) +
                 "') is unsupported");
      } catch (const ImportError &e) {
        emitError(loc) << "ONNX node '" << nodeLabel(proto, i) << "' ("
                       << proto.op_type() << ", opset " << opset
                       << "): " << e.what();
        return nullptr;
      }
    }

    std::vector<Value> results;
    Emitter emit(builder, modelLoc);
    for (const auto &output : graph.output()) {
      ImportedValue &v = lookup(output.name());
      Value value = materialize(v, emit);
      DType want = *dtypeFromOnnx(output.type().tensor_type().elem_type());
      if (dtypeOf(value) != want)
        fail("output '" + output.name() + "' is declared " +
             onnxTypeName(output.type().tensor_type().elem_type()) +
             " but computes " + dtypeName(dtypeOf(value)));
      results.push_back(value);
    }
    func::ReturnOp::create(builder, modelLoc, results);
    std::vector<Type> resultTypes;
    for (Value r : results)
      resultTypes.push_back(r.getType());
    func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
    for (int i = 0; i < graph.output_size(); ++i)
      func.setResultAttr(i, "kiln.name",
                         builder.getStringAttr(graph.output(i).name()));
  } catch (const ImportError &e) {
    emitError(UnknownLoc::get(&context)) << bufferName << ": " << e.what();
    return nullptr;
  }
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// Node
//===----------------------------------------------------------------------===//

ImportedValue &Node::lookup(int i) {
  if (!hasInput(i))
    fail("input #" + std::to_string(i) + " is missing");
  return graph.lookup(proto.input(i));
}

Value Node::input(int i) { return graph.materialize(lookup(i), emit); }

const HostTensor *Node::constantInput(int i) {
  ImportedValue &v = lookup(i);
  return v.constant ? &*v.constant : nullptr;
}

const HostTensor &Node::requireConstant(int i, const std::string &what) {
  const HostTensor *t = constantInput(i);
  if (!t)
    fail("the " + what + " (input #" + std::to_string(i) + ", '" +
         proto.input(i) +
         "') is computed at run time; Kiln needs it known when the model is "
         "imported (unsupported)");
  return *t;
}

bool Node::allInputsConstant() {
  for (int i = 0; i < numInputs(); ++i)
    if (hasInput(i) && !constantInput(i))
      return false;
  return true;
}

DType Node::inputDType(int i) {
  ImportedValue &v = lookup(i);
  return v.constant ? v.constant->dtype : dtypeOf(v.value);
}

std::vector<int64_t> Node::inputShape(int i) {
  ImportedValue &v = lookup(i);
  return v.constant ? v.constant->shape : shapeOf(v.value);
}

void Node::setOutput(int i, Value value) {
  if (hasOutput(i))
    graph.define(proto.output(i), ImportedValue{value, std::nullopt});
}

void Node::setOutput(int i, HostTensor value) {
  if (hasOutput(i))
    graph.define(proto.output(i), ImportedValue{Value(), std::move(value)});
}

const onnx::AttributeProto *Node::attr(const std::string &name) const {
  for (const auto &a : proto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Node::attrInt(const std::string &name, int64_t otherwise) const {
  const auto *a = attr(name);
  return a ? a->i() : otherwise;
}

double Node::attrFloat(const std::string &name, double otherwise) const {
  const auto *a = attr(name);
  return a ? a->f() : otherwise;
}

std::string Node::attrString(const std::string &name,
                             const std::string &otherwise) const {
  const auto *a = attr(name);
  return a ? a->s() : otherwise;
}

std::vector<int64_t> Node::attrInts(const std::string &name,
                                    std::vector<int64_t> otherwise) const {
  const auto *a = attr(name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end())
           : otherwise;
}

std::vector<double> Node::attrFloats(const std::string &name) const {
  const auto *a = attr(name);
  return a ? std::vector<double>(a->floats().begin(), a->floats().end())
           : std::vector<double>{};
}

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

std::string kiln::addInputShape(const std::string &spec,
                                OnnxImportOptions &options) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0)
    return "--input-shape expects name=d0xd1x..., got '" + spec + "'";
  std::string name = spec.substr(0, eq), dims = spec.substr(eq + 1);
  std::vector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(dims).split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t d;
    if (dims.empty())
      break;
    if (part.getAsInteger(10, d) || d < 0)
      return "--input-shape " + spec + ": '" + part.str() +
             "' is not a dimension size";
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  return "";
}

bool kiln::findUnsupportedNodes(llvm::StringRef bytes,
                                std::vector<UnsupportedNode> &nodes,
                                std::string &error) {
  onnx::ModelProto model;
  int64_t opset;
  if (!parseModel(bytes, model, error) || !defaultOpset(model, opset, error))
    return false;
  nodes = unsupportedNodes(model, opset);
  return true;
}

OwningOpRef<ModuleOp> kiln::importOnnx(llvm::StringRef bytes,
                                       MLIRContext &context,
                                       const OnnxImportOptions &options,
                                       llvm::StringRef bufferName) {
  context.loadDialect<KilnDialect, func::FuncDialect>();
  // Errors about the whole model name the file in their text.
  Location fileLoc = UnknownLoc::get(&context);
  onnx::ModelProto model;
  std::string error;
  int64_t opset;
  if (!parseModel(bytes, model, error) || !defaultOpset(model, opset, error)) {
    emitError(fileLoc) << bufferName << ": " << error;
    return nullptr;
  }
  std::vector<UnsupportedNode> unsupported = unsupportedNodes(model, opset);
  if (!unsupported.empty()) {
    emitError(fileLoc) << bufferName << ": " << unsupportedReport(unsupported);
    return nullptr;
  }
  GraphImporter importer(context, options, bufferName);
  return importer.run(model, opset);
}

OwningOpRef<ModuleOp> kiln::importOnnxFile(llvm::StringRef path,
                                           MLIRContext &context,
                                           const OnnxImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!file) {
    emitError(UnknownLoc::get(&context))
        << "cannot read '" << path << "': " << file.getError().message();
    return nullptr;
  }
  return importOnnx((*file)->getBuffer(), context, options, path);
}

OwningOpRef<ModuleOp> kiln::loadModelFile(llvm::StringRef path,
                                          MLIRContext &context,
                                          const OnnxImportOptions &options) {
  if (llvm::sys::path::extension(path) == ".onnx")
    return importOnnxFile(path, context, options);
  return parseKilnFile(path, context);
}

llvm::Expected<std::unique_ptr<CompiledModule>>
kiln::compileModelFile(llvm::StringRef path, const CompileOptions &options,
                       const OnnxImportOptions &importOptions) {
  DialectRegistry registry;
  registerDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  OwningOpRef<ModuleOp> module;
  {
    ErrorCollector errors(&context);
    module = loadModelFile(path, context, importOptions);
    if (!module)
      return errors.takeError();
  }
  return CompiledModule::compile(*module, options);
}

Status kiln::readOnnxTensor(const std::string &path, Tensor &out) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file)
    return Status::error("cannot read '" + path +
                         "': " + file.getError().message());
  onnx::TensorProto proto;
  llvm::StringRef bytes = (*file)->getBuffer();
  if (!proto.ParseFromArray(bytes.data(), int(bytes.size())))
    return Status::error(path + ": not a valid ONNX TensorProto");
  try {
    out = toRuntimeTensor(decodeTensor(proto, path));
  } catch (const ImportError &e) {
    return Status::error(e.what());
  }
  return Status::ok();
}
