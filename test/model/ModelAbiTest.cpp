//===- ModelAbiTest.cpp - The C ABI of a model compiled by kilnc -c ------===//
//
// Links abi_model.o (test/model/Inputs/abi_model.mlir through `kilnc -c`)
// and its generated header, and nothing of Kiln: queries, runs against
// references written as loops, every error code, and concurrent runs.
//
//===----------------------------------------------------------------------===//

#include "abi_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace {

constexpr int32_t kDense = ABI_MODEL_DENSE;
constexpr int32_t kMixed = ABI_MODEL_MIXED;
constexpr int32_t kStep = ABI_MODEL_STEP;
constexpr int32_t kHuge = ABI_MODEL_HUGE;
constexpr int32_t kNumFunctions = 4;

/// A context for one test, destroyed at its end.
struct Context {
  kiln_context *context = nullptr;
  Context() { EXPECT_EQ(kiln_context_create(&context), KILN_OK); }
  ~Context() { kiln_context_destroy(context); }
  operator kiln_context *() const { return context; }
  std::string error() const { return kiln_context_error(context); }
};

/// A float buffer with its shape, as a kiln_tensor.
struct Buffer {
  std::vector<float> values;
  std::vector<int64_t> shape;
  kiln_dtype dtype = KILN_DTYPE_F32;
  explicit Buffer(std::vector<int64_t> dims, float seed = 0)
      : shape(std::move(dims)) {
    size_t n = 1;
    for (int64_t d : shape)
      n *= d;
    values.resize(n);
    // A deterministic spread of small positive and negative values.
    for (size_t i = 0; i < n; ++i)
      values[i] = std::sin(seed + 0.37f * i) * 0.5f;
  }
  kiln_tensor tensor() {
    return {values.data(), dtype, static_cast<int32_t>(shape.size()),
            shape.data()};
  }
};

struct DenseCall {
  Buffer x{{32, 256}, 1}, w{{256, 64}, 2}, b{{64}, 3}, y{{32, 64}};
  kiln_tensor inputs[3] = {x.tensor(), w.tensor(), b.tensor()};
  kiln_tensor outputs[1] = {y.tensor()};
  explicit DenseCall(float seed = 0) : x({32, 256}, seed) {
    inputs[0] = x.tensor();
  }
  /// relu(x w + b), in double.
  std::vector<double> reference() const {
    std::vector<double> out(32 * 64);
    for (int n = 0; n < 32; ++n)
      for (int j = 0; j < 64; ++j) {
        double sum = b.values[j];
        for (int k = 0; k < 256; ++k)
          sum += double(x.values[n * 256 + k]) * w.values[k * 64 + j];
        out[n * 64 + j] = sum > 0 ? sum : 0;
      }
    return out;
  }
};

void expectNear(const float *actual, const std::vector<double> &expected) {
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], 1e-5 + 1e-5 * std::fabs(expected[i]))
        << "at " << i;
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

TEST(ModelAbi, VersionAndNames) {
  EXPECT_EQ(kiln_abi_version(), static_cast<uint32_t>(KILN_ABI_VERSION));
  EXPECT_STREQ(kiln_model_name(), "abi_model");
  ASSERT_EQ(kiln_function_count(), kNumFunctions);
  EXPECT_STREQ(kiln_function_name(kDense), "dense");
  EXPECT_STREQ(kiln_function_name(kMixed), "mixed");
  EXPECT_STREQ(kiln_function_name(kStep), "step");
  EXPECT_EQ(kiln_function_name(-1), nullptr);
  EXPECT_STREQ(kiln_function_name(kHuge), "huge");
  EXPECT_EQ(kiln_function_name(kNumFunctions), nullptr);
  EXPECT_EQ(kiln_function_index("mixed"), kMixed);
  EXPECT_EQ(kiln_function_index("nope"), -1);
  EXPECT_EQ(kiln_function_index(nullptr), -1);
}

TEST(ModelAbi, Counts) {
  EXPECT_EQ(kiln_input_count(kDense), 3);
  EXPECT_EQ(kiln_output_count(kDense), 1);
  EXPECT_EQ(kiln_input_count(kMixed), 3);
  EXPECT_EQ(kiln_output_count(kMixed), 3);
  // The result that updates w is written into w, not returned.
  EXPECT_EQ(kiln_input_count(kStep), 2);
  EXPECT_EQ(kiln_output_count(kStep), 1);
  EXPECT_EQ(kiln_input_count(kNumFunctions), -1);
  EXPECT_EQ(kiln_output_count(-1), -1);
}

