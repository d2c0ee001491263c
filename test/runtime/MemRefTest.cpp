//===- MemRefTest.cpp - Tests of MemRefDescriptor -------------------------===//

#include "StridedMemRef.h"
#include "runtime/Runtime.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace kiln;

namespace {

/// The descriptor's i-th 64-bit word.
int64_t word(MemRefDescriptor &descriptor, int i) {
  int64_t value;
  std::memcpy(&value, static_cast<char *>(descriptor.get()) + 8 * i,
              sizeof(value));
  return value;
}

int64_t asWord(void *ptr) {
  return static_cast<int64_t>(reinterpret_cast<intptr_t>(ptr));
}

TEST(MemRefDescriptorTest, Rank2Words) {
  Tensor t = Tensor::fromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  MemRefDescriptor descriptor(t);
  EXPECT_EQ(descriptor.rank(), 2);
  EXPECT_EQ(word(descriptor, 0), asWord(t.allocatedPtr()));
  EXPECT_EQ(word(descriptor, 1), asWord(t.allocatedPtr()));
  EXPECT_EQ(word(descriptor, 2), 0);
  EXPECT_EQ(word(descriptor, 3), 2);
  EXPECT_EQ(word(descriptor, 4), 3);
  EXPECT_EQ(word(descriptor, 5), 3);
  EXPECT_EQ(word(descriptor, 6), 1);

  // Read through MLIR's struct layout, as compiled code does.
  auto *memref = static_cast<StridedMemRef<float, 2> *>(descriptor.get());
  EXPECT_EQ(memref->allocated, t.allocatedPtr());
  EXPECT_EQ(memref->aligned, t.allocatedPtr());
  EXPECT_EQ(memref->aligned[memref->offset + 1 * memref->strides[0] +
                            2 * memref->strides[1]],
            5.f);
}

TEST(MemRefDescriptorTest, TransposedViewKeepsStrides) {
  Tensor t = Tensor::fromVector<int64_t>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor view = t.transposed({1, 0});
  MemRefDescriptor descriptor(view);
  auto *memref = static_cast<StridedMemRef<int64_t, 2> *>(descriptor.get());
  EXPECT_EQ(memref->sizes[0], 3);
  EXPECT_EQ(memref->sizes[1], 2);
  EXPECT_EQ(memref->strides[0], 1);
  EXPECT_EQ(memref->strides[1], 3);
  // Element [2, 1] of the view is element [1, 2] of the original.
  EXPECT_EQ(memref->aligned[memref->offset + 2 * memref->strides[0] +
                            1 * memref->strides[1]],
            5);
}

TEST(MemRefDescriptorTest, Rank0) {
  Tensor t = Tensor::fromVector<double>({}, {3.25});
  MemRefDescriptor descriptor(t);
  EXPECT_EQ(descriptor.rank(), 0);
  EXPECT_EQ(word(descriptor, 0), asWord(t.allocatedPtr()));
  EXPECT_EQ(word(descriptor, 1), asWord(t.allocatedPtr()));
  EXPECT_EQ(word(descriptor, 2), 0);
  auto *memref = static_cast<StridedMemRef<double, 0> *>(descriptor.get());
  EXPECT_EQ(memref->aligned[memref->offset], 3.25);
}

TEST(MemRefDescriptorTest, Rank4) {
  Tensor t = Tensor::zeros(DType::U8, {2, 3, 4, 5});
  MemRefDescriptor descriptor(t);
  EXPECT_EQ(descriptor.rank(), 4);
  const int64_t expected[] = {2, 3, 4, 5, 60, 20, 5, 1};
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(word(descriptor, 3 + i), expected[i]) << "word " << 3 + i;
}

TEST(TensorFromMemRefTest, CopiesAStridedViewInCOrder) {
  // A 2x3 view with column stride 2 and an offset of 1 into 8 floats:
  // elements 1, 3, 5 / 5, 7, 9 (row stride 4 overlaps on purpose).
  float storage[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  StridedMemRef<float, 2> view{storage, storage, 1, {2, 3}, {4, 2}};
  Tensor t = tensorFromMemRef(DType::F32, 2, &view);
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(t.isContiguous());
  const float expected[6] = {1, 3, 5, 5, 7, 9};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(t.dataAs<float>()[i], expected[i]) << "element " << i;
  storage[1] = 100; // the tensor owns a copy
  EXPECT_EQ(t.dataAs<float>()[0], 1);
}

TEST(TensorFromMemRefTest, RoundTripsThroughMemRefDescriptor) {
  Tensor a = Tensor::fromVector<int64_t>({2, 2}, {1, 2, 3, 4});
  Tensor view = a.transposed({1, 0});
  MemRefDescriptor descriptor(view);
  Tensor back = tensorFromMemRef(DType::I64, 2, descriptor.get());
  EXPECT_EQ(back.toString(), "[[1, 3],\n [2, 4]]");
}

TEST(TensorFromMemRefTest, RankZeroAndBadDescriptors) {
  double value = 2.5;
  StridedMemRef<double, 0> scalar{&value, &value, 0};
  EXPECT_EQ(tensorFromMemRef(DType::F64, 0, &scalar).toString(), "2.5");
  EXPECT_TRUE(tensorFromMemRef(DType::F32, 1, nullptr).empty());
  EXPECT_TRUE(tensorFromMemRef(DType::F32, -1, &scalar).empty());
  StridedMemRef<float, 1> negative{nullptr, nullptr, 0, {-3}, {1}};
  EXPECT_TRUE(tensorFromMemRef(DType::F32, 1, &negative).empty());
  StridedMemRef<float, 1> noData{nullptr, nullptr, 0, {3}, {1}};
  EXPECT_TRUE(tensorFromMemRef(DType::F32, 1, &noData).empty());
  StridedMemRef<float, 1> none{nullptr, nullptr, 0, {0}, {1}};
  EXPECT_EQ(tensorFromMemRef(DType::F32, 1, &none).numElements(), 0);
}

} // namespace
