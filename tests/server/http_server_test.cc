#include "server/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

namespace imagemill::server {
namespace {

using namespace std::chrono_literals;

// Echoes the method, target and body; /slow answers from another thread after 1.5 s.
Handler EchoHandler() {
  return [](Request req, Responder respond) {
    Response r;
    r.content_type = "text/plain";
    r.body = req.method + " " + req.target + " " + req.body;
    if (req.target == "/slow") {
      std::thread([respond, r] {
        std::this_thread::sleep_for(1500ms);
        respond(r);
      }).detach();
      return;
    }
    respond(std::move(r));
  };
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer closed `fd` within `within` (reads return 0 or an error).
bool ClosedWithin(int fd, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
  }
  return false;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ServerLimits limits = {}) {
    server_ = std::make_unique<HttpServer>(EchoHandler(), limits);
    ASSERT_TRUE(server_->Start("127.0.0.1", 0).ok());
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_keep_alive(true);
    return c;
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, AnswersRequestsOnOneKeptAliveConnection) {
  StartServer();
  httplib::Client c = Client();
  for (int i = 0; i < 3; ++i) {
    auto res = c.Post("/x?i=" + std::to_string(i), "body" + std::to_string(i), "text/plain");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /x?i=" + std::to_string(i) + " body" + std::to_string(i));
  }
  EXPECT_EQ(server_->stats().accepted.load(), 1);
}

TEST_F(HttpServerTest, RefusesABodyOverTheLimitWith413) {
  ServerLimits limits;
  limits.max_body_bytes = 1000;
  StartServer(limits);
  httplib::Client c = Client();
  auto res = c.Post("/", std::string(2000, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("over 1000 bytes"), std::string::npos);
  auto ok = Client().Post("/", std::string(1000, 'x'), "text/plain");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, RefusesHeadersOverTheLimitWith431) {
  ServerLimits limits;
  limits.max_header_bytes = 2000;
  StartServer(limits);
  httplib::Client c = Client();
  auto res = c.Get("/", {{"X-Big", std::string(4000, 'a')}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
}

TEST_F(HttpServerTest, ClosesAClientThatDripsItsHeadersPastTheDeadline) {
  ServerLimits limits;
  limits.header_timeout = 600ms;
  StartServer(limits);
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  // One byte every 100 ms: each read is quick, the headers never end.
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  bool closed = false;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40 && !closed; ++i) {
    char c = request[std::min<size_t>(i, request.size() - 1)];
    if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;
    closed = ClosedWithin(fd, 100ms);
  }
  const auto held = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed || ClosedWithin(fd, 1s));
  EXPECT_LT(held, 3s) << "the drip went on for the whole test";
  ::close(fd);
  // The server counts the timeout once its handler has run, maybe after the client saw it.
  for (int i = 0; i < 100 && server_->stats().timed_out.load() == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(server_->stats().timed_out.load(), 1);
}

TEST_F(HttpServerTest, ClosesAClientThatDripsItsBodyPastTheDeadline) {
  ServerLimits limits;
  limits.body_timeout = 600ms;
  StartServer(limits);
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    if (::send(fd, "x", 1, MSG_NOSIGNAL) != 1) break;
    closed = ClosedWithin(fd, 100ms);
  }
  EXPECT_TRUE(closed || ClosedWithin(fd, 1s));
  ::close(fd);
}

TEST_F(HttpServerTest, ServesOtherClientsWhileAThousandIdleConnectionsAreOpen) {
  StartServer();
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = Connect(server_->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  // Half of them have started a request and stopped.
  for (size_t i = 0; i < idle.size(); i += 2) {
    ::send(idle[i], "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL);
  }
  for (int i = 0; i < 20; ++i) {
    auto res = Client().Get("/hello");
    ASSERT_TRUE(res) << "request " << i << ": " << httplib::to_string(res.error());
    EXPECT_EQ(res->body, "GET /hello ");
  }
  EXPECT_GE(server_->stats().open_connections.load(), 1000);
  for (int fd : idle) ::close(fd);
}

TEST_F(HttpServerTest, ASlowAnswerDoesNotHoldUpOthersOnTheSameThread) {
  ServerLimits limits;
  limits.io_threads = 1;
  StartServer(limits);
  auto slow = std::async(std::launch::async, [&] { return Client().Get("/slow"); });
  std::this_thread::sleep_for(100ms);
  auto fast = Client().Get("/fast");
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->body, "GET /fast ");
  EXPECT_EQ(slow.wait_for(0s), std::future_status::timeout) << "the fast one waited for the slow";
  auto s = slow.get();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->body, "GET /slow ");
}

TEST_F(HttpServerTest, RefusesToListenOnSomethingThatIsNotAnAddress) {
  HttpServer server(EchoHandler(), {});
  Status s = server.Start("not-an-address", 0);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("not-an-address"), std::string::npos);
}

TEST(LoopbackTest, KnowsLoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("192.0.2.7"));
}

}  // namespace
}  // namespace imagemill::server
