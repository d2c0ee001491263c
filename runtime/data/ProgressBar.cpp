//===- ProgressBar.cpp - Training progress on one line --------------------===//
//
// On a terminal the line is redrawn in place ('\r', padded to erase what a
// longer previous line left); into a file or pipe (CI logs) a redraw per
// step would be thousands of lines, so a plain line is printed only when
// another tenth of the epoch is done and at its end.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"

#include <chrono>
#include <cmath>
#include <unistd.h>

namespace kiln {

namespace {

constexpr int64_t kBarWidth = 20;

std::string format(const char *spec, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), spec, value);
  return buffer;
}

/// "1:23" or "1:02:03".
std::string duration(double seconds) {
  int64_t total = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  int64_t hours = total / 3600, minutes = total / 60 % 60, secs = total % 60;
  char buffer[32];
  if (hours)
    std::snprintf(buffer, sizeof(buffer), "%lld:%02lld:%02lld",
                  static_cast<long long>(hours),
                  static_cast<long long>(minutes),
                  static_cast<long long>(secs));
  else
    std::snprintf(buffer, sizeof(buffer), "%lld:%02lld",
                  static_cast<long long>(minutes),
                  static_cast<long long>(secs));
  return buffer;
}

} // namespace

ProgressBar::ProgressBar(ProgressBarOptions options)
    : options_(std::move(options)) {
  options_.numEpochs = std::max<int64_t>(options_.numEpochs, 1);
  options_.stepsPerEpoch = std::max<int64_t>(options_.stepsPerEpoch, 1);
  if (!options_.clock)
    options_.clock = [] {
      return std::chrono::duration<double>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  using Style = ProgressBarOptions::Style;
  inPlace_ = options_.style == Style::InPlace ||
             (options_.style == Style::Auto && options_.out &&
              ::isatty(::fileno(options_.out)));
  epochStart_ = options_.clock();
}

void ProgressBar::startEpoch(int64_t epoch, int64_t firstStep) {
  epoch_ = epoch;
  step_ = firstStep_ =
      std::clamp<int64_t>(firstStep, 0, options_.stepsPerEpoch);
  lastDecile_ = step_ * 10 / options_.stepsPerEpoch;
  epochStart_ = options_.clock();
  lossSum_ = 0;
  samples_ = correct_ = samplesWithAccuracy_ = 0;
  lastWidth_ = 0;
}

void ProgressBar::update(int64_t step, double loss, int64_t samples,
                         int64_t correct) {
  step_ = std::clamp<int64_t>(step, 0, options_.stepsPerEpoch);
  samples = std::max<int64_t>(samples, 0);
  lossSum_ += loss * static_cast<double>(samples);
  samples_ += samples;
  if (correct >= 0) {
    correct_ += correct;
    samplesWithAccuracy_ += samples;
  }
  if (!options_.out)
    return;
  std::string text = line();
  if (inPlace_) {
    size_t width = text.size();
    text.append(lastWidth_ > width ? lastWidth_ - width : 0, ' ');
    lastWidth_ = width;
    std::fprintf(options_.out, "\r%s", text.c_str());
    std::fflush(options_.out);
    return;
  }
  // The last step's line comes from finishEpoch, with its suffix.
  int64_t decile = step_ * 10 / options_.stepsPerEpoch;
  if (decile > lastDecile_ && step_ < options_.stepsPerEpoch) {
    std::fprintf(options_.out, "%s\n", text.c_str());
    std::fflush(options_.out);
  }
  lastDecile_ = std::max(lastDecile_, decile);
}

void ProgressBar::finishEpoch(const std::string &suffix) {
  if (!options_.out)
    return;
  std::string text = line();
  if (!suffix.empty())
    text += " " + suffix;
  if (inPlace_) {
    text.append(lastWidth_ > text.size() ? lastWidth_ - text.size() : 0, ' ');
    std::fprintf(options_.out, "\r%s\n", text.c_str());
  } else {
    std::fprintf(options_.out, "%s\n", text.c_str());
  }
  std::fflush(options_.out);
  lastWidth_ = 0;
}

double ProgressBar::meanLoss() const {
  return samples_ ? lossSum_ / static_cast<double>(samples_) : NAN;
}

double ProgressBar::accuracy() const {
  return samplesWithAccuracy_ ? static_cast<double>(correct_) /
                                    static_cast<double>(samplesWithAccuracy_)
                              : NAN;
}

std::string ProgressBar::line() const {
  int64_t steps = options_.stepsPerEpoch;
  std::string stepsText = std::to_string(steps);
  std::string stepText = std::to_string(step_);
  stepText.insert(
      0, stepsText.size() - std::min(stepsText.size(), stepText.size()), ' ');
  int64_t filled = step_ * kBarWidth / steps;
  std::string text = "epoch " + std::to_string(epoch_ + 1) + "/" +
                     std::to_string(options_.numEpochs) + " step " + stepText +
                     "/" + stepsText + " [" + std::string(filled, '#') +
                     std::string(kBarWidth - filled, '.') + "]";
  if (samples_)
    text += " loss " + format("%.4f", meanLoss());
  if (samplesWithAccuracy_)
    text += " acc " + format("%.2f", 100 * accuracy()) + "%";
  double elapsed = options_.clock() - epochStart_;
  int64_t stepsDone = step_ - firstStep_;
  if (elapsed > 0 && stepsDone > 0) {
    text += " " + format("%.0f", samples_ / elapsed) + " samples/s";
    int64_t remaining =
        (steps - step_) + (options_.numEpochs - epoch_ - 1) * steps;
    if (step_ == steps)
      text += " time " + duration(elapsed);
    if (remaining > 0)
      text += " ETA " + duration(elapsed / stepsDone * remaining);
  }
  return text;
}

} // namespace kiln
