#include "events/api_result.h"

#include <cctype>

namespace imagemill::events {
namespace {

// AWS names members in validation messages in lower camel case ("eventBusName").
std::string CamelMember(const char* member) {
  std::string s(member);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

nlohmann::json ApiResult::ToJson() const {
  if (ok()) return body_;
  return nlohmann::json{{"__type", error_->type}, {"message", error_->message}};
}

AwsError ValidationError(std::string message) {
  return AwsError{"ValidationException", std::move(message), 400};
}

AwsError ResourceNotFound(std::string message) {
  return AwsError{"ResourceNotFoundException", std::move(message), 400};
}

RequestReader::RequestReader(const nlohmann::json& request) : request_(request) {
  if (!request_.is_object()) {
    serialization_ =
        AwsError{"SerializationException", "The request body must be a JSON object.", 400};
  }
}

const nlohmann::json* RequestReader::Find(const char* member, bool required) {
  if (!request_.is_object()) return nullptr;
  auto it = request_.find(member);
  if (it == request_.end() || it->is_null()) {
    if (required) Violation("", member, "Member must not be null");
    return nullptr;
  }
  return &*it;
}

void RequestReader::WrongType(const char* member, const char* what) {
  if (!serialization_) {
    serialization_ =
        AwsError{"SerializationException", std::string(member) + " must be " + what + ".", 400};
  }
}

void RequestReader::Violation(const std::string& value, const char* member,
                              const std::string& constraint) {
  std::string shown = value.empty() && constraint == "Member must not be null"
                          ? "null"
                          : "'" + value.substr(0, 256) + "'";
  violations_.push_back("Value " + shown + " at '" + CamelMember(member) +
                        "' failed to satisfy constraint: " + constraint);
}

std::optional<std::string> RequestReader::String(const char* member, bool required, size_t min,
                                                 size_t max, bool (*valid)(std::string_view),
                                                 const char* pattern) {
  const nlohmann::json* v = Find(member, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    WrongType(member, "a string");
    return std::nullopt;
  }
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() < min) {
    Violation(s, member, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (s.size() > max) {
    Violation(s, member, "Member must have length less than or equal to " + std::to_string(max));
  } else if (valid != nullptr && !valid(s)) {
    Violation(s, member,
              std::string("Member must satisfy regular expression pattern: ") +
                  (pattern != nullptr ? pattern : "?"));
  } else {
    return s;
  }
  return std::nullopt;
}

std::optional<int> RequestReader::Int(const char* member, int min, int max) {
  const nlohmann::json* v = Find(member, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    WrongType(member, "an integer");
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < min) {
    Violation(std::to_string(n), member,
              "Member must have value greater than or equal to " + std::to_string(min));
  } else if (n > max) {
    Violation(std::to_string(n), member,
              "Member must have value less than or equal to " + std::to_string(max));
  } else {
    return static_cast<int>(n);
  }
  return std::nullopt;
}

std::optional<bool> RequestReader::Bool(const char* member) {
  const nlohmann::json* v = Find(member, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    WrongType(member, "true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

const nlohmann::json* RequestReader::List(const char* member, bool required, size_t min,
                                          size_t max) {
  const nlohmann::json* v = Find(member, required);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    WrongType(member, "a list");
    return nullptr;
  }
  if (v->size() < min) {
    Violation(v->dump().substr(0, 256), member,
              "Member must have length greater than or equal to " + std::to_string(min));
    return nullptr;
  }
  if (v->size() > max) {
    Violation("[" + std::to_string(v->size()) + " members]", member,
              "Member must have length less than or equal to " + std::to_string(max));
    return nullptr;
  }
  return v;
}

RequestReader::Page RequestReader::ReadPage() {
  Page page;
  page.after = String("NextToken", false, 1, 2048).value_or("");
  page.limit = Int("Limit", 1, 100).value_or(100);
  return page;
}

std::optional<AwsError> RequestReader::Error() const {
  if (serialization_) return serialization_;
  if (violations_.empty()) return std::nullopt;
  std::string message = std::to_string(violations_.size()) + " validation error" +
                        (violations_.size() > 1 ? "s" : "") + " detected: ";
  for (size_t i = 0; i < violations_.size(); ++i) {
    if (i > 0) message += "; ";
    message += violations_[i];
  }
  return ValidationError(std::move(message));
}

}  // namespace imagemill::events
