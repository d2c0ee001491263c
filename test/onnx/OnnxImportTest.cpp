//===- OnnxImportTest.cpp - The ONNX importer: API, errors, fuzzing -------===//
//
// Models are built here with ONNX's protobuf classes, imported, compiled
// and run against C++ references; malformed models (truncated, bit-flipped)
// must give diagnostics, never crash.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OnnxImport.h"

#include "frontend/Frontend.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <random>

namespace {

using onnx::TensorProto_DataType_FLOAT;

void addTensorValue(onnx::ValueInfoProto *info, const std::string &name,
                    const std::vector<int64_t> &shape,
                    const std::string &dynamicName = "") {
  info->set_name(name);
  auto *tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(TensorProto_DataType_FLOAT);
  auto *dims = tensor->mutable_shape();
  for (int64_t d : shape) {
    auto *dim = dims->add_dim();
    if (d < 0)
      dim->set_dim_param(dynamicName);
    else
      dim->set_dim_value(d);
  }
}

onnx::NodeProto *addNode(onnx::GraphProto *graph, const std::string &type,
                         const std::string &name,
                         const std::vector<std::string> &inputs,
                         const std::vector<std::string> &outputs) {
  auto *node = graph->add_node();
  node->set_op_type(type);
  node->set_name(name);
  for (const auto &i : inputs)
    node->add_input(i);
  for (const auto &o : outputs)
    node->add_output(o);
  return node;
}

void addInitializer(onnx::GraphProto *graph, const std::string &name,
                    const std::vector<int64_t> &shape,
                    const std::vector<float> &values) {
  auto *t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(TensorProto_DataType_FLOAT);
  for (int64_t d : shape)
    t->add_dims(d);
  for (float v : values)
    t->add_float_data(v);
}

/// y = softmax(relu(conv(x, W) + b) flattened x V), x: [N, 1, 4, 4] with a
/// dynamic batch.
onnx::ModelProto convModel(int64_t opset = 13) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *op = model.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  auto *g = model.mutable_graph();
  g->set_name("conv");
  addTensorValue(g->add_input(), "x", {-1, 1, 4, 4}, "batch");
  addTensorValue(g->add_output(), "y", {-1, 3});
  std::vector<float> w(2 * 1 * 3 * 3), v(2 * 4 * 4 * 3);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.1f * float(int(i % 7) - 3);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = 0.05f * float(int(i % 5) - 2);
  addInitializer(g, "W", {2, 1, 3, 3}, w);
  addInitializer(g, "b", {2}, {0.25f, -0.5f});
  addInitializer(g, "V", {32, 3}, v);
  auto *conv = addNode(g, "Conv", "conv1", {"x", "W", "b"}, {"c"});
  auto *pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int i = 0; i < 4; ++i)
    pads->add_ints(1);
  addNode(g, "Relu", "relu1", {"c"}, {"r"});
  addNode(g, "Flatten", "flat", {"r"}, {"f"});
  addNode(g, "MatMul", "fc", {"f", "V"}, {"l"});
  addNode(g, "Softmax", "probs", {"l"}, {"y"});
  return model;
}

struct Imported {
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string errors;
};

Imported import(const std::string &bytes,
                const kiln::OnnxImportOptions &options = {}) {
  Imported out;
  mlir::DialectRegistry registry;
  kiln::registerDialects(registry);
  out.context = std::make_unique<mlir::MLIRContext>(registry);
  out.context->printOpOnDiagnostic(false);
  kiln::ErrorCollector errors(out.context.get());
  out.module = kiln::importOnnx(bytes, *out.context, options, "test.onnx");
  if (!out.module)
    out.errors = llvm::toString(errors.takeError());
  return out;
}

/// Options that pin convModel's dynamic batch, which import needs.
kiln::OnnxImportOptions pinnedBatch(int64_t batch = 1) {
  kiln::OnnxImportOptions options;
  options.inputShapes["x"] = {batch, 1, 4, 4};
  return options;
}

