//===- ErrorTest.cpp - Error paths of compileKilnSource and invoke
//---------===//
//
// Failures must be reported, not crash: invoke with the wrong number, shape
// or dtype of inputs returns a Status naming the argument and both types;
// malformed IR returns an llvm::Error with line:col; entry functions with a
// non-tensor signature are rejected by name.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"

#include <algorithm>
#include <regex>

using namespace kiln;
using namespace kiln::e2e;

namespace {

const char *kTwoArgIR = R"(
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x2xf32>) {
  %yb = kiln.broadcast %y : tensor<3xf32> -> tensor<2x3xf32>
  %s = kiln.add %x, %yb : tensor<2x3xf32>
  %m = kiln.matmul %x, %x {transpose_rhs} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x2xf32>
  return %s, %m : tensor<2x3xf32>, tensor<2x2xf32>
}
func.func @named(%x: tensor<4xi64> {kiln.name = "tokens"}) -> (tensor<4xi64> {kiln.name = "doubled"}) {
  %d = kiln.add %x, %x : tensor<4xi64>
  return %d : tensor<4xi64>
}
func.func private @hidden(%x: tensor<4xi64>) -> tensor<4xi64> {
  return %x : tensor<4xi64>
}
)";

/// The text of an llvm::Error from compiling `ir`, or "" if it compiled.
std::string compileError(const std::string &ir) {
  auto compiled = compileKilnSource(ir);
  if (compiled)
    return "";
  return llvm::toString(compiled.takeError());
}

/// 1-based line of the first occurrence of `needle` in `text`.
int lineOf(const std::string &text, const std::string &needle) {
  size_t pos = text.find(needle);
  EXPECT_NE(pos, std::string::npos) << "test bug: " << needle;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

/// 1-based column of the first occurrence of `needle` in `text`.
int columnOf(const std::string &text, const std::string &needle) {
  size_t pos = text.find(needle);
  size_t lineStart = text.rfind('\n', pos);
  return static_cast<int>(
             pos - (lineStart == std::string::npos ? 0 : lineStart + 1)) +
         1;
}

/// The message has ":<line>:<column>" for the given line (and column, when
/// given).
::testing::AssertionResult hasLineCol(const std::string &message, int line,
                                      int column = -1) {
  std::regex pattern(":" + std::to_string(line) + ":" +
                     (column < 0 ? "[0-9]+" : std::to_string(column)) +
                     "([^0-9]|$)");
  if (std::regex_search(message, pattern))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "no \":" << line << ":"
         << (column < 0 ? "<col>" : std::to_string(column))
         << "\" in the message:\n  " << message;
}

TEST(InvokeErrors, WrongInputCount) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kTwoArgIR, m));
  std::vector<Tensor> out;
  Tensor x = Tensor::fromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y = Tensor::fromVector<float>({3}, {1, 2, 3});

  Status s = m->invoke("f", {x}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "'f'"));
  EXPECT_TRUE(contains(s.message(), "expects 2"));
  EXPECT_TRUE(contains(s.message(), "got 1"));
  EXPECT_TRUE(out.empty());

  s = m->invoke("f", {x, y, y}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "got 3"));

  s = m->invoke("f", {}, out);
  EXPECT_FALSE(s.isOk());

  // The module still works after the failed calls.
  ASSERT_TRUE(invokeFn(*m, "f", {x, y}, out));
  EXPECT_TRUE(matches<float>(out[0], {2, 3}, {2, 4, 6, 5, 7, 9}));
  EXPECT_TRUE(matches<float>(out[1], {2, 2}, {14, 32, 32, 77}));
}

TEST(InvokeErrors, WrongShapeNamesArgumentAndBothTypes) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kTwoArgIR, m));
  std::vector<Tensor> out;
  Tensor x = Tensor::fromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});

  // Same element count, other shape.
  Tensor xT = Tensor::fromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor y = Tensor::fromVector<float>({3}, {1, 2, 3});
  Status s = m->invoke("f", {xT, y}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "#0"));
  EXPECT_TRUE(contains(s.message(), "'f'"));
  EXPECT_TRUE(contains(s.message(), "2x3xf32"));
  EXPECT_TRUE(contains(s.message(), "3x2xf32"));

  // Wrong rank on the second argument.
  Tensor y2 = Tensor::fromVector<float>({1, 3}, {1, 2, 3});
  s = m->invoke("f", {x, y2}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "#1"));
  EXPECT_TRUE(contains(s.message(), "3xf32"));
  EXPECT_TRUE(contains(s.message(), "1x3xf32"));

  // A named argument is reported by its name.
  s = m->invoke("named", {Tensor::fromVector<int64_t>({5}, {1, 2, 3, 4, 5})},
                out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "'tokens'"));
  EXPECT_TRUE(contains(s.message(), "4xi64"));
  EXPECT_TRUE(contains(s.message(), "5xi64"));
}

