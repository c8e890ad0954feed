// An HTTP request and response as the server's handlers see them: plain values, independent of
// the HTTP library underneath (http_server.h), so every handler is unit-tested without a socket.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imagemill::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // the request target as received: "/", "/metrics?x=1" (still encoded)
  HeaderList headers;  // names as received, in order; a repeated header appears repeatedly
  std::string body;
  std::string peer;  // the client's address, "127.0.0.1"

  // The first value of the header named `name` (any case), or "" when there is none.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The target before '?', and after it ("" when there is no query).
  std::string_view Path() const;
  std::string_view Query() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  HeaderList headers;  // besides Content-Type and Content-Length
  std::string body;
};

// Case-insensitive ASCII comparison, for header names.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace imagemill::server
