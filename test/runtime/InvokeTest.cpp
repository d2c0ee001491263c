//===- InvokeTest.cpp - Tests of invokePacked and invokePackedInto --------===//
//
// Hand-written packed functions stand in for compiled code: they read their
// arguments through MLIR's descriptor layout exactly as the
// _mlir__mlir_ciface_* wrappers would.
//
//===----------------------------------------------------------------------===//

#include "StridedMemRef.h"
#include "runtime/Runtime.h"

#include "gtest/gtest.h"

using namespace kiln;

namespace {

int callCount = 0;

/// out = a + b over rank-1 f32 memrefs.
void addPacked(void **args) {
  ++callCount;
  auto &a = packedArg<float, 1>(args, 0);
  auto &b = packedArg<float, 1>(args, 1);
  auto &out = packedArg<float, 1>(args, 2);
  for (int64_t i = 0; i < out.sizes[0]; ++i)
    out.aligned[out.offset + i * out.strides[0]] =
        a.aligned[a.offset + i * a.strides[0]] +
        b.aligned[b.offset + i * b.strides[0]];
}

FunctionSignature addSignature() {
  return {"add",
          {{"a", DType::F32, {4}}, {"b", DType::F32, {4}}},
          {{"sum", DType::F32, {4}}}};
}

int64_t seenStrides[2];
int64_t seenOffset;

/// Copies a 2x3 f32 memref, assuming the identity layout like compiled code
/// does, and records the input layout it was given.
void copy2x3Packed(void **args) {
  auto &in = packedArg<float, 2>(args, 0);
  auto &out = packedArg<float, 2>(args, 1);
  seenStrides[0] = in.strides[0];
  seenStrides[1] = in.strides[1];
  seenOffset = in.offset;
  for (int64_t i = 0; i < 6; ++i)
    out.aligned[i] = in.aligned[i];
}

/// Rank-0 results: the sum of a rank-1 f32 input and whether all of it is
/// positive (i1).
void sumAndAllPositivePacked(void **args) {
  auto &in = packedArg<float, 1>(args, 0);
  auto &sum = packedArg<float, 0>(args, 1);
  auto &allPositive = packedArg<uint8_t, 0>(args, 2);
  float total = 0;
  bool positive = true;
  for (int64_t i = 0; i < in.sizes[0]; ++i) {
    float v = in.aligned[in.offset + i * in.strides[0]];
    total += v;
    positive = positive && v > 0;
  }
  sum.aligned[sum.offset] = total;
  allPositive.aligned[allPositive.offset] = positive;
}

/// out += 1, which shows whether the output started zero-filled.
void incrementPacked(void **args) {
  auto &out = packedArg<int32_t, 1>(args, 0);
  for (int64_t i = 0; i < out.sizes[0]; ++i)
    out.aligned[out.offset + i * out.strides[0]] += 1;
}

TEST(InvokeTest, AddsVectors) {
  Tensor a = Tensor::fromVector<float>({4}, {1, 2, 3, 4});
  Tensor b = Tensor::fromVector<float>({4}, {10, 20, 30, 40});
  std::vector<Tensor> outputs;
  callCount = 0;
  Status status = invokePacked(addPacked, addSignature(), {a, b}, outputs);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(callCount, 1);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].dtype(), DType::F32);
  EXPECT_EQ(outputs[0].shape(), (std::vector<int64_t>{4}));
  EXPECT_TRUE(outputs[0].isContiguous());
  EXPECT_EQ(outputs[0].toString(), "[11, 22, 33, 44]");
  // Inputs are untouched.
  EXPECT_EQ(a.toString(), "[1, 2, 3, 4]");
}

TEST(InvokeTest, RankZeroAndBoolResults) {
  FunctionSignature sig{"stats",
                        {{"x", DType::F32, {3}}},
                        {{"sum", DType::F32, {}}, {"", DType::I1, {}}}};
  std::vector<Tensor> outputs;
  Status status =
      invokePacked(sumAndAllPositivePacked, sig,
                   {Tensor::fromVector<float>({3}, {1, 2, 4})}, outputs);
  ASSERT_TRUE(status) << status.message();
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].toString(), "7");
  EXPECT_EQ(outputs[1].toString(), "true");

  status = invokePacked(sumAndAllPositivePacked, sig,
                        {Tensor::fromVector<float>({3}, {1, -2, 4})}, outputs);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(outputs[0].toString(), "3");
  EXPECT_EQ(outputs[1].toString(), "false");
}

TEST(InvokeTest, OutputsStartZeroed) {
  FunctionSignature sig{"inc", {}, {{"out", DType::I32, {3}}}};
  std::vector<Tensor> outputs;
  Status status = invokePacked(incrementPacked, sig, {}, outputs);
  ASSERT_TRUE(status) << status.message();
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].toString(), "[1, 1, 1]");
}

TEST(InvokeTest, NonContiguousInputIsCopied) {
  // The 2x3 view [[0, 3, 6], [1, 4, 7]] of a 3x2 tensor.
  Tensor base = Tensor::fromVector<float>({3, 2}, {0, 1, 3, 4, 6, 7});
  Tensor view = base.transposed({1, 0});
  ASSERT_FALSE(view.isContiguous());
  FunctionSignature sig{
      "copy", {{"in", DType::F32, {2, 3}}}, {{"out", DType::F32, {2, 3}}}};
  std::vector<Tensor> outputs;
  seenStrides[0] = seenStrides[1] = seenOffset = -1;
  Status status = invokePacked(copy2x3Packed, sig, {view}, outputs);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(seenStrides[0], 3);
  EXPECT_EQ(seenStrides[1], 1);
  EXPECT_EQ(seenOffset, 0);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].toString(), "[[0, 3, 6],\n [1, 4, 7]]");
}

