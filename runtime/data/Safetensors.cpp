//===- Safetensors.cpp - Checkpoints in the safetensors format ------------===//
//
// Format (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON
//   {"__metadata__": {"k": "v", ...},
//    "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
// (optionally padded with spaces), then the data buffer, which the tensors'
// [begin, end) byte ranges must cover exactly: no gaps, no overlaps.
//
// Loading validates everything against the file before allocating: the file
// is untrusted, and a checkpoint that half loads would corrupt a resumed run.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"
#include "runtime/data/Detail.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

namespace kiln {

using data_detail::fail;
using data_detail::JsonValue;
using data_detail::quote;
using data_detail::shapeList;

namespace {

// Same bound as the reference implementation: a larger header is corrupt.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char *kMetadataKey = "__metadata__";

struct DTypeCode {
  const char *code;
  DType dtype;
};
const DTypeCode kDTypeCodes[] = {{"F32", DType::F32}, {"F64", DType::F64},
                                 {"I32", DType::I32}, {"I64", DType::I64},
                                 {"BOOL", DType::I1}, {"U8", DType::U8}};

const char *codeFor(DType dtype) {
  for (const DTypeCode &entry : kDTypeCodes)
    if (entry.dtype == dtype)
      return entry.code;
  return "";
}

/// One tensor as the header describes it.
struct TensorEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct FileCloser {
  void operator()(std::FILE *file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Status checkUtf8(const std::string &path, const std::string &text,
                 const char *what) {
  if (!data_detail::isValidUtf8(text))
    return fail(path,
                std::string(what) + " " + quote(text) + " is not valid UTF-8");
  return Status::ok();
}

/// Parses one tensor's {"dtype", "shape", "data_offsets"} object.
Status parseEntry(const std::string &path, const std::string &name,
                  const JsonValue &value, TensorEntry &out) {
  auto bad = [&](const std::string &what) {
    return fail(path, "tensor " + quote(name) + ": " + what);
  };
  if (value.kind != JsonValue::Kind::Object)
    return bad(std::string("expected an object, found ") +
               data_detail::jsonKindName(value.kind));
  const JsonValue *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
  for (const auto &[key, field] : value.object) {
    if (key == "dtype")
      dtype = &field;
    else if (key == "shape")
      shape = &field;
    else if (key == "data_offsets")
      offsets = &field;
    else
      return bad("unexpected field " + quote(key));
  }
  for (const auto &[field, fieldName] :
       {std::pair(dtype, "dtype"), std::pair(shape, "shape"),
        std::pair(offsets, "data_offsets")})
    if (!field)
      return bad(std::string("missing field '") + fieldName + "'");

  if (dtype->kind != JsonValue::Kind::String)
    return bad(std::string("'dtype' must be a string, found ") +
               data_detail::jsonKindName(dtype->kind));
  const DTypeCode *code = nullptr;
  for (const DTypeCode &entry : kDTypeCodes)
    if (dtype->string == entry.code)
      code = &entry;
  if (!code)
    return bad("unsupported dtype " + quote(dtype->string) +
               " (supported: F32, F64, I32, I64, BOOL, U8)");
  out.dtype = code->dtype;

  auto integers = [&](const JsonValue &array, const char *fieldName,
                      std::vector<uint64_t> &values) -> Status {
    if (array.kind != JsonValue::Kind::Array)
      return bad(std::string("'") + fieldName + "' must be an array, found " +
                 data_detail::jsonKindName(array.kind));
    values.clear();
    for (const JsonValue &element : array.array) {
      if (element.kind != JsonValue::Kind::Integer)
        return bad(std::string("'") + fieldName +
                   "' must hold non-negative integers, found " +
                   data_detail::jsonKindName(element.kind));
      values.push_back(element.integer);
    }
    return Status::ok();
  };
  std::vector<uint64_t> dims, range;
  if (Status s = integers(*shape, "shape", dims); !s)
    return s;
  if (Status s = integers(*offsets, "data_offsets", range); !s)
    return s;
  if (range.size() != 2 || range[0] > range[1])
    return bad("'data_offsets' must be [begin, end] with begin <= end");
  out.begin = range[0];
  out.end = range[1];

  // Element count, saturating: it is compared with the byte range below.
  uint64_t bytes = dtypeSize(out.dtype);
  out.shape.clear();
  bool overflow = false;
  for (uint64_t dim : dims) {
    if (dim > uint64_t(INT64_MAX))
      overflow = true;
    out.shape.push_back(
        static_cast<int64_t>(std::min(dim, uint64_t(INT64_MAX))));
    if (dim != 0 && bytes > UINT64_MAX / dim)
      overflow = true;
    bytes *= dim;
  }
  bool hasZero = std::find(dims.begin(), dims.end(), 0) != dims.end();
  if (hasZero)
    bytes = 0;
  if ((overflow && !hasZero) || bytes != out.end - out.begin)
    return bad("shape " + shapeList(out.shape) + " of " + dtypeName(out.dtype) +
               " needs " +
               (overflow && !hasZero ? std::string("more than 2^64")
                                     : std::to_string(bytes)) +
               " bytes but data_offsets [" + std::to_string(out.begin) + ", " +
               std::to_string(out.end) + "] cover " +
               std::to_string(out.end - out.begin));
  return Status::ok();
}

Status parseHeader(const std::string &path, std::string_view text,
                   uint64_t bufferBytes, std::vector<TensorEntry> &entries,
                   Metadata &metadata) {
  // The reference implementation requires this too; it also rejects an
  // all-padding header before the JSON parser sees it.
  if (text.empty() || text[0] != '{')
    return fail(path, "malformed safetensors header: it must start with '{'");
  JsonValue root;
  std::string error;
  if (!data_detail::parseJson(text, root, error))
    return fail(path, "malformed safetensors header: " + error);
  for (auto &[key, value] : root.object) {
    if (key == kMetadataKey) {
      if (value.kind != JsonValue::Kind::Object)
        return fail(path,
                    "'__metadata__' must be an object, found " +
                        std::string(data_detail::jsonKindName(value.kind)));
      for (const auto &[metaKey, metaValue] : value.object) {
        if (metaValue.kind != JsonValue::Kind::String)
          return fail(path, "metadata " + quote(metaKey) +
                                " must be a string, found " +
                                data_detail::jsonKindName(metaValue.kind));
        metadata[metaKey] = metaValue.string;
      }
      continue;
    }
    TensorEntry entry;
    entry.name = key;
    if (Status s = parseEntry(path, key, value, entry); !s)
      return s;
    entries.push_back(std::move(entry));
  }

  for (const TensorEntry &entry : entries)
    if (entry.end > bufferBytes)
      return fail(path, "tensor " + quote(entry.name) + ": data_offsets [" +
                            std::to_string(entry.begin) + ", " +
                            std::to_string(entry.end) + "] extend past the " +
                            std::to_string(bufferBytes) +
                            "-byte data buffer (truncated file?)");
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TensorEntry &a, const TensorEntry &b) {
                     return std::pair(a.begin, a.end) <
                            std::pair(b.begin, b.end);
                   });
  uint64_t expected = 0;
  for (size_t i = 0; i != entries.size(); ++i) {
    const TensorEntry &entry = entries[i];
    if (entry.begin < expected)
      return fail(path, "tensor " + quote(entry.name) + " (bytes [" +
                            std::to_string(entry.begin) + ", " +
                            std::to_string(entry.end) + "]) overlaps tensor " +
                            quote(entries[i - 1].name) + " (bytes [" +
                            std::to_string(entries[i - 1].begin) + ", " +
                            std::to_string(entries[i - 1].end) + "])");
    if (entry.begin > expected)
      return fail(path, std::to_string(entry.begin - expected) +
                            " bytes of the data buffer before tensor " +
                            quote(entry.name) + " belong to no tensor");
    expected = entry.end;
  }
  if (expected != bufferBytes)
    return fail(path, std::to_string(bufferBytes - expected) +
                          " unexpected bytes after the last tensor's data");
  return Status::ok();
}

} // namespace

Status saveSafetensors(const std::string &path,
                       const std::vector<NamedTensor> &tensors,
                       const Metadata &metadata) {
  std::set<std::string> names;
  std::vector<Tensor> contiguous;
  contiguous.reserve(tensors.size());
  for (const NamedTensor &named : tensors) {
    const std::string &name = named.name;
    if (Status s = checkUtf8(path, name, "tensor name"); !s)
      return s;
    if (name == kMetadataKey)
      return fail(path, "'__metadata__' is reserved and cannot name a tensor");
    if (!names.insert(name).second)
      return fail(path, "duplicate tensor name " + quote(name));
    if (named.tensor.empty())
      return fail(path, "tensor " + quote(name) + " is empty (no storage)");
    contiguous.push_back(named.tensor.contiguous());
    if (contiguous.back().empty())
      return fail(path,
                  "cannot allocate a contiguous copy of tensor " + quote(name));
  }
  for (const auto &[key, value] : metadata) {
    if (Status s = checkUtf8(path, key, "metadata key"); !s)
      return s;
    if (Status s = checkUtf8(path, value, "metadata value"); !s)
      return s;
  }

  std::string header = "{";
  if (!metadata.empty()) {
    header += std::string("\"") + kMetadataKey + "\":{";
    for (const auto &[key, value] : metadata)
      header += (header.back() == '{' ? "" : ",") +
                data_detail::jsonQuote(key) + ":" +
                data_detail::jsonQuote(value);
    header += "}";
  }
  uint64_t offset = 0;
  for (size_t i = 0; i != tensors.size(); ++i) {
    const Tensor &tensor = contiguous[i];
    std::string shape;
    for (int64_t dim : tensor.shape())
      shape += (shape.empty() ? "" : ",") + std::to_string(dim);
    uint64_t end = offset + tensor.sizeInBytes();
    header += (header.back() == '{' ? "" : ",") +
              data_detail::jsonQuote(tensors[i].name) + ":{\"dtype\":\"" +
              codeFor(tensor.dtype()) + "\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(end) + "]}";
    offset = end;
  }
  header += "}";
  // Like the reference writer: pad so the data starts 8-byte aligned.
  header.append((8 - header.size() % 8) % 8, ' ');

  char length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  std::vector<std::string_view> chunks = {std::string_view(length, 8), header};
  for (const Tensor &tensor : contiguous)
    chunks.emplace_back(static_cast<const char *>(tensor.data()),
                        tensor.sizeInBytes());
  return data_detail::writeFileAtomically(path, chunks);
}

