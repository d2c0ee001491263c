//===- Detail.h - KilnData internals ----------------------------*- C++ -*-===//
//
// Helpers shared by KilnData's source files; not part of the public API.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DATA_DETAIL_H
#define KILN_RUNTIME_DATA_DETAIL_H

#include "runtime/Runtime.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln {
namespace data_detail {

/// "<path>: <what>".
Status fail(const std::string &path, const std::string &what);
/// Untrusted text for an error message: quoted, at most \p maxChars
/// characters, non-printable bytes escaped.
std::string quote(std::string_view text, size_t maxChars = 80);
/// "[512,784]".
std::string shapeList(const std::vector<int64_t> &shape);
/// Whether \p text is well-formed UTF-8 (no overlongs, surrogates or code
/// points past U+10FFFF).
bool isValidUtf8(std::string_view text);
/// Whether \p path is a regular file (reading a FIFO or device could block).
Status checkRegularFile(const std::string &path);

/// A parsed JSON value. Numbers are kept only as non-negative integers that
/// fit in 64 bits (all the safetensors header holds); any other number is
/// Kind::OtherNumber so the caller can say what it expected.
struct JsonValue {
  enum class Kind { Null, Bool, Integer, OtherNumber, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  uint64_t integer = 0;
  std::string string;
  std::vector<JsonValue> array;
  /// In document order; keys are unique.
  std::vector<std::pair<std::string, JsonValue>> object;
};
/// "an object", "a string", ... for error messages.
const char *jsonKindName(JsonValue::Kind kind);

/// Strict RFC 8259 parser: one value with optional surrounding whitespace,
/// UTF-8 text, no duplicate object keys, nesting at most 64 deep. On failure
/// returns false with a message naming the offset in \p error.
bool parseJson(std::string_view text, JsonValue &out, std::string &error);
/// \p text as a JSON string literal.
std::string jsonQuote(std::string_view text);

/// Writes the concatenation of \p chunks to a new file next to \p path,
/// fsyncs it, renames it over \p path and fsyncs the directory. On failure
/// the temporary file is removed and \p path is untouched.
Status writeFileAtomically(const std::string &path,
                           const std::vector<std::string_view> &chunks);

} // namespace data_detail
} // namespace kiln

#endif // KILN_RUNTIME_DATA_DETAIL_H
