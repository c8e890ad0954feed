#include "events/json_value.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace imagemill::events {

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.text_ = b ? "true" : "false";
  return v;
}

JsonValue JsonValue::Number(std::string text) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.number_ = std::strtod(text.c_str(), nullptr);
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  v.text_.clear();
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  v.text_.clear();
  return v;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

void JsonValue::Append(JsonValue v) { items_.push_back(std::move(v)); }

void JsonValue::Set(std::string key, JsonValue v) {
  for (Member& m : members_) {
    if (m.key == key) {
      m.value = std::move(v);
      return;
    }
  }
  members_.push_back(Member{std::move(key), std::move(v)});
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.kind_ != b.kind_ || a.text_ != b.text_ || a.items_ != b.items_) return false;
  if (a.members_.size() != b.members_.size()) return false;
  for (size_t i = 0; i < a.members_.size(); ++i) {
    if (a.members_[i].key != b.members_[i].key || !(a.members_[i].value == b.members_[i].value)) {
      return false;
    }
  }
  return true;
}

namespace {

// Builds a JsonValue from nlohmann's SAX events. Open containers wait on a stack (by value, so
// no pointer into a growing vector is ever held) and are attached to their parent when closed.
class TreeBuilder {
 public:
  using json = nlohmann::json;

  bool null() { return Add(JsonValue()); }
  bool boolean(bool b) { return Add(JsonValue::Bool(b)); }
  bool number_integer(json::number_integer_t n) {
    return Add(JsonValue::Number(std::to_string(n)));
  }
  bool number_unsigned(json::number_unsigned_t n) {
    return Add(JsonValue::Number(std::to_string(n)));
  }
  bool number_float(json::number_float_t, const json::string_t& text) {
    return Add(JsonValue::Number(text));
  }
  bool string(json::string_t& s) { return Add(JsonValue::String(std::move(s))); }
  bool binary(json::binary_t&) { return false; }  // not produced by the JSON parser
  bool start_object(std::size_t) { return Open(JsonValue::Object()); }
  bool key(json::string_t& k) {
    keys_.back() = std::move(k);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(JsonValue::Array()); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 3:
    // ..."; keep what follows the tag.
    std::string what = e.what();
    size_t tag_end = what.find("] ");
    error_ = tag_end == std::string::npos ? what : what.substr(tag_end + 2);
    position_ = position;
    return false;
  }

  JsonValue Take() { return std::move(root_); }
  const std::string& error() const { return error_; }

 private:
  bool Open(JsonValue container) {
    if (static_cast<int>(open_.size()) >= kMaxJsonDepth) {
      error_ = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    open_.push_back(std::move(container));
    keys_.emplace_back();
    return true;
  }

  bool Close() {
    JsonValue done = std::move(open_.back());
    open_.pop_back();
    keys_.pop_back();
    return Add(std::move(done));
  }

  bool Add(JsonValue v) {
    if (open_.empty()) {
      root_ = std::move(v);
    } else if (open_.back().is_array()) {
      open_.back().Append(std::move(v));
    } else {
      open_.back().Set(std::move(keys_.back()), std::move(v));
    }
    return true;
  }

  std::vector<JsonValue> open_;
  std::vector<std::string> keys_;  // the pending key of each open object
  JsonValue root_;
  std::string error_;
  size_t position_ = 0;
};

void AppendQuoted(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

Result<JsonValue> ParseJson(std::string_view text) {
  TreeBuilder builder;
  bool ok = nlohmann::json::sax_parse(text, &builder, nlohmann::json::input_format_t::json, true);
  if (!ok) {
    return Status::InvalidArgument(builder.error().empty() ? "not valid JSON" : builder.error());
  }
  return builder.Take();
}

void AppendJson(const JsonValue& v, std::string& out) {
  switch (v.kind()) {
    case JsonValue::Kind::kNull:
    case JsonValue::Kind::kBool:
    case JsonValue::Kind::kNumber:
      out += v.text();
      return;
    case JsonValue::Kind::kString:
      AppendQuoted(v.text(), out);
      return;
    case JsonValue::Kind::kArray: {
      out += '[';
      bool first = true;
      for (const JsonValue& item : v.items()) {
        if (!first) out += ',';
        first = false;
        AppendJson(item, out);
      }
      out += ']';
      return;
    }
    case JsonValue::Kind::kObject: {
      out += '{';
      bool first = true;
      for (const JsonValue::Member& m : v.members()) {
        if (!first) out += ',';
        first = false;
        AppendQuoted(m.key, out);
        out += ':';
        AppendJson(m.value, out);
      }
      out += '}';
      return;
    }
  }
}

std::string ToJson(const JsonValue& v) {
  std::string out;
  AppendJson(v, out);
  return out;
}

std::string QuoteJson(std::string_view s) {
  std::string out;
  AppendQuoted(s, out);
  return out;
}

}  // namespace imagemill::events
