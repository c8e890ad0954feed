#include "server/dynamodb/attribute_value.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace imagemill::server::dynamodb {
namespace {

constexpr std::string_view kTypes[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};

bool IsStringArray(const Json& v) {
  if (!v.is_array() || v.empty()) return false;
  return std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); });
}

}  // namespace

Json ToAttributeValue(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return {{"S", value}};
    case Json::value_t::boolean:
      return {{"BOOL", value}};
    case Json::value_t::null:
      return {{"NULL", true}};
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return {{"N", value.dump()}};
    case Json::value_t::array: {
      Json list = Json::array();
      for (const Json& e : value) list.push_back(ToAttributeValue(e));
      return {{"L", std::move(list)}};
    }
    case Json::value_t::object: {
      Json map = Json::object();
      for (const auto& [k, v] : value.items()) map[k] = ToAttributeValue(v);
      return {{"M", std::move(map)}};
    }
    default:
      return {{"NULL", true}};
  }
}

std::optional<long double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string s(text);
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
      return std::nullopt;
    }
  }
  char* end = nullptr;
  long double v = std::strtold(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

std::string_view AttributeType(const Json& value) {
  if (!value.is_object() || value.size() != 1) return {};
  const auto it = value.begin();
  const std::string& tag = it.key();
  const Json& v = it.value();
  std::string_view type;
  for (std::string_view t : kTypes) {
    if (tag == t) type = t;
  }
  if (type.empty()) return {};
  if (type == "S" || type == "B") return v.is_string() ? type : std::string_view();
  if (type == "N") return v.is_string() && ParseNumber(v.get<std::string>()) ? type : "";
  if (type == "BOOL") return v.is_boolean() ? type : std::string_view();
  if (type == "NULL") return v.is_boolean() && v.get<bool>() ? type : std::string_view();
  if (type == "SS" || type == "BS") return IsStringArray(v) ? type : std::string_view();
  if (type == "NS") {
    if (!IsStringArray(v)) return {};
    for (const Json& e : v) {
      if (!ParseNumber(e.get<std::string>())) return {};
    }
    return type;
  }
  if (type == "M") return v.is_object() ? type : std::string_view();
  return v.is_array() ? type : std::string_view();  // L
}

std::string ValidateAttributeValue(const Json& value, std::string_view where) {
  if (AttributeType(value).empty()) {
    return "One or more parameter values were invalid: " + std::string(where) +
           " is not an attribute value: it must contain exactly one of the supported data types "
           "(S, N, B, BOOL, NULL, M, L, SS, NS, BS), of the right JSON type";
  }
  const auto it = value.begin();
  const std::string& tag = it.key();
  const Json& v = it.value();
  if (tag == "M") {
    for (const auto& [k, e] : v.items()) {
      std::string m = ValidateAttributeValue(e, std::string(where) + "." + k);
      if (!m.empty()) return m;
    }
  } else if (tag == "L") {
    for (size_t i = 0; i < v.size(); ++i) {
      std::string m =
          ValidateAttributeValue(v[i], std::string(where) + "[" + std::to_string(i) + "]");
      if (!m.empty()) return m;
    }
  }
  return "";
}

bool AttributeEquals(const Json& a, const Json& b) {
  std::string_view ta = AttributeType(a), tb = AttributeType(b);
  if (ta.empty() || ta != tb) return false;
  const Json& va = a.begin().value();
  const Json& vb = b.begin().value();
  if (ta == "N") return *ParseNumber(va.get<std::string>()) == *ParseNumber(vb.get<std::string>());
  if (ta == "M") {
    if (va.size() != vb.size()) return false;
    for (const auto& [k, e] : va.items()) {
      auto it = vb.find(k);
      if (it == vb.end() || !AttributeEquals(e, *it)) return false;
    }
    return true;
  }
  if (ta == "L") {
    if (va.size() != vb.size()) return false;
    for (size_t i = 0; i < va.size(); ++i) {
      if (!AttributeEquals(va[i], vb[i])) return false;
    }
    return true;
  }
  if (ta == "SS" || ta == "BS" || ta == "NS") {
    auto key = [&](const Json& e) {
      if (ta != "NS") return e.get<std::string>();
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.18Lg", *ParseNumber(e.get<std::string>()));
      return std::string(buf);
    };
    std::vector<std::string> x, y;
    for (const Json& e : va) x.push_back(key(e));
    for (const Json& e : vb) y.push_back(key(e));
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    x.erase(std::unique(x.begin(), x.end()), x.end());
    y.erase(std::unique(y.begin(), y.end()), y.end());
    return x == y;
  }
  return va == vb;
}

size_t ItemSize(const Json& item) {
  size_t n = 0;
  if (item.is_object()) {
    for (const auto& [k, v] : item.items()) n += k.size() + ItemSize(v);
  } else if (item.is_array()) {
    for (const Json& v : item) n += ItemSize(v);
  } else if (item.is_string()) {
    n += item.get_ref<const std::string&>().size();
  } else {
    n += 1;
  }
  return n;
}

}  // namespace imagemill::server::dynamodb
