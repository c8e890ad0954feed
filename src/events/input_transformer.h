// InputTransformer: what EventBridge sends a target when the target names an InputPathsMap
// (variables, each a JSONPath into the event) and an InputTemplate that uses them as <name>.
//
// Filling the template follows EventBridge's rules: a variable outside quotes becomes the JSON of
// its value (a string in quotes); between quotes, a string becomes its bare characters (not
// escaped, as EventBridge does not escape them) and anything else its JSON; a variable whose path
// finds nothing becomes null outside quotes and nothing between them. The predefined variables
// <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event.ingestion-time>,
// <aws.events.event> (the event without its detail) and <aws.events.event.json> (all of it) need
// no path. A <word> that names no variable stays as written.
//
// Immutable once created; Render is thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "events/json_path.h"
#include "events/json_value.h"
#include "util/status.h"

namespace imagemill::events {

// What the predefined variables stand for, for one delivery.
struct Invocation {
  std::string rule_arn;
  std::string rule_name;
  std::string ingestion_time;  // ISO 8601, when the event was received
};

class InputTransformer {
 public:
  // InvalidArgument naming the problem: more than 100 variables, a name that is not
  // [A-Za-z0-9_-]+ (1 to 256 characters), a path that is not a JSONPath (at most 256 characters),
  // a template that is empty or longer than 8,192 characters, one that uses a variable the map
  // does not define outside quotes, or one that would not be JSON once filled in (the target
  // starts an execution, whose input is JSON).
  static Result<InputTransformer> Create(const std::map<std::string, std::string>& paths,
                                         const std::string& input_template);

  // The template filled in from `event` (an event envelope).
  std::string Render(const JsonValue& event, const Invocation& invocation) const;

 private:
  struct Piece {
    std::string text;        // literal text, when name is empty
    std::string name;        // a variable
    bool in_string = false;  // the variable stands between quotes
  };
  void Fill(const Piece& piece, const JsonValue* value, std::string& out) const;

  std::vector<Piece> pieces_;
  std::map<std::string, JsonPath> paths_;
};

}  // namespace imagemill::events
