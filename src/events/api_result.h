// ApiResult: what one AWS JSON API operation answers: a response body, or an AWS error
// ({"__type": "ResourceNotFoundException", "message": "..."} with its HTTP status).
//
// RequestReader reads a request's members and turns what is wrong with them into the errors AWS
// gives: SerializationException for a member of the wrong JSON type, ValidationException
// ("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must
// not be null") for a missing member or one outside its limits.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace imagemill::events {

struct AwsError {
  std::string type;  // "ResourceNotFoundException", ...
  std::string message;
  int http_status = 400;
};

class ApiResult {
 public:
  ApiResult(nlohmann::json body) : body_(std::move(body)) {}  // NOLINT: implicit by design
  ApiResult(AwsError error) : error_(std::move(error)) {}     // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  int http_status() const { return ok() ? 200 : error_->http_status; }
  // REQUIRES: ok().
  const nlohmann::json& body() const { return body_; }
  // REQUIRES: !ok().
  const AwsError& error() const { return *error_; }
  // What goes on the wire: the body, or {"__type", "message"}.
  nlohmann::json ToJson() const;

 private:
  nlohmann::json body_;
  std::optional<AwsError> error_;
};

class RequestReader {
 public:
  // REQUIRES: `request` outlives the reader.
  explicit RequestReader(const nlohmann::json& request);

  // A string member of `min`..`max` characters, checked by `valid` (described by `pattern` in
  // the error) when given. nullopt when absent or wrong (the problem is recorded if it matters).
  std::optional<std::string> String(const char* member, bool required, size_t min, size_t max,
                                    bool (*valid)(std::string_view) = nullptr,
                                    const char* pattern = nullptr);
  std::optional<int> Int(const char* member, int min, int max);
  std::optional<bool> Bool(const char* member);
  // A list member of `min`..`max` elements, or nullptr.
  const nlohmann::json* List(const char* member, bool required, size_t min, size_t max);

  // What a List operation asks for: the items after NextToken (a name, or "" from the start), at
  // most Limit of them (1 to 100, 100 when absent).
  struct Page {
    std::string after;
    int limit = 100;
  };
  Page ReadPage();

  // The first problem found, if any.
  std::optional<AwsError> Error() const;

 private:
  const nlohmann::json* Find(const char* member, bool required);
  void WrongType(const char* member, const char* what);
  void Violation(const std::string& value, const char* member, const std::string& constraint);

  const nlohmann::json& request_;
  std::optional<AwsError> serialization_;
  std::vector<std::string> violations_;
};

// A List operation's answer: {list: [to_json(item)...], "NextToken": key(last shown)} where
// `items` holds up to page.limit + 1 items (one more than shown says there are more).
template <typename T, typename ToJson, typename Key>
nlohmann::json PagedAnswer(const char* list, const std::vector<T>& items, int limit,
                           const ToJson& to_json, const Key& key) {
  nlohmann::json out = {{list, nlohmann::json::array()}};
  for (size_t i = 0; i < items.size() && static_cast<int>(i) < limit; ++i) {
    out[list].push_back(to_json(items[i]));
  }
  if (static_cast<int>(items.size()) > limit) out["NextToken"] = key(items[limit - 1]);
  return out;
}

AwsError ValidationError(std::string message);
AwsError ResourceNotFound(std::string message);

}  // namespace imagemill::events
