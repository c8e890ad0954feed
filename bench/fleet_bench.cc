// fleet_bench: the map-run engine in several processes sharing one state store, with a no-op
// processor over a generated bucket: what the queue costs when workers share the work.
//
//   build/fleet_bench --db postgresql://... --processes 2 --items 100000 [--batch 100]
//   build/fleet_bench --db sqlite:/tmp/x.db --processes 1 --items 100000
//   build/fleet_bench --db postgresql://... --claim-latency --processes 8 --items 100000
//   build/fleet_bench --db postgresql://... --claim-latency --labels --items 1000000
//   build/fleet_bench --db postgresql://... --schema-only
//
// Run mode: N processes (fork) each run the same execution (the first lists, all claim and
// complete batches; one lister at a time through the cursor's compare-and-set). Items per second
// are counted from the first process's start to the last one's end.
// --claim-latency: N processes claim and complete batches of a listed execution in a loop (no
// engine); each ClaimBatches call is timed, and the percentiles over all processes reported.
// With --labels every item gets one of 20 labels and a parent in the label index (label i % 20;
// "Dog" is one in 20), and `query --label Dog`'s lookup (QueryLabel, the 100 most confident
// at >= 80) is timed at the end, cold and warm.
// --schema-only creates the schema and exits, so that a run measured after it (bench/fleet_cpu.py)
// is the run alone.
// For PostgreSQL the queue table's size (pg_total_relation_size of `batches`) and the done-batch
// table's are reported at the end. The last line is the figures as one JSON object.
#include <CLI/CLI.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "generated_store.h"
#include "db/postgres_database.h"
#include "db/sqlite_database.h"
#include "workflow/batcher.h"
#include "workflow/map_run.h"
#include "workflow/noop_processor.h"

namespace imagemill {
namespace {

using bench::GeneratedStore;

struct Db {
  std::unique_ptr<PostgresDatabase> pg;
  std::unique_ptr<SqliteDatabase> lite;
  StateStore& state() { return pg ? static_cast<StateStore&>(*pg) : *lite; }
  ResultsTable& results() { return pg ? static_cast<ResultsTable&>(*pg) : *lite; }
};

Db Open(const std::string& uri) {
  Db db;
  if (uri.starts_with("postgres")) {
    db.pg = std::make_unique<PostgresDatabase>(uri);
  } else {
    db.lite = std::make_unique<SqliteDatabase>(uri.starts_with("sqlite:") ? uri.substr(7) : uri);
  }
  return db;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Runs `body` in `n` child processes; each writes one line of JSON to its file. Returns them.
template <typename Body>
std::vector<nlohmann::json> InProcesses(int n, const std::string& tag, Body body) {
  std::vector<pid_t> pids;
  std::vector<std::string> files;
  for (int i = 0; i < n; ++i) {
    files.push_back(std::filesystem::temp_directory_path() /
                    ("fleet-bench-" + tag + "-" + std::to_string(::getpid()) + "-" +
                     std::to_string(i) + ".json"));
    pid_t pid = ::fork();
    if (pid == 0) {
      int rc = 0;
      try {
        nlohmann::json out = body(i);
        std::ofstream(files.back()) << out.dump();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "fleet_bench: process %d: %s\n", i, e.what());
        rc = 1;
      }
      std::fflush(nullptr);
      ::_exit(rc);
    }
    pids.push_back(pid);
  }
  std::vector<nlohmann::json> out;
  for (size_t i = 0; i < pids.size(); ++i) {
    int status = 0;
    ::waitpid(pids[i], &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error("a benchmark process failed");
    }
    std::ifstream in(files[i]);
    out.push_back(nlohmann::json::parse(in));
    std::filesystem::remove(files[i]);
  }
  return out;
}

}  // namespace
}  // namespace imagemill

