#include "server/dynamodb/evaluate.h"

#include <map>
#include <optional>

#include "server/dynamodb/attribute_value.h"

namespace imagemill::server::dynamodb {
namespace {

// The operand's attribute value, or nullopt when its path is missing.
std::optional<Json> OperandValue(const Operand& op, const Json& item) {
  if (op.kind == Operand::Kind::kValue) return op.value;
  const Json* v = Resolve(op.path, item);
  if (v == nullptr) return std::nullopt;
  if (op.kind == Operand::Kind::kPath) return *v;
  std::string_view type = AttributeType(*v);
  const Json& inner = v->begin().value();
  size_t n = 0;
  if (type == "S") {
    n = inner.get_ref<const std::string&>().size();
  } else if (type == "B") {
    const std::string& b64 = inner.get_ref<const std::string&>();
    size_t pad =
        b64.size() >= 2 && b64[b64.size() - 1] == '=' ? (b64[b64.size() - 2] == '=' ? 2 : 1) : 0;
    n = b64.size() / 4 * 3 - pad;
  } else if (type == "SS" || type == "NS" || type == "BS" || type == "L" || type == "M") {
    n = inner.size();
  } else {
    return std::nullopt;  // size() of a number, boolean or null: no value, comparisons false
  }
  return Json{{"N", std::to_string(n)}};
}

// -1, 0, 1 for ordered comparable values of one type (S, N, B); nullopt otherwise.
std::optional<int> Order(const Json& a, const Json& b) {
  std::string_view ta = AttributeType(a), tb = AttributeType(b);
  if (ta.empty() || ta != tb) return std::nullopt;
  const Json& va = a.begin().value();
  const Json& vb = b.begin().value();
  if (ta == "N") {
    long double x = *ParseNumber(va.get<std::string>()), y = *ParseNumber(vb.get<std::string>());
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (ta == "S" || ta == "B") {
    int c = va.get_ref<const std::string&>().compare(vb.get_ref<const std::string&>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool Compare(const std::string& op, const Json& a, const Json& b) {
  if (op == "=") return AttributeEquals(a, b);
  if (op == "<>") return !AttributeEquals(a, b);
  std::optional<int> o = Order(a, b);
  if (!o) return false;
  if (op == "<") return *o < 0;
  if (op == "<=") return *o <= 0;
  if (op == ">") return *o > 0;
  return *o >= 0;  // ">="
}

bool Function(const Condition& c, const Json& item) {
  const Json* target = Resolve(c.operands[0].path, item);
  if (c.op == "attribute_exists") return target != nullptr;
  if (c.op == "attribute_not_exists") return target == nullptr;
  if (target == nullptr) return false;
  std::optional<Json> arg = OperandValue(c.operands[1], item);
  if (!arg) return false;
  std::string_view type = AttributeType(*target);
  std::string_view arg_type = AttributeType(*arg);
  const Json& inner = target->begin().value();
  const Json& arg_inner = arg->begin().value();
  if (c.op == "attribute_type") {
    return arg_type == "S" && arg_inner.get<std::string>() == type;
  }
  if (c.op == "begins_with") {
    if (type != arg_type || (type != "S" && type != "B")) return false;
    return inner.get_ref<const std::string&>().starts_with(arg_inner.get_ref<const std::string&>());
  }
  // contains
  if (type == "S") {
    return arg_type == "S" && inner.get_ref<const std::string&>().find(
                                  arg_inner.get_ref<const std::string&>()) != std::string::npos;
  }
  if (type == "SS" || type == "NS" || type == "BS") {
    const std::string element_type(type.substr(0, 1));
    if (arg_type != element_type) return false;
    for (const Json& e : inner) {
      if (AttributeEquals(Json{{element_type, e}}, *arg)) return true;
    }
    return false;
  }
  if (type == "L") {
    for (const Json& e : inner) {
      if (AttributeEquals(e, *arg)) return true;
    }
  }
  return false;
}

// Adds the value at path[i..] of `source` (an attribute value) into `dest` (an attribute value
// of the same shape being built).
void ProjectInto(const Path& path, size_t i, const Json& source, Json& dest,
                 std::map<const Json*, std::map<int, Json>>& lists) {
  if (i == path.size()) {
    dest = source;
    return;
  }
  const PathElement& e = path[i];
  std::string_view type = AttributeType(source);
  if (!e.name.empty()) {
    if (type != "M") return;
    const Json& members = source.begin().value();
    auto it = members.find(e.name);
    if (it == members.end()) return;
    if (!dest.is_object() || !dest.contains("M")) dest = Json{{"M", Json::object()}};
    ProjectInto(path, i + 1, *it, dest["M"][e.name], lists);
    if (dest["M"][e.name].is_null()) dest["M"].erase(e.name);
  } else {
    if (type != "L") return;
    const Json& elements = source.begin().value();
    if (e.index < 0 || static_cast<size_t>(e.index) >= elements.size()) return;
    if (!dest.is_object() || !dest.contains("L")) dest = Json{{"L", Json::array()}};
    Json& slot = lists[&dest][e.index];
    ProjectInto(path, i + 1, elements[e.index], slot, lists);
  }
}

// Turns the index-keyed list slots gathered by ProjectInto into compacted lists.
void CompactLists(Json& v, std::map<const Json*, std::map<int, Json>>& lists) {
  if (!v.is_object()) return;
  auto it = lists.find(&v);
  if (it != lists.end()) {
    Json out = Json::array();
    for (auto& [index, element] : it->second) {
      if (element.is_null()) continue;
      CompactLists(element, lists);
      out.push_back(std::move(element));
    }
    v = Json{{"L", std::move(out)}};
    return;
  }
  if (v.contains("M")) {
    for (auto& [k, member] : v["M"].items()) CompactLists(member, lists);
  }
}

}  // namespace

const Json* Resolve(const Path& path, const Json& item) {
  if (path.empty() || path[0].name.empty() || !item.is_object()) return nullptr;
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const Json* v = &*it;
  for (size_t i = 1; i < path.size(); ++i) {
    std::string_view type = AttributeType(*v);
    const Json& inner = v->begin().value();
    if (!path[i].name.empty()) {
      if (type != "M") return nullptr;
      auto m = inner.find(path[i].name);
      if (m == inner.end()) return nullptr;
      v = &*m;
    } else {
      if (type != "L" || path[i].index < 0 || static_cast<size_t>(path[i].index) >= inner.size()) {
        return nullptr;
      }
      v = &inner[path[i].index];
    }
  }
  return v;
}

bool Evaluate(const Condition& c, const Json& item) {
  switch (c.kind) {
    case Condition::Kind::kAnd:
      return Evaluate(*c.children[0], item) && Evaluate(*c.children[1], item);
    case Condition::Kind::kOr:
      return Evaluate(*c.children[0], item) || Evaluate(*c.children[1], item);
    case Condition::Kind::kNot:
      return !Evaluate(*c.children[0], item);
    case Condition::Kind::kFunction:
      return Function(c, item);
    case Condition::Kind::kCompare: {
      std::optional<Json> a = OperandValue(c.operands[0], item);
      std::optional<Json> b = OperandValue(c.operands[1], item);
      return a && b && Compare(c.op, *a, *b);
    }
    case Condition::Kind::kBetween: {
      std::optional<Json> v = OperandValue(c.operands[0], item);
      std::optional<Json> lo = OperandValue(c.operands[1], item);
      std::optional<Json> hi = OperandValue(c.operands[2], item);
      return v && lo && hi && Compare(">=", *v, *lo) && Compare("<=", *v, *hi);
    }
    case Condition::Kind::kIn: {
      std::optional<Json> v = OperandValue(c.operands[0], item);
      if (!v) return false;
      for (size_t i = 1; i < c.operands.size(); ++i) {
        std::optional<Json> candidate = OperandValue(c.operands[i], item);
        if (candidate && AttributeEquals(*v, *candidate)) return true;
      }
      return false;
    }
  }
  return false;
}

Json Project(const Json& item, const std::vector<Path>& paths) {
  // Work on the item as one M value so top-level names and nested members go the same way.
  const Json whole{{"M", item}};
  Json out{{"M", Json::object()}};
  std::map<const Json*, std::map<int, Json>> lists;
  for (const Path& p : paths) ProjectInto(p, 0, whole, out, lists);
  CompactLists(out, lists);
  return out["M"];
}

}  // namespace imagemill::server::dynamodb
