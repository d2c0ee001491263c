//===- GraphTest.cpp - Graph structure, attributes, locations, running ----===//

#include "FrontendTestUtil.h"

#include "ir/Kiln.h"

#include "mlir/IR/Location.h"

using namespace kiln;
using namespace kiln::frontend_test;

TEST(Graph, ArgumentsResultsAndTheirAttributes) {
  Graph g("model");
  Var x = g.input("x", {2, 3});
  Var w = g.parameter("w", {3}, init::ones());
  Var m = g.buffer("m", {3}, init::zeros(), DType::F32);
  g.output("y", x * w);
  g.updateBuffer(m, m + 1.0);
  ASSERT_EQ(g.arguments().size(), 3u);
  EXPECT_EQ(g.arguments()[1].role, TensorRole::Parameter);
  EXPECT_EQ(g.inputs().size(), 1u);
  EXPECT_EQ(g.parameters()[0].value(), w.value());
  EXPECT_EQ(g.buffers()[0].value(), m.value());
  ASSERT_EQ(g.bufferUpdates().size(), 1u);
  EXPECT_EQ(g.bufferUpdates()[0].buffer.value(), m.value());
  std::string ir = g.toString();
  EXPECT_TRUE(contains(
      ir, "func.func @model(%arg0: tensor<2x3xf32> {kiln.name = \"x\"}, "
          "%arg1: tensor<3xf32> {kiln.name = \"w\", kiln.parameter}, %arg2: "
          "tensor<3xf32> {kiln.buffer, kiln.name = \"m\"}) -> "
          "(tensor<2x3xf32> {kiln.name = \"y\"}, tensor<3xf32> {kiln.name = "
          "\"m\", kiln.updates = 2 : i64})"));
  // The results stay outputs first, buffer updates last.
  g.output("z", x);
  EXPECT_EQ(g.function().getNumResults(), 3u);
  EXPECT_TRUE(g.function().getResultAttr(2, "kiln.updates") != nullptr);
  // The runtime sees the roles; the buffer is updated in place, so only the
  // outputs are results.
  auto compiled = g.compile();
  const FunctionSignature &sig = compiled->signature();
  EXPECT_EQ(sig.inputs[1].role, TensorRole::Parameter);
  EXPECT_EQ(sig.inputs[2].role, TensorRole::Buffer);
  EXPECT_TRUE(sig.inputs[2].updatedInPlace);
  ASSERT_EQ(sig.results.size(), 2u);
  EXPECT_EQ(sig.results[1].name, "z");
}

TEST(Graph, OpLocationsAreTheCallersLines) {
  Graph g("where");
  unsigned inputLine = __LINE__ + 1;
  Var x = g.input("x", {2});
  unsigned opLine = __LINE__ + 1;
  Var y = relu(x);
  unsigned operatorLine = __LINE__ + 1;
  Var z = y + x;
  auto lineOf = [](mlir::Location loc) {
    auto file = mlir::dyn_cast<mlir::FileLineColLoc>(loc);
    EXPECT_TRUE(file) << "not a file location";
    EXPECT_EQ(file ? file.getFilename().str() : "", __FILE__);
    return file ? file.getLine() : 0u;
  };
  EXPECT_EQ(lineOf(x.value().getLoc()), inputLine);
  EXPECT_EQ(lineOf(y.value().getLoc()), opLine);
  EXPECT_EQ(lineOf(z.value().getLoc()), operatorLine);
  EXPECT_EQ(y.describe(), "2xf32 built at " + std::string(__FILE__) + ":" +
                              std::to_string(opLine));
}

TEST(Graph, BroadcastAndScalarOpsShareTheCallersLine) {
  Graph g("lines");
  Var x = g.input("x", {2, 3}), b = g.input("b", {3});
  unsigned line = __LINE__ + 1;
  g.output("y", b + x * 0.5);
  g.function().walk([&](mlir::Operation *op) {
    if (mlir::isa<mlir::func::ReturnOp>(op) ||
        mlir::isa<mlir::func::FuncOp>(op))
      return;
    auto file = mlir::dyn_cast<mlir::FileLineColLoc>(op->getLoc());
    ASSERT_TRUE(file) << op->getName().getStringRef().str();
    EXPECT_EQ(file.getLine(), line) << op->getName().getStringRef().str();
  });
}

TEST(Graph, CompiledGraphKeepsItsOwnState) {
  Graph g("state");
  Var w = g.parameter("w", {2}, init::constant(2));
  Var count = g.buffer("count", {1}, init::zeros());
  g.output("y", g.input("x", {2}) * w);
  g.updateBuffer(count, count + 1.0);
  auto compiled = g.compile();
  Tensor x = Tensor::fromVector<float>({2}, {1, 2});
  EXPECT_TRUE(matches<float>(compiled->run({x})[0], {2}, {2, 4}));
  compiled->setState("w", Tensor::fromVector<float>({2}, {-1, 10}));
  EXPECT_TRUE(matches<float>(compiled->run({x})[0], {2}, {-1, 20}));
  EXPECT_TRUE(matches<float>(compiled->state().at("count"), {1}, {2}));
  // The graph's values are untouched.
  EXPECT_TRUE(matches<float>(g.value("w"), {2}, {2, 2}));
  EXPECT_TRUE(matches<float>(g.value("count"), {1}, {0}));
  std::string m = graphError(
      [&] { compiled->setState("w", Tensor::zeros(DType::F64, {2})); });
  EXPECT_EQ(m, "setState: parameter 'w' is 2xf32, got 2xf64");
  m = graphError([&] { compiled->setState("x", x); });
  EXPECT_EQ(m, "setState: 'x' is not a parameter or buffer of 'state'");
}

TEST(Graph, StateDictRoundTrip) {
  Graph a("a", 1), b("b", 2);
  for (Graph *g : {&a, &b}) {
    nn::Linear fc(nn::Scope(*g).sub("fc"), 3, 2);
    g->output("y", fc(g->input("x", {1, 3})));
  }
  EXPECT_NE(toVector<float>(a.value("fc.weight")),
            toVector<float>(b.value("fc.weight")));
  b.loadStateDict(a.stateDict());
  Tensor x = Tensor::fromVector<float>({1, 3}, {1, 2, 3});
  auto ya = compileAndRun(a, {x}), yb = compileAndRun(b, {x});
  ASSERT_EQ(ya.size(), 1u);
  ASSERT_EQ(yb.size(), 1u);
  EXPECT_TRUE(matches<float>(yb[0], {1, 2}, toVector<float>(ya[0]), kExact));
}

TEST(Graph, ConstantsAndDirectBuilding) {
  Graph g("direct");
  Var c = g.constant(Tensor::fromVector<int32_t>({2, 2}, {1, 2, 3, 4}));
  Var f = g.full({2, 2}, 10, DType::I32);
  // Code that builds ops itself (e.g. a training-step compiler) uses the
  // graph's builder and wraps results as Vars.
  mlir::Value sum =
      AddOp::create(g.builder(), g.location(CallSite()), c.value(), f.value());
  g.output("sum", Var(g, sum));
  g.output("flag", g.constant(Tensor::fromVector<bool>({2}, {true, false})));
  auto out = compileAndRun(g, {});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(matches<int32_t>(out[0], {2, 2}, {11, 12, 13, 14}));
  EXPECT_TRUE(matches<bool>(out[1], {2}, {true, false}));
}
