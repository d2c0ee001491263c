//===- Json.cpp - A strict JSON parser for file headers -------------------===//
//
// Enough JSON for the safetensors header, parsed strictly (RFC 8259): the
// header comes from an untrusted file, so anything a conforming parser would
// reject is rejected here too, nesting is bounded so a "[[[[..." header
// cannot exhaust the stack, and duplicate keys are errors rather than a
// silent choice between two values.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Detail.h"

#include <cstdio>

namespace kiln {
namespace data_detail {

namespace {

constexpr int kMaxDepth = 64;

class JsonParser {
public:
  JsonParser(std::string_view text, std::string &error)
      : text_(text), error_(error) {}

  bool parseDocument(JsonValue &out) {
    skipSpace();
    if (!parseValue(out, 0))
      return false;
    skipSpace();
    if (pos_ != text_.size())
      return fail("unexpected text after the value");
    return true;
  }

private:
  bool fail(const std::string &what) {
    error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }
  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      ++pos_;
  }
  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  bool parseValue(JsonValue &out, int depth);
  bool parseObject(JsonValue &out, int depth);
  bool parseArray(JsonValue &out, int depth);
  bool parseString(std::string &out);
  bool parseHex4(uint32_t &out);
  bool parseNumber(JsonValue &out);

  std::string_view text_;
  std::string &error_;
  size_t pos_ = 0;
};

bool JsonParser::parseValue(JsonValue &out, int depth) {
  if (depth > kMaxDepth)
    return fail("nesting deeper than " + std::to_string(kMaxDepth));
  out = JsonValue();
  char c = peek();
  if (c == '{')
    return parseObject(out, depth);
  if (c == '[')
    return parseArray(out, depth);
  if (c == '"') {
    out.kind = JsonValue::Kind::String;
    return parseString(out.string);
  }
  if (c == '-' || (c >= '0' && c <= '9'))
    return parseNumber(out);
  if (consumeWord("true") || consumeWord("false")) {
    out.kind = JsonValue::Kind::Bool;
    out.boolean = c == 't';
    return true;
  }
  if (consumeWord("null"))
    return true;
  return fail(atEnd() ? "unexpected end of text" : "expected a value");
}

bool JsonParser::parseObject(JsonValue &out, int depth) {
  out.kind = JsonValue::Kind::Object;
  ++pos_; // '{'
  skipSpace();
  if (peek() == '}') {
    ++pos_;
    return true;
  }
  while (true) {
    skipSpace();
    if (peek() != '"')
      return fail("expected a string key");
    size_t keyOffset = pos_;
    std::string key;
    if (!parseString(key))
      return false;
    for (const auto &entry : out.object) {
      if (entry.first == key) {
        pos_ = keyOffset;
        return fail("duplicate key " + quote(key));
      }
    }
    skipSpace();
    if (peek() != ':')
      return fail("expected ':' after a key");
    ++pos_;
    skipSpace();
    JsonValue value;
    if (!parseValue(value, depth + 1))
      return false;
    out.object.emplace_back(std::move(key), std::move(value));
    skipSpace();
    if (peek() == ',') {
      ++pos_;
      continue;
    }
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    return fail("expected ',' or '}'");
  }
}

bool JsonParser::parseArray(JsonValue &out, int depth) {
  out.kind = JsonValue::Kind::Array;
  ++pos_; // '['
  skipSpace();
  if (peek() == ']') {
    ++pos_;
    return true;
  }
  while (true) {
    skipSpace();
    out.array.emplace_back();
    if (!parseValue(out.array.back(), depth + 1))
      return false;
    skipSpace();
    if (peek() == ',') {
      ++pos_;
      continue;
    }
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    return fail("expected ',' or ']'");
  }
}

bool JsonParser::parseHex4(uint32_t &out) {
  out = 0;
  for (int i = 0; i < 4; ++i, ++pos_) {
    char c = peek();
    uint32_t digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return fail("expected four hex digits after \\u");
    out = out * 16 + digit;
  }
  return true;
}

void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xc0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xe0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  }
}

bool JsonParser::parseString(std::string &out) {
  out.clear();
  ++pos_; // '"'
  size_t start = pos_;
  while (true) {
    if (atEnd())
      return fail("unterminated string");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"')
      break;
    if (c < 0x20)
      return fail("control character in a string");
    if (c != '\\') {
      out += static_cast<char>(c);
      ++pos_;
      continue;
    }
    ++pos_;
    char escape = peek();
    ++pos_;
    switch (escape) {
    case '"':
    case '\\':
    case '/':
      out += escape;
      break;
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case 'u': {
      uint32_t codePoint;
      if (!parseHex4(codePoint))
        return false;
      if (codePoint >= 0xdc00 && codePoint <= 0xdfff)
        return fail("unpaired low surrogate in \\u escape");
      if (codePoint >= 0xd800 && codePoint <= 0xdbff) {
        uint32_t low;
        if (!consumeWord("\\u") || !parseHex4(low) || low < 0xdc00 ||
            low > 0xdfff)
          return fail("unpaired high surrogate in \\u escape");
        codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
      }
      appendUtf8(out, codePoint);
      break;
    }
    default:
      --pos_;
      return fail("invalid escape in a string");
    }
  }
  if (!isValidUtf8(text_.substr(start, pos_ - start)))
    return fail("invalid UTF-8 in a string");
  ++pos_; // '"'
  return true;
}

bool JsonParser::parseNumber(JsonValue &out) {
  auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  bool negative = peek() == '-';
  if (negative)
    ++pos_;
  if (!isDigit(peek()))
    return fail("expected a digit");
  bool fits = true;
  uint64_t value = 0;
  if (peek() == '0') {
    ++pos_;
    if (isDigit(peek()))
      return fail("leading zero in a number");
  } else {
    while (isDigit(peek())) {
      uint64_t digit = peek() - '0';
      if (value > (UINT64_MAX - digit) / 10)
        fits = false;
      value = value * 10 + digit;
      ++pos_;
    }
  }
  bool integral = true;
  if (peek() == '.') {
    integral = false;
    ++pos_;
    if (!isDigit(peek()))
      return fail("expected a digit after '.'");
    while (isDigit(peek()))
      ++pos_;
  }
  if (peek() == 'e' || peek() == 'E') {
    integral = false;
    ++pos_;
    if (peek() == '+' || peek() == '-')
      ++pos_;
    if (!isDigit(peek()))
      return fail("expected a digit in the exponent");
    while (isDigit(peek()))
      ++pos_;
  }
  if (integral && fits && (!negative || value == 0)) {
    out.kind = JsonValue::Kind::Integer;
    out.integer = value;
  } else {
    out.kind = JsonValue::Kind::OtherNumber;
  }
  return true;
}

} // namespace

const char *jsonKindName(JsonValue::Kind kind) {
  switch (kind) {
  case JsonValue::Kind::Null:
    return "null";
  case JsonValue::Kind::Bool:
    return "a boolean";
  case JsonValue::Kind::Integer:
    return "an integer";
  case JsonValue::Kind::OtherNumber:
    return "a number that is not a non-negative 64-bit integer";
  case JsonValue::Kind::String:
    return "a string";
  case JsonValue::Kind::Array:
    return "an array";
  case JsonValue::Kind::Object:
    return "an object";
  }
  return "a value";
}

bool parseJson(std::string_view text, JsonValue &out, std::string &error) {
  return JsonParser(text, error).parseDocument(out);
}

std::string jsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
      out += buffer;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

} // namespace data_detail
} // namespace kiln
