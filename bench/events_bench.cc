// events_bench: how fast EventBridge's side of imagemill is: events matched per second against
// R rules (the event parsed each time, as PutEvents does), and PutEvents requests per second with
// the seed's rules, with the rules in memory and in SQLite, through a starter that starts nothing.
//
//   build/events_bench [--seconds 2] [--db DIR]
//
// The last line is the same figures as one JSON object.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/sqlite_event_rules.h"
#include "events/event_pattern.h"
#include "events/events_api.h"
#include "events/memory_rule_store.h"
#include "events/seed_rules.h"

namespace imagemill::events {
namespace {

// The detail of an S3 "Object Created" event, as S3 sends it.
std::string ObjectCreatedDetail(int i) {
  return R"({"version":"0","bucket":{"name":"photos"},"object":{"key":"2024/06/img-)" +
         std::to_string(i) +
         R"(.jpg","size":2489174,"etag":"b1946ac92492d2347c6235b4d2611184","sequencer":"00617F08299329D189"},"request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"10.0.12.7","reason":"PutObject"})";
}

std::string ObjectCreatedEvent(int i) {
  return R"({"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3","account":"123456789012","time":"2024-06-01T12:00:00Z","region":"us-east-1","resources":["arn:aws:s3:::photos"],"detail":)" +
         ObjectCreatedDetail(i) + "}";
}

// A rule of each kind of filter; only the last one matches the event above.
std::vector<std::string> Patterns(int n) {
  const std::vector<std::string> kinds = {
      R"({"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"]})",
      R"({"source":["aws.s3"],"detail":{"object":{"key":[{"suffix":".png"}]}}})",
      R"({"source":["aws.s3"],"detail":{"object":{"size":[{"numeric":[">",0,"<",1000]}]}}})",
      R"({"detail":{"bucket":{"name":[{"anything-but":{"prefix":"pho"}}]}}})",
      R"({"detail":{"source-ip-address":[{"cidr":"192.168.0.0/16"}]}})",
      R"({"detail":{"object":{"key":[{"wildcard":"2023/*/img-*.jpg"}]}}})",
      R"({"$or":[{"source":["aws.sqs"]},{"detail-type":[{"equals-ignore-case":"object deleted"}]}]})",
  };
  std::vector<std::string> out;
  for (int i = 0; i + 1 < n; ++i) out.push_back(kinds[i % kinds.size()]);
  out.push_back(
      R"({"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"object":{"key":[{"suffix":".jpg"}]}}})");
  return out;
}

// Runs `fn` repeatedly for about `seconds`; returns calls per second.
double Rate(double seconds, const std::function<void(int)>& fn) {
  auto start = std::chrono::steady_clock::now();
  int calls = 0;
  double elapsed = 0;
  do {
    for (int k = 0; k < 100; ++k) fn(calls++);
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return calls / elapsed;
}

class NoStarter final : public ExecutionStarter {
 public:
  Result<std::string> Start(const StartRequest&) override { return std::string("arn:x"); }
};

double PutEventsRate(EventRuleStore& store, double seconds) {
  SeedEventRules(store, SeedConfig{Account{}, StateMachineArn(Account{}, "DMapStateMachine"), 0});
  NoStarter starter;
  EventsConfig config;
  config.on_delivery = [](const Delivery&) {};
  EventsApi api(store, starter, Clock::Real(), config);
  return Rate(seconds, [&](int i) {
    nlohmann::json request = {{"Entries",
                               {{{"Source", "aws.s3"},
                                 {"DetailType", "Object Created"},
                                 {"Detail", ObjectCreatedDetail(i)}}}}};
    if (!api.PutEvents(request).ok()) std::abort();
  });
}

int Main(int argc, char** argv) {
  CLI::App app{"events_bench: event pattern matching and PutEvents"};
  double seconds = 2;
  std::string db_dir = std::filesystem::temp_directory_path().string();
  app.add_option("--seconds", seconds, "how long each figure is measured");
  app.add_option("--db", db_dir, "folder for the SQLite database");
  CLI11_PARSE(app, argc, argv);

  nlohmann::json figures;
  for (int n : {1, 10, 100}) {
    std::vector<EventPattern> rules;
    for (const std::string& p : Patterns(n)) rules.push_back(EventPattern::Parse(p).value());
    int matched = 0;
    double rate = Rate(seconds, [&](int i) {
      JsonValue event = ParseJson(ObjectCreatedEvent(i)).value();
      for (const EventPattern& r : rules) matched += r.Matches(event);
    });
    if (matched == 0) std::abort();
    std::printf("match, %3d rules: %10.0f events/s (%.2f us each)\n", n, rate, 1e6 / rate);
    figures["events_per_s_" + std::to_string(n) + "_rules"] = rate;
  }

  MemoryEventRuleStore memory;
  double in_memory = PutEventsRate(memory, seconds);
  std::printf("PutEvents, rules in memory: %8.0f requests/s (%.1f us each)\n", in_memory,
              1e6 / in_memory);
  std::string path = db_dir + "/events_bench.db";
  std::filesystem::remove(path);
  double in_sqlite = 0;
  {
    SqliteEventRules sqlite(path);
    in_sqlite = PutEventsRate(sqlite, seconds);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::printf("PutEvents, rules in SQLite: %8.0f requests/s (%.1f us each)\n", in_sqlite,
              1e6 / in_sqlite);
  figures["put_events_per_s_memory"] = in_memory;
  figures["put_events_per_s_sqlite"] = in_sqlite;
  std::printf("%s\n", figures.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace imagemill::events

int main(int argc, char** argv) { return imagemill::events::Main(argc, argv); }