TEST(ModelAbi, TensorInfo) {
  kiln_tensor_info info;
  ASSERT_EQ(kiln_input_info(kDense, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], 32);
  EXPECT_EQ(info.shape[1], 256);
  EXPECT_EQ(info.num_elements, 32 * 256);
  EXPECT_EQ(info.size_bytes, 32u * 256 * 4);
  EXPECT_EQ(info.role, KILN_ROLE_DATA);
  EXPECT_EQ(info.updated_in_place, 0);
  ASSERT_EQ(kiln_input_info(kDense, 1, &info), KILN_OK);
  EXPECT_STREQ(info.name, "w");
  EXPECT_EQ(info.role, KILN_ROLE_PARAMETER);

  // Unnamed tensors are called as the tools call them.
  ASSERT_EQ(kiln_input_info(kMixed, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "arg0");
  EXPECT_EQ(info.dtype, KILN_DTYPE_I32);
  ASSERT_EQ(kiln_input_info(kMixed, 2, &info), KILN_OK);
  EXPECT_EQ(info.dtype, KILN_DTYPE_F64);
  EXPECT_EQ(info.rank, 0);
  EXPECT_NE(info.shape, nullptr);
  EXPECT_EQ(info.num_elements, 1);
  EXPECT_EQ(info.size_bytes, 8u);
  ASSERT_EQ(kiln_output_info(kMixed, 0, &info), KILN_OK);
  EXPECT_STREQ(info.name, "mask");
  EXPECT_EQ(info.dtype, KILN_DTYPE_I1);
  EXPECT_EQ(info.size_bytes, 3u);
  ASSERT_EQ(kiln_output_info(kMixed, 1, &info), KILN_OK);
  EXPECT_STREQ(info.name, "result1");
  ASSERT_EQ(kiln_output_info(kMixed, 2, &info), KILN_OK);
  EXPECT_EQ(info.dtype, KILN_DTYPE_I64);

  ASSERT_EQ(kiln_input_info(kStep, 0, &info), KILN_OK);
  EXPECT_EQ(info.updated_in_place, 1);
  EXPECT_EQ(info.role, KILN_ROLE_PARAMETER);
  ASSERT_EQ(kiln_input_info(kStep, 1, &info), KILN_OK);
  EXPECT_EQ(info.updated_in_place, 0);
}

TEST(ModelAbi, TensorInfoErrors) {
  kiln_tensor_info info;
  EXPECT_EQ(kiln_input_info(kNumFunctions, 0, &info),
            KILN_ERROR_UNKNOWN_FUNCTION);
  EXPECT_EQ(kiln_output_info(-1, 0, &info), KILN_ERROR_UNKNOWN_FUNCTION);
  EXPECT_EQ(kiln_input_info(kDense, 3, &info), KILN_ERROR_INDEX_OUT_OF_RANGE);
  EXPECT_EQ(kiln_input_info(kDense, -1, &info), KILN_ERROR_INDEX_OUT_OF_RANGE);
  EXPECT_EQ(kiln_output_info(kDense, 1, &info), KILN_ERROR_INDEX_OUT_OF_RANGE);
  EXPECT_EQ(kiln_input_info(kDense, 0, nullptr), KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kiln_output_info(kDense, 0, nullptr), KILN_ERROR_NULL_ARGUMENT);
}

TEST(ModelAbi, GeneratedHeader) {
  static_assert(ABI_MODEL_DENSE_NUM_INPUTS == 3);
  static_assert(ABI_MODEL_DENSE_NUM_OUTPUTS == 1);
  static_assert(ABI_MODEL_DENSE_IN_W == 1);
  static_assert(ABI_MODEL_DENSE_IN_X_NUM_ELEMENTS == 32 * 256);
  static_assert(ABI_MODEL_DENSE_OUT_Y == 0);
  static_assert(ABI_MODEL_MIXED_IN_ARG2 == 2);
  static_assert(ABI_MODEL_MIXED_IN_ARG2_NUM_ELEMENTS == 1);
  static_assert(ABI_MODEL_MIXED_OUT_RESULT1 == 1);
  static_assert(ABI_MODEL_STEP_NUM_OUTPUTS == 1);
  EXPECT_EQ(kiln_function_index("step"), ABI_MODEL_STEP);
}

TEST(ModelAbi, Names) {
  EXPECT_STREQ(kiln_status_string(KILN_OK), "ok");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_SHAPE), "wrong shape");
  for (int s = KILN_OK; s <= KILN_ERROR_OUT_OF_MEMORY; ++s)
    EXPECT_STRNE(kiln_status_string(static_cast<kiln_status>(s)),
                 "unknown status");
  EXPECT_STREQ(kiln_status_string(static_cast<kiln_status>(99)),
               "unknown status");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_I1), "i1");
  EXPECT_STREQ(kiln_dtype_name(static_cast<kiln_dtype>(-1)), "unknown dtype");
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_F64), 8u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_I1), 1u);
  EXPECT_EQ(kiln_dtype_size(static_cast<kiln_dtype>(5)), 0u);
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