Status loadSafetensors(const std::string &path,
                       std::vector<NamedTensor> &tensors, Metadata *metadata) {
  if (Status s = data_detail::checkRegularFile(path); !s)
    return s;
  std::error_code ec;
  uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec)
    return fail(path, "cannot determine the file size: " + ec.message());
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(path, std::string("cannot open file: ") + std::strerror(errno));
  auto readExactly = [&](void *dst, size_t bytes) -> Status {
    if (bytes != 0 && std::fread(dst, 1, bytes, file.get()) != bytes)
      return fail(path, std::ferror(file.get())
                            ? std::string("read error: ") + std::strerror(errno)
                            : std::string("unexpected end of file"));
    return Status::ok();
  };

  if (fileSize < 8)
    return fail(path, "truncated safetensors file (" +
                          std::to_string(fileSize) +
                          " bytes, too short for the header length)");
  unsigned char lengthBytes[8];
  if (Status s = readExactly(lengthBytes, 8); !s)
    return s;
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = (headerBytes << 8) | lengthBytes[i];
  if (headerBytes > fileSize - 8)
    return fail(path, "truncated safetensors file: header length " +
                          std::to_string(headerBytes) + " exceeds the " +
                          std::to_string(fileSize - 8) +
                          " bytes after the length");
  if (headerBytes > kMaxHeaderBytes)
    return fail(path, "safetensors header length " +
                          std::to_string(headerBytes) +
                          " exceeds the limit of " +
                          std::to_string(kMaxHeaderBytes) + " bytes");
  std::string text(headerBytes, '\0');
  if (Status s = readExactly(text.data(), text.size()); !s)
    return s;

  std::vector<TensorEntry> entries;
  Metadata parsedMetadata;
  if (Status s = parseHeader(path, text, fileSize - 8 - headerBytes, entries,
                             parsedMetadata);
      !s)
    return s;

  // The entries tile the rest of the file in order, so one sequential pass
  // reads them.
  std::vector<NamedTensor> result;
  for (const TensorEntry &entry : entries) {
    Tensor tensor = Tensor::zeros(entry.dtype, entry.shape);
    if (tensor.empty())
      return fail(path, "tensor " + quote(entry.name) + ": cannot allocate " +
                            typeString(entry.dtype, entry.shape));
    if (Status s = readExactly(tensor.data(), tensor.sizeInBytes()); !s)
      return s;
    if (entry.dtype == DType::I1) {
      // Compiled code loads i1 as 0 or 1; any other byte means true.
      auto *bytes = static_cast<uint8_t *>(tensor.data());
      for (int64_t i = 0, e = tensor.numElements(); i != e; ++i)
        bytes[i] = bytes[i] != 0;
    }
    result.push_back({entry.name, std::move(tensor)});
  }
  tensors = std::move(result);
  if (metadata)
    *metadata = std::move(parsedMetadata);
  return Status::ok();
}