TEST(InvokeErrors, WrongDTypeNamesArgumentAndBothTypes) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kTwoArgIR, m));
  std::vector<Tensor> out;
  Tensor y = Tensor::fromVector<float>({3}, {1, 2, 3});

  Status s = m->invoke(
      "f", {Tensor::fromVector<double>({2, 3}, {1, 2, 3, 4, 5, 6}), y}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "#0"));
  EXPECT_TRUE(contains(s.message(), "2x3xf32"));
  EXPECT_TRUE(contains(s.message(), "2x3xf64"));

  s = m->invoke("named", {Tensor::fromVector<int32_t>({4}, {1, 2, 3, 4})}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "'tokens'"));
  EXPECT_TRUE(contains(s.message(), "4xi64"));
  EXPECT_TRUE(contains(s.message(), "4xi32"));

  // An empty (default-constructed) tensor is refused, not dereferenced.
  s = m->invoke("f", {Tensor(), y}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "#0"));
  EXPECT_TRUE(contains(s.message(), "2x3xf32"));
}

TEST(InvokeErrors, UnknownOrPrivateFunction) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kTwoArgIR, m));
  std::vector<Tensor> out;
  Status s = m->invoke("does_not_exist", {}, out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "does_not_exist"));
  EXPECT_TRUE(contains(s.message(), "'f'")); // lists what exists
  EXPECT_EQ(m->lookup("does_not_exist"), nullptr);

  // Private functions are not entry points.
  EXPECT_EQ(m->lookup("hidden"), nullptr);
  s = m->invoke("hidden", {Tensor::fromVector<int64_t>({4}, {1, 2, 3, 4})},
                out);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "hidden"));

  // The signatures of the public functions.
  ASSERT_EQ(m->functions().size(), 2u);
  const FunctionSignature *named = m->lookup("named");
  ASSERT_NE(named, nullptr);
  ASSERT_EQ(named->inputs.size(), 1u);
  EXPECT_EQ(named->inputs[0].name, "tokens");
  EXPECT_EQ(named->inputs[0].dtype, DType::I64);
  EXPECT_EQ(named->inputs[0].shape, (std::vector<int64_t>{4}));
  ASSERT_EQ(named->results.size(), 1u);
  EXPECT_EQ(named->results[0].name, "doubled");
  const FunctionSignature *f = m->lookup("f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->inputs.size(), 2u);
  EXPECT_EQ(f->results.size(), 2u);
  EXPECT_EQ(f->results[1].shape, (std::vector<int64_t>{2, 2}));
}

TEST(InvokeErrors, InvokeIntoChecksOutputs) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(kTwoArgIR, m));
  Tensor in = Tensor::fromVector<int64_t>({4}, {1, -2, 3, 1LL << 40});
  std::vector<Tensor> outs = {Tensor::zeros(DType::I64, {4})};
  for (int rep = 0; rep < 3; ++rep) {
    Status s = m->invokeInto("named", {in}, outs);
    ASSERT_TRUE(s.isOk()) << s.message();
    EXPECT_TRUE(matches<int64_t>(outs[0], {4}, {2, -4, 6, 1LL << 41}));
  }
  std::vector<Tensor> wrong = {Tensor::zeros(DType::I64, {5})};
  Status s = m->invokeInto("named", {in}, wrong);
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(contains(s.message(), "4xi64"));
  EXPECT_TRUE(contains(s.message(), "5xi64"));
  std::vector<Tensor> none;
  EXPECT_FALSE(m->invokeInto("named", {in}, none).isOk());
}

// Results are written while arguments are read, so invokeInto refuses a
// result buffer that is also an argument or another result, instead of
// computing garbage.
TEST(InvokeErrors, InvokeIntoRejectsResultsThatShareMemory) {
  std::unique_ptr<CompiledModule> m;
  ASSERT_TRUE(compileIR(R"(
func.func @pair(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %n = kiln.neg %x : tensor<3xf32>
  %d = kiln.add %x, %x : tensor<3xf32>
  return %n, %d : tensor<3xf32>, tensor<3xf32>
}
)",
                        m));
  Tensor x = Tensor::fromVector<float>({3}, {1, 2, 3});
  std::vector<Tensor> aliasArgument = {x, Tensor::zeros(DType::F32, {3})};
  Status s = m->invokeInto("pair", {x}, aliasArgument);
  EXPECT_EQ(s.message(), "result #0 of 'pair' shares memory with argument "
                         "#0 of 'pair'; results must not overlap arguments "
                         "or each other");
  EXPECT_TRUE(matches<float>(x, {3}, {1, 2, 3})) << "x was written";

  Tensor out = Tensor::zeros(DType::F32, {3});
  std::vector<Tensor> aliasResult = {out, out};
  s = m->invokeInto("pair", {x}, aliasResult);
  EXPECT_TRUE(contains(s.message(), "result #1 of 'pair' shares memory with "
                                    "result #0"))
      << s.message();

  std::vector<Tensor> disjoint = {Tensor::zeros(DType::F32, {3}),
                                  Tensor::zeros(DType::F32, {3})};
  s = m->invokeInto("pair", {x}, disjoint);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_TRUE(matches<float>(disjoint[0], {3}, {-1, -2, -3}));
  EXPECT_TRUE(matches<float>(disjoint[1], {3}, {2, 4, 6}));
}

