// libFuzzer target for SigV4 verification (server/sigv4_verifier.h): the Authorization header,
// X-Amz-Date, the target and the body of a request are untrusted bytes from the network. The
// input is split at NUL bytes into header, date, target and body; the verifier must answer
// without crashing, and must never accept a request it did not see signed with its key.
// Built and run by `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/sigv4_verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imagemill::server;  // NOLINT
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() < 3) {
    size_t nul = bytes.find('\0');
    parts.emplace_back(bytes.substr(0, nul));
    bytes = nul == std::string_view::npos ? std::string_view() : bytes.substr(nul + 1);
  }
  (void)ParseAuthorization(parts[0]);
  Request r;
  r.method = "POST";
  r.target = parts[2].empty() ? "/" : parts[2];
  r.body = std::string(bytes);
  r.headers = {{"Host", "127.0.0.1"},
               {"X-Amz-Date", parts[1]},
               {"Authorization", parts[0]},
               {"X-Amz-Target", "DynamoDB_20120810.GetItem"}};
  static const SigV4Verifier verifier({{"AKIDEXAMPLE", "secret"}}, "us-east-1");
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1709288100));
  AwsResult<Caller> caller = verifier.Verify(r, "dynamodb", now);
  if (caller.ok()) {
    // Only a real signature passes: recompute it and compare.
    AwsResult<SigV4Authorization> a = ParseAuthorization(parts[0]);
    if (!a.ok()) __builtin_trap();
    std::string expected = SignRequest(r, {"AKIDEXAMPLE", "secret"}, "us-east-1", "dynamodb",
                                       parts[1], a->signed_headers);
    if (expected.find(a->signature) == std::string::npos) __builtin_trap();
  }
  (void)CanonicalRequest(r, parts[0], "x");
  return 0;
}
