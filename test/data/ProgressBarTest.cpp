//===- ProgressBarTest.cpp - Progress output tests ------------------------===//

#include "runtime/data/Data.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace kiln;

namespace {

/// Captures what the bar prints, on a clock the test advances.
struct Capture {
  std::FILE *file = std::tmpfile();
  double now = 100;
  ~Capture() { std::fclose(file); }

  ProgressBarOptions options(int64_t epochs, int64_t steps,
                             ProgressBarOptions::Style style) {
    ProgressBarOptions o;
    o.numEpochs = epochs;
    o.stepsPerEpoch = steps;
    o.out = file;
    o.style = style;
    o.clock = [this] { return now; };
    return o;
  }
  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    for (int c; (c = std::fgetc(file)) != EOF;)
      out += static_cast<char>(c);
    return out;
  }
};

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos;
       start = end + 1)
    out.push_back(text.substr(start, end - start));
  return out;
}

TEST(ProgressBar, LineFormat) {
  Capture capture;
  ProgressBar bar(capture.options(2, 20, ProgressBarOptions::Style::Lines));
  bar.startEpoch(0);
  capture.now += 0.5;
  bar.update(1, 1.0, 10, 5);
  capture.now += 0.5;
  bar.update(2, 0.5, 30, 15);
  // 40 samples in 1 s; 38 steps left at 0.5 s each.
  EXPECT_EQ(bar.line(), "epoch 1/2 step  2/20 [##..................] loss "
                        "0.6250 acc 50.00% 40 samples/s ETA 0:19");
  EXPECT_DOUBLE_EQ(bar.meanLoss(), 0.625);
  EXPECT_DOUBLE_EQ(bar.accuracy(), 0.5);
}

TEST(ProgressBar, PlainLinesEveryTenthAndAtEpochEnd) {
  Capture capture;
  ProgressBar bar(capture.options(1, 50, ProgressBarOptions::Style::Lines));
  bar.startEpoch(0);
  for (int64_t step = 1; step <= 50; ++step) {
    capture.now += 1;
    bar.update(step, 0.1, 4);
  }
  bar.finishEpoch("test acc 90.00%");
  std::string text = capture.text();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  std::vector<std::string> printed = lines(text);
  ASSERT_EQ(printed.size(), 10u);
  EXPECT_EQ(printed[0].rfind("epoch 1/1 step  5/50 [##..", 0), 0u)
      << printed[0];
  EXPECT_EQ(printed[9], "epoch 1/1 step 50/50 [####################] loss "
                        "0.1000 4 samples/s time 0:50 test acc 90.00%");
}

TEST(ProgressBar, InPlaceRedrawsOneLine) {
  Capture capture;
  ProgressBar bar(capture.options(2, 4, ProgressBarOptions::Style::InPlace));
  bar.startEpoch(1, 2); // resumed at step 2 of the last epoch
  capture.now += 2;
  bar.update(3, 99999, 8);
  capture.now += 2;
  bar.update(4, -99989, 8); // the mean loss drops to 5
  bar.finishEpoch();
  std::string text = capture.text();
  // Two redraws and the final one, then a single newline.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 3);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.back(), '\n');
  std::string first = "epoch 2/2 step 3/4 [###############.....] loss "
                      "99999.0000 4 samples/s ETA 0:02";
  std::string second = "epoch 2/2 step 4/4 [####################] loss "
                       "5.0000 4 samples/s time 0:04";
  // The shorter second line is padded to erase the first.
  EXPECT_EQ(text, "\r" + first + "\r" + second + "   \r" + second + "\n");
}

TEST(ProgressBar, AutoOnAFileIsPlainAndNullOutIsSilent) {
  Capture capture;
  ProgressBar bar(capture.options(1, 2, ProgressBarOptions::Style::Auto));
  bar.startEpoch(0);
  bar.update(1, 1, 1);
  bar.update(2, 1, 1);
  bar.finishEpoch();
  EXPECT_EQ(capture.text().find('\r'), std::string::npos);
  EXPECT_EQ(lines(capture.text()).size(), 2u);

  ProgressBarOptions silent =
      capture.options(1, 2, ProgressBarOptions::Style::Auto);
  silent.out = nullptr;
  ProgressBar quiet(silent);
  quiet.startEpoch(0);
  quiet.update(1, 2.0, 3, 3);
  quiet.finishEpoch();
  EXPECT_DOUBLE_EQ(quiet.accuracy(), 1.0);
  EXPECT_TRUE(std::isnan(ProgressBar(silent).meanLoss()));
}

} // namespace
