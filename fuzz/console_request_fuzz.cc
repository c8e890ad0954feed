// libFuzzer target for what the console parses of a request (server/console/): the query string
// (query_params.h), the Cookie header and the Origin header (console_auth.h) are untrusted bytes
// from the network. The input is split at NUL bytes into query, cookie and origin; each parser
// must answer without crashing, and a forged cookie must never be taken for a session.
// Built and run by `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/console/console_auth.h"
#include "server/console/query_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imagemill::server;  // NOLINT
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() < 3) {
    size_t nul = bytes.find('\0');
    parts.emplace_back(bytes.substr(0, nul));
    bytes = nul == std::string_view::npos ? std::string_view() : bytes.substr(nul + 1);
  }
  console::QueryParams query(parts[0]);
  (void)query.Get("id");
  (void)console::FormDecode(parts[0]);
  (void)console::CookieValue(parts[1], console::kSessionCookie);
  console::ConsoleAuth auth(false, {{"AKID", "secret"}}, imagemill::Clock::Real());
  Request r;
  r.method = "POST";
  r.target = "/console/api/executions?" + parts[0];
  r.headers = {{"Host", "127.0.0.1:4566"},
               {"Cookie", parts[1]},
               {"Origin", parts[2]},
               {"X-Imagemill-Console", "1"}};
  if (auth.SignedIn(r)) __builtin_trap();  // no session was ever made
  (void)auth.CheckPost(r);
  return 0;
}
