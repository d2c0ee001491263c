//===- Runtime.h - Kiln runtime library -------------------------*- C++ -*-===//
//
// The public interface of the Kiln runtime: tensors, .npy I/O, MLIR memref
// descriptors and invocation of compiled entry functions.
//
// Ahead-of-time compiled models link only this library, so it depends on
// nothing but the C++17 standard library. No function throws: errors are
// reported through kiln::Status. The runtime assumes a little-endian host
// with 64-bit pointers (the layout MLIR's memref descriptors have there).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_RUNTIME_H
#define KILN_RUNTIME_RUNTIME_H

#include "runtime/AllocationStats.h"
#include "runtime/ThreadCount.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace kiln {

//===----------------------------------------------------------------------===//
// DType
//===----------------------------------------------------------------------===//

/// Element types. I1 is stored as one byte holding 0 or 1 (like numpy bool
/// and like LLVM's in-memory i1).
enum class DType { F32, F64, I32, I64, I1, U8 };

/// Size in bytes of one element.
size_t dtypeSize(DType dtype);
/// MLIR spelling: "f32", "f64", "i32", "i64", "i1", "u8".
const char *dtypeName(DType dtype);
/// Inverse of dtypeName. Returns false (leaving \p out unchanged) for an
/// unknown name.
bool parseDType(std::string_view name, DType &out);

/// Maps a C++ element type to its DType (float, double, int32_t, int64_t,
/// bool, uint8_t).
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> {
  static constexpr DType value = DType::F32;
};
template <> struct DTypeOf<double> {
  static constexpr DType value = DType::F64;
};
template <> struct DTypeOf<int32_t> {
  static constexpr DType value = DType::I32;
};
template <> struct DTypeOf<int64_t> {
  static constexpr DType value = DType::I64;
};
template <> struct DTypeOf<bool> { static constexpr DType value = DType::I1; };
template <> struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::U8;
};

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

/// Success, or an error carrying a human-readable message.
class Status {
public:
  static Status ok() { return Status(true, std::string()); }
  static Status error(std::string message) {
    return Status(false, std::move(message));
  }

  bool isOk() const { return isOk_; }
  /// True when ok.
  explicit operator bool() const { return isOk_; }
  /// Empty for a successful status.
  const std::string &message() const { return message_; }

private:
  Status(bool isOk, std::string message)
      : isOk_(isOk), message_(std::move(message)) {}

  bool isOk_;
  std::string message_;
};

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// "8x784"; "" for rank 0. Negative (dynamic) dimensions print as "?".
std::string shapeString(const std::vector<int64_t> &shape);
/// "8x784xf32"; "f32" for rank 0.
std::string typeString(DType dtype, const std::vector<int64_t> &shape);

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

/// A strided n-dimensional array over 64-byte-aligned storage. Copies are
/// cheap and share the storage. A default-constructed tensor is "empty" (no
/// storage, rank 0, zero elements), which is also what the factory functions
/// return when given an invalid shape (a negative dimension, or a size that
/// overflows) or when allocation fails.
class Tensor {
public:
  Tensor() = default;

  /// Zero-filled, C-order contiguous.
  static Tensor zeros(DType dtype, std::vector<int64_t> shape);
  /// Copies numElements * dtypeSize bytes from \p data (which may be null
  /// only when there are no elements).
  static Tensor fromData(DType dtype, std::vector<int64_t> shape,
                         const void *data);
  /// The dtype is deduced from T (see DTypeOf). Returns an empty tensor when
  /// values.size() does not match the number of elements of \p shape.
  template <typename T>
  static Tensor fromVector(std::vector<int64_t> shape,
                           const std::vector<T> &values);

