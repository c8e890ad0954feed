// serve_bench: load for `imagemill serve`, from clients of its own (plain HTTP/1.1 over
// keep-alive sockets, each request SigV4-signed), so the figures measure the server, not a
// Python client. bench/serve_bench.sh starts the server and runs each mode; docs/benchmarks.md
// reports them.
//
//   serve_bench getitem URL --ids FILE --connections N --seconds S
//       GetItem of random ids over N kept-alive connections: requests/s and latencies
//   serve_bench detect URL --photos FILE --clients N
//       every photo once through DetectLabels (Image.Bytes), N requests at a time: images/s
//   serve_bench idle URL --idle N --ids FILE --connections C --seconds S
//       opens N connections that send nothing (half of them half a request), then measures
//       getitem beside them
//   serve_bench putevents URL --events N
//       PutEvents of the seed's event, then DescribeExecution until RUNNING: the latency
//
// Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION. Each mode prints one JSON
// line on stdout.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/sigv4_verifier.h"
#include "util/base64.h"
#include "util/clock.h"

namespace {

using imagemill::server::AccessKey;
using imagemill::server::Request;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  AccessKey key;
  std::string region;
};

Target ParseUrl(const std::string& url) {
  Target t;
  std::string rest = url.substr(url.find("//") + 2);
  t.host = rest.substr(0, rest.find(':'));
  t.port = std::stoi(rest.substr(rest.find(':') + 1));
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const char* region = std::getenv("AWS_REGION");
  t.key = {id ? id : "", secret ? secret : ""};
  t.region = region ? region : "us-east-1";
  return t;
}

int Connect(const Target& t) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(t.port));
  inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One kept-alive connection that sends signed AWS JSON requests.
class Connection {
 public:
  explicit Connection(const Target& t) : t_(t), fd_(Connect(t)) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  // Sends one request; returns the HTTP status (0 on a transport failure) and the body.
  int Call(const std::string& target, const std::string& service, const std::string& version,
           const std::string& body, std::string* answer) {
    Request r;
    r.method = "POST";
    r.target = "/";
    r.body = body;
    const std::string date = imagemill::server::AmzDate(std::chrono::system_clock::now());
    const std::string host = t_.host + ":" + std::to_string(t_.port);
    r.headers = {{"Host", host},
                 {"X-Amz-Date", date},
                 {"X-Amz-Target", target},
                 {"Content-Type", "application/x-amz-json-" + version}};
    const std::string auth = imagemill::server::SignRequest(
        r, t_.key, t_.region, service, date, "content-type;host;x-amz-date;x-amz-target");
    std::string msg = "POST / HTTP/1.1\r\n";
    for (const auto& [n, v] : r.headers) msg += n + ": " + v + "\r\n";
    msg += "Authorization: " + auth + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
    if (!SendAll(msg)) return 0;
    return ReadResponse(answer);
  }

