// ConsoleAuth: who may use the console, and which POSTs it takes.
//
// On a loopback address the console is open, as local dashboards are. Bound beyond loopback it
// asks for a sign-in with one of the server's access keys (id and secret, the keys API requests
// are signed with); a sign-in gets a session: a random 256-bit token in a cookie that is HttpOnly
// (no script reads it) and SameSite=Strict (no other site's page sends it), valid 12 hours.
//
// Every POST, open console or not, must carry the header `X-Imagemill-Console: 1` — a header a
// cross-site form cannot send and a cross-site script cannot send without a CORS preflight this
// server never grants — and, when it has an Origin, one whose host is the request's Host: a page
// of another site (or a rebound DNS name) cannot start, stop or redrive executions.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "server/http_message.h"
#include "util/clock.h"

namespace imagemill::server::console {

inline constexpr std::string_view kSessionCookie = "imagemill_console";
inline constexpr std::string_view kCsrfHeader = "X-Imagemill-Console";

class ConsoleAuth {
 public:
  // `open`: no sign-in (the server listens on loopback). `keys`: access key id -> secret.
  // `clock` must outlive this.
  ConsoleAuth(bool open, std::map<std::string, std::string> keys, Clock& clock);

  bool open() const { return open_; }
  // True when `request` may read the console: the console is open, or it carries a live session.
  bool SignedIn(const Request& request);
  // "" when `request` (a POST) may act; else why not, for a 403.
  std::string CheckPost(const Request& request) const;
  // The Set-Cookie value of a new session when `key_id` and `secret` are one of the keys
  // (compared in constant time), nullopt otherwise.
  std::optional<std::string> SignIn(const std::string& key_id, const std::string& secret);
  // Ends the request's session, if any; the Set-Cookie value that clears the cookie.
  std::string SignOut(const Request& request);

 private:
  std::string SessionOf(const Request& request) const;

  const bool open_;
  const std::map<std::string, std::string> keys_;
  Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Clock::TimePoint> sessions_;  // guarded by mu_: token -> expiry
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), "" when absent.
std::string CookieValue(std::string_view header, std::string_view name);

}  // namespace imagemill::server::console
