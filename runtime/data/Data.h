//===- Data.h - Training data, checkpoints and progress output --*- C++ -*-===//
//
// KilnData: what a training loop needs around a compiled step. IDX files and
// the (Fashion-)MNIST datasets, seeded minibatches that can resume mid-epoch,
// checkpoints in the safetensors format saved atomically, a progress bar and
// a CSV metrics writer.
//
// Built on KilnRuntime (kiln::Tensor, kiln::Status) plus zlib; kept out of
// KilnRuntime itself so that ahead-of-time compiled models still link
// nothing but the standard library. Like the runtime, nothing here throws:
// errors are a kiln::Status whose message names the file and the tensor or
// field at fault.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DATA_DATA_H
#define KILN_RUNTIME_DATA_DATA_H

#include "runtime/Runtime.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace kiln {

//===----------------------------------------------------------------------===//
// IDX files and (Fashion-)MNIST
//===----------------------------------------------------------------------===//

/// Reads an IDX file, gzip-compressed or not: a big-endian header
/// (0, 0, type, rank, then rank u32 dimensions) followed by big-endian
/// elements. Types u8 (0x08), i32 (0x0C), f32 (0x0D) and f64 (0x0E) become
/// U8, I32, F32 and F64 tensors; i8 and i16 are reported as unsupported.
/// Missing files, bad magic, corrupt gzip streams, dimensions that overflow
/// or exceed 16 GiB, truncated data and trailing bytes are errors naming
/// the file. \p out is only assigned on success.
Status readIdx(const std::string &path, Tensor &out);

enum class DatasetSplit { Train, Test };

/// An image classification dataset: images f32 [N, 1, H, W] scaled to
/// [0, 1] (pixel / 255, like torchvision's ToTensor), labels i64 [N].
struct ImageDataset {
  Tensor images;
  Tensor labels;
  int64_t size() const { return labels.numElements(); }
};

/// Where Debian's dataset-fashion-mnist package installs the dataset.
inline constexpr const char *kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

/// Loads an MNIST-format split from \p dir: {train,t10k}-images-idx3-ubyte
/// and {train,t10k}-labels-idx1-ubyte, each either gzip-compressed with a
/// ".gz" suffix or raw. Checks that the images are u8 [N, H, W], the labels
/// u8 [N] with the same N, and every label is in [0, numClasses).
Status loadMnistFormat(const std::string &dir, DatasetSplit split,
                       ImageDataset &out, int64_t numClasses = 10);
/// loadMnistFormat for Fashion-MNIST (28x28 images, 10 classes); a missing
/// dataset says which package to install.
Status loadFashionMnist(DatasetSplit split, ImageDataset &out,
                        const std::string &dir = kFashionMnistDir);
/// The ten Fashion-MNIST class names, "T-shirt/top" to "Ankle boot".
const char *fashionMnistClassName(int64_t label);

//===----------------------------------------------------------------------===//
// Minibatches
//===----------------------------------------------------------------------===//

/// The order in which epoch \p epoch visits \p n samples: a Fisher-Yates
/// shuffle driven by splitmix64 seeded from (seed, epoch) only, so it is the
/// same on every platform and standard library, and any epoch can be
/// recomputed without replaying the ones before it.
std::vector<int64_t> shuffledOrder(int64_t n, uint64_t seed, int64_t epoch);

/// What to do with the samples left over when the batch size does not divide
/// the dataset.
enum class LastBatch {
  /// Skip them (every batch is full; what a static-shape step needs).
  Drop,
  /// Deliver a smaller final batch, in tensors of its own shape.
  Keep,
  /// Deliver a full-size final batch whose rows past Batch::size are zero.
  Pad,
};

struct BatchLoaderOptions {
  int64_t batchSize = 1;
  uint64_t seed = 0;
  /// False visits samples in dataset order every epoch.
  bool shuffle = true;
  LastBatch lastBatch = LastBatch::Drop;
};

/// One minibatch. The tensors are the loader's preallocated buffers,
/// overwritten by the next call to BatchLoader::next.
struct Batch {
  Tensor inputs;
  Tensor labels;
  /// Number of real samples (< the batch size only for a Keep or Pad
  /// final batch).
  int64_t size = 0;
  int64_t epoch = 0;
  /// Index of this batch within its epoch.
  int64_t index = 0;
};