/// Whether the import failed with a diagnostic that contains `message`.
::testing::AssertionResult failedWith(const Imported &m,
                                      const std::string &message) {
  if (m.module)
    return ::testing::AssertionFailure() << "the import succeeded";
  if (m.errors.find(message) == std::string::npos)
    return ::testing::AssertionFailure() << "no \"" << message << "\" in:\n"
                                         << m.errors;
  return ::testing::AssertionSuccess();
}

std::vector<float> reference(const std::vector<float> &x, int64_t batch,
                             const onnx::ModelProto &model) {
  const auto &g = model.graph();
  auto values = [&](int i) {
    return std::vector<float>(g.initializer(i).float_data().begin(),
                              g.initializer(i).float_data().end());
  };
  std::vector<float> w = values(0), b = values(1), v = values(2);
  std::vector<float> out;
  for (int64_t n = 0; n < batch; ++n) {
    std::vector<double> f;
    for (int o = 0; o < 2; ++o)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          double s = b[o];
          for (int ki = 0; ki < 3; ++ki)
            for (int kj = 0; kj < 3; ++kj) {
              int r = i + ki - 1, c = j + kj - 1;
              if (r >= 0 && r < 4 && c >= 0 && c < 4)
                s += double(w[o * 9 + ki * 3 + kj]) * x[n * 16 + r * 4 + c];
            }
          f.push_back(std::max(s, 0.0));
        }
    double l[3], m = -1e300, z = 0;
    for (int k = 0; k < 3; ++k) {
      l[k] = 0;
      for (int i = 0; i < 32; ++i)
        l[k] += f[i] * v[i * 3 + k];
      m = std::max(m, l[k]);
    }
    for (double &e : l)
      z += std::exp(e - m);
    for (double e : l)
      out.push_back(float(std::exp(e - m) / z));
  }
  return out;
}

TEST(OnnxImport, ConvModelMatchesReference) {
  onnx::ModelProto model = convModel();
  Imported m = import(model.SerializeAsString(), pinnedBatch(3));
  ASSERT_TRUE(m.module) << m.errors;
  auto compiled = kiln::CompiledModule::compile(*m.module);
  ASSERT_TRUE(bool(compiled)) << llvm::toString(compiled.takeError());
  std::vector<float> x(3 * 16);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.7f * float(i));
  std::vector<kiln::Tensor> outputs;
  kiln::Status s = (*compiled)->invoke(
      "main", {kiln::Tensor::fromVector<float>({3, 1, 4, 4}, x)}, outputs);
  ASSERT_TRUE(s) << s.message();
  std::vector<float> want = reference(x, 3, model);
  ASSERT_EQ(outputs[0].shape(), (std::vector<int64_t>{3, 3}));
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(outputs[0].dataAs<float>()[i], want[i], 1e-5) << i;
}

TEST(OnnxImport, LocationsNameTheNode) {
  Imported m = import(convModel().SerializeAsString(), pinnedBatch());
  ASSERT_TRUE(m.module) << m.errors;
  bool sawConv = false;
  m.module->walk([&](mlir::Operation *op) {
    if (op->getName().getStringRef() != "kiln.conv2d")
      return;
    auto fused = mlir::dyn_cast<mlir::FusedLoc>(op->getLoc());
    ASSERT_TRUE(fused);
    EXPECT_EQ(mlir::cast<mlir::StringAttr>(fused.getMetadata()).getValue(),
              "Conv");
    EXPECT_EQ(
        mlir::cast<mlir::NameLoc>(fused.getLocations()[0]).getName().getValue(),
        "conv1");
    sawConv = true;
  });
  EXPECT_TRUE(sawConv);
}

TEST(OnnxImport, InitializersAsParameters) {
  kiln::OnnxImportOptions options = pinnedBatch();
  options.initializersAsParameters = true;
  Imported m = import(convModel().SerializeAsString(), options);
  ASSERT_TRUE(m.module) << m.errors;
  std::vector<kiln::FunctionSignature> signatures;
  ASSERT_TRUE(mlir::succeeded(kiln::collectSignatures(*m.module, signatures)));
  ASSERT_EQ(signatures[0].inputs.size(), 4u);
  EXPECT_EQ(signatures[0].inputs[0].name, "x");
  EXPECT_EQ(signatures[0].inputs[0].role, kiln::TensorRole::Data);
  EXPECT_EQ(signatures[0].inputs[1].name, "W");
  EXPECT_EQ(signatures[0].inputs[1].role, kiln::TensorRole::Parameter);
  EXPECT_EQ(signatures[0].inputs[3].shape, (std::vector<int64_t>{32, 3}));
}

