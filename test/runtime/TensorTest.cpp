//===- TensorTest.cpp - Tests of DType, Status and Tensor -----------------===//

#include "runtime/Runtime.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace kiln;

namespace {

const DType kAllDTypes[] = {DType::F32, DType::F64, DType::I32,
                            DType::I64, DType::I1,  DType::U8};

bool isAligned64(const void *ptr) {
  return reinterpret_cast<uintptr_t>(ptr) % 64 == 0;
}

TEST(DTypeTest, SizesAndNames) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::I32), 4u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(dtypeSize(DType::I1), 1u);
  EXPECT_EQ(dtypeSize(DType::U8), 1u);
  EXPECT_STREQ(dtypeName(DType::F32), "f32");
  EXPECT_STREQ(dtypeName(DType::F64), "f64");
  EXPECT_STREQ(dtypeName(DType::I32), "i32");
  EXPECT_STREQ(dtypeName(DType::I64), "i64");
  EXPECT_STREQ(dtypeName(DType::I1), "i1");
  EXPECT_STREQ(dtypeName(DType::U8), "u8");
}

TEST(DTypeTest, ParseRoundTripsAndRejectsUnknown) {
  for (DType dtype : kAllDTypes) {
    DType parsed = dtype == DType::F32 ? DType::U8 : DType::F32;
    ASSERT_TRUE(parseDType(dtypeName(dtype), parsed)) << dtypeName(dtype);
    EXPECT_EQ(parsed, dtype);
  }
  DType unchanged = DType::I64;
  EXPECT_FALSE(parseDType("f16", unchanged));
  EXPECT_FALSE(parseDType("", unchanged));
  EXPECT_FALSE(parseDType("F32", unchanged));
  EXPECT_EQ(unchanged, DType::I64);
}

TEST(StatusTest, OkAndError) {
  Status ok = Status::ok();
  EXPECT_TRUE(ok.isOk());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(ok.message(), "");
  Status error = Status::error("boom");
  EXPECT_FALSE(error.isOk());
  EXPECT_FALSE(static_cast<bool>(error));
  EXPECT_EQ(error.message(), "boom");
}

TEST(ShapeStringTest, Formats) {
  EXPECT_EQ(shapeString({8, 784}), "8x784");
  EXPECT_EQ(shapeString({}), "");
  EXPECT_EQ(shapeString({5}), "5");
  EXPECT_EQ(shapeString({-1, 3}), "?x3");
  EXPECT_EQ(typeString(DType::F32, {8, 784}), "8x784xf32");
  EXPECT_EQ(typeString(DType::F32, {}), "f32");
  EXPECT_EQ(typeString(DType::I1, {0}), "0xi1");
}

TEST(TensorTest, DefaultIsEmpty) {
  Tensor t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.rank(), 0);
  EXPECT_EQ(t.numElements(), 0);
  EXPECT_EQ(t.sizeInBytes(), 0u);
  EXPECT_EQ(t.data(), nullptr);
  EXPECT_EQ(t.allocatedPtr(), nullptr);
  EXPECT_TRUE(std::isnan(t.getAsDouble(0)));
  EXPECT_EQ(t.toString(), "<empty>");
}

TEST(TensorTest, ZerosLayoutAndAlignment) {
  for (DType dtype : kAllDTypes) {
    Tensor t = Tensor::zeros(dtype, {2, 3, 4});
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(t.dtype(), dtype);
    EXPECT_EQ(t.rank(), 3);
    EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3, 4}));
    EXPECT_EQ(t.strides(), (std::vector<int64_t>{12, 4, 1}));
    EXPECT_EQ(t.numElements(), 24);
    EXPECT_EQ(t.sizeInBytes(), 24 * dtypeSize(dtype));
    EXPECT_EQ(t.offset(), 0);
    EXPECT_EQ(t.data(), t.allocatedPtr());
    EXPECT_TRUE(isAligned64(t.data()));
    EXPECT_TRUE(t.isContiguous());
    const auto *bytes = static_cast<const unsigned char *>(t.data());
    for (size_t i = 0; i < t.sizeInBytes(); ++i)
      ASSERT_EQ(bytes[i], 0) << "byte " << i;
  }
}

