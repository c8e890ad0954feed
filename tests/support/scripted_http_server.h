// A loopback HTTP server for tests that answers with a handler the test gives and records every
// request exactly as it arrived (raw target, headers, body, client port). Started on a free port
// of 127.0.0.1 by the constructor, stopped by the destructor.
#pragma once

#include <httplib.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace imagemill::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent, still percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string body;
  int remote_port = 0;  // the client's port: equal ports mean a reused connection

  std::string Header(const std::string& name) const;  // case-insensitive; "" when absent
};

class ScriptedHttpServer {
 public:
  using Handler = std::function<void(const RecordedRequest&, httplib::Response&)>;

  explicit ScriptedHttpServer(Handler handler);
  ~ScriptedHttpServer();

  std::string endpoint_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() const;
  size_t request_count() const;

 private:
  void Handle(const httplib::Request& req, httplib::Response& res);

  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;  // guarded by mu_
};

}  // namespace imagemill::testing
