// QueryParams: the parameters of a request's query string ("label=Dog&min=80"), decoded as
// browsers encode forms (application/x-www-form-urlencoded: %XX escapes, '+' for a space).
// Malformed escapes are kept as written; a repeated name keeps its first value.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace imagemill::server::console {

class QueryParams {
 public:
  explicit QueryParams(std::string_view query);

  // The value of `name`, or `fallback` when absent.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }

 private:
  std::map<std::string, std::string> values_;
};

// `s` with %XX escapes decoded and '+' read as a space.
std::string FormDecode(std::string_view s);

}  // namespace imagemill::server::console