TEST(ModelAbi, RunIntoCallerBuffers) {
  Context context;
  DenseCall call;
  ASSERT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1), KILN_OK)
      << context.error();
  expectNear(call.y.values.data(), call.reference());
  EXPECT_EQ(context.error(), "");
}

TEST(ModelAbi, RunIntoContextBuffers) {
  Context context;
  kiln_tensor owned;
  ASSERT_EQ(kiln_context_output(context, kDense, 0, &owned), KILN_OK);
  ASSERT_EQ(owned.rank, 2);
  EXPECT_EQ(owned.shape[0], 32);
  EXPECT_EQ(owned.dtype, KILN_DTYPE_F32);
  const float *y = static_cast<const float *>(owned.data);
  EXPECT_EQ(y[0], 0.0f) << "zeros before any run";
  DenseCall call;
  ASSERT_EQ(kiln_run(context, kDense, call.inputs, 3, nullptr, 0), KILN_OK)
      << context.error();
  kiln_tensor again;
  ASSERT_EQ(kiln_context_output(context, kDense, 0, &again), KILN_OK);
  EXPECT_EQ(again.data, owned.data) << "the buffer is the context's, reused";
  expectNear(y, call.reference());
}

TEST(ModelAbi, EveryDType) {
  Context context;
  int32_t a[3] = {5, -2, 7}, b[3] = {1, 3, 7};
  double s = 1.25;
  int64_t three[1] = {3};
  kiln_tensor inputs[3] = {{a, KILN_DTYPE_I32, 1, three},
                           {b, KILN_DTYPE_I32, 1, three},
                           {&s, KILN_DTYPE_F64, 0, nullptr}};
  unsigned char mask[3] = {9, 9, 9};
  double scaled = 0;
  int64_t total = 0;
  kiln_tensor outputs[3] = {{mask, KILN_DTYPE_I1, 1, three},
                            {&scaled, KILN_DTYPE_F64, 0, nullptr},
                            {&total, KILN_DTYPE_I64, 0, nullptr}};
  ASSERT_EQ(kiln_run(context, kMixed, inputs, 3, outputs, 3), KILN_OK)
      << context.error();
  EXPECT_EQ(mask[0], 1);
  EXPECT_EQ(mask[1], 0);
  EXPECT_EQ(mask[2], 0);
  EXPECT_EQ(scaled, 2.5);
  EXPECT_EQ(total, 10);
}

TEST(ModelAbi, UpdateInPlace) {
  Context context;
  float w[4] = {1, 2, 3, 4}, g[4] = {2, -2, 0, 1}, norm2 = 0;
  int64_t four[1] = {4};
  kiln_tensor inputs[2] = {{w, KILN_DTYPE_F32, 1, four},
                           {g, KILN_DTYPE_F32, 1, four}};
  kiln_tensor outputs[1] = {{&norm2, KILN_DTYPE_F32, 0, nullptr}};
  ASSERT_EQ(kiln_run(context, kStep, inputs, 2, outputs, 1), KILN_OK)
      << context.error();
  EXPECT_EQ(norm2, 9.0f);
  EXPECT_EQ(w[0], 0.0f);
  EXPECT_EQ(w[1], 3.0f);
  EXPECT_EQ(w[2], 3.0f);
  EXPECT_EQ(w[3], 3.5f);
  EXPECT_EQ(g[0], 2.0f) << "inputs not updated in place are only read";
}

//===----------------------------------------------------------------------===//
// Errors: a code and a message naming the tensor, never a crash
//===----------------------------------------------------------------------===//

