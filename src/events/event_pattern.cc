#include "events/event_pattern.h"

#include <algorithm>

namespace imagemill::events {

// One pattern object: every field must match, and each "$or" group by one of its branches.
struct EventPattern::Object {
  struct Field {
    std::string key;
    std::vector<std::string> path;  // from the event's root: where {"exists": false} looks
    bool leaf = true;
    std::vector<ValueMatcher> matchers;  // leaf
    std::shared_ptr<Object> object;      // !leaf
  };
  std::vector<Field> fields;
  std::vector<std::vector<Object>> ors;
};

namespace {

using Object = EventPattern::Object;

// Names a pattern may not use as fields inside "$or": they read as match expressions.
bool ReservedInsideOr(std::string_view key) {
  static constexpr std::string_view kReserved[] = {"exactly",
                                                   "equals-ignore-case",
                                                   "prefix",
                                                   "suffix",
                                                   "anything-but",
                                                   "exists",
                                                   "wildcard",
                                                   "numeric",
                                                   "cidr",
                                                   "=",
                                                   "<",
                                                   "<=",
                                                   ">",
                                                   ">="};
  return std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved);
}

std::string Dotted(const std::vector<std::string>& path) {
  std::string s;
  for (const std::string& k : path) {
    if (!s.empty()) s += '.';
    s += k;
  }
  return s;
}

Status Invalid(const std::string& reason, const std::vector<std::string>& path) {
  std::string message = "Event pattern is not valid. Reason: " + reason;
  if (!path.empty()) message += " (at " + Dotted(path) + ")";
  return Status::InvalidArgument(message);
}

// Builds pattern objects, counting the combinations "$or" makes.
class Compiler {
 public:
  Status CompileObject(const JsonValue& json, std::vector<std::string>& path, bool inside_or,
                       Object& out, long& combinations) {
    if (json.members().empty()) return Invalid("Empty objects are not allowed", path);
    combinations = 1;
    for (const JsonValue::Member& m : json.members()) {
      long factor = 1;
      if (m.key == "$or") {
        Status s = CompileOr(m.value, path, out, factor);
        if (!s.ok()) return s;
      } else {
        if (inside_or && ReservedInsideOr(m.key)) {
          path.push_back(m.key);
          Status s =
              Invalid(m.key + " is a reserved field name which cannot be used inside $or.", path);
          path.pop_back();
          return s;
        }
        Status s = CompileField(m.key, m.value, path, inside_or, out, factor);
        if (!s.ok()) return s;
      }
      combinations = std::min<long>(combinations * factor, 1L << 40);
    }
    return Status::Ok();
  }

 private:
  Status CompileOr(const JsonValue& json, std::vector<std::string>& path, Object& out,
                   long& combinations) {
    if (!json.is_array()) return Invalid("It must be an Array followed with $or.", path);
    std::vector<Object> branches;
    combinations = 0;
    for (const JsonValue& branch : json.items()) {
      if (!branch.is_object()) {
        return Invalid("Only JSON object is allowed in array of $or relationship.", path);
      }
      Object compiled;
      long c = 1;
      Status s = CompileObject(branch, path, true, compiled, c);
      if (!s.ok()) return s;
      branches.push_back(std::move(compiled));
      combinations = std::min<long>(combinations + c, 1L << 40);
    }
    if (branches.size() < 2) {
      return Invalid("There must have at least 2 Objects in $or relationship.", path);
    }
    out.ors.push_back(std::move(branches));
    return Status::Ok();
  }

  Status CompileField(const std::string& key, const JsonValue& json, std::vector<std::string>& path,
                      bool inside_or, Object& out, long& combinations) {
    path.push_back(key);
    Object::Field field;
    field.key = key;
    field.path = path;
    Status s;
    if (json.is_object()) {
      field.leaf = false;
      field.object = std::make_shared<Object>();
      s = CompileObject(json, path, inside_or, *field.object, combinations);
    } else if (json.is_array()) {
      s = CompileValues(json, path, field.matchers);
    } else {
      s = Invalid("\"" + key + "\" must be an object or an array", path);
    }
    path.pop_back();
    if (!s.ok()) return s;
    out.fields.push_back(std::move(field));
    return Status::Ok();
  }

