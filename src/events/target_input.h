// TargetInput: what a rule's target receives for an event, from the target's definition
// (the Target of PutTargets): the whole event when the target says nothing, the constant JSON of
// Input, the part of the event InputPath names (e.g. "$.detail", the seed's choice), or the
// filled-in template of InputTransformer. At most one of the three may be given.
//
// Immutable once created; Render is thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "events/input_transformer.h"
#include "events/json_path.h"
#include "events/json_value.h"
#include "util/status.h"

namespace imagemill::events {

class TargetInput {
 public:
  // InvalidArgument naming the target (by its Id) and the problem: more than one of Input,
  // InputPath and InputTransformer, an Input that is not JSON, a bad InputPath or InputTransformer.
  static Result<TargetInput> FromTarget(const nlohmann::json& target);

  // The input, as JSON text. An InputPath that finds nothing gives "null".
  std::string Render(const JsonValue& event, const Invocation& invocation) const;

  // The target's Arn ("" when it has none).
  const std::string& arn() const { return arn_; }

 private:
  enum class Kind { kEvent, kConstant, kPath, kTransformer };
  std::string arn_;
  Kind kind_ = Kind::kEvent;
  std::string constant_;
  std::optional<JsonPath> path_;
  std::optional<InputTransformer> transformer_;
};

}  // namespace imagemill::events