/// Iterates over (inputs, labels) in minibatches: rows of inputs [N, ...]
/// and labels [N, ...] (any dtypes) are gathered into batch tensors that are
/// allocated once, so a training loop allocates nothing per batch.
///
///   BatchLoader loader;
///   if (Status s = BatchLoader::create(data.images, data.labels, opts,
///                                      loader); !s) ...
///   for (int64_t epoch = 0; epoch < numEpochs; ++epoch)
///     for (loader.startEpoch(epoch); const Batch *b = loader.next();) ...
///
/// Resuming: startEpoch(e, i) followed by next() yields exactly the batches
/// i, i+1, ... an uninterrupted run yields in epoch e.
class BatchLoader {
public:
  BatchLoader() = default;
  // Move-only: copies would share (and overwrite) one set of batch buffers.
  BatchLoader(const BatchLoader &) = delete;
  BatchLoader &operator=(const BatchLoader &) = delete;
  BatchLoader(BatchLoader &&) = default;
  BatchLoader &operator=(BatchLoader &&) = default;

  /// Fails (naming the problem) for a non-positive batch size, inputs and
  /// labels of different lengths, rank-0 tensors, or an empty dataset.
  static Status create(Tensor inputs, Tensor labels, BatchLoaderOptions options,
                       BatchLoader &out);

  int64_t numSamples() const { return numSamples_; }
  int64_t batchSize() const { return options_.batchSize; }
  int64_t batchesPerEpoch() const;
  /// The full-size batch buffers, e.g. to bind to a compiled step once.
  const Tensor &batchInputs() const { return full_.inputs; }
  const Tensor &batchLabels() const { return full_.labels; }

  /// Positions the loader before batch \p firstBatch of epoch \p epoch.
  void startEpoch(int64_t epoch, int64_t firstBatch = 0);
  /// Fills and returns the next batch of the current epoch; null once the
  /// epoch is exhausted (or before any startEpoch).
  const Batch *next();

private:
  void fill(Batch &batch, int64_t first, int64_t count);

  Tensor inputs_, labels_;
  BatchLoaderOptions options_;
  int64_t numSamples_ = 0;
  size_t inputRowBytes_ = 0, labelRowBytes_ = 0;
  std::vector<int64_t> order_;
  int64_t nextBatch_ = 0;
  Batch full_, partial_;
};

//===----------------------------------------------------------------------===//
// Checkpoints (safetensors)
//===----------------------------------------------------------------------===//

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

/// String metadata stored with the tensors (the trainer keeps step, epoch
/// and seed there).
using Metadata = std::map<std::string, std::string>;

/// Writes \p tensors (names unique, dtypes F32, F64, I32, I64, BOOL (i1)
/// and U8, strided views written in C order) and \p metadata in the
/// safetensors format (https://github.com/huggingface/safetensors). The
/// bytes go to a temporary file in the same directory, which is fsynced and
/// then renamed over \p path: a crash leaves either the old or the new file,
/// and on any error the old file is untouched and the temporary removed.
Status saveSafetensors(const std::string &path,
                       const std::vector<NamedTensor> &tensors,
                       const Metadata &metadata = {});

/// Reads a safetensors file, validating it strictly: header length within
/// the file, a well-formed JSON header without duplicate keys, supported
/// dtypes, shape sizes matching data_offsets, offsets that tile the data
/// buffer exactly (no gaps, overlaps or trailing bytes). Tensors come back
/// in data order. \p tensors and \p metadata are only assigned on success;
/// \p metadata may be null.
Status loadSafetensors(const std::string &path,
                       std::vector<NamedTensor> &tensors,
                       Metadata *metadata = nullptr);

/// Loads a checkpoint into existing contiguous tensors by name, e.g. a
/// model's parameters. All names, dtypes and shapes are checked before any
/// target is written, so a mismatched checkpoint changes nothing; the error
/// lists every missing and unexpected name, or the first mismatch, e.g.
/// "checkpoint tensor 'fc1.weight' has shape [512,784], model expects
/// [784,512]".
Status loadSafetensorsInto(const std::string &path,
                           const std::vector<NamedTensor> &targets,
                           Metadata *metadata = nullptr);