TEST(TensorTest, RankZeroAndZeroSize) {
  Tensor scalar = Tensor::zeros(DType::F64, {});
  ASSERT_FALSE(scalar.empty());
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(scalar.numElements(), 1);
  EXPECT_EQ(scalar.sizeInBytes(), 8u);
  EXPECT_TRUE(isAligned64(scalar.data()));
  EXPECT_EQ(scalar.getAsDouble(0), 0.0);

  Tensor none = Tensor::zeros(DType::F32, {3, 0, 2});
  ASSERT_FALSE(none.empty());
  EXPECT_EQ(none.numElements(), 0);
  EXPECT_EQ(none.sizeInBytes(), 0u);
  EXPECT_NE(none.data(), nullptr);
  EXPECT_TRUE(isAligned64(none.data()));
  EXPECT_EQ(none.strides(), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_TRUE(none.isContiguous());
  EXPECT_EQ(none.toString(), "[[],\n\n [],\n\n []]");
}

TEST(TensorTest, InvalidShapesGiveEmptyTensors) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_TRUE(Tensor::zeros(DType::F32, {-1}).empty());
  EXPECT_TRUE(Tensor::zeros(DType::F32, {2, -3}).empty());
  EXPECT_TRUE(Tensor::zeros(DType::F32, {big}).empty());
  EXPECT_TRUE(Tensor::zeros(DType::U8, {big / 2, 3}).empty());
  // The zero does not make the product of the other dimensions harmless for
  // the strides.
  EXPECT_TRUE(Tensor::zeros(DType::U8, {0, big / 2, 3}).empty());
}

TEST(TensorTest, FromDataCopies) {
  int32_t values[] = {1, 2, 3, 4, 5, 6};
  Tensor t = Tensor::fromData(DType::I32, {3, 2}, values);
  ASSERT_FALSE(t.empty());
  values[0] = 100;
  EXPECT_NE(t.data(), static_cast<void *>(values));
  EXPECT_EQ(t.dataAs<int32_t>()[0], 1);
  EXPECT_EQ(t.dataAs<int32_t>()[5], 6);
  EXPECT_TRUE(Tensor::fromData(DType::I32, {2}, nullptr).empty());
  EXPECT_FALSE(Tensor::fromData(DType::I32, {0}, nullptr).empty());
}

TEST(TensorTest, FromVectorDeducesDType) {
  EXPECT_EQ(Tensor::fromVector<float>({1}, {1.f}).dtype(), DType::F32);
  EXPECT_EQ(Tensor::fromVector<double>({1}, {1.0}).dtype(), DType::F64);
  EXPECT_EQ(Tensor::fromVector<int32_t>({1}, {1}).dtype(), DType::I32);
  EXPECT_EQ(Tensor::fromVector<int64_t>({1}, {1}).dtype(), DType::I64);
  EXPECT_EQ(Tensor::fromVector<uint8_t>({1}, {1}).dtype(), DType::U8);

  Tensor flags = Tensor::fromVector<bool>({2, 2}, {true, false, false, true});
  ASSERT_FALSE(flags.empty());
  EXPECT_EQ(flags.dtype(), DType::I1);
  const auto *bytes = static_cast<const uint8_t *>(flags.data());
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(bytes[1], 0);
  EXPECT_EQ(bytes[2], 0);
  EXPECT_EQ(bytes[3], 1);

  Tensor doubles = Tensor::fromVector<double>({2}, {0.5, -2.25});
  EXPECT_EQ(doubles.getAsDouble(0), 0.5);
  EXPECT_EQ(doubles.getAsDouble(1), -2.25);
}

