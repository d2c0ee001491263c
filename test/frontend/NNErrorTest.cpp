//===- NNErrorTest.cpp - Mistakes with the neural-network ops and layers --===//
//
// As ErrorTest.cpp: each mistake is made on a recorded line and the whole
// message is checked, "<this file>:<line>: <builder or layer>: <what>".
//
//===----------------------------------------------------------------------===//

#include "FrontendTestUtil.h"

using namespace kiln;
using namespace kiln::frontend_test;

namespace {
/// img [2, 3, 8, 8] f32, w [4, 3, 3, 3] f32, wd the same in f64, v [4] f32,
/// ids [2, 5] i64, seed a rank-0 i64.
struct NNErrorTest : ::testing::Test {
  Graph g{"nn_errors"};
  Var img = g.input("img", {2, 3, 8, 8});
  Var w = g.input("w", {4, 3, 3, 3});
  Var wd = g.input("wd", {4, 3, 3, 3}, DType::F64);
  Var v = g.input("v", {4});
  Var ids = g.input("ids", {2, 5}, DType::I64);
  Var seed = g.input("seed", {}, DType::I64);
  unsigned line = 0;
};
} // namespace

TEST_F(NNErrorTest, Conv2dOperands) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(v, w);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the input must be a 4-D [N, C, H, W] "
                               "float (f32 or f64) tensor, got input 'v' "
                               "4xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the weight must be a 4-D [O, C / "
                               "groups, kH, kW] float (f32 or f64) tensor, "
                               "got input 'v' 4xf32");
  Var ints = g.input("ints", {2, 3, 8, 8}, DType::I32);
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(ints, w);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the input must be a 4-D [N, C, H, W] "
                               "float (f32 or f64) tensor, got input 'ints' "
                               "2x3x8x8xi32");
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, wd);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the input input 'img' 2x3x8x8xf32 "
                               "and the weight input 'wd' 4x3x3x3xf64 have "
                               "different dtypes; cast() one of them");
}

TEST_F(NNErrorTest, Conv2dChannelsAndGroups) {
  Var w2 = g.input("w2", {4, 2, 3, 3});
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, w2);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the weight input 'w2' 4x2x3x3xf32 "
                               "has 2 input channels per group but the input "
                               "input 'img' 2x3x8x8xf32 has C = 3 in 1 "
                               "group(s), so C / groups = 3");
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, w, 1, 0, 1, 2);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: groups 2 must be >= 1 and divide the "
                               "input channels (C = 3 in the input input "
                               "'img' 2x3x8x8xf32) and the output channels "
                               "(O = 4 in the weight input 'w' 4x3x3x3xf32)");
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, w, 1, 0, 1, 0);
  });
  EXPECT_TRUE(contains(m, KILN_AT(line) + "conv2d: groups 0 must be >= 1"));
  Var empty = g.input("empty", {4, 3, 0, 3});
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, empty);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the weight input 'empty' "
                               "4x3x0x3xf32 must have a kernel of at least "
                               "1x1");
}

TEST_F(NNErrorTest, WindowAttributes) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, w, {1, 0});
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: stride 1x0 must be at least 1 in "
                               "height and width");
  m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, w, 1, {0, 0, -1, 0});
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: padding [0, 0, -1, 0] (top, left, "
                               "bottom, right) must be non-negative");
  m = graphError([&] {
    line = __LINE__ + 1;
    maxPool2d(img, 2, 2, 0, 0);
  });
  EXPECT_EQ(m, KILN_AT(line) + "maxPool2d: dilation 0x0 must be at least 1 "
                               "in height and width");
  m = graphError([&] {
    line = __LINE__ + 1;
    avgPool2d(img, {0, 2});
  });
  EXPECT_EQ(m, KILN_AT(line) + "avgPool2d: kernel 0x2 must be at least 1 in "
                               "height and width");
}

