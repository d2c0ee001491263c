//===- ErrorTest.cpp - Every mistake is a GraphError at the user's line ---===//
//
// Each test makes one mistake on the line it records with __LINE__ and
// checks the whole message: "<this file>:<line>: <builder>: <what>". The
// line is recorded by the statement before the mistake (`line = __LINE__ +
// 1;`), a form clang-format keeps.
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"

using namespace kiln;
using namespace kiln::frontend_test;

namespace {
/// Inputs shared by most tests: x [2, 3] f32, v [4] f32, d [2, 3] f64,
/// n [2, 3] i64, b [2, 3] i1.
struct ErrorTest : ::testing::Test {
  Graph g{"errors"};
  Var x = g.input("x", {2, 3});
  Var v = g.input("v", {4});
  Var d = g.input("d", {2, 3}, DType::F64);
  Var n = g.input("n", {2, 3}, DType::I64);
  Var b = g.input("b", {2, 3}, DType::I1);
  unsigned line = 0;
};
} // namespace

TEST_F(ErrorTest, ShapeMismatchNamesOpOperandsAndLine) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    add(x, v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "add: cannot broadcast lhs input 'x' 2x3xf32 "
                               "with rhs input 'v' 4xf32: sizes 3 and 4 in "
                               "dimension 1 of the result (NumPy rules: sizes "
                               "must match or be 1)");
}

TEST_F(ErrorTest, OperatorReportsItsLineAndWhereOperandsWereBuilt) {
  unsigned built = __LINE__ + 1;
  Var y = exp(v);
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    (void)(x * y);
  });
  EXPECT_EQ(m, KILN_AT(line) +
                   "mul: cannot broadcast lhs input 'x' 2x3xf32 "
                   "with rhs 4xf32 built at " +
                   std::string(__FILE__) + ":" + std::to_string(built) +
                   ": sizes 3 and 4 in dimension 1 of the result (NumPy "
                   "rules: sizes must match or be 1)");
}

TEST_F(ErrorTest, MixedDTypesAreNotPromoted) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    (void)(x + d);
  });
  EXPECT_EQ(m, KILN_AT(line) + "add: operands have different dtypes: lhs "
                               "input 'x' 2x3xf32 and rhs input 'd' 2x3xf64; "
                               "cast() one of them (Kiln does not promote)");
  m = graphError([&] {
    line = __LINE__ + 1;
    where(b, x, n);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "where: operands have different "
                                          "dtypes: onTrue input 'x'"));
}

TEST_F(ErrorTest, WrongElementKinds) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    (void)(b + b);
  });
  EXPECT_EQ(m, KILN_AT(line) + "add: needs numbers (f32, f64, i32 or i64), "
                               "got lhs input 'b' 2x3xi1; cast() it first");
  m = graphError([&] {
    line = __LINE__ + 1;
    exp(n);
  });
  EXPECT_EQ(m, KILN_AT(line) +
                   "exp: needs a float (f32 or f64) tensor, got input 'n' "
                   "2x3xi64");
  m = graphError([&] {
    line = __LINE__ + 1;
    mean(n);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "mean: needs a float"));
  m = graphError([&] {
    line = __LINE__ + 1;
    where(x, x, x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "where: the condition must be an i1 tensor, "
                               "got input 'x' 2x3xf32 (compare, or cast to "
                               "i1)");
  m = graphError([&] {
    line = __LINE__ + 1;
    cast(x, DType::U8);
  });
  EXPECT_EQ(m, KILN_AT(line) + "cast: dtype u8 is not a Kiln IR element type "
                               "(use f32, f64, i32, i64 or i1)");
}

TEST_F(ErrorTest, ScalarMustFitTheOtherOperand) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    (void)(n * 0.5);
  });
  EXPECT_EQ(m, KILN_AT(line) + "mul: scalar 0.5 is not representable in i64 "
                               "(a scalar takes the dtype of the other "
                               "operand)");
  m = graphError([&] {
    line = __LINE__ + 1;
    add(1.0, 2.0);
  });
  EXPECT_EQ(m, KILN_AT(line) + "add: needs at least one Var operand");
}