TEST(ModelAbi, NullArguments) {
  Context context;
  DenseCall call;
  EXPECT_EQ(kiln_context_create(nullptr), KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kiln_run(nullptr, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_NULL_ARGUMENT);
  EXPECT_STREQ(kiln_context_error(nullptr), "null context");
  kiln_context_destroy(nullptr);

  EXPECT_EQ(kiln_run(context, kDense, nullptr, 3, call.outputs, 1),
            KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(context.error(), "'dense': inputs is null");
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, nullptr, 1),
            KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(context.error(), "'dense': outputs is null");

  call.inputs[1].data = nullptr;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(context.error(), "input 'w' (#1) of 'dense': data is null");
  call.inputs[1] = call.w.tensor();
  call.outputs[0].shape = nullptr;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(context.error(),
            "output 'y' (#0) of 'dense': shape is null for rank 2");

  kiln_tensor owned;
  EXPECT_EQ(kiln_context_output(nullptr, kDense, 0, &owned),
            KILN_ERROR_NULL_ARGUMENT);
  EXPECT_EQ(kiln_context_output(context, kDense, 0, nullptr),
            KILN_ERROR_NULL_ARGUMENT);
}

TEST(ModelAbi, UnknownFunctionAndIndex) {
  Context context;
  DenseCall call;
  EXPECT_EQ(kiln_run(context, kNumFunctions, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_UNKNOWN_FUNCTION);
  EXPECT_EQ(context.error(),
            "function #4 does not exist: model 'abi_model' has 4");
  EXPECT_EQ(kiln_run(context, -1, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_UNKNOWN_FUNCTION);
  kiln_tensor owned;
  EXPECT_EQ(kiln_context_output(context, 7, 0, &owned),
            KILN_ERROR_UNKNOWN_FUNCTION);
  EXPECT_EQ(kiln_context_output(context, kDense, 1, &owned),
            KILN_ERROR_INDEX_OUT_OF_RANGE);
  EXPECT_EQ(context.error(), "output #1 of 'dense' does not exist: it has 1");
}

TEST(ModelAbi, WrongCounts) {
  Context context;
  DenseCall call;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 2, call.outputs, 1),
            KILN_ERROR_INPUT_COUNT);
  EXPECT_EQ(context.error(), "'dense' expects 3 inputs, got 2");
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 2),
            KILN_ERROR_OUTPUT_COUNT);
  EXPECT_EQ(context.error(), "'dense' expects 1 output, got 2");
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, -1, call.outputs, 1),
            KILN_ERROR_INPUT_COUNT);
}

TEST(ModelAbi, WrongDType) {
  Context context;
  DenseCall call;
  call.inputs[0].dtype = KILN_DTYPE_F64;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_DTYPE);
  EXPECT_EQ(context.error(), "input 'x' (#0) of 'dense': expected "
                             "32x256xf32, got 32x256xf64");
  call.inputs[0].dtype = static_cast<kiln_dtype>(42);
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_DTYPE);
  EXPECT_EQ(context.error(), "input 'x' (#0) of 'dense': expected "
                             "32x256xf32, got 32x256xunknown dtype");
  call.inputs[0].dtype = KILN_DTYPE_F32;
  call.outputs[0].dtype = KILN_DTYPE_I32;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_DTYPE);
  EXPECT_EQ(context.error(), "output 'y' (#0) of 'dense': expected "
                             "32x64xf32, got 32x64xi32");
}

TEST(ModelAbi, WrongShape) {
  Context context;
  DenseCall call;
  int64_t transposed[2] = {256, 32};
  call.inputs[0].shape = transposed;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_SHAPE);
  EXPECT_EQ(context.error(), "input 'x' (#0) of 'dense': expected "
                             "32x256xf32, got 256x32xf32");
  call.inputs[0] = call.x.tensor();
  call.inputs[2].rank = 2;
  int64_t b2[2] = {1, 64};
  call.inputs[2].shape = b2;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_SHAPE);
  EXPECT_EQ(context.error(),
            "input 'b' (#2) of 'dense': expected 64xf32, got 1x64xf32");
  call.inputs[2].rank = -3;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_SHAPE);
  EXPECT_EQ(context.error(), "input 'b' (#2) of 'dense': rank -3 is negative");
}

TEST(ModelAbi, Misaligned) {
  Context context;
  DenseCall call;
  std::vector<char> bytes(call.b.values.size() * 4 + 4);
  call.inputs[2].data =
      bytes.data() + 1 + (reinterpret_cast<uintptr_t>(bytes.data()) % 4 == 3);
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_MISALIGNED);
  EXPECT_NE(context.error().find("input 'b' (#2) of 'dense': data"),
            std::string::npos)
      << context.error();
}

