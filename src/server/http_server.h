// HttpServer: HTTP/1.1 on a TCP port, for the AWS APIs, /metrics and pages.
//
// Built on Boost.Beast and Asio (Debian's libboost-dev): every connection is a few hundred bytes
// of state on an event loop, not a thread, so 1,000 idle keep-alive connections cost no thread
// and stop no one; and every phase of a request has a deadline that covers the whole phase, not
// each read (a client that drips one byte a second is cut off when its phase's time is up):
//
//   waiting for a request's first byte   idle_timeout   (keep-alive connections)
//   first byte to the end of the headers header_timeout, at most max_header_bytes
//   the body                             body_timeout,   at most max_body_bytes
//   writing the response                 write_timeout
//
// A request over a limit is answered 431 or 413 and its connection closed; one that misses a
// deadline is closed. docs/server.md says why this library and what it does under load.
//
// The handler runs on an I/O thread and must not block: it answers through the Responder, from
// any thread, once (long work goes to a pool of its own; see server/work_pool.h). Responses go
// out in request order on each connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http_message.h"
#include "util/status.h"

namespace imagemill::server {

struct ServerLimits {
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 8 << 20;  // DetectLabels' 5 MB image, base64-encoded, fits
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  int max_connections = 10'000;  // beyond this, new connections are closed at once
  int io_threads = 2;
};

// Sends the response to one request. Copyable; call exactly one copy, once, from any thread.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request, Responder)>;

// Counters the server keeps (read them at any time from any thread).
struct ServerStats {
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> refused_connections{0};  // over max_connections
  std::atomic<int64_t> timed_out{0};            // closed for a missed deadline
  std::atomic<int64_t> too_large{0};            // answered 413 or 431
};

class HttpServer {
 public:
  HttpServer(Handler handler, ServerLimits limits);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `address` ("127.0.0.1", "0.0.0.0", "::1") and `port` (0: any free port) and starts
  // the I/O threads. InvalidArgument for an address that is not one, Io when it cannot bind.
  Status Start(const std::string& address, int port);
  // The port bound. REQUIRES: Start succeeded.
  int port() const { return port_; }
  // Stops accepting, closes every connection and joins the I/O threads. Responders called
  // afterwards do nothing. Idempotent.
  void Stop();

  const ServerStats& stats() const { return *stats_; }

  struct Impl;  // the I/O context and what the connections share (http_server.cc)

 private:
  std::shared_ptr<Impl> impl_;  // shared with the responders still out
  std::shared_ptr<ServerStats> stats_;
  std::vector<std::thread> threads_;
  int port_ = 0;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackAddress(const std::string& address);

}  // namespace imagemill::server