 private:
  bool SendAll(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  int ReadResponse(std::string* body) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    const std::string head = buf_.substr(0, end);
    int status = std::atoi(head.c_str() + 9);
    size_t length = 0;
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    size_t cl = lower.find("content-length:");
    if (cl != std::string::npos) length = std::stoul(head.substr(cl + 15));
    buf_.erase(0, end + 4);
    while (buf_.size() < length) {
      if (!Fill()) return 0;
    }
    *body = buf_.substr(0, length);
    buf_.erase(0, length);
    return status;
  }
  bool Fill() {
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  Target t_;
  int fd_;
  std::string buf_;
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// GetItem from `connections` threads for `seconds`.
json GetItemLoad(const Target& t, const std::vector<std::string>& ids, int connections,
                 double seconds) {
  std::atomic<int64_t> ok{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies;
  const auto stop = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      Connection conn(t);
      std::mt19937 rng(c);
      std::vector<double> mine;
      std::string answer;
      while (conn.ok() && Clock::now() < stop) {
        const std::string& id = ids[rng() % ids.size()];
        json req = {{"TableName", "serverless-data-processing-table"},
                    {"Key", {{"id", {{"S", id}}}}}};
        const auto t0 = Clock::now();
        int status = conn.Call("DynamoDB_20120810.GetItem", "dynamodb", "1.0", req.dump(), &answer);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (status == 200) {
          ++ok;
        } else {
          ++failed;
          if (status == 0) break;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  const auto start = Clock::now();
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {{"mode", "getitem"},
          {"connections", connections},
          {"requests", ok.load()},
          {"failed", failed.load()},
          {"seconds", elapsed},
          {"requestsPerSecond", static_cast<double>(ok.load()) / elapsed},
          {"p50Ms", Percentile(latencies, 0.5)},
          {"p99Ms", Percentile(latencies, 0.99)}};
}

json DetectLoad(const Target& t, const std::vector<std::string>& photos, int clients) {
  std::vector<std::string> bodies;
  for (const std::string& p : photos) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    bodies.push_back(json{{"Image", {{"Bytes", imagemill::Base64Encode(bytes.str())}}}}.dump());
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> ok{0}, throttled{0}, failed{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      Connection conn(t);
      std::string answer;
      for (size_t i = next++; i < bodies.size() && conn.ok(); i = next++) {
        int status =
            conn.Call("RekognitionService.DetectLabels", "rekognition", "1.1", bodies[i], &answer);
        if (status == 200) {
          ++ok;
        } else if (answer.find("Throttling") != std::string::npos) {
          ++throttled;
        } else {
          ++failed;
          std::cerr << "serve_bench: DetectLabels " << photos[i] << ": " << status << " "
                    << answer.substr(0, 200) << "\n";
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {{"mode", "detect"},
          {"clients", clients},
          {"images", ok.load()},
          {"throttled", throttled.load()},
          {"failed", failed.load()},
          {"seconds", elapsed},
          {"imagesPerSecond", static_cast<double>(ok.load()) / elapsed}};
}

json IdleLoad(const Target& t, int idle, const std::vector<std::string>& ids, int connections,
              double seconds) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  std::vector<int> fds;
  for (int i = 0; i < idle; ++i) {
    int fd = Connect(t);
    if (fd < 0) break;
    if (i % 2 == 0) ::send(fd, "POST / HTTP/1.1\r\nHost: x\r\n", 26, MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  json out = GetItemLoad(t, ids, connections, seconds);
  out["mode"] = "idle";
  out["idleConnections"] = fds.size();
  for (int fd : fds) ::close(fd);
  return out;
}

json PutEventsLatency(const Target& t, int events, const std::string& bucket) {
  Connection conn(t);
  std::vector<double> ms;
  std::string answer;
  for (int i = 0; i < events; ++i) {
    json detail = {
        {"myStateInput", {{"Bucket", bucket}, {"Prefix", "bench-" + std::to_string(i)}}}};
    json req = {{"Entries",
                 {{{"Source", "serverless-data-processing"},
                   {"DetailType", "ServerlessDataProcessing"},
                   {"Detail", detail.dump()}}}}};
    const auto t0 = Clock::now();
    int status = conn.Call("AWSEvents.PutEvents", "events", "1.1", req.dump(), &answer);
    if (status != 200) {
      std::cerr << "serve_bench: PutEvents: " << status << " " << answer << "\n";
      return {{"mode", "putevents"}, {"error", answer}};
    }
    // The execution started by the event: the newest one, RUNNING (or already done), whose
    // input is this event's detail.
    const std::string prefix = "\"bench-" + std::to_string(i) + "\"";
    while (true) {
      status = conn.Call("AWSStepFunctions.ListExecutions", "states", "1.0",
                         json{{"stateMachineArn", "arn:aws:states:" + t.region +
                                                      ":000000000000:stateMachine:"
                                                      "serverless-data-processing"},
                              {"maxResults", 1}}
                             .dump(),
                         &answer);
      json list = json::parse(answer, nullptr, false);
      if (status == 200 && list.contains("executions") && !list["executions"].empty()) {
        const json arn = {{"executionArn", list["executions"][0].value("executionArn", "")}};
        status =
            conn.Call("AWSStepFunctions.DescribeExecution", "states", "1.0", arn.dump(), &answer);
        json execution = json::parse(answer, nullptr, false);
        if (status == 200 && execution.value("input", "").find(prefix) != std::string::npos) {
          break;
        }
      }
      if (std::chrono::duration<double>(Clock::now() - t0).count() > 30) {
        return {{"mode", "putevents"}, {"error", "no execution after 30 s: " + answer}};
      }
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return {{"mode", "putevents"},
          {"events", events},
          {"p50Ms", Percentile(ms, 0.5)},
          {"maxMs", Percentile(ms, 1.0)}};
}

// Starts one execution over each folder at once and waits until all have ended: the server's
// memory with that many executions running is read by the caller (/proc/PID/status VmHWM).
json ConcurrentExecutions(const Target& t, const std::vector<std::string>& folders) {
  Connection conn(t);
  std::string answer;
  const std::string machine =
      "arn:aws:states:" + t.region + ":000000000000:stateMachine:serverless-data-processing";
  const std::string run = "bench-" + std::to_string(::getpid()) + "-";
  const auto t0 = Clock::now();
  std::vector<std::string> arns;
  for (size_t i = 0; i < folders.size(); ++i) {
    const json req = {{"stateMachineArn", machine},
                      {"name", run + std::to_string(i)},
                      {"input", json{{"myStateInput", {{"Bucket", folders[i]}, {"Prefix", ""}}}}
                                    .dump()}};
    if (conn.Call("AWSStepFunctions.StartExecution", "states", "1.0", req.dump(), &answer) !=
        200) {
      return {{"mode", "executions"}, {"error", "StartExecution: " + answer}};
    }
    arns.push_back(json::parse(answer).value("executionArn", ""));
  }
  int64_t items = 0;
  for (const std::string& arn : arns) {
    while (true) {
      if (conn.Call("AWSStepFunctions.DescribeExecution", "states", "1.0",
                    json{{"executionArn", arn}}.dump(), &answer) != 200) {
        return {{"mode", "executions"}, {"error", "DescribeExecution: " + answer}};
      }
      const json e = json::parse(answer, nullptr, false);
      if (e.value("status", "") == "SUCCEEDED") break;
      if (e.value("status", "") != "RUNNING") {
        return {{"mode", "executions"}, {"error", arn + " ended " + answer}};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    conn.Call("AWSStepFunctions.ListMapRuns", "states", "1.0", json{{"executionArn", arn}}.dump(),
              &answer);
    const json runs = json::parse(answer, nullptr, false);
    if (runs.contains("mapRuns") && !runs["mapRuns"].empty()) {
      conn.Call("AWSStepFunctions.DescribeMapRun", "states", "1.0",
                json{{"mapRunArn", runs["mapRuns"][0].value("mapRunArn", "")}}.dump(), &answer);
      items += json::parse(answer, nullptr, false)["itemCounts"].value("succeeded", 0);
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  return {{"mode", "executions"},
          {"executions", folders.size()},
          {"images", items},
          {"seconds", elapsed},
          {"imagesPerSecond", static_cast<double>(items) / elapsed}};
}

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: serve_bench getitem|detect|idle|putevents|executions URL [options]\n";
    return 2;
  }
  const std::string mode = argv[1];
  const Target t = ParseUrl(argv[2]);
  json out;
  if (mode == "getitem" || mode == "idle") {
    std::vector<std::string> ids = ReadLines(Arg(argc, argv, "--ids", ""));
    if (ids.empty()) {
      std::cerr << "serve_bench: --ids FILE lists the ids to get, one a line\n";
      return 2;
    }
    const int connections = std::stoi(Arg(argc, argv, "--connections", "8"));
    const double seconds = std::stod(Arg(argc, argv, "--seconds", "5"));
    out = mode == "getitem" ? GetItemLoad(t, ids, connections, seconds)
                            : IdleLoad(t, std::stoi(Arg(argc, argv, "--idle", "1000")), ids,
                                       connections, seconds);
  } else if (mode == "detect") {
    std::vector<std::string> photos = ReadLines(Arg(argc, argv, "--photos", ""));
    if (photos.empty()) {
      std::cerr << "serve_bench: --photos FILE lists the photos' paths, one a line\n";
      return 2;
    }
    out = DetectLoad(t, photos, std::stoi(Arg(argc, argv, "--clients", "64")));
  } else if (mode == "putevents") {
    out = PutEventsLatency(t, std::stoi(Arg(argc, argv, "--events", "10")),
                           Arg(argc, argv, "--bucket", "images"));
  } else if (mode == "executions") {
    std::vector<std::string> folders = ReadLines(Arg(argc, argv, "--folders", ""));
    if (folders.empty()) {
      std::cerr << "serve_bench: --folders FILE lists the folders to run over, one a line\n";
      return 2;
    }
    out = ConcurrentExecutions(t, folders);
  } else {
    std::cerr << "serve_bench: unknown mode " << mode << "\n";
    return 2;
  }
  std::cout << out.dump() << std::endl;
  return out.contains("error") ? 1 : 0;
}
