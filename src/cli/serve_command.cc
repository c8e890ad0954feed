// imagemill serve: the seed's AWS APIs on one port (server/serve_app.h), over the results
// database. Prints the endpoint URL on stdout once it listens; logs go to stderr; SIGINT or
// SIGTERM stop it after the requests in flight.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <opencv2/core.hpp>
#include <thread>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/label_flags.h"
#include "cli/store_flags.h"
#include "db/event_rules.h"
#include "events/memory_rule_store.h"
#include "server/access_keys.h"
#include "server/console/console.h"
#include "server/dynamodb/results_items.h"
#include "server/serve_app.h"
#include "server/stepfunctions/service_backend.h"
#include "server/stepfunctions/stepfunctions_api.h"
#include "service/execution_service.h"

namespace imagemill::cli {
namespace {

struct ServeFlags {
  std::string db;
  server::ServeConfig config;
  std::string credentials;
  service::EngineOptions engine;  // how executions run (threads, retries, the object store)
  server::stepfunctions::SeedDefaults seed;
  LabelFlags labels;
  int detect_workers = 0;
  int64_t max_body_bytes = 8 << 20;
  int header_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;
  int body_timeout_ms = 60'000;
  std::string state_dir;  // "": ${XDG_CACHE_HOME:-~/.cache}/imagemill
  std::string buckets;    // "": Image.S3Object reads the S3 endpoint
};

// Where the console keeps its image renditions when --state-dir is not given.
std::string DefaultStateDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/imagemill";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.cache/imagemill";
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

int Serve(ServeFlags& f) {
  server::ServeConfig& c = f.config;
  c.arn.region = !f.engine.store.region.empty()
                     ? f.engine.store.region
                     : EnvOr("AWS_REGION", EnvOr("AWS_DEFAULT_REGION", "us-east-1"));
  if (c.arn.account.size() != 12 ||
      c.arn.account.find_first_not_of("0123456789") != std::string::npos) {
    std::cerr << "imagemill serve: --account must be 12 digits, as AWS account ids are\n";
    return kExitUsage;
  }
  Result<std::map<std::string, std::string>> keys = server::LoadAccessKeys(f.credentials);
  if (!keys.ok()) {
    std::cerr << "imagemill serve: " << keys.status().message() << "\n";
    return kExitUsage;
  }
  c.keys = std::move(keys).value();
  c.limits.max_body_bytes = static_cast<size_t>(f.max_body_bytes);
  c.limits.header_timeout = std::chrono::milliseconds(f.header_timeout_ms);
  c.limits.idle_timeout = std::chrono::milliseconds(f.idle_timeout_ms);
  c.limits.body_timeout = std::chrono::milliseconds(f.body_timeout_ms);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  c.detect.workers = f.detect_workers > 0 ? f.detect_workers : cores;
  if (Status s = f.labels.Resolve(c.model.model, c.model.settings); !s.ok()) {
    std::cerr << "imagemill serve: " << s.message() << "\n";
    return kExitUsage;
  }
  // Executions label with the same model, settings and label sources as DetectLabels answers.
  f.seed.processor.name = "labels";
  f.seed.processor.model = c.model.model;
  f.seed.processor.labels = c.model.settings;
  f.seed.processor.extra_labels = f.labels.extra_labels;
  if (c.detect_labels) {
    Result<std::vector<std::shared_ptr<const vision::LabelSource>>> sources =
        service::LabelSources(f.seed.processor, /*open=*/true);
    if (!sources.ok()) {
      std::cerr << "imagemill serve: " << sources.status().message() << "\n";
      return kExitUsage;
    }
    c.model.sources = std::move(sources).value();
  }
  cv::setNumThreads(1);  // one network per worker, each on its own thread
  c.detect.models_dir = f.labels.ModelsDir();
  StoreOptions store = f.engine.store;
  store.max_object_bytes = c.detect.max_s3_bytes;
  if (f.buckets.empty()) {
    c.detect.open_bucket = [store](const std::string& bucket) {
      return OpenObjectStore("s3://" + bucket, store);
    };
  } else {
    // REQUIRES (RequestImages): `bucket` passed CheckS3Object, so it names a folder inside.
    c.detect.open_bucket =
        [root = f.buckets](const std::string& bucket) -> Result<std::unique_ptr<ObjectStore>> {
      std::error_code ec;
      if (!std::filesystem::is_directory(root + "/" + bucket, ec)) {
        return Status::NotFound("no bucket '" + bucket + "' on this server (a folder of --buckets)");
      }
      return OpenObjectStore(root + "/" + bucket, StoreOptions{});
    };
  }

  // The result files name the map run as DescribeExecution and ListMapRuns do.
  f.engine.arns = StateMachineArns(c.arn.region, c.arn.account,
                                   server::stepfunctions::kStateMachineName);
  std::unique_ptr<Database> db = OpenDb(f.db, OpenMode::kCreate, "serve");
  if (!db) return kExitUsage;
  // One label model for every execution and DetectLabels request, with at most one set of
  // networks per core (or per worker asked for) between them.
  service::ProcessorCache processors(std::max({cores, c.detect.workers, f.engine.workers}));
  service::ExecutionService executions(*db, f.engine, &processors);
  server::dynamodb::ResultsItems items(*db);
  // EventBridge's rules live in the database (SQLite's file, PostgreSQL's tables: every server on
  // it shares them); a backend that keeps none gets them in memory for the life of this process.
  std::unique_ptr<events::EventRuleStore> rules;
  if (Result<std::unique_ptr<events::EventRuleStore>> opened = OpenEventRules(*db); opened.ok()) {
    rules = std::move(opened).value();
  } else if (opened.status().code() == Code::kUnsupported) {
    spdlog::warn("{}: EventBridge rules are kept in memory and lost when the server stops",
                 opened.status().message());
    rules = std::make_unique<events::MemoryEventRuleStore>();
  } else {
    std::cerr << "imagemill serve: " << opened.status().message() << "\n";
    return kExitUsage;
  }
  server::ServeBackends backends;
  backends.items = &items;
  backends.rules = rules.get();
  if (c.detect_labels) {
    Result<std::shared_ptr<Processor>> labels = executions.OpenProcessor(f.seed.processor);
    if (!labels.ok()) {
      std::cerr << "imagemill serve: " << labels.status().message() << "\n";
      return kExitUsage;
    }
    backends.labels = std::dynamic_pointer_cast<const vision::LabelsProcessor>(*labels);
  }

  // Stop signals are taken by sigwait below, not by whichever thread they land on.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The executions the APIs start run on the backend's threads; it stops them (resumable) when
  // it goes, after the server has stopped taking requests.
  Result<std::unique_ptr<server::ServeApp>> app =
      server::ServeApp::Start(c, backends, [&](server::Metrics& metrics) {
        return std::make_unique<server::stepfunctions::ServiceBackend>(executions, f.seed,
                                                                       &metrics);
      });
  if (!app.ok()) {
    std::cerr << "imagemill serve: " << app.status().message() << "\n";
    return kExitUsage;
  }
  // The console, over the same executions and results; open on loopback, behind a sign-in with
  // the server's access keys beyond it.
  server::console::ConsoleAuth console_auth(server::IsLoopbackAddress(c.address), c.keys,
                                            Clock::Real());
  server::console::RenditionCache renditions(
      (f.state_dir.empty() ? DefaultStateDir() : f.state_dir) + "/renditions",
      [store = f.engine.store](const std::string& source) {
        return OpenObjectStore(source, store);
      });
  server::console::ExecutionsApi console_executions(executions, (*app)->executions(),
                                                    Clock::Real());
  server::console::GalleryApi gallery(*db, renditions);
  server::console::Console console(console_auth, console_executions, gallery,
                                   (*app)->request_pool());
  (*app)->AddPages([&console](const server::Request& request, const server::Responder& respond) {
    return console.Handle(request, respond);
  });
  const std::string host =
      c.address.find(':') != std::string::npos ? "[" + c.address + "]" : c.address;
  const std::string url = "http://" + host + ":" + std::to_string((*app)->port());
  std::cout << url << std::endl;
  spdlog::info("serving the AWS APIs on {} (region {}, {}; table {}; {} DetectLabels workers)", url,
               c.arn.region,
               c.anonymous ? std::string("unsigned requests accepted")
                           : std::to_string(c.keys.size()) + " access key(s)",
               c.table_name, c.detect_labels ? c.detect.workers : 0);
  spdlog::info("console on {}/ ({})", url,
               console_auth.open() ? "open: this machine only"
                                   : "sign in with one of the access keys");
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("stopping (signal {}): finishing the requests in flight", signal);
  // Stopped before the console it serves goes.
  (*app)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandContext& ctx) {
  auto f = std::make_shared<ServeFlags>();
  f->config.table_name = EnvOr("DYNAMODB_TABLE_NAME", f->config.table_name);
  try {
    f->seed.max_items_per_batch = std::stoi(EnvOr("MAX_ITEMS", "100"));
  } catch (const std::exception&) {
    f->seed.max_items_per_batch = 0;  // refused by the run's own check, naming MAX_ITEMS' value
  }
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the AWS APIs (EventBridge, Step Functions, DynamoDB, Rekognition) on a port");
  AddDbFlag(*cmd, f->db);
  cmd->add_option("--address", f->config.address,
                  "Address to listen on (127.0.0.1: this machine only)")
      ->capture_default_str();
  cmd->add_option("--port", f->config.port, "Port (0: any free port, printed on stdout)")
      ->capture_default_str();
  cmd->add_option("--credentials", f->credentials,
                  "AWS credentials file whose access keys may sign requests (also accepted: "
                  "AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY)");
  cmd->add_flag("--anonymous", f->config.anonymous,
                "Accept unsigned requests (only when listening on loopback)");
  cmd->add_option("--account", f->config.arn.account, "The 12-digit account id in ARNs")
      ->capture_default_str();
  cmd->add_option("--table-name", f->config.table_name,
                  "The DynamoDB table name the results answer to (default: "
                  "DYNAMODB_TABLE_NAME, else the seed's)")
      ->capture_default_str();
  cmd->add_option("--io-threads", f->config.limits.io_threads, "HTTP I/O threads")
      ->capture_default_str();
  cmd->add_option("--request-threads", f->config.request_threads,
                  "Threads for API operations that read the database")
      ->capture_default_str();
  cmd->add_option("--detect-workers", f->detect_workers,
                  "DetectLabels threads, each with its own network (default: one per core)");
  cmd->add_option("--max-queued-detect", f->config.detect.max_queued,
                  "DetectLabels requests that may wait; more get ThrottlingException")
      ->capture_default_str();
  cmd->add_flag("!--no-detect-labels", f->config.detect_labels,
                "Do not load the label model for DetectLabels (executions still load it; "
                "DetectFaces and DetectText load theirs at their first request)");
  cmd->add_option("--result-writer", f->seed.result_writer,
                  "Where executions write manifest.json and their result files (the seed's "
                  "output bucket: s3://bucket/imageLabelJobs; default: none)");
  cmd->add_option("--max-items-per-batch", f->seed.max_items_per_batch,
                  "ItemBatcher MaxItemsPerBatch of the executions (default: MAX_ITEMS, else 100)");
  cmd->add_option("--max-running-executions", f->seed.max_running,
                  "Executions this server runs at once; more are refused")
      ->capture_default_str();
  cmd->add_option("--workers", f->engine.workers,
                  "Processing threads of each execution (0: one per core)");
  cmd->add_option("--max-concurrency", f->engine.max_concurrency,
                  "Batches in flight per execution (0: automatic)");
  cmd->add_option("--max-connections", f->config.limits.max_connections,
                  "Open connections beyond which new ones are closed")
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", f->max_body_bytes, "Largest request body (413 beyond)")
      ->capture_default_str();
  cmd->add_option("--header-timeout-ms", f->header_timeout_ms,
                  "Time a client has to send a request's headers")
      ->capture_default_str();
  cmd->add_option("--body-timeout-ms", f->body_timeout_ms,
                  "Time a client has to send a request's body")
      ->capture_default_str();
  cmd->add_option("--idle-timeout-ms", f->idle_timeout_ms,
                  "Time a kept-alive connection may wait for its next request")
      ->capture_default_str();
  cmd->add_option("--state-dir", f->state_dir,
                  "Where the console keeps the image renditions it makes (default: "
                  "${XDG_CACHE_HOME:-~/.cache}/imagemill)");
  cmd->add_option("--buckets", f->buckets,
                  "A folder whose subfolders are the buckets Rekognition's Image.S3Object reads "
                  "(DIR/BUCKET/NAME), instead of the S3 endpoint")
      ->check(CLI::ExistingDirectory);
  AddStoreFlags(*cmd, f->engine.store);
  f->labels.Add(*cmd);
  cmd->callback([f, &ctx] { ctx.exit_code = Serve(*f); });
}

}  // namespace imagemill::cli
