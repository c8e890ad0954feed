#include "server/aws_error.h"

#include <nlohmann/json.hpp>

namespace imagemill::server {

Response AwsErrorResponse(const AwsError& error, const std::string& content_type) {
  Response r;
  r.status = error.status;
  r.content_type = content_type;
  r.headers.emplace_back("x-amzn-ErrorType", error.type);
  r.body = nlohmann::json{{"__type", error.type}, {"message", error.message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace imagemill::server
