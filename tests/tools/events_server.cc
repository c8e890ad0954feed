// imagemill_events_server: EventsApi behind a bare AWS JSON 1.1 endpoint, for driving the
// AWSEvents operations with the real awscli and boto3 in tests. A test tool only: it checks no
// signature and serves nothing else (`imagemill serve` is the server users run).
//
//   imagemill_events_server --db FILE --starts FILE
//
// Prints "port N" on stdout once listening on 127.0.0.1. The rules live in the SQLite file (seeded
// on first start); every execution a target starts is appended to --starts as one JSON line, and
// an input without "myStateInput" is refused as the server's starter refuses it.
#include <httplib.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "db/sqlite_event_rules.h"
#include "events/events_api.h"
#include "events/seed_rules.h"
#include "util/clock.h"

namespace {

using imagemill::Result;
using imagemill::Status;
namespace events = imagemill::events;

class FileStarter final : public events::ExecutionStarter {
 public:
  explicit FileStarter(std::string path) : path_(std::move(path)) {}
  Result<std::string> Start(const events::StartRequest& r) override {
    nlohmann::json input = nlohmann::json::parse(r.input, nullptr, false);
    if (!input.is_object() || !input.contains("myStateInput")) {
      return Status::InvalidArgument("the input " + r.input + " has no myStateInput");
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::string arn = "arn:aws:states:us-east-1:123456789012:execution:DMapStateMachine:" +
                      std::to_string(++count_);
    std::ofstream(path_, std::ios::app) << nlohmann::json{{"StateMachineArn", r.state_machine_arn},
                                                          {"Input", r.input},
                                                          {"EventId", r.event_id},
                                                          {"RuleArn", r.rule_arn},
                                                          {"TargetId", r.target_id},
                                                          {"ExecutionArn", arn}}
                                               .dump()
                                        << "\n";
    return arn;
  }

 private:
  std::mutex mu_;
  std::string path_;  // guarded by mu_
  int count_ = 0;     // guarded by mu_
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"imagemill_events_server: the AWSEvents operations for tests"};
  std::string db, starts;
  app.add_option("--db", db, "SQLite file for the rules")->required();
  app.add_option("--starts", starts, "file to append started executions to")->required();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("events"));  // stdout carries the port

  imagemill::SqliteEventRules store(db);
  events::Account account;
  events::SeedEventRules(
      store, events::SeedConfig{account, events::StateMachineArn(account, "DMapStateMachine"),
                                imagemill::ToUnixMillis(imagemill::Clock::Real().Now())});
  FileStarter starter(starts);
  events::EventsApi api(store, starter, imagemill::Clock::Real());

  httplib::Server server;
  server.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    const std::string target = req.get_header_value("X-Amz-Target");
    const std::string prefix = "AWSEvents.";
    events::ApiResult result =
        events::AwsError{"UnknownOperationException", "unknown target " + target, 400};
    nlohmann::json body = nlohmann::json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (body.is_discarded()) {
      result = events::AwsError{"SerializationException", "the body is not JSON", 400};
    } else if (target.rfind(prefix, 0) == 0) {
      result = api.Handle(target.substr(prefix.size()), body);
    }
    res.status = result.http_status();
    res.set_content(result.ToJson().dump(), "application/x-amz-json-1.1");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "imagemill_events_server: cannot listen on 127.0.0.1\n");
    return 1;
  }
  std::printf("port %d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  return 0;
}
