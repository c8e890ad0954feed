// JsonValue: a parsed JSON document that keeps every number as it was written.
//
// Events and event patterns are read into this tree rather than nlohmann::json because
// EventBridge compares numbers two ways: an exact match compares their text ("300", "300.0" and
// "3.0e2" are three different values, as its documentation says), a numeric match their value;
// and an event's detail reaches a target with its numbers unchanged. nlohmann's SAX parser does
// the parsing (it checks the grammar and UTF-8); this file only builds the tree.
//
// A JsonValue is a plain value: copyable, movable, not synchronised (share it read-only).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace imagemill::events {

// Deeper documents are refused, which bounds the recursion of everything that walks a tree.
inline constexpr int kMaxJsonDepth = 128;

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  struct Member;

  JsonValue() = default;  // null
  static JsonValue Bool(bool b);
  // REQUIRES: `text` is a JSON number ("-1.5e3").
  static JsonValue Number(std::string text);
  static JsonValue String(std::string s);
  static JsonValue Array();
  static JsonValue Object();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // A string's characters (UTF-8); a number as written; "true", "false" or "null".
  const std::string& text() const { return text_; }
  // A number's value (±inf beyond double's range). REQUIRES: is_number().
  double number() const { return number_; }
  // REQUIRES: is_bool().
  bool boolean() const { return text_ == "true"; }

  const std::vector<JsonValue>& items() const { return items_; }
  // An object's members in the order written; a key given twice keeps its last value.
  const std::vector<Member>& members() const { return members_; }
  // The member named `key`, or nullptr (also when this is not an object).
  const JsonValue* Find(std::string_view key) const;

  // Building. REQUIRES: is_array() for Append, is_object() for Set (which replaces a member of
  // the same name in place).
  void Append(JsonValue v);
  void Set(std::string key, JsonValue v);

  friend bool operator==(const JsonValue& a, const JsonValue& b);

 private:
  Kind kind_ = Kind::kNull;
  std::string text_ = "null";
  double number_ = 0;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

struct JsonValue::Member {
  std::string key;
  JsonValue value;
};

// Parses `text` as exactly one JSON value (whitespace around it allowed). InvalidArgument, with
// what is wrong and where, on anything else or when nesting is deeper than kMaxJsonDepth.
Result<JsonValue> ParseJson(std::string_view text);

// Compact JSON text: numbers as written, strings escaped as JSON requires ('"', '\\' and control
// characters), other UTF-8 as is.
std::string ToJson(const JsonValue& v);
void AppendJson(const JsonValue& v, std::string& out);
// `s` as a JSON string literal, quotes included.
std::string QuoteJson(std::string_view s);

}  // namespace imagemill::events