TEST(OnnxImport, DynamicDimensionNamesTheInput) {
  EXPECT_TRUE(failedWith(import(convModel().SerializeAsString()),
                         "test.onnx: input 'x' has a dynamic dimension 0 "
                         "('batch') (shape ?x1x4x4); pin it with "
                         "--input-shape x=<d0>x<d1>..."));
}

TEST(OnnxImport, UnsupportedOpsAreReportedOnceBeforeImport) {
  onnx::ModelProto model = convModel();
  auto *g = model.mutable_graph();
  addNode(g, "Cos", "cos1", {"y"}, {"z1"});
  addNode(g, "Cos", "", {"z1"}, {"z2"});
  addNode(g, "Mod", "mod1", {"z2", "z2"}, {"z3"});
  auto *custom = addNode(g, "Frobnicate", "f", {"z3"}, {"z4"});
  custom->set_domain("com.example");
  std::vector<kiln::UnsupportedNode> nodes;
  std::string error;
  ASSERT_TRUE(
      kiln::findUnsupportedNodes(model.SerializeAsString(), nodes, error))
      << error;
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[1].opType, "Cos");
  EXPECT_EQ(nodes[1].nodeName, "z2"); // unnamed: its output
  EXPECT_EQ(nodes[1].opset, 13);
  EXPECT_EQ(nodes[3].opType, "com.example::Frobnicate");

  // The dynamic batch is not pinned either: the op report comes first.
  EXPECT_TRUE(failedWith(
      import(model.SerializeAsString()),
      "test.onnx: unsupported ONNX ops (3 op types, 4 nodes):\n  Cos (opset "
      "13): 'cos1', 'z2' [no converter]\n  Mod (opset 13): 'mod1' [no "
      "converter]\n  com.example::Frobnicate (opset 0): 'f' [only the "
      "default ONNX domain is supported]"));
}

TEST(OnnxImport, OpsetOutsideTheKnownRange) {
  EXPECT_TRUE(failedWith(import(convModel(18).SerializeAsString()),
                         "test.onnx: ONNX opset 18 is unsupported (Kiln "
                         "imports opsets 1 to 17)"));
  // Conv at opset 5 is outside its converter's range: reported as such.
  std::vector<kiln::UnsupportedNode> nodes;
  std::string error;
  ASSERT_TRUE(kiln::findUnsupportedNodes(convModel(5).SerializeAsString(),
                                         nodes, error));
  ASSERT_FALSE(nodes.empty());
  EXPECT_EQ(nodes[0].reason, "supported in opsets 6 to 17");
}

TEST(OnnxImport, NodeErrorsNameTheNode) {
  onnx::ModelProto model = convModel();
  // A weight whose channels do not match the input.
  model.mutable_graph()->mutable_initializer(0)->set_dims(1, 2);
  auto *data = model.mutable_graph()->mutable_initializer(0);
  for (int i = 0; i < 18; ++i)
    data->add_float_data(0);
  EXPECT_TRUE(failedWith(import(model.SerializeAsString(), pinnedBatch()),
                         "ONNX node 'conv1' (Conv, opset 13): input "
                         "channels 1, weight [2, 2, 3, 3] and group 1 do not "
                         "match"));
}

TEST(OnnxImport, CorruptData) {
  EXPECT_TRUE(failedWith(import("\xff\xff\xff garbage"),
                         "test.onnx: not a valid ONNX model (truncated or "
                         "corrupt protobuf)"));
  onnx::ModelProto model = convModel();
  // 18 values for a [2, 1, 3, 3] weight... minus one.
  model.mutable_graph()
      ->mutable_initializer(0)
      ->mutable_float_data()
      ->RemoveLast();
  EXPECT_TRUE(failedWith(import(model.SerializeAsString(), pinnedBatch()),
                         "initializer 'W' holds 17 values but its shape "
                         "[2, 1, 3, 3] needs 18"));
}