  bool empty() const { return !storage_; }
  DType dtype() const { return dtype_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  const std::vector<int64_t> &shape() const { return shape_; }
  /// In elements.
  const std::vector<int64_t> &strides() const { return strides_; }
  /// 0 for an empty tensor, 1 for rank 0.
  int64_t numElements() const { return numElements_; }
  size_t sizeInBytes() const {
    return static_cast<size_t>(numElements_) * dtypeSize(dtype_);
  }
  /// Element offset of element [0, ..., 0] into the storage.
  int64_t offset() const { return offset_; }

  /// Element [0, ..., 0]; null for an empty tensor.
  void *data();
  const void *data() const;
  /// Base of the storage allocation; null for an empty tensor.
  void *allocatedPtr() const { return storage_.get(); }

  /// Returns null when sizeof(T) differs from the element size, which is the
  /// misuse that would read out of bounds.
  template <typename T> T *dataAs() {
    return sizeof(T) == dtypeSize(dtype_) ? static_cast<T *>(data()) : nullptr;
  }
  template <typename T> const T *dataAs() const {
    return sizeof(T) == dtypeSize(dtype_) ? static_cast<const T *>(data())
                                          : nullptr;
  }

  /// C-order contiguous (strides of size-1 dimensions are ignored). Empty
  /// and zero-element tensors are contiguous.
  bool isContiguous() const;
  /// *this if contiguous, else a contiguous copy.
  Tensor contiguous() const;
  /// A view (no copy) whose dimension i is dimension perm[i] of this tensor.
  /// Returns an empty tensor if \p perm is not a permutation of [0, rank).
  Tensor transposed(const std::vector<int64_t> &perm) const;

  /// The element at C-order linear index \p linearIndex (respecting
  /// strides), converted to double. NaN when out of range.
  double getAsDouble(int64_t linearIndex) const;
  /// NumPy-like rendering, e.g. "[[0.1, 0.2],\n [0.3, 0.4]]": rows on
  /// their own lines. Floats use %.6g, i1 prints as true/false. Above 1000
  /// elements (NumPy's threshold) a dimension longer than 2 * edgeItems
  /// shows only its first and last edgeItems entries around "...";
  /// edgeItems <= 0 disables that. An empty tensor prints as "<empty>".
  std::string toString(int64_t edgeItems = 3) const;

private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  std::vector<int64_t> strides_;
  int64_t offset_ = 0;
  int64_t numElements_ = 0;
  std::shared_ptr<void> storage_;
};

template <typename T>
Tensor Tensor::fromVector(std::vector<int64_t> shape,
                          const std::vector<T> &values) {
  constexpr DType dtype = DTypeOf<T>::value;
  Tensor result = zeros(dtype, std::move(shape));
  if (result.empty() ||
      static_cast<uint64_t>(result.numElements()) != values.size())
    return Tensor();
  if constexpr (std::is_same_v<T, bool>) {
    // std::vector<bool> is bit-packed, so convert element by element.
    auto *bytes = static_cast<uint8_t *>(result.data());
    for (size_t i = 0, e = values.size(); i != e; ++i)
      bytes[i] = values[i] ? 1 : 0;
  } else if (!values.empty()) {
    std::memcpy(result.data(), values.data(), result.sizeInBytes());
  }
  return result;
}

//===----------------------------------------------------------------------===//
// .npy files
//===----------------------------------------------------------------------===//

/// Reads format versions 1.0, 2.0 and 3.0; little-endian, C order, dtypes
/// '<f4', '<f8', '<i4', '<i8', '|b1', '|u1'. Errors name the file.
Status readNpy(const std::string &path, Tensor &out);
/// Writes version 1.0 (2.0 if the header needs it), with the data aligned to
/// 64 bytes and in C order even when \p tensor is a strided view.
Status writeNpy(const std::string &path, const Tensor &tensor);
/// In-memory form of readNpy; \p nameForErrors prefixes error messages.
/// \p out is only assigned on success.
Status parseNpy(const void *bytes, size_t size, Tensor &out,
                const std::string &nameForErrors);
/// In-memory form of writeNpy. Returns "" for an empty tensor.
std::string serializeNpy(const Tensor &tensor);

//===----------------------------------------------------------------------===//
// MLIR memref descriptors
//===----------------------------------------------------------------------===//

/// Owns a rank-erased MLIR memref descriptor (the layout of
/// StridedMemRefType<T, N>: allocated pointer, aligned pointer, offset,
/// sizes[N], strides[N]; rank 0 has only the first three fields) describing
/// \p tensor. The tensor's storage must outlive every use of get().
class MemRefDescriptor {
public:
  explicit MemRefDescriptor(Tensor &tensor);

