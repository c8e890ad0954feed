#include "server/serve_app.h"

#include <spdlog/spdlog.h>

#include "events/seed_rules.h"
#include "server/events/events_routes.h"

namespace imagemill::server {

ServeApp::ServeApp(ServeConfig config, ServeBackends backends)
    : config_(std::move(config)), backends_(backends) {
  if (backends_.clock == nullptr) backends_.clock = &Clock::Real();
}

Result<std::unique_ptr<ServeApp>> ServeApp::Start(ServeConfig config, ServeBackends backends,
                                                  const ExecutionBackendFactory& executions) {
  const bool loopback = IsLoopbackAddress(config.address);
  if (config.anonymous && !loopback) {
    return Status::InvalidArgument(
        "--anonymous serves unsigned requests, which is allowed on loopback only; to listen on " +
        config.address +
        " give access keys (--credentials FILE or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY) instead");
  }
  if (!config.anonymous && config.keys.empty()) {
    return Status::InvalidArgument(
        "no access key to check signatures with: give --credentials FILE (an AWS credentials "
        "file), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (clients sign with the same "
        "key), or --anonymous on 127.0.0.1");
  }
  if (backends.items == nullptr) return Status::InvalidArgument("serve needs a results table");
  std::unique_ptr<ServeApp> app(new ServeApp(std::move(config), backends));
  ServeConfig& c = app->config_;
  if (!c.anonymous) app->verifier_ = std::make_unique<SigV4Verifier>(c.keys, c.arn.region);
  app->request_pool_ =
      std::make_unique<WorkPool>("requests", c.request_threads, c.max_queued_requests);
  app->router_ = std::make_unique<ApiRouter>(app->verifier_.get(), app->metrics_,
                                             *app->backends_.clock, *app->request_pool_);
  dynamodb::TableConfig table;
  table.name = c.table_name;
  table.arn = c.arn;
  table.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                           app->backends_.clock->Now().time_since_epoch())
                           .count();
  app->dynamodb_ = std::make_unique<dynamodb::DynamoDbApi>(table, *backends.items);
  app->dynamodb_->Register(*app->router_);
  if (executions) {
    app->executions_ = executions(app->metrics_);
    app->stepfunctions_ = std::make_unique<stepfunctions::StepFunctionsApi>(
        c.arn, *app->executions_, *app->backends_.clock);
    app->stepfunctions_->Register(*app->router_);
    if (backends.rules != nullptr) {
      const events::Account account{c.arn.region, c.arn.account};
      if (events::SeedEventRules(*backends.rules, {account, app->stepfunctions_->StateMachineArn(),
                                                   ToUnixMillis(app->backends_.clock->Now())})) {
        spdlog::info("EventBridge: the seed's buses, rules and targets created");
      }
      app->starter_ = std::make_unique<StateMachineStarter>(*app->stepfunctions_);
      events::EventsConfig events_config;
      events_config.account = account;
      app->events_ = std::make_unique<events::EventsApi>(*backends.rules, *app->starter_,
                                                         *app->backends_.clock, events_config);
      RegisterEventsApi(*app->events_, *app->router_);
    }
  }
  RekognitionOptions detect = c.detect;
  detect.labels = c.detect_labels;
  auto rekognition = backends.labels ? RekognitionApi::Open(backends.labels, detect, app->metrics_)
                                     : RekognitionApi::Open(c.model, detect, app->metrics_);
  if (!rekognition.ok()) return rekognition.status();
  app->rekognition_ = std::move(rekognition).value();
  app->rekognition_->Register(*app->router_);

  Metrics& m = app->metrics_;
  WorkPool* requests = app->request_pool_.get();
  m.AddGauge("imagemill_queue_depth{pool=\"requests\"}", "Tasks waiting in a work pool.",
             [requests] { return static_cast<double>(requests->queued()); });
  if (app->rekognition_) {
    const WorkPool* detect = &app->rekognition_->pool();
    m.AddGauge("imagemill_queue_depth{pool=\"detect-labels\"}", "Tasks waiting in a work pool.",
               [detect] { return static_cast<double>(detect->queued()); });
    m.AddGauge("imagemill_pool_busy{pool=\"detect-labels\"}", "Threads of a work pool at work.",
               [detect] { return static_cast<double>(detect->running()); });
  }
  m.AddGauge("imagemill_pool_busy{pool=\"requests\"}", "Threads of a work pool at work.",
             [requests] { return static_cast<double>(requests->running()); });

  ServeApp* self = app.get();
  app->http_ = std::make_unique<HttpServer>(
      [self](Request request, Responder respond) {
        self->Handle(std::move(request), std::move(respond));
      },
      c.limits);
  if (Status s = app->http_->Start(c.address, c.port); !s.ok()) return s;
  const ServerStats* stats = &app->http_->stats();
  m.AddGauge("imagemill_open_connections", "HTTP connections open now.",
             [stats] { return static_cast<double>(stats->open_connections.load()); });
  return app;
}

ServeApp::~ServeApp() { Stop(); }

void ServeApp::Stop() {
  if (http_) http_->Stop();
  if (request_pool_) request_pool_->Shutdown();
  rekognition_.reset();
  executions_.reset();
}

void ServeApp::Handle(Request request, Responder respond) {
  if (ApiRouter::IsApiRequest(request)) return router_->Handle(std::move(request), respond);
  const std::string_view path = request.Path();
  if (request.method == "GET" && path == "/healthz") {
    return respond({200, "application/json", {}, "{\"status\":\"ok\"}"});
  }
  if (request.method == "GET" && path == "/metrics") {
    return respond(
        {200, "text/plain; version=0.0.4", {}, metrics_.Render(std::chrono::steady_clock::now())});
  }
  for (const PageHandler& pages : pages_) {
    if (pages(request, respond)) return;
  }
  if (request.method == "POST" && path == "/") {
    return respond(AwsErrorResponse(
        {400, "UnknownOperationException",
         "The request has no X-Amz-Target header: name the operation, as the AWS SDKs do "
         "(X-Amz-Target: DynamoDB_20120810.GetItem)."},
        "application/x-amz-json-1.1"));
  }
  respond({404,
           "application/json",
           {},
           "{\"message\":\"Not found: imagemill serves the AWS APIs on POST /, the console on "
           "/, /metrics and /healthz\"}"});
}

}  // namespace imagemill::server
