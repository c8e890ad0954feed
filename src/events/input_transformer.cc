#include "events/input_transformer.h"

#include <algorithm>

namespace imagemill::events {
namespace {

constexpr size_t kMaxVariables = 100;
constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxPathLength = 256;
constexpr size_t kMaxTemplateLength = 8192;

constexpr std::string_view kPredefined[] = {"aws.events.rule-arn", "aws.events.rule-name",
                                            "aws.events.event.ingestion-time", "aws.events.event",
                                            "aws.events.event.json"};

bool IsPredefined(std::string_view name) {
  return std::find(std::begin(kPredefined), std::end(kPredefined), name) != std::end(kPredefined);
}

bool IsNameChar(char c, bool allow_dot) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || (allow_dot && c == '.');
}

}  // namespace

Result<InputTransformer> InputTransformer::Create(const std::map<std::string, std::string>& paths,
                                                  const std::string& input_template) {
  InputTransformer t;
  if (paths.size() > kMaxVariables) {
    return Status::InvalidArgument("InputPathsMap has " + std::to_string(paths.size()) +
                                   " variables; at most 100 are allowed");
  }
  for (const auto& [name, path] : paths) {
    bool good = !name.empty() && name.size() <= kMaxNameLength &&
                std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c, false); });
    if (!good) {
      return Status::InvalidArgument("InputPathsMap variable \"" + name +
                                     "\" is not a valid name: use 1 to 256 letters, digits, '_' "
                                     "or '-'");
    }
    if (path.size() > kMaxPathLength) {
      return Status::InvalidArgument("InputPathsMap path of \"" + name +
                                     "\" is longer than 256 characters");
    }
    Result<JsonPath> parsed = JsonPath::Parse(path);
    if (!parsed.ok()) {
      return Status::InvalidArgument("InputPathsMap variable \"" + name +
                                     "\": " + parsed.status().message());
    }
    t.paths_.emplace(name, std::move(parsed).value());
  }
  if (input_template.empty() || input_template.size() > kMaxTemplateLength) {
    return Status::InvalidArgument("InputTemplate must have 1 to 8192 characters");
  }

  // Cut the template into literal text and variables, noting which variables stand between
  // quotes (a '"' not escaped by a backslash opens or closes a string).
  bool in_string = false;
  std::string literal;
  for (size_t i = 0; i < input_template.size(); ++i) {
    char c = input_template[i];
    if (in_string && c == '\\' && i + 1 < input_template.size()) {
      literal += c;
      literal += input_template[++i];
      continue;
    }
    if (c == '"') in_string = !in_string;
    if (c == '<') {
      size_t end = input_template.find('>', i + 1);
      if (end != std::string::npos && end > i + 1) {
        std::string name = input_template.substr(i + 1, end - i - 1);
        bool word =
            std::all_of(name.begin(), name.end(), [](char ch) { return IsNameChar(ch, true); });
        bool defined = t.paths_.count(name) > 0 || IsPredefined(name);
        if (word && defined) {
          if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), "", false});
          literal.clear();
          t.pieces_.push_back(Piece{"", std::move(name), in_string});
          i = end;
          continue;
        }
        if (word && !in_string) {
          return Status::InvalidArgument("InputTemplate uses <" + name +
                                         ">, which InputPathsMap does not define");
        }
      }
    }
    literal += c;
  }
  if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), "", false});

  // The template must give JSON whatever the variables hold: try it with each variable empty
  // (between quotes) or null (outside them).
  std::string trial;
  for (const Piece& p : t.pieces_) {
    if (p.name.empty()) {
      trial += p.text;
    } else if (!p.in_string) {
      trial += "null";
    }
  }
  Result<JsonValue> parsed = ParseJson(trial);
  if (!parsed.ok()) {
    return Status::InvalidArgument(
        "InputTemplate does not make JSON (" + parsed.status().message() +
        "): the target starts an execution, whose input is JSON; put quotes around text, and "
        "a variable outside quotes stands for a whole JSON value");
  }
  return t;
}

void InputTransformer::Fill(const Piece& piece, const JsonValue* value, std::string& out) const {
  if (piece.in_string) {
    if (value == nullptr) return;
    if (value->is_string()) {
      out += value->text();
    } else {
      AppendJson(*value, out);
    }
    return;
  }
  if (value == nullptr) {
    out += "null";
  } else {
    AppendJson(*value, out);
  }
}

std::string InputTransformer::Render(const JsonValue& event, const Invocation& invocation) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.name.empty()) {
      out += piece.text;
      continue;
    }
    auto path = paths_.find(piece.name);
    if (path != paths_.end()) {
      Fill(piece, path->second.Find(event), out);
    } else if (piece.name == "aws.events.rule-arn") {
      JsonValue v = JsonValue::String(invocation.rule_arn);
      Fill(piece, &v, out);
    } else if (piece.name == "aws.events.rule-name") {
      JsonValue v = JsonValue::String(invocation.rule_name);
      Fill(piece, &v, out);
    } else if (piece.name == "aws.events.event.ingestion-time") {
      JsonValue v = JsonValue::String(invocation.ingestion_time);
      Fill(piece, &v, out);
    } else if (piece.name == "aws.events.event.json") {
      Fill(piece, &event, out);
    } else {  // aws.events.event: the event without its detail
      JsonValue v = JsonValue::Object();
      for (const JsonValue::Member& m : event.members()) {
        if (m.key != "detail") v.Set(m.key, m.value);
      }
      Fill(piece, &v, out);
    }
  }
  return out;
}

}  // namespace imagemill::events