/// Expects invoking add with \p inputs to fail with exactly \p message and
/// without calling the function or touching the outputs.
void expectAddError(const FunctionSignature &sig,
                    const std::vector<Tensor> &inputs,
                    const std::string &message) {
  std::vector<Tensor> outputs(1);
  callCount = 0;
  Status status = invokePacked(addPacked, sig, inputs, outputs);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), message);
  EXPECT_EQ(callCount, 0);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_TRUE(outputs[0].empty());
}

TEST(InvokeTest, WrongArgumentCount) {
  Tensor a = Tensor::zeros(DType::F32, {4});
  expectAddError(addSignature(), {a}, "'add' expects 2 arguments, got 1");
  expectAddError(addSignature(), {a, a, a}, "'add' expects 2 arguments, got 3");
}

TEST(InvokeTest, WrongDType) {
  Tensor a = Tensor::zeros(DType::F32, {4});
  Tensor wrong = Tensor::zeros(DType::I32, {4});
  expectAddError(addSignature(), {wrong, a},
                 "argument 'a' (#0) of 'add': expected 4xf32, got 4xi32");
}

TEST(InvokeTest, WrongShape) {
  Tensor a = Tensor::zeros(DType::F32, {4});
  expectAddError(addSignature(), {a, Tensor::zeros(DType::F32, {5})},
                 "argument 'b' (#1) of 'add': expected 4xf32, got 5xf32");
  expectAddError(addSignature(), {a, Tensor::zeros(DType::F32, {4, 1})},
                 "argument 'b' (#1) of 'add': expected 4xf32, got 4x1xf32");
  expectAddError(addSignature(), {a, Tensor::zeros(DType::F32, {})},
                 "argument 'b' (#1) of 'add': expected 4xf32, got f32");
}

TEST(InvokeTest, UnnamedAndEmptyArguments) {
  FunctionSignature sig = addSignature();
  sig.inputs[1].name.clear();
  Tensor a = Tensor::zeros(DType::F32, {4});
  expectAddError(sig, {a, Tensor::zeros(DType::F64, {4})},
                 "argument #1 of 'add': expected 4xf32, got 4xf64");
  expectAddError(sig, {a, Tensor()},
                 "argument #1 of 'add': expected 4xf32, got an empty tensor");
}

TEST(InvokeTest, NullFunction) {
  std::vector<Tensor> outputs;
  Tensor a = Tensor::zeros(DType::F32, {4});
  Status status = invokePacked(nullptr, addSignature(), {a, a}, outputs);
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find("null function"), std::string::npos);
  status = invokePackedInto(nullptr, addSignature(), {a, a}, outputs);
  EXPECT_FALSE(status);
}

TEST(InvokeIntoTest, ReusesOutputs) {
  FunctionSignature sig{"inc", {}, {{"out", DType::I32, {3}}}};
  std::vector<Tensor> outputs = {Tensor::zeros(DType::I32, {3})};
  void *storage = outputs[0].data();
  for (int i = 0; i < 3; ++i) {
    Status status = invokePackedInto(incrementPacked, sig, {}, outputs);
    ASSERT_TRUE(status) << status.message();
  }
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].data(), storage);
  EXPECT_EQ(outputs[0].toString(), "[3, 3, 3]");
}

TEST(InvokeIntoTest, AddsIntoProvidedOutput) {
  Tensor a = Tensor::fromVector<float>({4}, {1, 2, 3, 4});
  std::vector<Tensor> outputs = {Tensor::zeros(DType::F32, {4})};
  Status status = invokePackedInto(addPacked, addSignature(), {a, a}, outputs);
  ASSERT_TRUE(status) << status.message();
  EXPECT_EQ(outputs[0].toString(), "[2, 4, 6, 8]");
}

TEST(InvokeIntoTest, RejectsMismatchedOutputs) {
  Tensor a = Tensor::zeros(DType::F32, {4});
  callCount = 0;

  std::vector<Tensor> none;
  Status status = invokePackedInto(addPacked, addSignature(), {a, a}, none);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "'add' expects 1 result, got 0");

  std::vector<Tensor> wrongShape = {Tensor::zeros(DType::F32, {2, 2})};
  status = invokePackedInto(addPacked, addSignature(), {a, a}, wrongShape);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(),
            "result 'sum' (#0) of 'add': expected 4xf32, got 2x2xf32");

  std::vector<Tensor> wrongDType = {Tensor::zeros(DType::I64, {4})};
  status = invokePackedInto(addPacked, addSignature(), {a, a}, wrongDType);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(),
            "result 'sum' (#0) of 'add': expected 4xf32, got 4xi64");

  FunctionSignature sig{
      "copy", {{"in", DType::F32, {2, 3}}}, {{"out", DType::F32, {2, 3}}}};
  std::vector<Tensor> view = {
      Tensor::zeros(DType::F32, {3, 2}).transposed({1, 0})};
  status = invokePackedInto(copy2x3Packed, sig,
                            {Tensor::zeros(DType::F32, {2, 3})}, view);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(),
            "result 'out' (#0) of 'copy': output tensor must be contiguous");

  // Inputs are checked as well.
  std::vector<Tensor> outputs = {Tensor::zeros(DType::F32, {4})};
  status = invokePackedInto(addPacked, addSignature(), {a}, outputs);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "'add' expects 2 arguments, got 1");
  EXPECT_EQ(callCount, 0);
}

} // namespace