int main(int argc, char** argv) {
  using namespace imagemill;  // NOLINT
  CLI::App app{"The engine in several processes sharing one state store"};
  std::string db_uri;
  int64_t items = 100000;
  int batch = 100, processes = 2, workers = 1, claim = 4;
  bool claim_latency = false, labels = false, schema_only = false;
  app.add_option("--db", db_uri, "postgresql://... or sqlite:PATH (a fresh database)")->required();
  app.add_option("--items", items);
  app.add_option("--batch", batch);
  app.add_option("--processes", processes);
  app.add_option("--workers", workers, "Processing threads per process");
  app.add_option("--claim", claim, "Batches per claim (--claim-latency)");
  app.add_flag("--claim-latency", claim_latency, "Time claims instead of running the engine");
  app.add_flag("--labels", labels, "Index a label and a parent per item (--claim-latency)");
  app.add_flag("--schema-only", schema_only, "Create the schema and exit");
  CLI11_PARSE(app, argc, argv);

  const std::string name = "bench-" + std::to_string(::getpid());
  nlohmann::json report = {{"db", db_uri.starts_with("postgres") ? "postgresql" : "sqlite"},
                           {"items", items},
                           {"batch", batch},
                           {"processes", processes}};
  try {
    { Open(db_uri); }  // creates the schema before the processes race to
    if (schema_only) return 0;
    auto t0 = std::chrono::steady_clock::now();
    if (!claim_latency) {
      report["mode"] = "engine";
      InProcesses(processes, "run", [&](int) {
        Db db = Open(db_uri);
        GeneratedStore store(items);
        NoopProcessor processor(false);
        RunOptions options;
        options.pipeline.workers = workers;
        options.pipeline.fetchers = 1;
        ExecutionSpec spec;
        spec.source = store.Uri();
        spec.processor = processor.Name();
        spec.kind = processor.Kind();
        spec.max_items_per_batch = batch;
        MapRun run(store, db.state(), db.results(), processor, options);
        Result<RunSummary> s = run.Run(spec, name);
        if (!s.ok()) throw std::runtime_error(s.status().ToString());
        return nlohmann::json{{"status", ExecutionStatusName(s->execution.status)}};
      });
      double secs = Seconds(std::chrono::steady_clock::now() - t0);
      Db db = Open(db_uri);
      ItemCounts c = db.state().CountItems(name);
      if (c.succeeded != items) {
        throw std::runtime_error("only " + std::to_string(c.succeeded) + " items succeeded");
      }
      report["seconds"] = secs;
      report["items_per_second"] = static_cast<double>(items) / secs;
      std::printf("fleet_bench: %lld no-op items, %d processes: %.2f s = %.0f items/s\n",
                  static_cast<long long>(items), processes, secs, items / secs);
    } else {
      report["mode"] = "claim-latency";
      report["claim"] = claim;
      {
        Db db = Open(db_uri);
        ExecutionRecord e;
        e.name = name;
        e.map_run_id = name;
        e.spec = {{"bench", name}};
        bool created = false;
        db.state().CreateOrGetExecution(e, &created);
        std::string cursor;
        for (int64_t i = 0; i < items;) {
          ListingStep step;
          std::vector<ObjectInfo> page;
          for (; i < items && page.size() < 1000; ++i) page.push_back(GeneratedStore::Info(i));
          step.cursor = page.back().key;
          step.listed = static_cast<int64_t>(page.size());
          step.done = i >= items;
          for (size_t k = 0; k < page.size(); k += batch) {
            BatchRecord b;
            b.items.assign(page.begin() + k, page.begin() + std::min(page.size(), k + batch));
            step.batches.push_back(std::move(b));
          }
          db.state().AppendListing(name, cursor, step);
          cursor = step.cursor;
        }
      }
      t0 = std::chrono::steady_clock::now();
      std::vector<nlohmann::json> per = InProcesses(processes, "claim", [&](int i) {
        Db db = Open(db_uri);
        std::string owner = "bench:" + std::to_string(::getpid()) + ":" + std::to_string(i);
        std::vector<double> ms;
        for (;;) {
          auto c0 = std::chrono::steady_clock::now();
          std::vector<BatchRecord> got = db.state().ClaimBatches(name, owner, claim, 0, INT64_MAX);
          ms.push_back(Seconds(std::chrono::steady_clock::now() - c0) * 1000);
          if (got.empty()) break;
          std::vector<FinishedBatch> done;
          for (BatchRecord& b : got) {
            FinishedBatch f{b.seq, b.attempt, true, {}};
            for (ObjectInfo& o : b.items) {
              ItemOutcome out;
              out.item = std::move(o);
              out.response = "{\"Key\":\"" + out.item.key + "\",\"Size\":16}";
              if (labels) {
                static const char* kNames[] = {"Dog", "Cat", "Car", "Person", "Tree", "Bird",
                                               "Boat", "Chair", "Cup", "Book", "Clock", "Bus",
                                               "Horse", "Sheep", "Bicycle", "Truck", "Bench",
                                               "Bottle", "Laptop", "Phone"};
                int64_t n = std::stoll(out.item.key.substr(4, 8));
                double conf = 55 + static_cast<double>((n * 7919) % 4500) / 100;
                out.index = {{kNames[n % 20], conf, true}, {"Thing", conf, false}};
              }
              f.outcomes.push_back(std::move(out));
            }
            done.push_back(std::move(f));
          }
          db.state().CompleteBatches(name, owner, AnswerTarget{"generated", "labels", "none"},
                                     done);
        }
        return nlohmann::json(ms);
      });
      double secs = Seconds(std::chrono::steady_clock::now() - t0);
      std::vector<double> all;
      for (const nlohmann::json& p : per) {
        for (double v : p) all.push_back(v);
      }
      std::sort(all.begin(), all.end());
      auto pct = [&](double p) { return all[static_cast<size_t>(p * (all.size() - 1))]; };
      report["claims"] = all.size();
      report["claim_ms_p50"] = pct(0.5);
      report["claim_ms_p90"] = pct(0.9);
      report["claim_ms_p99"] = pct(0.99);
      report["claim_ms_max"] = all.back();
      report["seconds"] = secs;
      report["items_per_second"] = static_cast<double>(items) / secs;
      if (labels) {
        Db db = Open(db_uri);
        for (const char* when : {"cold", "warm"}) {
          auto q0 = std::chrono::steady_clock::now();
          LabelQuery q;
          q.label = "dog";
          q.min_confidence = 80;
          q.limit = 100;
          std::vector<LabelHit> hits = db.results().QueryLabel(q);
          double ms = Seconds(std::chrono::steady_clock::now() - q0) * 1000;
          report[std::string("query_label_ms_") + when] = ms;
          std::printf("fleet_bench: query --label Dog (100 of %lld images): %zu hits in %.2f ms "
                      "(%s)\n",
                      static_cast<long long>(items / 20), hits.size(), ms, when);
        }
      }
      std::printf("fleet_bench: %zu claims by %d processes: p50 %.2f ms, p99 %.2f ms, max %.2f "
                  "ms; %.0f items/s claimed and completed\n",
                  all.size(), processes, pct(0.5), pct(0.99), all.back(), items / secs);
    }
    if (db_uri.starts_with("postgres")) {
      pqxx::connection c(pg::ConnectionString(db_uri));
      pqxx::work tx(c);
      pqxx::row r = tx.exec1(
          "SELECT pg_total_relation_size('batches'), pg_total_relation_size('batches_done'), "
          "pg_total_relation_size('results'), (SELECT count(*) FROM batches), "
          "(SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'batches')");
      report["queue_table_bytes"] = r[0].as<int64_t>();
      report["done_table_bytes"] = r[1].as<int64_t>();
      report["results_table_bytes"] = r[2].as<int64_t>();
      report["queue_rows"] = r[3].as<int64_t>();
      report["queue_dead_rows"] = r[4].is_null() ? 0 : r[4].as<int64_t>();
      std::printf("fleet_bench: queue table %lld kB (%lld rows, %lld dead), done batches %lld kB, "
                  "results %lld kB\n",
                  static_cast<long long>(r[0].as<int64_t>() / 1024),
                  static_cast<long long>(r[3].as<int64_t>()),
                  static_cast<long long>(report["queue_dead_rows"].get<int64_t>()),
                  static_cast<long long>(r[1].as<int64_t>() / 1024),
                  static_cast<long long>(r[2].as<int64_t>() / 1024));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleet_bench: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", report.dump().c_str());
  return 0;
}