TEST_F(ErrorTest, BadAxes) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    sum(x, {2});
  });
  EXPECT_EQ(m, KILN_AT(line) + "sum: axis 2 is out of range for input 'x' "
                               "2x3xf32 (rank 2, axes -2..1)");
  m = graphError([&] {
    line = __LINE__ + 1;
    softmax(x, -3);
  });
  EXPECT_EQ(m, KILN_AT(line) + "softmax: axis -3 is out of range for input "
                               "'x' 2x3xf32 (rank 2, axes -2..1)");
  m = graphError([&] {
    line = __LINE__ + 1;
    amax(x, {1, -1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "amax: axis -1 is listed twice in [1, -1] for "
                               "input 'x' 2x3xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    concat({x, x}, 2);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "concat: axis 2 is out of range"));
}

TEST_F(ErrorTest, BadReshape) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    reshape(x, {4, 2});
  });
  EXPECT_EQ(m, KILN_AT(line) + "reshape: cannot reshape input 'x' 2x3xf32 (6 "
                               "elements) to [4, 2] (8 elements)");
  m = graphError([&] {
    line = __LINE__ + 1;
    reshape(x, {-1, -1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "reshape: bad target shape [-1, -1]: sizes "
                               "must be >= 0, with at most one -1");
  m = graphError([&] {
    line = __LINE__ + 1;
    reshape(x, {4, -1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "reshape: cannot reshape input 'x' 2x3xf32 (6 "
                               "elements) to [4, -1]: no size for -1 makes "
                               "the element counts match");
}

TEST_F(ErrorTest, BadShapeOps) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    transpose(x, {0, 0});
  });
  EXPECT_EQ(m, KILN_AT(line) + "transpose: [0, 0] is not a permutation: axis "
                               "0 appears twice");
  m = graphError([&] {
    line = __LINE__ + 1;
    transpose(x, {0});
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "transpose: permutation [0] has 1 "
                                          "entries but input 'x' 2x3xf32"));
  m = graphError([&] {
    line = __LINE__ + 1;
    concat({x, v}, 0);
  });
  EXPECT_EQ(m, KILN_AT(line) + "concat: tensor #1 input 'v' 4xf32 does not "
                               "fit tensor #0 input 'x' 2x3xf32 along axis 0 "
                               "(same dtype and rank; other dimensions equal)");
  m = graphError([&] {
    line = __LINE__ + 1;
    slice(x, {0, 2}, {2, 4});
  });
  EXPECT_EQ(m, KILN_AT(line) + "slice: dimension 1 of input 'x' 2x3xf32: need "
                               "0 <= start <= limit <= 3 (negative values "
                               "count from the end) and stride >= 1, got "
                               "start 2, limit 4, stride 1");
  m = graphError([&] {
    line = __LINE__ + 1;
    pad(x, {0, -1}, {0, 0});
  });
  EXPECT_EQ(m, KILN_AT(line) + "pad: dimension 1 of input 'x' 2x3xf32: "
                               "padding must be non-negative (slice crops), "
                               "got low -1, high 0, interior 0");
  m = graphError([&] {
    line = __LINE__ + 1;
    pad(n, {0, 0}, {1, 1}, {}, 0.5);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "pad: scalar 0.5 is not "
                                          "representable in i64"));
  m = graphError([&] {
    line = __LINE__ + 1;
    broadcastTo(x, {3, 3});
  });
  EXPECT_EQ(m, KILN_AT(line) + "broadcastTo: cannot broadcast input 'x' "
                               "2x3xf32 to [3, 3] (NumPy rules: aligned at "
                               "the last dimension, each size must match or "
                               "be 1)");
}

TEST_F(ErrorTest, BadMatmul) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    matmul(x, x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "matmul: contraction dimensions differ: lhs "
                               "input 'x' 2x3xf32 has K = 3 but rhs input "
                               "'x' 2x3xf32 has K = 2");
  m = graphError([&] {
    line = __LINE__ + 1;
    matmul(x, v);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "matmul: operands need at least 2 "
                                          "dimensions"));
  m = graphError([&] {
    line = __LINE__ + 1;
    matmul(x, d, false, true);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "matmul: operands have different "
                                          "dtypes"));
}

TEST_F(ErrorTest, VarsOfAnotherGraphOrEmpty) {
  Graph other("other");
  Var y = other.input("y", {2, 3});
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    add(x, y);
  });
  EXPECT_EQ(m, KILN_AT(line) + "add: operands belong to different graphs: "
                               "input 'y' 2x3xf32 is from another graph");
  m = graphError([&] {
    line = __LINE__ + 1;
    relu(Var());
  });
  EXPECT_EQ(m, KILN_AT(line) + "relu: got an empty Var");
  m = graphError([&] {
    line = __LINE__ + 1;
    g.output("y", y);
  });
  EXPECT_EQ(m, KILN_AT(line) +
                   "output 'y': input 'y' 2x3xf32 belongs to another graph");
}