TEST(CompileErrors, SyntaxErrorHasLineAndColumn) {
  const std::string ir = R"(func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = kiln.exp %x : tensor<2xf32>
  %b = kiln.add %a %x : tensor<2xf32>
  return %b : tensor<2xf32>
}
)";
  std::string error = compileError(ir);
  ASSERT_FALSE(error.empty()) << "malformed IR compiled";
  EXPECT_TRUE(hasLineCol(error, 3));
  EXPECT_TRUE(contains(error, "error"));

  // A missing file is reported with its path.
  auto missing = compileKilnFile("/nonexistent/kiln-e2e/model.mlir");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_TRUE(contains(llvm::toString(missing.takeError()),
                       "/nonexistent/kiln-e2e/model.mlir"));
}

TEST(CompileErrors, UndefinedValueAndUnknownOp) {
  const std::string undefinedValue = R"(
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %b = kiln.add %x, %nope : tensor<2xf32>
  return %b : tensor<2xf32>
}
)";
  std::string error = compileError(undefinedValue);
  ASSERT_FALSE(error.empty());
  // MLIR's message does not repeat the name, but the location points at it.
  EXPECT_TRUE(hasLineCol(error, lineOf(undefinedValue, "%nope"),
                         columnOf(undefinedValue, "%nope")));
  EXPECT_TRUE(contains(error, "undeclared"));

  const std::string unknownOp = R"(
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = kiln.exp %x : tensor<2xf32>

  %b = kiln.frobnicate %a : tensor<2xf32>
  return %b : tensor<2xf32>
}
)";
  error = compileError(unknownOp);
  ASSERT_FALSE(error.empty());
  EXPECT_TRUE(hasLineCol(error, lineOf(unknownOp, "kiln.frobnicate")));
  EXPECT_TRUE(contains(error, "frobnicate"));
}

TEST(CompileErrors, VerifierErrorsNameTypes) {
  const std::string mismatch = R"(
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3x2xf32>) -> tensor<2x3xf32> {
  %b = kiln.add %x, %y : tensor<2x3xf32>, tensor<3x2xf32>
  return %b : tensor<2x3xf32>
}
)";
  std::string error = compileError(mismatch);
  ASSERT_FALSE(error.empty());
  EXPECT_TRUE(hasLineCol(error, lineOf(mismatch, "kiln.add")));
  EXPECT_TRUE(contains(error, "tensor<2x3xf32>"));
  EXPECT_TRUE(contains(error, "tensor<3x2xf32>"));

  const std::string badBroadcast = R"(
func.func @f(%x: tensor<3xf32>) -> tensor<2x4xf32> {
  %b = kiln.broadcast %x : tensor<3xf32> -> tensor<2x4xf32>
  return %b : tensor<2x4xf32>
}
)";
  error = compileError(badBroadcast);
  ASSERT_FALSE(error.empty());
  EXPECT_TRUE(hasLineCol(error, lineOf(badBroadcast, "kiln.broadcast")));
  EXPECT_TRUE(contains(error, "tensor<3xf32>"));
  EXPECT_TRUE(contains(error, "tensor<2x4xf32>"));

  const std::string badMatmul = R"(
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %r = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}
)";
  error = compileError(badMatmul);
  ASSERT_FALSE(error.empty());
  EXPECT_TRUE(hasLineCol(error, lineOf(badMatmul, "kiln.matmul")));
}

TEST(CompileErrors, NonTensorEntryFunctionRejected) {
  const std::string scalarArg = R"(
func.func @takes_scalar(%s: f32, %x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
)";
  std::string error = compileError(scalarArg);
  ASSERT_FALSE(error.empty()) << "an f32 argument was accepted";
  EXPECT_TRUE(contains(error, "takes_scalar"));
  EXPECT_TRUE(contains(error, "f32"));
  EXPECT_TRUE(contains(error, "#0"));
  EXPECT_TRUE(hasLineCol(error, lineOf(scalarArg, "func.func")));

  const std::string dynamicArg = R"(
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
)";
  error = compileError(dynamicArg);
  ASSERT_FALSE(error.empty()) << "a dynamically shaped argument was accepted";
  EXPECT_TRUE(contains(error, "dynamic"));
  EXPECT_TRUE(contains(error, "tensor<?xf32>"));

  const std::string unsupportedElement = R"(
func.func @bf(%x: tensor<2xbf16>) -> tensor<2xbf16> {
  return %x : tensor<2xbf16>
}
)";
  error = compileError(unsupportedElement);
  ASSERT_FALSE(error.empty()) << "a bf16 argument was accepted";
  EXPECT_TRUE(contains(error, "bf"));
  EXPECT_TRUE(contains(error, "bf16"));
}

} // namespace
