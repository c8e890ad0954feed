// libFuzzer target for InputTransformer templates and JSONPaths (events/input_transformer.h,
// events/json_path.h): PutTargets callers write them. The input is a template; its first line is
// also tried as a JSONPath. Built and run by `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "events/input_transformer.h"
#include "events/json_path.h"

using imagemill::Result;
using imagemill::events::InputTransformer;
using imagemill::events::Invocation;
using imagemill::events::JsonPath;
using imagemill::events::JsonValue;
using imagemill::events::ParseJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  static const JsonValue* event = new JsonValue(
      ParseJson(R"({"id": "e1", "detail": {"n": 3.5e1, "t": true, "s": "abc", "list": [1, 2]}})")
          .value());

  Result<JsonPath> path = JsonPath::Parse(std::string_view(text).substr(0, text.find('\n')));
  if (path.ok()) (void)path->Find(*event);

  static const std::map<std::string, std::string> paths = {{"n", "$.detail.n"},
                                                           {"t", "$.detail.t"},
                                                           {"s", "$.detail.s"},
                                                           {"first", "$.detail.list[0]"},
                                                           {"gone", "$.detail.none"}};
  Result<InputTransformer> t = InputTransformer::Create(paths, text);
  if (!t.ok()) return 0;
  std::string out = t->Render(*event, Invocation{"arn:aws:events:r:1:rule/x", "x", "now"});
  // Create promises JSON; with these values (no quotes in them) the filled template must be
  // JSON whatever the variables' places. The whole event between quotes is the exception.
  if (text.find("aws.events.event") == std::string::npos && !ParseJson(out).ok()) {
    __builtin_trap();
  }
  return 0;
}
