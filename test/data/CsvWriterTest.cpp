//===- CsvWriterTest.cpp - Metrics CSV tests ------------------------------===//

#include "DataTestUtil.h"
#include "runtime/data/Data.h"

#include <cmath>
#include <cstdlib>
#include <gtest/gtest.h>

using namespace kiln;
using kiln::test::readFile;
using kiln::test::TempDir;

namespace {

TEST(CsvField, NumbersReadBackExactly) {
  EXPECT_EQ(CsvField(0.1).text(), "0.1");
  EXPECT_EQ(CsvField(2.0).text(), "2");
  EXPECT_EQ(CsvField(1.0 / 3).text(), "0.3333333333333333");
  EXPECT_EQ(CsvField(0.1f).text(), "0.10000000149011612");
  EXPECT_EQ(CsvField(-1e-300).text(), "-1e-300");
  EXPECT_EQ(CsvField(NAN).text(), "nan");
  EXPECT_EQ(CsvField(-INFINITY).text(), "-inf");
  EXPECT_EQ(CsvField(int64_t(INT64_MAX)).text(), "9223372036854775807");
  EXPECT_EQ(CsvField(-3).text(), "-3");
  EXPECT_EQ(CsvField(size_t(7)).text(), "7");
  EXPECT_EQ(CsvField(uint64_t(UINT64_MAX)).text(), "18446744073709551615");
  for (double value : {M_PI, 1e22, 5e-324, 123456.789e10})
    EXPECT_EQ(std::strtod(CsvField(value).text().c_str(), nullptr), value);
}

TEST(CsvWriter, QuotesWhenNeeded) {
  EXPECT_EQ(CsvWriter::formatRow(
                {"plain", "a,b", "say \"hi\"", "two\nlines", " padded", ""}),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",");
}

TEST(CsvWriter, WritesHeaderAndFlushesEachRow) {
  TempDir dir;
  std::string path = dir.path("metrics.csv");
  CsvWriter writer;
  Status s = CsvWriter::open(path, {"epoch", "step", "loss", "note"}, writer);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(readFile(path), "epoch,step,loss,note\n");
  ASSERT_TRUE(writer.writeRow({1, int64_t(469), 0.25, "ok"}).isOk());
  // Visible before close.
  EXPECT_EQ(readFile(path), "epoch,step,loss,note\n1,469,0.25,ok\n");
  s = writer.writeRow({1, 2});
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(), path + ": row has 2 fields, the header has 4 columns");
  ASSERT_TRUE(writer.close().isOk());
  EXPECT_FALSE(writer.writeRow({1, 2, 3, 4}).isOk());
}

TEST(CsvWriter, AppendChecksTheHeader) {
  TempDir dir;
  std::string path = dir.path("metrics.csv");
  {
    CsvWriter writer;
    ASSERT_TRUE(CsvWriter::open(path, {"step", "loss"}, writer).isOk());
    ASSERT_TRUE(writer.writeRow({1, 0.5}).isOk());
  }
  {
    CsvWriter writer;
    ASSERT_TRUE(CsvWriter::open(path, {"step", "loss"}, writer, true).isOk());
    ASSERT_TRUE(writer.writeRow({2, 0.25}).isOk());
  }
  EXPECT_EQ(readFile(path), "step,loss\n1,0.5\n2,0.25\n");
  CsvWriter writer;
  Status s = CsvWriter::open(path, {"step", "acc"}, writer, true);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(), path + ": cannot append: the file's header "
                                "'step,loss' differs from 'step,acc'");
  // Appending to a file that does not exist yet writes the header.
  ASSERT_TRUE(CsvWriter::open(dir.path("new.csv"), {"x"}, writer, true).isOk());
  EXPECT_EQ(readFile(dir.path("new.csv")), "x\n");
}

TEST(CsvWriter, OpenErrors) {
  TempDir dir;
  CsvWriter writer;
  std::string path = dir.path("missing/metrics.csv");
  Status s = CsvWriter::open(path, {"a"}, writer);
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(),
            path + ": cannot open for writing: No such file or directory");
  s = CsvWriter::open(dir.path("x.csv"), {}, writer);
  EXPECT_FALSE(s.isOk());
}

} // namespace