TEST_F(ErrorTest, ArgumentsAndOutputs) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    g.input("x", {1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "input 'x': the name is taken by input 'x' "
                               "2x3xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    g.input("dyn", {-1, 3});
  });
  EXPECT_EQ(m, KILN_AT(line) + "input 'dyn': shape [-1, 3] has a negative "
                               "dimension; Kiln shapes are static");
  m = graphError([&] {
    line = __LINE__ + 1;
    g.input("", {1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "input: needs a non-empty name");
  g.output("y", x);
  m = graphError([&] {
    line = __LINE__ + 1;
    g.output("y", d);
  });
  EXPECT_EQ(m, KILN_AT(line) + "output 'y': an output of that name exists: "
                               "input 'x' 2x3xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    g.full({2}, 1.5, DType::I32);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "full: scalar 1.5 is not "
                                          "representable in i32"));
  m = graphError([&] {
    line = __LINE__ + 1;
    g.constant(Tensor());
  });
  EXPECT_EQ(m, KILN_AT(line) + "constant: the tensor is empty (no storage)");
}

TEST_F(ErrorTest, ParametersAndBuffers) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    g.parameter("w", {4}, init::kaimingUniform());
  });
  EXPECT_EQ(m, KILN_AT(line) + "parameter 'w': fan in and fan out need a "
                               "weight of at least 2 dimensions ([out, in, "
                               "...]), got shape [4]");
  m = graphError([&] {
    line = __LINE__ + 1;
    g.parameter("k", {2, 2}, init::normal(), DType::I32);
  });
  EXPECT_EQ(m, KILN_AT(line) + "parameter 'k': normal(mean=0, std=1) draws "
                               "random values and needs an f32 or f64 "
                               "tensor, got i32");
  Var mean = g.buffer("mean", {3}, init::zeros());
  Var w = g.parameter("w", {3}, init::ones());
  m = graphError([&] {
    line = __LINE__ + 1;
    g.updateBuffer(w, w);
  });
  EXPECT_EQ(m, KILN_AT(line) + "updateBuffer: parameter 'w' 3xf32 is not a "
                               "buffer of this graph");
  m = graphError([&] {
    line = __LINE__ + 1;
    g.updateBuffer(mean, v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "updateBuffer 'mean': the new value input 'v' "
                               "4xf32 must have the buffer's type 3xf32");
  g.updateBuffer(mean, mean + 1.0);
  m = graphError([&] {
    line = __LINE__ + 1;
    g.updateBuffer(mean, w);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "updateBuffer 'mean': the buffer "
                                          "already has a new value"));
}

TEST_F(ErrorTest, StateValues) {
  g.parameter("w", {3}, init::ones());
  std::string m = graphError([&] { g.value("x"); });
  EXPECT_EQ(m, "'x' is not a parameter or buffer of the graph (it has: w)");
  m = graphError([&] { g.setValue("w", Tensor::zeros(DType::F32, {4})); });
  EXPECT_EQ(m, "value for parameter 'w' must be 3xf32, got 4xf32");
  m = graphError([&] { g.loadStateDict({}); });
  EXPECT_EQ(m, "loadStateDict: no value for parameter 'w'");
}

TEST_F(ErrorTest, LayersCheckTheirInputs) {
  nn::Linear fc(nn::Scope(g).sub("fc"), 4, 2);
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    fc(x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Linear 'fc': expects input [..., 4] of f32, "
                               "got input 'x' 2x3xf32");
  nn::BatchNorm2d bn(nn::Scope(g).sub("bn"), 3);
  m = graphError([&] {
    line = __LINE__ + 1;
    bn(x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "BatchNorm2d 'bn': expects input [N, 3, H, W] "
                               "of f32, got input 'x' 2x3xf32");
  Var one = g.input("one", {1, 3, 1, 1});
  m = graphError([&] {
    line = __LINE__ + 1;
    bn(one);
  });
  EXPECT_EQ(m, KILN_AT(line) + "BatchNorm2d 'bn': training needs more than "
                               "one value per channel, got input 'one' "
                               "1x3x1x1xf32");
  nn::LayerNorm ln(nn::Scope(g).sub("ln"), {4});
  m = graphError([&] {
    line = __LINE__ + 1;
    ln(x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "LayerNorm 'ln': expects a float input whose "
                               "last dimensions are [4], got input 'x' "
                               "2x3xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Flatten(2)(x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Flatten: dimensions 2..-1 do not fit input "
                               "'x' 2x3xf32");
}

TEST_F(ErrorTest, LossesNameBothOperands) {
  Var t = g.input("t", {3, 2});
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    mseLoss(x, t);
  });
  EXPECT_EQ(m, KILN_AT(line) + "mseLoss: input and target must be float "
                               "tensors of one shape and dtype, got input "
                               "input 'x' 2x3xf32 and target input 't' "
                               "3x2xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    binaryCrossEntropyWithLogits(x, d);
  });
  EXPECT_EQ(m, KILN_AT(line) + "binaryCrossEntropyWithLogits: logits and "
                               "targets must be float tensors of one shape "
                               "and dtype, got logits input 'x' 2x3xf32 and "
                               "targets input 'd' 2x3xf64");
  Var labels = g.input("labels", {2});
  m = graphError([&] {
    line = __LINE__ + 1;
    crossEntropy(x, labels);
  });
  EXPECT_EQ(m, KILN_AT(line) + "crossEntropy: labels must be integer class "
                               "indices [N] (i32 or i64) with N = 2 as the "
                               "logits input 'x' 2x3xf32, got input 'labels' "
                               "2xf32");
  Var few = g.input("few", {5}, DType::I64);
  m = graphError([&] {
    line = __LINE__ + 1;
    crossEntropy(x, few);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "crossEntropy: labels must be "
                                          "integer class indices [N]"));
  m = graphError([&] {
    line = __LINE__ + 1;
    crossEntropy(v, few);
  });
  EXPECT_EQ(m, KILN_AT(line) + "crossEntropy: logits must be a float tensor "
                               "[N, C], got input 'v' 4xf32");
}

TEST_F(ErrorTest, RunAndLoad) {
  g.output("y", relu(x));
  auto compiled = g.compile();
  std::string m = graphError([&] { compiled->run({}); });
  EXPECT_EQ(m, "run: 'errors' takes 5 inputs (x, v, d, n, b), got 0");
  std::vector<Tensor> wrong(5, Tensor::zeros(DType::F32, {3}));
  m = graphError([&] { compiled->run(wrong); });
  EXPECT_TRUE(contains(m, "run: argument 'x' (#0) of 'errors': expected "
                          "2x3xf32, got 3xf32"));
  m = graphError([&] { Graph::parse("func.func @f(%x: tensor<2xf32>"); });
  EXPECT_TRUE(contains(m, "cannot load a graph from <graph>: <graph>:1:"));
  m = graphError([&] {
    Graph::parse("func.func @f() {\n return\n}\nfunc.func @g() {\n return\n}");
  });
  EXPECT_EQ(m, "cannot load a graph from <graph>: a graph is a module "
               "holding exactly one func.func");
  m = graphError([&] { Graph::parse("func.func private @f() {\n return\n}"); });
  EXPECT_EQ(m, "cannot load a graph from <graph>: function 'f' is private; a "
               "graph's function is public (an entry point)");
  m = graphError([&] { Graph::parse("func.func private @f(memref<2xf32>)"); });
  EXPECT_EQ(m, "cannot load a graph from <graph>: function 'f' has no body");
  m = graphError(
      [&] { Graph::parse("func.func @f(%x: memref<2xf32>) {\n return\n}"); });
  EXPECT_EQ(m, "cannot load a graph from <graph>: argument 'arg0': a Var "
               "holds a statically shaped tensor of f32, f64, i32, i64 or i1, "
               "not a value of another type");
  m = graphError([&] { Graph::load("/nonexistent/graph.mlir"); });
  EXPECT_EQ(m, "cannot load a graph from '/nonexistent/graph.mlir': No such "
               "file or directory");
  m = graphError([&] {
    Graph::parse(
        "func.func @f(%m: tensor<2xf32> {kiln.name = \"m\", kiln.buffer})\n"
        "    -> (tensor<2xf32> {kiln.name = \"m\", kiln.updates = 0}, "
        "tensor<2xf32>) "
        "{\n  return %m, %m : tensor<2xf32>, tensor<2xf32>\n}");
  });
  EXPECT_EQ(m, "cannot load a graph from <graph>: output 'result1' follows a "
               "buffer update; buffer updates are the last results");
  m = graphError([&] {
    Graph::parse("func.func @f(%w: tensor<2xf32> {kiln.name = \"w\", "
                 "kiln.parameter})\n    -> (tensor<2xf32> {kiln.updates = 0}) "
                 "{\n  return %w : tensor<2xf32>\n}");
  });
  EXPECT_EQ(m, "cannot load a graph from <graph>: result 'result0' updates "
               "parameter 'w' 2xf32, which is not a buffer (kiln.buffer)");
}
