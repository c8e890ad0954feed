// JsonPath: the JSONPath that EventBridge's InputPath and InputPathsMap take: "$" followed by
// steps ".name", "['name']" (or ["name"]) and "[index]", e.g. "$.detail", "$.resources[0]",
// "$.detail['object key']". Filters, wildcards and slices are not part of it. Immutable once
// parsed; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/json_value.h"
#include "util/status.h"

namespace imagemill::events {

class JsonPath {
 public:
  // InvalidArgument saying what is wrong and where, for anything else.
  static Result<JsonPath> Parse(std::string_view path);

  // The value the path names in `root`, or nullptr when there is none.
  const JsonValue* Find(const JsonValue& root) const;

 private:
  struct Step {
    std::string key;
    long index = -1;  // >= 0: an array index instead of a key
  };
  std::vector<Step> steps_;
};

}  // namespace imagemill::events
