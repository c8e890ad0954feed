#include "support/s3rver.h"

#include "support/cached_assets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace imagemill::testing {
namespace {

constexpr char kAws[] = "/usr/bin/aws";

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

int NodeMajorVersion() {
  CommandResult r = RunCommand({"node", "--version"});
  if (r.exit_code != 0 || r.output.size() < 2 || r.output[0] != 'v') return 0;
  return std::atoi(r.output.c_str() + 1);
}

}  // namespace

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

S3rver* S3rver::Shared() {
  static S3rver* server = nullptr;
  static std::string error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    static std::unique_ptr<S3rver> owned(new S3rver());  // stopped at process exit
    if (owned->Start(&error)) server = owned.get();
  }
  if (server == nullptr) ADD_FAILURE() << "cannot start the test S3 server (s3rver): " << error;
  return server;
}

S3rver::~S3rver() {
  if (process_) process_->Stop();
}

bool S3rver::Start(std::string* error) {
  // Installs s3rver into the cache the first time; prints the entry point's path last.
  CommandResult fetch = RunCommand({SourceDir() + "/scripts/fetch-npm-tools.sh", "--print-s3rver"},
                                   {"IMAGEMILL_CACHE=" + CacheDir().string()}, "", false);
  std::string script = fetch.output;
  while (!script.empty() && (script.back() == '\n' || script.back() == '\r')) script.pop_back();
  script = script.substr(script.rfind('\n') + 1);
  if (fetch.exit_code != 0 || !std::filesystem::exists(script)) {
    *error = "scripts/fetch-npm-tools.sh failed (exit " + std::to_string(fetch.exit_code) +
             "): " + fetch.output;
    return false;
  }
  if (!std::filesystem::exists(kAws)) {
    *error = std::string(kAws) + " is missing: run scripts/install-deps.sh (Debian's awscli)";
    return false;
  }
  std::vector<std::string> env;
  // s3rver encrypts continuation tokens with DES, which OpenSSL 3 (Node >= 17) only offers
  // through its legacy provider: without it every second page of a listing answers 500.
  if (NodeMajorVersion() >= 17) env.push_back("NODE_OPTIONS=--openssl-legacy-provider");
  const std::string log = data_.path() + "/s3rver.log";
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int port = FreeLoopbackPort();
    std::filesystem::create_directories(data_.path() + "/data");
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"node", script, "--directory", data_.path() + "/data", "--address",
                                 "127.0.0.1", "--port", std::to_string(port), "--silent",
                                 "--no-vhost-buckets"},
        env, log);
    for (int i = 0; i < 300 && process_->Running(); ++i) {
      if (CanConnect(port)) {
        endpoint_url_ = "http://127.0.0.1:" + std::to_string(port);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    process_->Stop();
  }
  CommandResult tail = RunCommand({"tail", "-n", "20", log});
  *error = "s3rver did not start listening; its log: " + tail.output;
  return false;
}

CommandResult S3rver::Aws(const std::vector<std::string>& args, const std::string& stdin_data,
                          bool capture_stderr) const {
  std::vector<std::string> argv = {kAws, "--endpoint-url", endpoint_url_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(
      argv,
      {"AWS_ACCESS_KEY_ID=S3RVER", "AWS_SECRET_ACCESS_KEY=S3RVER", "AWS_DEFAULT_REGION=us-east-1",
       "AWS_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
       "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_SESSION_TOKEN", "AWS_PROFILE",
       "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"},
      stdin_data, capture_stderr);
}

std::string S3rver::CreateBucket() {
  std::string name = "t" + std::to_string(::getpid()) + "-" + std::to_string(++bucket_counter_);
  CommandResult r = Aws({"s3", "mb", "s3://" + name});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "aws s3 mb s3://" << name << " failed: " << r.output;
    return "";
  }
  return name;
}

S3Store::Config S3rver::StoreConfig(const std::string& bucket, const std::string& access_key,
                                    const std::string& secret) const {
  S3Store::Config config;
  config.bucket = bucket;
  config.client.endpoint = ParseEndpointUrl(endpoint_url_).value();
  config.client.endpoint_url = endpoint_url_;
  config.client.custom_endpoint = true;
  config.client.region = "us-east-1";
  config.client.credentials = {access_key, secret, "", "the test"};
  return config;
}

}  // namespace imagemill::testing
