// One HTTP exchange with an S3 endpoint through libcurl, signed with AWS SigV4 by libcurl itself
// (CURLOPT_AWS_SIGV4). Easy handles are pooled, so connections (and TLS sessions) are reused
// across requests and threads. No retries here: see S3Store.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace imagemill {

struct HttpRequest {
  std::string method;                // "GET", "HEAD" or "PUT"
  std::string url;                   // path and query already in SigV4 canonical form
  std::vector<std::string> headers;  // "name: value"; every one is signed
  std::string_view body;             // PUT only; must outlive the call
};

struct HttpResponse {
  long status = 0;                             // 0 when no HTTP answer arrived
  int curl_code = 0;                           // CURLE_OK, or why the transfer failed
  std::string curl_error;                      // libcurl's sentence for curl_code
  bool body_too_large = false;                 // aborted at the body limit
  std::map<std::string, std::string> headers;  // lower-case names, of the final answer
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpSigning {
  std::string access_key_id;  // empty: the request is sent unsigned (anonymous)
  std::string secret_access_key;
  std::string region;  // the third part of "aws:amz:<region>:s3"
};

struct HttpLimits {
  long connect_timeout_ms = 5000;
  long request_timeout_ms = 60000;  // the whole exchange, body included
  uint64_t max_body_bytes = 0;      // 0: no limit
};

// Thread-safe: Perform may be called from any number of threads; each call takes a handle from
// the pool (or makes one) and gives it back afterwards, with its open connection.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One attempt; never throws. Failures before an HTTP answer are in curl_code / curl_error.
  HttpResponse Perform(const HttpRequest& request, const HttpSigning& signing,
                       const HttpLimits& limits);

 private:
  void* Acquire();
  void Release(void* handle);

  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* easy handles; guarded by mu_
};

}  // namespace imagemill