TEST(ModelAbi, Overlap) {
  Context context;
  DenseCall call;
  // The output written over the input it reads.
  call.outputs[0].data = call.x.values.data() + 5;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_ERROR_OVERLAP);
  EXPECT_EQ(context.error(), "output 'y' (#0) of 'dense' is written but "
                             "shares memory with input 'x' (#0)");

  // An input updated in place shared with another input.
  float wg[4] = {1, 2, 3, 4}, norm2 = 0;
  int64_t four[1] = {4};
  kiln_tensor inputs[2] = {{wg, KILN_DTYPE_F32, 1, four},
                           {wg, KILN_DTYPE_F32, 1, four}};
  kiln_tensor outputs[1] = {{&norm2, KILN_DTYPE_F32, 0, nullptr}};
  EXPECT_EQ(kiln_run(context, kStep, inputs, 2, outputs, 1),
            KILN_ERROR_OVERLAP);
  EXPECT_EQ(context.error(), "input 'w' (#0) of 'step' is written but shares "
                             "memory with input 'g' (#1)");
  EXPECT_EQ(wg[0], 1.0f) << "nothing ran";
}

TEST(ModelAbi, ErrorsLeaveTheContextUsable) {
  Context context;
  DenseCall call;
  EXPECT_EQ(kiln_run(context, kDense, call.inputs, 1, call.outputs, 1),
            KILN_ERROR_INPUT_COUNT);
  ASSERT_EQ(kiln_run(context, kDense, call.inputs, 3, call.outputs, 1),
            KILN_OK);
  // A success keeps the last message, as errno-style APIs do.
  EXPECT_EQ(context.error(), "'dense' expects 3 inputs, got 1");
  expectNear(call.y.values.data(), call.reference());
}

/// Runs `huge` with 4 GiB of address space, where its 16 GiB intermediate
/// cannot be allocated; exits 0 if kiln_run returned the right error.
[[noreturn]] void runHugeUnderMemoryLimit() {
  rlimit limit = {4ull << 30, 4ull << 30};
  setrlimit(RLIMIT_AS, &limit);
  kiln_context *context = nullptr;
  if (kiln_context_create(&context) != KILN_OK)
    std::exit(2);
  std::vector<float> v(65536, 1.0f), p(65536);
  float s = 0.5f;
  int64_t shape[2] = {1, 65536};
  kiln_tensor inputs[2] = {{v.data(), KILN_DTYPE_F32, 2, shape},
                           {&s, KILN_DTYPE_F32, 0, nullptr}};
  kiln_tensor outputs[1] = {{p.data(), KILN_DTYPE_F32, 2, shape}};
  kiln_status status = kiln_run(context, kHuge, inputs, 2, outputs, 1);
  std::fprintf(stderr, "%s: %s\n", kiln_status_string(status),
               kiln_context_error(context));
  kiln_context_destroy(context);
  std::exit(status == KILN_ERROR_OUT_OF_MEMORY ? 0 : 1);
}

TEST(ModelAbiDeathTest, OutOfMemoryInCompiledCodeIsAnError) {
  // In a child process: the call returns an error and the process goes on.
  EXPECT_EXIT(runHugeUnderMemoryLimit(), ::testing::ExitedWithCode(0),
              "out of memory: 'huge' ran out of memory for an intermediate "
              "tensor");
}

//===----------------------------------------------------------------------===//
// Concurrency
//===----------------------------------------------------------------------===//

TEST(ModelAbi, ConcurrentRunsOnSeparateContexts) {
  constexpr int kThreads = 8, kRuns = 100;
  // Each thread has its own inputs; the serial results are the reference.
  std::vector<DenseCall> serial;
  serial.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    serial.emplace_back(static_cast<float>(t));
    Context context;
    ASSERT_EQ(
        kiln_run(context, kDense, serial[t].inputs, 3, serial[t].outputs, 1),
        KILN_OK);
  }
  std::vector<int> mismatches(kThreads, 0), failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      kiln_context *context = nullptr;
      if (kiln_context_create(&context) != KILN_OK) {
        ++failures[t];
        return;
      }
      DenseCall call(static_cast<float>(t));
      for (int r = 0; r < kRuns; ++r) {
        std::fill(call.y.values.begin(), call.y.values.end(), -1.0f);
        // Alternate between the caller's and the context's outputs.
        bool own = r % 2;
        if (kiln_run(context, kDense, call.inputs, 3,
                     own ? nullptr : call.outputs, own ? 0 : 1) != KILN_OK) {
          ++failures[t];
          continue;
        }
        kiln_tensor owned;
        kiln_context_output(context, kDense, 0, &owned);
        const void *y = own ? owned.data : call.y.values.data();
        if (std::memcmp(y, serial[t].y.values.data(),
                        serial[t].y.values.size() * sizeof(float)) != 0)
          ++mismatches[t];
        // An error on this context must not disturb the others.
        kiln_run(context, kDense, call.inputs, 2, call.outputs, 1);
      }
      kiln_context_destroy(context);
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
}

} // namespace
