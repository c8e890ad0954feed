#include "events/json_path.h"

#include <charconv>

namespace imagemill::events {
namespace {

Status Bad(std::string_view path, size_t pos, const std::string& what) {
  return Status::InvalidArgument("\"" + std::string(path) + "\" is not a JSONPath EventBridge " +
                                 "takes: " + what + " at position " + std::to_string(pos) +
                                 " (write $.field, $.field.inner, $.list[0] or $['odd name'])");
}

}  // namespace

Result<JsonPath> JsonPath::Parse(std::string_view path) {
  if (path.empty() || path[0] != '$') return Bad(path, 0, "it must begin with $");
  JsonPath p;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t start = ++i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      if (i == start) return Bad(path, start, "a field name is missing");
      p.steps_.push_back(Step{std::string(path.substr(start, i - start)), -1});
      continue;
    }
    if (path[i] != '[') return Bad(path, i, "expected '.' or '['");
    ++i;
    if (i < path.size() && (path[i] == '\'' || path[i] == '"')) {
      char quote = path[i++];
      size_t end = path.find(quote, i);
      if (end == std::string_view::npos || end + 1 >= path.size() || path[end + 1] != ']') {
        return Bad(path, i, "a quoted name must end with its quote and ']'");
      }
      p.steps_.push_back(Step{std::string(path.substr(i, end - i)), -1});
      i = end + 2;
      continue;
    }
    size_t end = path.find(']', i);
    long index = -1;
    if (end == std::string_view::npos) return Bad(path, i, "'[' is not closed");
    auto [ptr, ec] = std::from_chars(path.data() + i, path.data() + end, index);
    if (end == i || ec != std::errc() || ptr != path.data() + end || index < 0) {
      return Bad(path, i, "an array index must be a whole number");
    }
    p.steps_.push_back(Step{"", index});
    i = end + 1;
  }
  return p;
}

const JsonValue* JsonPath::Find(const JsonValue& root) const {
  const JsonValue* v = &root;
  for (const Step& step : steps_) {
    if (step.index >= 0) {
      if (!v->is_array() || static_cast<size_t>(step.index) >= v->items().size()) return nullptr;
      v = &v->items()[step.index];
    } else {
      v = v->Find(step.key);
      if (v == nullptr) return nullptr;
    }
  }
  return v;
}

}  // namespace imagemill::events
