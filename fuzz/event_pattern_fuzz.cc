// libFuzzer target for event patterns and the events they match (events/event_pattern.h,
// events/json_value.h): both come from API callers. The input is a pattern, a NUL byte, then an
// event. Built and run by `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/event_pattern.h"
#include "events/json_value.h"

using imagemill::Result;
using imagemill::events::EventPattern;
using imagemill::events::JsonValue;
using imagemill::events::ParseJson;
using imagemill::events::ToJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t nul = bytes.find('\0');
  std::string_view pattern_text = bytes.substr(0, nul);
  std::string_view event_text = nul == std::string_view::npos ? "{}" : bytes.substr(nul + 1);

  Result<JsonValue> event = ParseJson(event_text);
  if (event.ok()) {
    // Writing a parsed document and reading it back gives the same document.
    std::string once = ToJson(*event);
    Result<JsonValue> again = ParseJson(once);
    if (!again.ok() || ToJson(*again) != once) __builtin_trap();
  }
  Result<EventPattern> pattern = EventPattern::Parse(pattern_text);
  if (pattern.ok() && event.ok()) {
    bool first = pattern->Matches(*event);
    // Matching is a pure function of the pattern and the event.
    if (pattern->Matches(*event) != first) __builtin_trap();
  }
  return 0;
}