  static Status CompileValues(const JsonValue& json, const std::vector<std::string>& path,
                              std::vector<ValueMatcher>& out) {
    if (json.items().empty()) return Invalid("Empty arrays are not allowed", path);
    for (const JsonValue& v : json.items()) {
      if (v.is_object()) {
        Result<ValueMatcher> m = ValueMatcher::ParseExpression(v);
        if (!m.ok()) return Invalid(m.status().message(), path);
        out.push_back(std::move(m).value());
      } else if (v.is_array()) {
        return Invalid("Match value must be String, number, true, false, or null", path);
      } else {
        out.push_back(ValueMatcher::Literal(v));
      }
    }
    return Status::Ok();
  }
};

// Calls `fn` on each value at `v` that a leaf match sees: `v` itself when it is a string, number,
// boolean or null, the elements of an array (of nested arrays too), never an object. Stops and
// returns true as soon as `fn` does.
template <typename Fn>
bool AnyLeafValue(const JsonValue& v, const Fn& fn) {
  if (v.is_object()) return false;
  if (!v.is_array()) return fn(v);
  for (const JsonValue& item : v.items()) {
    if (AnyLeafValue(item, fn)) return true;
  }
  return false;
}

// True when the event has at least one leaf value at `path` (below `v`, from path[i] on),
// through any array on the way.
bool PresentAnywhere(const JsonValue& v, const std::vector<std::string>& path, size_t i) {
  if (i == path.size()) return AnyLeafValue(v, [](const JsonValue&) { return true; });
  if (v.is_array()) {
    return std::any_of(v.items().begin(), v.items().end(),
                       [&](const JsonValue& item) { return PresentAnywhere(item, path, i); });
  }
  const JsonValue* child = v.Find(path[i]);
  return child != nullptr && PresentAnywhere(*child, path, i + 1);
}

// Calls `fn` on each object at `v`: `v` itself, or the objects among an array's elements.
template <typename Fn>
bool AnyObject(const JsonValue& v, const Fn& fn) {
  if (v.is_object()) return fn(v);
  if (!v.is_array()) return false;
  for (const JsonValue& item : v.items()) {
    if (AnyObject(item, fn)) return true;
  }
  return false;
}

const JsonValue& EmptyObject() {
  static const JsonValue* empty = new JsonValue(JsonValue::Object());
  return *empty;
}

bool MatchObject(const Object& pattern, const JsonValue& node, const JsonValue& root);

bool MatchField(const Object::Field& field, const JsonValue* value, const JsonValue& root) {
  if (!field.leaf) {
    auto match = [&](const JsonValue& object) { return MatchObject(*field.object, object, root); };
    if (value != nullptr && AnyObject(*value, match)) return true;
    // No object here (or none that matches): what is left to match are absences, decided on
    // the whole event.
    return (value == nullptr || !AnyObject(*value, [](const JsonValue&) { return true; })) &&
           match(EmptyObject());
  }
  for (const ValueMatcher& m : field.matchers) {
    if (m.is_exists()) {
      bool present =
          value != nullptr && AnyLeafValue(*value, [](const JsonValue&) { return true; });
      if (m.exists() ? present : !PresentAnywhere(root, field.path, 0)) return true;
      continue;
    }
    if (value != nullptr &&
        AnyLeafValue(*value, [&](const JsonValue& v) { return m.Matches(v); })) {
      return true;
    }
  }
  return false;
}

bool MatchObject(const Object& pattern, const JsonValue& node, const JsonValue& root) {
  for (const Object::Field& field : pattern.fields) {
    if (!MatchField(field, node.Find(field.key), root)) return false;
  }
  for (const std::vector<Object>& group : pattern.ors) {
    bool any = std::any_of(group.begin(), group.end(),
                           [&](const Object& branch) { return MatchObject(branch, node, root); });
    if (!any) return false;
  }
  return true;
}

}  // namespace

Result<EventPattern> EventPattern::FromJson(const JsonValue& pattern) {
  std::vector<std::string> path;
  if (!pattern.is_object()) return Invalid("Filter is not an object", path);
  auto root = std::make_shared<Object>();
  long combinations = 1;
  Status s = Compiler().CompileObject(pattern, path, false, *root, combinations);
  if (!s.ok()) return s;
  if (combinations > kMaxOrCombinations) {
    return Invalid("The $or in the pattern make " + std::to_string(combinations) +
                       " combinations of rules; at most " + std::to_string(kMaxOrCombinations) +
                       " are allowed",
                   path);
  }
  EventPattern p;
  p.root_ = std::move(root);
  return p;
}

Result<EventPattern> EventPattern::Parse(std::string_view text) {
  Result<JsonValue> json = ParseJson(text);
  if (!json.ok()) {
    return Status::InvalidArgument("Event pattern is not valid. Reason: not valid JSON: " +
                                   json.status().message());
  }
  return FromJson(*json);
}

bool EventPattern::Matches(const JsonValue& event) const {
  return root_ != nullptr && MatchObject(*root_, event, event);
}

}  // namespace imagemill::events