//===----------------------------------------------------------------------===//
// Progress and metrics output
//===----------------------------------------------------------------------===//

/// Seconds on a monotonic clock; replaceable for tests.
using Clock = std::function<double()>;

struct ProgressBarOptions {
  int64_t numEpochs = 1;
  int64_t stepsPerEpoch = 1;
  std::FILE *out = stdout;
  /// Redraw one line in place with '\r'. Default: whether out is a terminal.
  enum class Style { Auto, InPlace, Lines } style = Style::Auto;
  /// Default: std::chrono::steady_clock.
  Clock clock;
};

/// Training progress, e.g.
///   epoch 2/5 step 235/469 [#########.........] loss 0.4123 acc 85.31%
///   8123 samples/s ETA 1:23
/// Loss and accuracy are sample-weighted means over the epoch so far. On a
/// terminal the line is redrawn at every update; otherwise a line is printed
/// each time another tenth of the epoch is done (always at its end).
class ProgressBar {
public:
  explicit ProgressBar(ProgressBarOptions options);

  /// Starts (or, with \p firstStep > 0, resumes) epoch \p epoch (0-based).
  void startEpoch(int64_t epoch, int64_t firstStep = 0);
  /// Records step \p step (1-based) of the current epoch: the batch's mean
  /// loss over \p samples samples, of which \p correct were classified
  /// correctly (negative: accuracy not shown).
  void update(int64_t step, double loss, int64_t samples, int64_t correct = -1);
  /// Ends the epoch's line, appending \p suffix (e.g. a test accuracy).
  void finishEpoch(const std::string &suffix = "");

  double meanLoss() const;
  /// In [0, 1]; NaN when no accuracy was recorded.
  double accuracy() const;
  /// The current line without '\r' or '\n'.
  std::string line() const;

private:
  ProgressBarOptions options_;
  bool inPlace_ = false;
  int64_t epoch_ = 0, step_ = 0, firstStep_ = 0, lastDecile_ = 0;
  double epochStart_ = 0, lossSum_ = 0;
  int64_t samples_ = 0, correct_ = 0, samplesWithAccuracy_ = 0;
  size_t lastWidth_ = 0;
};

/// One CSV field: text, or a number formatted so that it reads back exactly
/// (shortest round-trip form; "nan", "inf", "-inf").
class CsvField {
public:
  CsvField(std::string text) : text_(std::move(text)) {}
  CsvField(const char *text) : text_(text) {}
  CsvField(double value);
  CsvField(float value) : CsvField(static_cast<double>(value)) {}
  /// Any integer type (int, int64_t, size_t, ...).
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T> &&
                                                    !std::is_same_v<T, bool>>>
  CsvField(T value) : text_(std::to_string(value)) {}
  const std::string &text() const { return text_; }

private:
  std::string text_;
};

/// Writes a CSV file (RFC 4180: comma-separated, fields holding a comma,
/// quote, newline or surrounding space are quoted), one row per record,
/// flushed as it is written so a crash loses at most the row in progress.
class CsvWriter {
public:
  CsvWriter() = default;
  CsvWriter(const CsvWriter &) = delete;
  CsvWriter &operator=(const CsvWriter &) = delete;
  CsvWriter(CsvWriter &&other) noexcept;
  CsvWriter &operator=(CsvWriter &&other) noexcept;
  ~CsvWriter();

  /// Creates \p path with a header row of \p columns. With \p append, an
  /// existing non-empty file is kept and must start with the same header
  /// (for a resumed run).
  static Status open(const std::string &path, std::vector<std::string> columns,
                     CsvWriter &out, bool append = false);
  /// Writes one row; it must have one field per column.
  Status writeRow(const std::vector<CsvField> &fields);
  Status close();

  /// The row as written to the file, without the line ending.
  static std::string formatRow(const std::vector<CsvField> &fields);

private:
  std::FILE *file_ = nullptr;
  std::string path_;
  size_t numColumns_ = 0;
};

} // namespace kiln

#endif // KILN_RUNTIME_DATA_DATA_H