Status loadSafetensorsInto(const std::string &path,
                           const std::vector<NamedTensor> &targets,
                           Metadata *metadata) {
  std::vector<NamedTensor> loaded;
  Metadata loadedMetadata;
  if (Status s = loadSafetensors(path, loaded, &loadedMetadata); !s)
    return s;

  std::map<std::string, const Tensor *> byName;
  for (const NamedTensor &named : loaded)
    byName[named.name] = &named.tensor;
  std::set<std::string> targetNames;
  std::string missing, unexpected;
  for (const NamedTensor &target : targets) {
    if (!targetNames.insert(target.name).second)
      return Status::error("loading " + path +
                           ": the model names two tensors " +
                           quote(target.name));
    if (!byName.count(target.name))
      missing += (missing.empty() ? "" : ", ") + quote(target.name);
  }
  for (const NamedTensor &named : loaded)
    if (!targetNames.count(named.name))
      unexpected += (unexpected.empty() ? "" : ", ") + quote(named.name);
  if (!missing.empty() || !unexpected.empty())
    return fail(
        path,
        "checkpoint does not match the model:" +
            (missing.empty() ? "" : " missing tensors " + missing) +
            (missing.empty() || unexpected.empty() ? "" : ";") +
            (unexpected.empty() ? "" : " unexpected tensors " + unexpected));

  // Check everything before writing anything.
  for (const NamedTensor &target : targets) {
    const Tensor &source = *byName[target.name];
    std::string name = quote(target.name);
    if (target.tensor.empty() || !target.tensor.isContiguous())
      return fail(path, "model tensor " + name +
                            (target.tensor.empty() ? " is empty"
                                                   : " is not contiguous"));
    if (source.dtype() != target.tensor.dtype())
      return fail(path, "checkpoint tensor " + name + " has dtype " +
                            dtypeName(source.dtype()) + ", model expects " +
                            dtypeName(target.tensor.dtype()));
    if (source.shape() != target.tensor.shape())
      return fail(path, "checkpoint tensor " + name + " has shape " +
                            shapeList(source.shape()) + ", model expects " +
                            shapeList(target.tensor.shape()));
  }
  for (const NamedTensor &target : targets) {
    Tensor destination = target.tensor; // shares the storage
    std::memcpy(destination.data(), byName[target.name]->data(),
                destination.sizeInBytes());
  }
  if (metadata)
    *metadata = std::move(loadedMetadata);
  return Status::ok();
}

} // namespace kiln
