#include "server/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace imagemill::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Owned by the server and by every responder still out. Pending operations live in `ioc` and
// hold their session; a session points back here without owning, so nothing forms a cycle.
struct HttpServer::Impl {
  explicit Impl(int threads) : ioc(threads) {}
  net::io_context ioc;  // first member: destroyed last, after what uses it
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  Handler handler;
  ServerLimits limits;
  std::shared_ptr<ServerStats> stats;
  std::weak_ptr<Impl> self;  // for the responders
};

namespace {

// One connection: reads requests one after the other, hands each to the handler, writes its
// response, and goes on while the connection is kept alive. Lives as long as an operation or a
// responder holds it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // REQUIRES: `server` outlives the session (pending operations live in its I/O context, and a
  // responder holds the server as well as the session).
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server), stats_(server->stats) {
    ++stats_->open_connections;
    boost::system::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = endpoint.address().to_string();
  }
  ~Session() { --stats_->open_connections; }

  void Start() { WaitForRequest(); }

 private:
  const ServerLimits& limits() const { return server_->limits; }

  void WaitForRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(limits().max_header_bytes));
    parser_->body_limit(limits().max_body_bytes);
    if (buffer_.size() > 0) {  // a pipelined request is already here
      ReadHeader();
      return;
    }
    stream_.expires_after(limits().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close(ec);
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    stream_.expires_after(limits().header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return Refuse(
          431, "Request Header Fields Too Large",
          "the request's headers are over " + std::to_string(limits().max_header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) {  // the parser checks Content-Length at the headers
      return Refuse(413, "Request Entity Too Large",
                    "the request body is over " + std::to_string(limits().max_body_bytes) +
                        " bytes, the most this server accepts");
    }
    if (ec) return Close(ec);
    const auto& header = parser_->get();
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, header.version());
      stream_.expires_after(limits().write_timeout);
      http::async_write(stream_, *continue_,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close(ec);
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(limits().body_timeout);
    http::async_read(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec == http::error::body_limit) {
            return self->Refuse(413, "Request Entity Too Large",
                                "the request body is over " +
                                    std::to_string(self->limits().max_body_bytes) + " bytes");
          }
          if (ec) return self->Close(ec);
          self->Dispatch();
        });
  }

  void Dispatch() {
    stream_.expires_never();
    http::request<http::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    request.headers.reserve(8);
    for (const auto& field : msg) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(msg.body());
    request.peer = peer_;
    // The responder keeps the server's state (and so the I/O context) alive, and the session
    // with it (destroyed first); the response is written on the session's strand.
    std::shared_ptr<HttpServer::Impl> server = server_->self.lock();
    auto self = shared_from_this();
    Responder respond = [server, self](Response response) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(response)]() mutable { self->Write(std::move(r)); });
    };
    server_->handler(std::move(request), std::move(respond));
  }

  void Write(Response r) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "imagemill");
    res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    stream_.expires_after(limits().write_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec) return self->Close(ec);
                        if (!self->keep_alive_) return self->Shutdown();
                        self->WaitForRequest();
                      });
  }

  // Answers an over-limit request with a plain error and closes the connection.
  void Refuse(int status, const std::string& reason, const std::string& detail) {
    ++stats_->too_large;
    stream_.expires_never();
    keep_alive_ = false;
    Response r;
    r.status = status;
    r.content_type = "application/json";
    r.headers.emplace_back("x-amzn-ErrorType", "RequestEntityTooLarge");
    r.body =
        "{\"__type\":\"RequestEntityTooLarge\",\"message\":\"" + reason + ": " + detail + "\"}";
    Write(std::move(r));
  }

  void Close(beast::error_code ec) {
    if (ec == beast::error::timeout) ++stats_->timed_out;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // Closes after the response: stops sending, then reads and drops what the client still sends
  // (a body we refused) for a moment before closing, so that closing with unread bytes does not
  // reset the connection and destroy the response before the client has read it.
  void Shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    Linger(0);
  }

  void Linger(size_t drained) {
    if (drained > kMaxLingerBytes) return stream_.close();
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 << 10),
                            [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
                              if (ec) return self->stream_.close();
                              self->Linger(drained + n);
                            });
  }

  static constexpr size_t kMaxLingerBytes = 1 << 20;

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  std::shared_ptr<ServerStats> stats_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::string peer_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

void Accept(HttpServer::Impl* server);

void OnAccept(HttpServer::Impl* server, beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !server->acceptor || !server->acceptor->is_open()) {
    return;
  }
  if (ec) {
    // Out of file descriptors, typically: try again shortly rather than spin.
    spdlog::warn("accepting a connection failed: {}", ec.message());
    server->accept_retry->expires_after(std::chrono::milliseconds(50));
    server->accept_retry->async_wait([server](beast::error_code e) {
      if (!e) Accept(server);
    });
    return;
  }
  ++server->stats->accepted;
  if (server->stats->open_connections.load() >= server->limits.max_connections) {
    ++server->stats->refused_connections;
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<Session>(std::move(socket), server)->Start();
  }
  Accept(server);
}

void Accept(HttpServer::Impl* server) {
  server->acceptor->async_accept(net::make_strand(server->ioc),
                                 [server](beast::error_code ec, tcp::socket socket) {
                                   OnAccept(server, ec, std::move(socket));
                                 });
}

// Idle connections each hold a descriptor: let the process have as many as it may.
void RaiseDescriptorLimit(int wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t target = static_cast<rlim_t>(wanted);
  if (lim.rlim_max != RLIM_INFINITY && target > lim.rlim_max) target = lim.rlim_max;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < target) {
    lim.rlim_cur = target;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  if (address == "localhost") return true;
  beast::error_code ec;
  auto a = net::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

HttpServer::HttpServer(Handler handler, ServerLimits limits)
    : impl_(std::make_shared<Impl>(std::max(1, limits.io_threads))),
      stats_(std::make_shared<ServerStats>()) {
  impl_->handler = std::move(handler);
  impl_->limits = limits;
  impl_->stats = stats_;
  impl_->self = impl_;
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(const std::string& address, int port) {
  beast::error_code ec;
  auto ip = net::ip::make_address(address == "localhost" ? "127.0.0.1" : address, ec);
  if (ec) {
    return Status::InvalidArgument("'" + address +
                                   "' is not an IP address to listen on (give 127.0.0.1, "
                                   "0.0.0.0 or another address of this machine)");
  }
  RaiseDescriptorLimit(impl_->limits.max_connections + 256);
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  auto& acceptor = impl_->acceptor.emplace(impl_->ioc);
  impl_->accept_retry.emplace(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->acceptor.reset();
    return Status::Io("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                      ec.message() + " (is another server using the port? choose --port)");
  }
  port_ = acceptor.local_endpoint().port();
  Accept(impl_.get());
  for (int i = 0; i < std::max(1, impl_->limits.io_threads); ++i) {
    threads_.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (threads_.empty()) return;
  impl_->ioc.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // No thread runs the context now: close the listening socket so no client waits on it. Open
  // connections close when the context is destroyed, with the last owner of the server's state.
  beast::error_code ignored;
  if (impl_->acceptor) impl_->acceptor->close(ignored);
}

}  // namespace imagemill::server