TEST(TensorTest, FromVectorSizeMismatchGivesEmpty) {
  EXPECT_TRUE(Tensor::fromVector<float>({2, 2}, {1, 2, 3}).empty());
  EXPECT_TRUE(Tensor::fromVector<bool>({3}, {true}).empty());
  EXPECT_TRUE(Tensor::fromVector<float>({-1}, {}).empty());
  EXPECT_FALSE(Tensor::fromVector<float>({0, 4}, {}).empty());
}

TEST(TensorTest, DataAsChecksElementSize) {
  Tensor t = Tensor::fromVector<float>({2}, {1.f, 2.f});
  ASSERT_NE(t.dataAs<float>(), nullptr);
  EXPECT_EQ(t.dataAs<float>()[1], 2.f);
  EXPECT_EQ(t.dataAs<double>(), nullptr);
  const Tensor &constRef = t;
  EXPECT_EQ(constRef.dataAs<int64_t>(), nullptr);
  EXPECT_EQ(constRef.dataAs<float>(), constRef.data());
}

TEST(TensorTest, CopiesShareStorage) {
  Tensor a = Tensor::zeros(DType::F32, {4});
  Tensor b = a;
  b.dataAs<float>()[2] = 7.f;
  EXPECT_EQ(a.data(), b.data());
  EXPECT_EQ(a.getAsDouble(2), 7.0);
}