/// x [1, 1, 4, 4] -> `type` (DepthToSpace or SpaceToDepth) with
/// `blocksize` -> y `out`.
onnx::ModelProto blockModel(const std::string &type, int64_t blocksize,
                            const std::vector<int64_t> &out) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *op = model.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  auto *g = model.mutable_graph();
  g->set_name("blocks");
  addTensorValue(g->add_input(), "x", {1, 1, 4, 4});
  addTensorValue(g->add_output(), "y", out);
  auto *attr = addNode(g, type, "blocks", {"x"}, {"y"})->add_attribute();
  attr->set_name("blocksize");
  attr->set_type(onnx::AttributeProto_AttributeType_INT);
  attr->set_i(blocksize);
  return model;
}

TEST(OnnxImport, BlocksizeMustDivideTheBlockedDimensions) {
  EXPECT_TRUE(
      import(blockModel("SpaceToDepth", 2, {1, 4, 2, 2}).SerializeAsString())
          .module);
  // DepthToSpace takes b * b = 4 channels per block; x has 1.
  EXPECT_TRUE(failedWith(
      import(blockModel("DepthToSpace", 2, {1, 1, 8, 8}).SerializeAsString()),
      "ONNX node 'blocks' (DepthToSpace, opset 13): input [1, 1, 4, 4] and "
      "blocksize 2"));
  // SpaceToDepth needs b to divide H and W.
  EXPECT_TRUE(failedWith(
      import(blockModel("SpaceToDepth", 3, {1, 9, 1, 1}).SerializeAsString()),
      "ONNX node 'blocks' (SpaceToDepth, opset 13): input [1, 1, 4, 4] and "
      "blocksize 3"));
  EXPECT_TRUE(failedWith(
      import(blockModel("SpaceToDepth", 0, {1, 1, 4, 4}).SerializeAsString()),
      "input [1, 1, 4, 4] and blocksize 0"));
}

/// Every import of a damaged model either succeeds with a module that
/// verifies or fails with a diagnostic; the test crashing is the failure.
void expectNoCrash(const std::string &bytes) {
  Imported m = import(bytes, pinnedBatch());
  if (m.module)
    EXPECT_TRUE(mlir::succeeded(mlir::verify(*m.module)));
  else
    EXPECT_FALSE(m.errors.empty());
}

TEST(OnnxImportFuzz, TruncationsNeverCrash) {
  std::string bytes = convModel().SerializeAsString();
  for (size_t n = 0; n < bytes.size(); ++n) {
    // A prefix can be a valid smaller message only by accident; whatever
    // it is, it must not crash, and it must not silently import the model.
    SCOPED_TRACE(n);
    expectNoCrash(bytes.substr(0, n));
  }
}

TEST(OnnxImportFuzz, BitFlipsNeverCrash) {
  std::string bytes = convModel().SerializeAsString();
  std::mt19937 rng(5);
  // Every bit of the model's structure (before the weights' float data is
  // the interesting part, but all of it is cheap enough).
  for (size_t i = 0; i < bytes.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] ^= char(1 << bit);
      expectNoCrash(damaged);
    }
  // And random multi-byte damage.
  for (int trial = 0; trial < 300; ++trial) {
    std::string damaged = bytes;
    for (int k = 0; k < 4; ++k)
      damaged[rng() % damaged.size()] = char(rng());
    expectNoCrash(damaged);
  }
}

TEST(OnnxImportFuzz, DamagedTestSuiteModelsNeverCrash) {
  const char *path = "/usr/share/libonnx-testdata/data/pytorch-converted/"
                     "test_ConvTranspose2d/model.onnx";
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file)
    GTEST_SKIP() << "libonnx-testdata is not installed";
  std::string bytes = (*file)->getBuffer().str();
  std::mt19937 rng(11);
  for (int trial = 0; trial < 400; ++trial) {
    std::string damaged = bytes;
    if (trial % 2)
      damaged.resize(rng() % bytes.size());
    else
      damaged[rng() % 400 % damaged.size()] ^= char(1 << (rng() % 8));
    Imported m = import(damaged);
    if (m.module) {
      EXPECT_TRUE(mlir::succeeded(mlir::verify(*m.module)));
    }
  }
}

} // namespace
