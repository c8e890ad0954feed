#include "events/value_matcher.h"

#include <algorithm>
#include <cmath>

namespace imagemill::events {
namespace {

Status Invalid(std::string reason) { return Status::InvalidArgument(std::move(reason)); }

// The only member of a one-key object, with the reasons EventBridge gives when there is none
// or more than one.
Result<const JsonValue::Member*> OnlyMember(const JsonValue& object, const std::string& none) {
  if (object.members().empty()) return Invalid(none);
  if (object.members().size() > 1) return Invalid("Only one key allowed in match expression");
  return &object.members()[0];
}

// A finite number from a pattern.
Result<double> PatternNumber(const JsonValue& v, const std::string& reason_if_not) {
  if (!v.is_number()) return Invalid(reason_if_not);
  if (!std::isfinite(v.number())) return Invalid("Cannot compare number : " + v.text());
  return v.number();
}

}  // namespace

ValueMatcher ValueMatcher::Literal(const JsonValue& literal) {
  ValueMatcher m;
  m.op_ = Op::kExact;
  m.literal_ = literal;
  return m;
}

Result<ValueMatcher> ValueMatcher::ParseExpression(const JsonValue& expression) {
  Result<const JsonValue::Member*> only = OnlyMember(expression, "Match expression name not found");
  if (!only.ok()) return only.status();
  const std::string& name = (*only)->key;
  const JsonValue& operand = (*only)->value;
  ValueMatcher m;

  if (name == "prefix" || name == "suffix") {
    bool prefix = name == "prefix";
    if (operand.is_object()) {
      // {"prefix": {"equals-ignore-case": "..."}}
      Result<const JsonValue::Member*> inner =
          OnlyMember(operand, prefix ? "Prefix expression name not found"
                                     : "Suffix expression name not found");
      if (!inner.ok()) return inner.status();
      if ((*inner)->key != "equals-ignore-case") {
        return Invalid(
            std::string(prefix ? "Unsupported prefix pattern: " : "Unsupported suffix pattern: ") +
            (*inner)->key);
      }
      if (!(*inner)->value.is_string()) {
        return Invalid("equals-ignore-case match pattern must be a string");
      }
      m.op_ = prefix ? Op::kPrefixIgnoreCase : Op::kSuffixIgnoreCase;
      m.strings_.push_back(FoldCase((*inner)->value.text()));
      return m;
    }
    if (!operand.is_string()) return Invalid(name + " match pattern must be a string");
    m.op_ = prefix ? Op::kPrefix : Op::kSuffix;
    m.strings_.push_back(operand.text());
    return m;
  }
  if (name == "equals-ignore-case") {
    if (!operand.is_string()) return Invalid("equals-ignore-case match pattern must be a string");
    m.op_ = Op::kEqualsIgnoreCase;
    m.strings_.push_back(FoldCase(operand.text()));
    return m;
  }
  if (name == "wildcard") {
    if (!operand.is_string()) return Invalid("wildcard match pattern must be a string");
    Result<Wildcard> w = Wildcard::Parse(operand.text());
    if (!w.ok()) return w.status();
    m.op_ = Op::kWildcard;
    m.wildcards_.push_back(std::move(w).value());
    return m;
  }
  if (name == "numeric") {
    if (!operand.is_array()) return Invalid("Value of numeric must be an array.");
    return ParseNumeric(operand);
  }
  if (name == "anything-but") return ParseAnythingBut(operand);
  if (name == "exists") {
    if (!operand.is_bool()) return Invalid("exists match pattern must be either true or false.");
    m.op_ = Op::kExists;
    m.exists_ = operand.boolean();
    return m;
  }
  if (name == "cidr") {
    if (!operand.is_string()) return Invalid("cidr match pattern must be a string");
    Result<IpRange> range = IpRange::Parse(operand.text());
    if (!range.ok()) return range.status();
    m.op_ = Op::kCidr;
    m.range_ = *range;
    return m;
  }
  return Invalid("Unrecognized match type " + name);
}

Result<ValueMatcher> ValueMatcher::ParseNumeric(const JsonValue& operand) {
  const std::vector<JsonValue>& terms = operand.items();
  if (terms.empty() || !terms[0].is_string()) {
    return Invalid("Invalid member in numeric match: " +
                   (terms.empty() ? std::string("]") : ToJson(terms[0])));
  }
  const std::string& op = terms[0].text();
  ValueMatcher m;
  m.op_ = Op::kNumeric;
  auto value_at = [&](size_t i, const std::string& op_name) -> Result<double> {
    std::string reason = "Value of " + op_name + " must be numeric";
    if (i >= terms.size()) return Invalid(reason);
    return PatternNumber(terms[i], reason);
  };
  if (op == "=") {
    Result<double> v = value_at(1, "equals");
    if (!v.ok()) return v.status();
    if (terms.size() > 2) return Invalid("Too many elements in numeric expression");
    m.has_low_ = m.has_high_ = true;
    m.low_ = m.high_ = *v;
    return m;
  }
  if (op == "<" || op == "<=") {
    Result<double> v = value_at(1, op);
    if (!v.ok()) return v.status();
    if (terms.size() > 2) return Invalid("Too many elements in numeric expression");
    m.has_high_ = true;
    m.high_open_ = op == "<";
    m.high_ = *v;
    return m;
  }
  if (op != ">" && op != ">=") return Invalid("Unrecognized numeric range operator: " + op);
  Result<double> low = value_at(1, op);
  if (!low.ok()) return low.status();
  m.has_low_ = true;
  m.low_open_ = op == ">";
  m.low_ = *low;
  if (terms.size() == 2) return m;
  if (!terms[2].is_string()) return Invalid("Bad value in numeric range: " + ToJson(terms[2]));
  const std::string& top_op = terms[2].text();
  if (top_op != "<" && top_op != "<=") return Invalid("Bad numeric range operator: " + top_op);
  Result<double> high = value_at(3, top_op);
  if (!high.ok()) return high.status();
  if (terms.size() > 4) return Invalid("Too many terms in numeric range expression");
  if (!(*low < *high)) return Invalid("Bottom must be less than top");
  m.has_high_ = true;
  m.high_open_ = top_op == "<";
  m.high_ = *high;
  return m;
}

Result<ValueMatcher> ValueMatcher::ParseAnythingBut(const JsonValue& operand) {
  ValueMatcher m;
  m.op_ = Op::kAnythingBut;
  if (operand.is_string()) {
    m.strings_.push_back(operand.text());
    return m;
  }
  if (operand.is_number()) {
    Result<double> v = PatternNumber(operand, "");
    if (!v.ok()) return v.status();
    m.numbers_.push_back(*v);
    return m;
  }
  if (operand.is_array()) {
    bool strings = false, numbers = false;
    for (const JsonValue& v : operand.items()) {
      if (v.is_string()) {
        strings = true;
        m.strings_.push_back(v.text());
      } else if (v.is_number()) {
        numbers = true;
        Result<double> n = PatternNumber(v, "");
        if (!n.ok()) return n.status();
        m.numbers_.push_back(*n);
      } else {
        return Invalid("Inside anything but list, start|null|boolean is not supported.");
      }
    }
    if (strings == numbers) {
      return Invalid(
          "Inside anything but list, either all values are number or string, mixed type is not "
          "supported");
    }
    return m;
  }
  if (!operand.is_object()) {
    return Invalid("Value of anything-but must be an array or single string/number value.");
  }
  Result<const JsonValue::Member*> only =
      OnlyMember(operand, "Anything-But expression name not found");
  if (!only.ok()) return only.status();
  const std::string& kind = (*only)->key;
  const JsonValue& values = (*only)->value;
  std::string not_a_string;
  if (kind == "prefix" || kind == "suffix") {
    m.op_ = kind == "prefix" ? Op::kAnythingButPrefix : Op::kAnythingButSuffix;
    not_a_string = "prefix/suffix match pattern must be a string";
  } else if (kind == "equals-ignore-case") {
    m.op_ = Op::kAnythingButIgnoreCase;
    not_a_string =
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.";
  } else if (kind == "wildcard") {
    m.op_ = Op::kAnythingButWildcard;
    not_a_string = "wildcard match pattern must be a string";
  } else {
    return Invalid("Unsupported anything-but pattern: " + kind);
  }
  std::vector<const JsonValue*> list;
  if (values.is_array()) {
    if (values.items().empty()) return Invalid("Empty arrays are not allowed");
    for (const JsonValue& v : values.items()) list.push_back(&v);
  } else {
    list.push_back(&values);
  }
  for (const JsonValue* v : list) {
    if (!v->is_string()) return Invalid(not_a_string);
    const std::string& s = v->text();
    if ((m.op_ == Op::kAnythingButPrefix || m.op_ == Op::kAnythingButSuffix) && s.empty()) {
      return Invalid("Null prefix/suffix not allowed");
    }
    if (m.op_ == Op::kAnythingButWildcard) {
      Result<Wildcard> w = Wildcard::Parse(s);
      if (!w.ok()) return w.status();
      m.wildcards_.push_back(std::move(w).value());
    } else {
      m.strings_.push_back(m.op_ == Op::kAnythingButIgnoreCase ? FoldCase(s) : s);
    }
  }
  return m;
}

bool ValueMatcher::StringMatches(const std::string& s) const {
  switch (op_) {
    case Op::kEqualsIgnoreCase:
    case Op::kAnythingButIgnoreCase: {
      std::string folded = FoldCase(s);
      return std::find(strings_.begin(), strings_.end(), folded) != strings_.end();
    }
    case Op::kPrefix:
    case Op::kAnythingButPrefix:
      return std::any_of(strings_.begin(), strings_.end(),
                         [&](const std::string& p) { return StartsWith(s, p); });
    case Op::kSuffix:
    case Op::kAnythingButSuffix:
      return std::any_of(strings_.begin(), strings_.end(),
                         [&](const std::string& p) { return EndsWith(s, p); });
    case Op::kPrefixIgnoreCase:
      return StartsWith(FoldCase(s), strings_[0]);
    case Op::kSuffixIgnoreCase:
      return EndsWith(FoldCase(s), strings_[0]);
    case Op::kWildcard:
    case Op::kAnythingButWildcard:
      return std::any_of(wildcards_.begin(), wildcards_.end(),
                         [&](const Wildcard& w) { return w.Matches(s); });
    case Op::kCidr:
      return range_.Contains(s);
    default:
      return false;
  }
}

bool ValueMatcher::Matches(const JsonValue& value) const {
  switch (op_) {
    case Op::kExact:
      return value.kind() == literal_.kind() && value.text() == literal_.text();
    case Op::kNumeric: {
      if (!value.is_number()) return false;
      double x = value.number();
      if (has_low_ && (low_open_ ? !(x > low_) : !(x >= low_))) return false;
      if (has_high_ && (high_open_ ? !(x < high_) : !(x <= high_))) return false;
      return true;
    }
    case Op::kExists:
      return false;  // decided by the field's presence (REQUIRES)
    case Op::kAnythingBut:
      if (!numbers_.empty()) {
        return !value.is_number() ||
               std::find(numbers_.begin(), numbers_.end(), value.number()) == numbers_.end();
      }
      return !value.is_string() ||
             std::find(strings_.begin(), strings_.end(), value.text()) == strings_.end();
    case Op::kAnythingButPrefix:
    case Op::kAnythingButSuffix:
    case Op::kAnythingButIgnoreCase:
    case Op::kAnythingButWildcard:
      return !value.is_string() || !StringMatches(value.text());
    default:
      return value.is_string() && StringMatches(value.text());
  }
}

}  // namespace imagemill::events
