#include "server/console/console_auth.h"

#include <openssl/rand.h>

#include "util/digest.h"

namespace imagemill::server::console {

namespace {

constexpr auto kSessionLife = std::chrono::hours(12);

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// "http://host:port/..." -> "host:port".
std::string_view OriginHost(std::string_view origin) {
  const size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return {};
  origin.remove_prefix(scheme + 3);
  return origin.substr(0, origin.find('/'));
}

}  // namespace

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    const std::string pair = Trim(header.substr(0, end));
    const size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.compare(0, eq, name) == 0 && eq == name.size()) {
      return pair.substr(eq + 1);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return "";
}

ConsoleAuth::ConsoleAuth(bool open, std::map<std::string, std::string> keys, Clock& clock)
    : open_(open), keys_(std::move(keys)), clock_(clock) {}

std::string ConsoleAuth::SessionOf(const Request& request) const {
  for (const auto& [name, value] : request.headers) {
    if (!EqualsIgnoreCase(name, "Cookie")) continue;
    std::string token = CookieValue(value, kSessionCookie);
    if (!token.empty()) return token;
  }
  return "";
}

bool ConsoleAuth::SignedIn(const Request& request) {
  if (open_) return true;
  const std::string token = SessionOf(request);
  if (token.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return false;
  if (it->second <= clock_.Now()) {
    sessions_.erase(it);
    return false;
  }
  return true;
}

std::string ConsoleAuth::CheckPost(const Request& request) const {
  if (request.Header(kCsrfHeader) != "1") {
    return "a console action must carry the header X-Imagemill-Console: 1 (the console's own "
           "pages send it; a form on another site cannot)";
  }
  const std::string_view origin = request.Header("Origin");
  if (!origin.empty() && OriginHost(origin) != request.Header("Host")) {
    return "the request comes from another site's page (Origin " + std::string(origin) +
           "), not from this console";
  }
  return "";
}

std::optional<std::string> ConsoleAuth::SignIn(const std::string& key_id,
                                               const std::string& secret) {
  bool match = false;
  for (const auto& [id, s] : keys_) {
    // Every key is compared, so the time taken does not tell which id exists.
    match |= ConstantTimeEquals(id, key_id) & ConstantTimeEquals(s, secret);
  }
  if (!match) return std::nullopt;
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) return std::nullopt;
  const std::string token = HexLower(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
  const auto expiry = clock_.Now() + kSessionLife;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      it = it->second <= clock_.Now() ? sessions_.erase(it) : std::next(it);
    }
    sessions_[token] = expiry;
  }
  return std::string(kSessionCookie) + "=" + token +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kSessionLife).count());
}

std::string ConsoleAuth::SignOut(const Request& request) {
  const std::string token = SessionOf(request);
  if (!token.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(token);
  }
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

}  // namespace imagemill::server::console
