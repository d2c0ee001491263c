//===- RoundTripTest.cpp - The C++ and the IR faces of one graph ----------===//
//
// build -> print -> load -> print gives identical text; the loaded graph
// has the same inputs, parameters, buffers, outputs and buffer updates, and
// compiles to the same numbers once it has the original's values.
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"

#include <cstdio>
#include <fstream>

using namespace kiln;
using namespace kiln::frontend_test;

namespace {
/// A small model using layers, buffers, a loss and two outputs.
void buildModel(Graph &g) {
  nn::Sequential model(g);
  model.add<nn::BatchNorm2d>(2);
  model.add<nn::Flatten>();
  model.add<nn::Linear>(8, 3);
  Var x = g.input("x", {4, 2, 2, 2});
  Var labels = g.input("labels", {4}, DType::I32);
  Var logits = model(x);
  g.output("probs", softmax(logits, 1));
  g.output("loss", crossEntropy(logits, labels));
}

struct Structure {
  std::vector<std::pair<std::string, TensorRole>> arguments;
  std::vector<std::string> outputs, updates;
};
Structure structureOf(const Graph &g) {
  Structure s;
  for (const Graph::Argument &a : g.arguments())
    s.arguments.push_back({a.name, a.role});
  for (const Graph::Output &o : g.outputs())
    s.outputs.push_back(o.name);
  for (const Graph::BufferUpdate &u : g.bufferUpdates())
    s.updates.push_back(g.findArgument("0.running_mean")->var.value() ==
                                u.buffer.value()
                            ? "0.running_mean"
                            : "0.running_var");
  return s;
}
} // namespace

TEST(RoundTrip, PrintLoadPrintIsIdentical) {
  Graph g("model", 9);
  buildModel(g);
  std::string text = g.toString();
  std::unique_ptr<Graph> loaded = Graph::parse(text);
  EXPECT_EQ(loaded->toString(), text);
  // With locations, too: they name this file.
  std::string located = g.toString(/*withLocations=*/true);
  EXPECT_TRUE(contains(located, __FILE__));
  EXPECT_EQ(Graph::parse(located)->toString(true), located);

  Structure a = structureOf(g), b = structureOf(*loaded);
  EXPECT_EQ(a.arguments, b.arguments);
  EXPECT_EQ(a.outputs, (std::vector<std::string>{"probs", "loss"}));
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_EQ(a.updates,
            (std::vector<std::string>{"0.running_mean", "0.running_var"}));
  EXPECT_EQ(a.updates, b.updates);
}

TEST(RoundTrip, BothFacesComputeTheSameNumbers) {
  Graph g("model", 9);
  buildModel(g);
  std::unique_ptr<Graph> loaded = Graph::parse(g.toString());
  // The IR holds no values: a loaded graph gets them from a state dict.
  EXPECT_TRUE(loaded->value("2.weight").empty());
  std::string missing = graphError([&] {
    loaded->compile()->run({Tensor::zeros(DType::F32, {4, 2, 2, 2}),
                            Tensor::zeros(DType::I32, {4})});
  });
  EXPECT_TRUE(contains(missing, "run: parameter '0.weight' has no value"));
  loaded->loadStateDict(g.stateDict());

  std::vector<Tensor> inputs = {randomTensor<float>({4, 2, 2, 2}, -1, 1, 5),
                                Tensor::fromVector<int32_t>({4}, {0, 2, 1, 2})};
  auto original = g.compile(), reloaded = loaded->compile();
  for (int step = 0; step < 2; ++step) {
    auto a = original->run(inputs), b = reloaded->run(inputs);
    ASSERT_EQ(a.size(), 2u);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_TRUE(matches<float>(b[0], {4, 3}, toVector<float>(a[0]), kExact));
    EXPECT_TRUE(matches<float>(b[1], {}, toVector<float>(a[1]), kExact));
    // The running statistics evolve alike.
    EXPECT_TRUE(matches<float>(
        reloaded->state().at("0.running_var"), {2},
        toVector<float>(original->state().at("0.running_var")), kExact));
  }
}

TEST(RoundTrip, SaveAndLoadAFile) {
  Graph g("saved");
  Var x = g.input("x", {3});
  g.output("y", x * 2.0);
  std::string path = ::testing::TempDir() + "/kiln_saved_graph.mlir";
  g.save(path);
  std::unique_ptr<Graph> loaded = Graph::load(path);
  std::remove(path.c_str());
  EXPECT_EQ(loaded->toString(), g.toString());
  // A loaded graph can be built on further.
  Var y = loaded->outputs()[0].var;
  loaded->output("z", y + 1.0);
  auto out =
      compileAndRun(*loaded, {Tensor::fromVector<float>({3}, {1, 2, 3})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<float>(out[1], {3}, {3, 5, 7}));
  std::string m = graphError([&] { g.save("/nonexistent/dir/g.mlir"); });
  EXPECT_TRUE(
      contains(m, "cannot write the graph to '/nonexistent/dir/g.mlir'"));
}

TEST(RoundTrip, UnnamedArgumentsAndResultsGetRuntimeNames) {
  std::unique_ptr<Graph> g = Graph::parse(
      "func.func @f(%a: tensor<2xf32>, %w: tensor<2xf32> {kiln.parameter})"
      " -> tensor<2xf32> {\n"
      "  %0 = kiln.mul %a, %w : tensor<2xf32>\n"
      "  return %0 : tensor<2xf32>\n}\n");
  ASSERT_EQ(g->arguments().size(), 2u);
  EXPECT_EQ(g->arguments()[0].name, "arg0");
  EXPECT_EQ(g->arguments()[1].name, "arg1");
  EXPECT_EQ(g->arguments()[1].role, TensorRole::Parameter);
  EXPECT_EQ(g->outputs()[0].name, "result0");
  g->setValue("arg1", Tensor::fromVector<float>({2}, {3, 4}));
  auto out = compileAndRun(*g, {Tensor::fromVector<float>({2}, {1, 2})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(matches<float>(out[0], {2}, {3, 8}));
}