TEST_F(NNErrorTest, WindowLargerThanThePaddedInput) {
  Var big = g.input("big", {4, 3, 9, 3});
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    conv2d(img, big);
  });
  EXPECT_EQ(m, KILN_AT(line) + "conv2d: the input input 'img' 2x3x8x8xf32 "
                               "padded to 8x8 is smaller than the 9x3 window");
  m = graphError([&] {
    line = __LINE__ + 1;
    maxPool2d(img, 3, 1, 0, {4, 1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "maxPool2d: the input input 'img' "
                               "2x3x8x8xf32 padded to 8x8 is smaller than the "
                               "3x3 dilated by 4x1, spanning 9x3 window");
  m = graphError([&] {
    line = __LINE__ + 1;
    avgPool2d(img, {2, 11}, 1, {0, 1});
  });
  EXPECT_EQ(m, KILN_AT(line) + "avgPool2d: the input input 'img' "
                               "2x3x8x8xf32 padded to 8x10 is smaller than "
                               "the 2x11 window");
  m = graphError([&] {
    line = __LINE__ + 1;
    maxPool2d(ids, 2);
  });
  EXPECT_EQ(m, KILN_AT(line) + "maxPool2d: the input must be a 4-D [N, C, H, "
                               "W] float (f32 or f64) tensor, got input 'ids' "
                               "2x5xi64");
}

TEST_F(NNErrorTest, GatherRandomUniformDropout) {
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    gather(v, ids);
  });
  EXPECT_EQ(m, KILN_AT(line) + "gather: the table must be 2-D [V, D], got "
                               "input 'v' 4xf32");
  Var table = g.input("table", {10, 4});
  m = graphError([&] {
    line = __LINE__ + 1;
    gather(table, v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "gather: indices must be i32 or i64, got "
                               "input 'v' 4xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    randomUniform({2, 2}, ids);
  });
  EXPECT_EQ(m, KILN_AT(line) + "randomUniform: the seed must be a rank-0 i64 "
                               "tensor (tensor<i64>), got input 'ids' "
                               "2x5xi64");
  m = graphError([&] {
    line = __LINE__ + 1;
    randomUniform({2, -1}, seed);
  });
  EXPECT_EQ(m, KILN_AT(line) + "randomUniform: shape [2, -1] has a negative "
                               "dimension; Kiln shapes are static");
  m = graphError([&] {
    line = __LINE__ + 1;
    randomUniform({2}, seed, DType::I32);
  });
  EXPECT_EQ(m, KILN_AT(line) + "randomUniform: makes f32 or f64 numbers, not "
                               "i32");
  m = graphError([&] {
    line = __LINE__ + 1;
    dropout(img, 1.5, seed);
  });
  EXPECT_EQ(m, KILN_AT(line) + "dropout: the probability p must be between 0 "
                               "and 1, got 1.5");
  m = graphError([&] {
    line = __LINE__ + 1;
    dropout(ids, 0.5, seed);
  });
  EXPECT_EQ(m, KILN_AT(line) + "dropout: needs a float (f32 or f64) tensor, "
                               "got input 'ids' 2x5xi64");
  m = graphError([&] {
    line = __LINE__ + 1;
    dropout(img, 0.5, v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "dropout: the seed must be a rank-0 i64 tensor "
                               "(tensor<i64>), got input 'v' 4xf32");
  Graph other("other");
  Var foreign = other.input("s", {}, DType::I64);
  m = graphError([&] {
    line = __LINE__ + 1;
    dropout(img, 0.5, foreign);
  });
  EXPECT_EQ(m, KILN_AT(line) + "dropout: operands belong to different "
                               "graphs: input 's' i64 is from "
                               "another graph");
}

TEST_F(NNErrorTest, ConvolutionAndPoolingLayers) {
  nn::Scope root(g);
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    nn::Conv2d(root.sub("c"), 0, 4, 3);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Conv2d 'c': in and out channels must be "
                               "positive, got 0 and 4");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Conv2d(root.sub("c"), 3, 4, 3, 1, 0, 1, /*groups=*/3);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Conv2d 'c': groups 3 must be >= 1 and divide "
                               "the in channels (3) and the out channels (4)");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Conv2d(root.sub("c"), 3, 4, {3, 0});
  });
  EXPECT_EQ(m, KILN_AT(line) + "Conv2d 'c': kernel 3x0 must be at least 1 in "
                               "height and width");
  nn::Conv2d conv(root.sub("conv"), 4, 8, 3);
  m = graphError([&] {
    line = __LINE__ + 1;
    conv(img);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Conv2d 'conv': expects input [N, 4, H, W] of "
                               "f32, got input 'img' 2x3x8x8xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::MaxPool2d(2, 2, 2);
  });
  EXPECT_EQ(m, KILN_AT(line) + "MaxPool2d: padding [2, 2, 2, 2] (top, left, "
                               "bottom, right) must be at most half the "
                               "kernel 2x2, i.e. at most 1 in height and 1 "
                               "in width (as PyTorch)");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::AvgPool2d(3, 1, {0, 0, 2, 0});
  });
  EXPECT_EQ(m, KILN_AT(line) + "AvgPool2d: padding [0, 0, 2, 0] (top, left, "
                               "bottom, right) must be at most half the "
                               "kernel 3x3, i.e. at most 1 in height and 1 "
                               "in width (as PyTorch)");
  // A dilated kernel allows more padding: (2 * (3 - 1) + 1) / 2 = 2.
  EXPECT_EQ(nn::MaxPool2d(3, 1, 2, 2).padding.top, 2);
  nn::MaxPool2d pool(3);
  m = graphError([&] {
    line = __LINE__ + 1;
    pool(v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "maxPool2d: the input must be a 4-D [N, C, H, "
                               "W] float (f32 or f64) tensor, got input 'v' "
                               "4xf32");
}

TEST_F(NNErrorTest, EmbeddingAndDropoutLayers) {
  nn::Scope root(g);
  std::string m = graphError([&] {
    line = __LINE__ + 1;
    nn::Embedding(root.sub("emb"), 10, 0);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Embedding 'emb': the number of embeddings "
                               "and their size must be positive, got 10 and "
                               "0");
  nn::Embedding embedding(root.sub("embedding"), 10, 4);
  m = graphError([&] {
    line = __LINE__ + 1;
    embedding(v);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Embedding 'embedding': expects integer "
                               "indices (i32 or i64), got input 'v' 4xf32");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Dropout(-0.1);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Dropout: the probability p must be between 0 "
                               "and 1, got -0.1");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Dropout(std::nan(""));
  });
  EXPECT_EQ(m, KILN_AT(line) + "Dropout: the probability p must be between 0 "
                               "and 1, got nan");
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Dropout()(Var());
  });
  EXPECT_EQ(m, KILN_AT(line) + "Dropout: got an empty Var");
  // Checked before the seed input is made: a failed call adds nothing.
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Dropout()(ids);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Dropout: needs a float (f32 or f64) tensor, "
                               "got input 'ids' 2x5xi64");
  EXPECT_EQ(g.findArgument(nn::kDropoutSeed), nullptr);
  // A taken name: the seed input must be a rank-0 i64.
  Graph taken("taken");
  taken.input(nn::kDropoutSeed, {1}, DType::I64);
  Var x = taken.input("x", {3});
  m = graphError([&] {
    line = __LINE__ + 1;
    nn::Dropout(0.5)(x);
  });
  EXPECT_EQ(m, KILN_AT(line) + "Dropout: the dropout seed 'dropout_seed' must "
                               "be a rank-0 i64 input, but the graph has "
                               "input 'dropout_seed' 1xi64");
}