TEST(TensorTest, TransposedViewIsStrided) {
  // [[0, 1, 2], [3, 4, 5]] viewed as [[0, 3], [1, 4], [2, 5]].
  Tensor t = Tensor::fromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor view = t.transposed({1, 0});
  ASSERT_FALSE(view.empty());
  EXPECT_EQ(view.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(view.strides(), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(view.data(), t.data());
  EXPECT_EQ(view.offset(), 0);
  EXPECT_FALSE(view.isContiguous());
  const double expected[] = {0, 3, 1, 4, 2, 5};
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(view.getAsDouble(i), expected[i]) << "index " << i;
  EXPECT_TRUE(std::isnan(view.getAsDouble(6)));
  EXPECT_TRUE(std::isnan(view.getAsDouble(-1)));
  EXPECT_EQ(view.toString(), "[[0, 3],\n [1, 4],\n [2, 5]]");
}

TEST(TensorTest, ContiguousCopiesViewsInCOrder) {
  std::vector<int32_t> values(24);
  for (int i = 0; i < 24; ++i)
    values[i] = i;
  Tensor t = Tensor::fromVector<int32_t>({2, 3, 4}, values);
  EXPECT_EQ(t.contiguous().data(), t.data());

  Tensor view = t.transposed({2, 0, 1}); // Shape 4x2x3.
  ASSERT_EQ(view.shape(), (std::vector<int64_t>{4, 2, 3}));
  EXPECT_EQ(view.strides(), (std::vector<int64_t>{1, 12, 4}));
  Tensor copy = view.contiguous();
  ASSERT_FALSE(copy.empty());
  EXPECT_NE(copy.data(), t.data());
  EXPECT_TRUE(copy.isContiguous());
  EXPECT_EQ(copy.strides(), (std::vector<int64_t>{6, 3, 1}));
  EXPECT_TRUE(isAligned64(copy.data()));
  const int32_t *out = copy.dataAs<int32_t>();
  for (int64_t k = 0; k < 4; ++k)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 3; ++j)
        EXPECT_EQ(out[k * 6 + i * 3 + j], i * 12 + j * 4 + k);
  for (int64_t i = 0; i < 24; ++i)
    EXPECT_EQ(copy.getAsDouble(i), view.getAsDouble(i));
}

TEST(TensorTest, SizeOneDimensionsDoNotBreakContiguity) {
  Tensor t = Tensor::zeros(DType::F32, {1, 5});
  Tensor view = t.transposed({1, 0}); // 5x1 with strides {1, 5}.
  EXPECT_TRUE(view.isContiguous());
  EXPECT_EQ(view.contiguous().data(), t.data());
}

TEST(TensorTest, InvalidPermutationsGiveEmpty) {
  Tensor t = Tensor::zeros(DType::F32, {2, 3});
  EXPECT_TRUE(t.transposed({0}).empty());
  EXPECT_TRUE(t.transposed({0, 0}).empty());
  EXPECT_TRUE(t.transposed({0, 2}).empty());
  EXPECT_TRUE(t.transposed({-1, 0}).empty());
  EXPECT_TRUE(Tensor().transposed({}).empty());
  EXPECT_EQ(t.transposed({0, 1}).strides(), t.strides());
}

TEST(TensorToStringTest, Float2x2) {
  Tensor t = Tensor::fromVector<float>({2, 2}, {0.1f, 0.2f, 0.3f, 0.4f});
  EXPECT_EQ(t.toString(), "[[0.1, 0.2],\n [0.3, 0.4]]");
}

TEST(TensorToStringTest, FloatSpecialsAndPrecision) {
  Tensor t = Tensor::fromVector<double>(
      {5}, {1.0, 1234567.0, -std::numeric_limits<double>::infinity(),
            std::numeric_limits<double>::quiet_NaN(), 1e-7});
  EXPECT_EQ(t.toString(), "[1, 1.23457e+06, -inf, nan, 1e-07]");
}

TEST(TensorToStringTest, Bool) {
  Tensor t = Tensor::fromVector<bool>({3}, {true, false, true});
  EXPECT_EQ(t.toString(), "[true, false, true]");
}

TEST(TensorToStringTest, Int64KeepsFullPrecision) {
  Tensor t = Tensor::fromVector<int64_t>(
      {2, 2}, {1, -2, 9007199254740993, std::numeric_limits<int64_t>::min()});
  EXPECT_EQ(t.toString(),
            "[[1, -2],\n [9007199254740993, -9223372036854775808]]");
}

TEST(TensorToStringTest, Uint8AndInt32) {
  EXPECT_EQ(Tensor::fromVector<uint8_t>({2}, {0, 255}).toString(), "[0, 255]");
  EXPECT_EQ(Tensor::fromVector<int32_t>({2}, {-7, 42}).toString(), "[-7, 42]");
}

TEST(TensorToStringTest, RankZero) {
  EXPECT_EQ(Tensor::fromVector<float>({}, {1.5f}).toString(), "1.5");
  EXPECT_EQ(Tensor::fromVector<bool>({}, {false}).toString(), "false");
}

TEST(TensorToStringTest, SummarizedAboveThousandElements) {
  // As NumPy: up to 1000 elements print in full, beyond that each long
  // dimension shows edgeItems entries at each end.
  std::vector<int32_t> values(2000);
  for (int32_t i = 0; i < 2000; ++i)
    values[i] = i;
  Tensor t = Tensor::fromVector<int32_t>({2000}, values);
  EXPECT_EQ(t.toString(), "[0, 1, 2, ..., 1997, 1998, 1999]");
  EXPECT_EQ(t.toString(1), "[0, ..., 1999]");
  EXPECT_EQ(t.toString(0).find("..."), std::string::npos); // 0: never
  EXPECT_EQ(t.toString(1000), t.toString(0)); // 1000 + 1000 covers all

  Tensor matrix = Tensor::fromVector<int32_t>({1000, 2}, values);
  EXPECT_EQ(matrix.toString(1), "[[0, 1],\n ...,\n [1998, 1999]]");

  std::vector<int32_t> small(1000, 7);
  Tensor full = Tensor::fromVector<int32_t>({1000}, small);
  EXPECT_EQ(full.toString().find("..."), std::string::npos);
}

TEST(TensorToStringTest, RowsOnSeparateLines) {
  std::vector<int32_t> values(8);
  for (int32_t i = 0; i < 8; ++i)
    values[i] = i;
  EXPECT_EQ(Tensor::fromVector<int32_t>({2, 2, 2}, values).toString(),
            "[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]");
}

} // namespace
