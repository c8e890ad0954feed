// EventPattern: an EventBridge event pattern, validated as EventBridge validates it and matched
// against events as EventBridge matches them.
//
// A pattern is a JSON object shaped like the events it selects. A field whose value is an array
// matches when any entry of the array matches (ValueMatcher); a field whose value is an object
// descends into the event's object of that name; all fields must match; "$or": [{...}, {...}]
// matches when any of its objects does. Where the event has an array, any element may match, but
// the fields matched inside one pattern object must come from the same element (EventBridge's
// array consistency); {"exists": false} asks that the field be absent from the whole event.
//
// Immutable once parsed; Matches is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/json_value.h"
#include "events/value_matcher.h"
#include "util/status.h"

namespace imagemill::events {

// At most this many combinations of "$or" branches, as EventBridge allows.
inline constexpr int kMaxOrCombinations = 1000;

class EventPattern {
 public:
  // InvalidArgument "Event pattern is not valid. Reason: <what> (at <field path>)" when `text`
  // is not a valid pattern; the message is what InvalidEventPatternException carries.
  static Result<EventPattern> Parse(std::string_view text);
  static Result<EventPattern> FromJson(const JsonValue& pattern);

  // True when `event` (an event envelope, or any JSON object) matches.
  bool Matches(const JsonValue& event) const;

  // The compiled form (event_pattern.cc).
  struct Object;

 private:
  std::shared_ptr<const Object> root_;
};

}  // namespace imagemill::events
