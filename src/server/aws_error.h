// AwsError: an API call's failure as AWS's JSON protocols answer it, an HTTP status with the
// body {"__type": "<ErrorName>", "message": "..."} (botocore reads the name after any '#').
// AwsResult<T> carries a value or such an error, like Result<T> carries a value or a Status.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "server/http_message.h"

namespace imagemill::server {

struct AwsError {
  int status = 400;
  std::string type;     // "ValidationException", "ResourceNotFoundException", ...
  std::string message;  // names what was wrong and, where it helps, what to do

  static AwsError Validation(std::string message) {
    return {400, "ValidationException", std::move(message)};
  }
  static AwsError NotFound(std::string message) {
    return {400, "ResourceNotFoundException", std::move(message)};
  }
  static AwsError Serialization(std::string message) {
    return {400, "SerializationException", std::move(message)};
  }
  static AwsError InvalidParameter(std::string message) {
    return {400, "InvalidParameterException", std::move(message)};
  }
  static AwsError Internal(std::string message) {
    return {500, "InternalServerError", std::move(message)};
  }
};

// The JSON error response for `error`, with AWS's x-amzn-ErrorType header.
Response AwsErrorResponse(const AwsError& error, const std::string& content_type);

template <typename T>
class [[nodiscard]] AwsResult {
 public:
  AwsResult(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  AwsResult(AwsError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // REQUIRES: !ok().
  const AwsError& error() const { return std::get<AwsError>(v_); }

 private:
  std::variant<T, AwsError> v_;
};

}  // namespace imagemill::server