  /// Address of the descriptor, to pass where MLIR expects a
  /// StridedMemRefType<T, N> *.
  void *get() { return words_.data(); }
  int64_t rank() const { return (static_cast<int64_t>(words_.size()) - 3) / 2; }

private:
  // Pointers are stored bitwise in 64-bit words.
  std::vector<int64_t> words_;
};

/// The other direction: a contiguous copy, owned by the returned tensor, of
/// the elements a StridedMemRefType<T, rank> at \p descriptor describes
/// (any strides and offset). An empty tensor for a null descriptor, a
/// negative rank or size, or a null data pointer with elements.
Tensor tensorFromMemRef(DType dtype, int64_t rank, const void *descriptor);

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

/// The largest thread count setNumThreads and KILN_NUM_THREADS accept.
constexpr int kMaxThreads = KILN_MAX_THREADS;

/// The number of threads compiled code runs its parallel loops on: the last
/// setNumThreads, else the environment variable KILN_NUM_THREADS, else
/// availableCores(). Results never depend on it. An invalid
/// KILN_NUM_THREADS ends the process with a message when the count is
/// first needed (call checkNumThreadsEnvironment to report it earlier).
int numThreads();
/// Sets the thread count for every later call of compiled code; an error
/// for a count outside [1, kMaxThreads].
Status setNumThreads(int count);
/// Parses a thread count ("4") into \p out; the error names \p what (a flag
/// or variable) and the text.
Status parseNumThreads(std::string_view text, std::string_view what, int &out);
/// An error if KILN_NUM_THREADS is set to anything but a valid count.
Status checkNumThreadsEnvironment();
/// The cores this process may run on (its CPU affinity mask).
int availableCores();

//===----------------------------------------------------------------------===//
// Memory of compiled code
//===----------------------------------------------------------------------===//

/// Counters of the buffers compiled code allocates (its intermediates):
/// allocations, osAllocations (of those, taken from the system allocator),
/// liveBytes, peakLiveBytes, cachedBytes (freed and kept for reuse) and
/// peakHeldBytes (most in use + kept at once: what the intermediates cost
/// the process). Freed buffers are kept, by size class, and reused by
/// later allocations, so a function called repeatedly (a training step)
/// gets its memory from the system only on its first calls.
using AllocationStats = KilnAllocationStats;
AllocationStats allocationStats();
/// Starts the peaks afresh from the current values.
void resetAllocationPeaks();
/// Returns the kept buffers to the system.
void releaseCachedAllocations();

//===----------------------------------------------------------------------===//
// Invoking compiled functions
//===----------------------------------------------------------------------===//

/// What an argument of a model function is (from the kiln.parameter and
/// kiln.buffer attributes).
enum class TensorRole {
  Data,      ///< an input (and every result)
  Parameter, ///< a trainable parameter
  Buffer,    ///< non-trainable state, such as running statistics
};

/// Describes one argument or result of a compiled entry function.
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// For an argument: the function writes its new value into this
  /// argument's buffer (a parameter or optimizer state updated by a
  /// training step). The caller's tensor must then be contiguous and must
  /// not share memory with any other argument or output.
  bool updatedInPlace = false;
  /// For an argument: input, parameter or buffer.
  TensorRole role = TensorRole::Data;
};

struct FunctionSignature {
  std::string name;
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> results;
};

/// The "packed" wrapper MLIR's ExecutionEngine generates around
/// `void _mlir_ciface_NAME(Desc *in_0, ..., Desc *out_0, ...)`: args[i]
/// points at a variable holding the i-th descriptor pointer, inputs first,
/// then (caller-allocated, contiguous) outputs.
using PackedFunction = void (*)(void **);

/// Checks \p inputs against \p sig, makes non-contiguous inputs contiguous,
/// allocates zero-filled contiguous outputs per sig.results, calls \p fn
/// once and stores the results in \p outputs (only assigned on success).
Status invokePacked(PackedFunction fn, const FunctionSignature &sig,
                    const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs);
/// Like invokePacked but writes into caller-provided \p outputs, which must
/// match sig.results exactly and be contiguous, so that repeated calls do
/// not allocate output storage.
Status invokePackedInto(PackedFunction fn, const FunctionSignature &sig,
                        const std::vector<Tensor> &inputs,
                        std::vector<Tensor> &outputs);

} // namespace kiln

/// Functions that compiled code calls, defined by the runtime so that a
/// compiled model needs nothing else: buffer allocation (which ends the
/// process with a message when memory runs out) and strided copies.
extern "C" {
void *_mlir_memref_to_llvm_alloc(uint64_t size);
void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

#endif // KILN_RUNTIME_RUNTIME_H
