#include "events/target_input.h"

namespace imagemill::events {
namespace {

bool Present(const nlohmann::json& target, const char* field) {
  auto it = target.find(field);
  return it != target.end() && !it->is_null();
}

}  // namespace

Result<TargetInput> TargetInput::FromTarget(const nlohmann::json& target) {
  std::string id = target.is_object() && target.contains("Id") && target["Id"].is_string()
                       ? target["Id"].get<std::string>()
                       : "?";
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("Target " + id + ": " + what);
  };
  if (!target.is_object()) return bad("a target must be a JSON object");
  int given =
      Present(target, "Input") + Present(target, "InputPath") + Present(target, "InputTransformer");
  if (given > 1) {
    return bad("give at most one of Input, InputPath and InputTransformer");
  }
  TargetInput t;
  if (target.contains("Arn") && target["Arn"].is_string())
    t.arn_ = target["Arn"].get<std::string>();
  if (Present(target, "Input")) {
    const nlohmann::json& input = target["Input"];
    if (!input.is_string() || input.get_ref<const std::string&>().size() > 8192) {
      return bad("Input must be a string of at most 8192 characters");
    }
    Result<JsonValue> parsed = ParseJson(input.get<std::string>());
    if (!parsed.ok()) {
      return bad("Input is not valid JSON (" + parsed.status().message() +
                 "); the target starts an execution, whose input is JSON");
    }
    t.kind_ = Kind::kConstant;
    t.constant_ = ToJson(*parsed);
  } else if (Present(target, "InputPath")) {
    const nlohmann::json& path = target["InputPath"];
    if (!path.is_string() || path.get_ref<const std::string&>().size() > 256) {
      return bad("InputPath must be a string of at most 256 characters");
    }
    Result<JsonPath> parsed = JsonPath::Parse(path.get<std::string>());
    if (!parsed.ok()) return bad("InputPath " + parsed.status().message());
    t.kind_ = Kind::kPath;
    t.path_ = std::move(parsed).value();
  } else if (Present(target, "InputTransformer")) {
    const nlohmann::json& transformer = target["InputTransformer"];
    if (!transformer.is_object() || !transformer.contains("InputTemplate") ||
        !transformer["InputTemplate"].is_string()) {
      return bad("InputTransformer needs an InputTemplate (a string)");
    }
    std::map<std::string, std::string> paths;
    if (auto it = transformer.find("InputPathsMap"); it != transformer.end() && !it->is_null()) {
      if (!it->is_object()) return bad("InputPathsMap must map variable names to JSONPaths");
      for (const auto& [name, path] : it->items()) {
        if (!path.is_string())
          return bad("InputPathsMap: the path of \"" + name + "\" must be a string");
        paths.emplace(name, path.get<std::string>());
      }
    }
    Result<InputTransformer> parsed =
        InputTransformer::Create(paths, transformer["InputTemplate"].get<std::string>());
    if (!parsed.ok()) return bad(parsed.status().message());
    t.kind_ = Kind::kTransformer;
    t.transformer_ = std::move(parsed).value();
  }
  return t;
}

std::string TargetInput::Render(const JsonValue& event, const Invocation& invocation) const {
  switch (kind_) {
    case Kind::kEvent:
      return ToJson(event);
    case Kind::kConstant:
      return constant_;
    case Kind::kPath: {
      const JsonValue* found = path_->Find(event);
      return found == nullptr ? "null" : ToJson(*found);
    }
    case Kind::kTransformer:
      return transformer_->Render(event, invocation);
  }
  return ToJson(event);
}

}  // namespace imagemill::events
