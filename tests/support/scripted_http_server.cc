#include "support/scripted_http_server.h"

#include <strings.h>

#include <chrono>

namespace imagemill::testing {

std::string RecordedRequest::Header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (::strcasecmp(n.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

ScriptedHttpServer::ScriptedHttpServer(Handler handler) : handler_(std::move(handler)) {
  auto handle = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  server_.Get(".*", handle);
  server_.Put(".*", handle);
  server_.Post(".*", handle);
  server_.Delete(".*", handle);
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

ScriptedHttpServer::~ScriptedHttpServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void ScriptedHttpServer::Handle(const httplib::Request& req, httplib::Response& res) {
  RecordedRequest r;
  r.method = req.method;
  r.target = req.target;
  for (const auto& [n, v] : req.headers) {
    // httplib adds these itself; they were not sent.
    if (n == "REMOTE_ADDR" || n == "REMOTE_PORT" || n == "LOCAL_ADDR" || n == "LOCAL_PORT") {
      continue;
    }
    r.headers.emplace_back(n, v);
  }
  r.body = req.body;
  r.remote_port = req.remote_port;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(r);
  }
  handler_(r, res);
}

std::vector<RecordedRequest> ScriptedHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t ScriptedHttpServer::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

}  // namespace imagemill::testing
