#include "server/rekognition/rekognition_api.h"

#include <spdlog/spdlog.h>

namespace imagemill::server {
namespace {

RequestImageOptions ImageOptions(const RekognitionOptions& o) {
  RequestImageOptions r;
  r.max_bytes = o.max_bytes;
  r.max_s3_bytes = o.max_s3_bytes;
  r.open_bucket = o.open_bucket;
  return r;
}

// A model that would not open, for the request that needed it.
AwsError Unavailable(const std::string& operation, const Status& s) {
  return AwsError::Internal(operation + " is not available on this server: " + s.message());
}

// The calling pool thread's worker of `processor` in `slots[worker]`, made at its first call.
// REQUIRES: only pool thread `worker` touches slots[worker].
AwsResult<ProcessorWorker*> ThreadWorker(const Processor& processor,
                                         std::vector<std::unique_ptr<ProcessorWorker>>& slots,
                                         int worker, const std::string& operation) {
  std::unique_ptr<ProcessorWorker>& slot = slots[worker];
  if (!slot) {
    Result<std::unique_ptr<ProcessorWorker>> made = processor.NewWorker();
    if (!made.ok()) return Unavailable(operation, made.status());
    slot = std::move(made).value();
  }
  return slot.get();
}

// An opened faces or text processor as the Processor it is, or the error that kept it closed.
template <typename P>
AwsResult<const Processor*> AsProcessor(const AwsResult<const P*>& opened) {
  if (!opened.ok()) return opened.error();
  return static_cast<const Processor*>(*opened);
}

}  // namespace

ServiceInfo RekognitionApi::Service() {
  return {"RekognitionService", "rekognition", "1.1", "ThrottlingException"};
}

Result<std::unique_ptr<RekognitionApi>> RekognitionApi::Open(
    const vision::LabelsProcessorOptions& model, RekognitionOptions options, Metrics& metrics) {
  std::shared_ptr<const vision::LabelsProcessor> processor;
  if (options.labels) {
    Result<std::unique_ptr<vision::LabelsProcessor>> opened = vision::LabelsProcessor::Open(model);
    if (!opened.ok()) return opened.status();
    processor = std::move(opened).value();
  }
  return Open(std::move(processor), std::move(options), metrics);
}

Result<std::unique_ptr<RekognitionApi>> RekognitionApi::Open(
    std::shared_ptr<const vision::LabelsProcessor> processor, RekognitionOptions options,
    Metrics& metrics) {
  if (!options.labels) processor = nullptr;
  std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers;
  if (processor != nullptr) {
    for (int i = 0; i < std::max(1, options.workers); ++i) {
      auto worker = processor->NewRequestWorker();
      if (!worker.ok()) return worker.status();
      workers.push_back(std::move(worker).value());
    }
  }
  return std::unique_ptr<RekognitionApi>(
      new RekognitionApi(std::move(processor), std::move(workers), std::move(options), metrics));
}

RekognitionApi::RekognitionApi(
    std::shared_ptr<const vision::LabelsProcessor> processor,
    std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers,
    RekognitionOptions options, Metrics& metrics)
    : processor_(std::move(processor)),
      workers_(std::move(workers)),
      options_(std::move(options)),
      metrics_(metrics),
      images_(ImageOptions(options_)),
      face_workers_(std::max(1, options_.workers)),
      text_workers_(std::max(1, options_.workers)),
      pool_(std::make_unique<WorkPool>("detect-labels", std::max(1, options_.workers),
                                       options_.max_queued)) {}

RekognitionApi::~RekognitionApi() { pool_->Shutdown(); }

AwsResult<const vision::FacesProcessor*> RekognitionApi::OpenFaces() {
  std::lock_guard<std::mutex> lock(open_mu_);
  if (!faces_) {
    vision::FacesProcessorOptions o;
    o.max_pixels = options_.max_pixels;
    o.models_dir = options_.models_dir;
    Result<std::unique_ptr<vision::FacesProcessor>> opened = vision::FacesProcessor::Open(o);
    if (!opened.ok()) return Unavailable("DetectFaces", opened.status());
    faces_ = std::move(opened).value();
    spdlog::info("DetectFaces: opened {}", faces_->Name());
  }
  return faces_.get();
}

AwsResult<const vision::TextProcessor*> RekognitionApi::OpenText() {
  std::lock_guard<std::mutex> lock(open_mu_);
  if (!text_) {
    vision::TextProcessorOptions o;
    o.max_pixels = options_.max_pixels;
    o.detector.models_dir = options_.models_dir;
    Result<std::unique_ptr<vision::TextProcessor>> opened = vision::TextProcessor::Open(o);
    if (!opened.ok()) return Unavailable("DetectText", opened.status());
    text_ = std::move(opened).value();
    spdlog::info("DetectText: opened {}", text_->Name());
  }
  return text_.get();
}

AwsResult<Json> RekognitionApi::Labels(const Json& request, const vision::LabelSettings& settings,
                                       int worker) {
  std::string name;
  AwsResult<std::string> bytes = images_.Read(request["Image"], &name);
  if (!bytes.ok()) return bytes.error();
  ObjectInfo item;
  item.key = name;
  item.size = bytes->size();
  Result<std::unique_ptr<PreparedItem>> prepared =
      processor_->PrepareWith(item, std::move(bytes).value(), settings);
  if (!prepared.ok()) return ImageError(prepared.status());
  Result<Json> answer = workers_[worker]->Respond(item, **prepared, settings);
  if (!answer.ok()) return ImageError(answer.status());
  metrics_.CountImages(1, std::chrono::steady_clock::now());
  return std::move(answer).value();
}

AwsResult<Json> RekognitionApi::Detect(const Json& request, int worker,
                                       const std::string& operation,
                                       AwsResult<const Processor*> processor,
                                       std::vector<std::unique_ptr<ProcessorWorker>>& slots,
                                       const DetectFn& detect) {
  if (!processor.ok()) return processor.error();
  AwsResult<ProcessorWorker*> runner = ThreadWorker(**processor, slots, worker, operation);
  if (!runner.ok()) return runner.error();
  std::string name;
  AwsResult<std::string> bytes = images_.Read(request["Image"], &name);
  if (!bytes.ok()) return bytes.error();
  Result<Answer> answer = detect(std::move(bytes).value(), name, **runner);
  if (!answer.ok()) return ImageError(answer.status());
  metrics_.CountImages(1, std::chrono::steady_clock::now());
  return std::move(answer->response);
}

AwsResult<Json> RekognitionApi::Faces(const Json& request, int worker) {
  AwsResult<const vision::FacesProcessor*> faces = OpenFaces();
  return Detect(request, worker, "DetectFaces", AsProcessor(faces), face_workers_,
                [&](std::string bytes, const std::string& name,
                    ProcessorWorker& runner) -> Result<Answer> {
                  ObjectInfo item;
                  item.key = name;
                  item.size = bytes.size();
                  Result<std::unique_ptr<PreparedItem>> prepared =
                      (*faces)->Prepare(item, std::move(bytes));
                  if (!prepared.ok()) return prepared.status();
                  return runner.Process(item, **prepared);
                });
}

AwsResult<Json> RekognitionApi::Text(const Json& request, const vision::TextSettings& settings,
                                     int worker) {
  AwsResult<const vision::TextProcessor*> text = OpenText();
  return Detect(request, worker, "DetectText", AsProcessor(text), text_workers_,
                [&](std::string bytes, const std::string& name, ProcessorWorker& runner) {
                  return (*text)->DetectText(bytes, name, settings, runner);
                });
}

void RekognitionApi::Submit(const std::string& operation, OperationDone done,
                            std::function<AwsResult<Json>(int worker)> answer) {
  bool queued = pool_->TrySubmit([operation, done, answer = std::move(answer)](int worker) {
    AwsResult<Json> result = [&]() -> AwsResult<Json> {
      try {
        return answer(worker);
      } catch (const std::exception& e) {
        spdlog::error("{} failed: {}", operation, e.what());
        return AwsError::Internal(operation + " failed: " + e.what());
      }
    }();
    done(std::move(result));
  });
  if (!queued) {
    done(AwsError{400, "ThrottlingException",
                  "Slow down: " + std::to_string(pool_->threads()) +
                      " image requests (DetectLabels, DetectFaces, DetectText) are running and " +
                      std::to_string(pool_->queued()) + " are waiting."});
  }
}

void RekognitionApi::DetectLabels(Json request, OperationDone done) {
  if (auto e = MissingImage(request)) return done(*e);
  vision::LabelSettings settings = processor_->options().settings;
  if (auto e = ReadDetectLabelsSettings(request, &settings)) return done(*e);
  auto shared = std::make_shared<Json>(std::move(request));
  Submit("DetectLabels", std::move(done),
         [this, shared, settings](int worker) { return Labels(*shared, settings, worker); });
}

void RekognitionApi::DetectFaces(Json request, OperationDone done) {
  if (auto e = MissingImage(request)) return done(*e);
  if (auto e = ReadDetectFacesAttributes(request)) return done(*e);
  auto shared = std::make_shared<Json>(std::move(request));
  Submit("DetectFaces", std::move(done),
         [this, shared](int worker) { return Faces(*shared, worker); });
}

void RekognitionApi::DetectText(Json request, OperationDone done) {
  if (auto e = MissingImage(request)) return done(*e);
  vision::TextSettings settings;
  if (auto e = ReadDetectTextSettings(request, &settings)) return done(*e);
  auto shared = std::make_shared<Json>(std::move(request));
  Submit("DetectText", std::move(done),
         [this, shared, settings](int worker) { return Text(*shared, settings, worker); });
}

void RekognitionApi::Register(ApiRouter& router) {
  router.AddService(Service());
  const std::string prefix = Service().target_prefix + ".";
  if (processor_) {
    router.AddAsyncOperation(prefix + "DetectLabels", [this](Json request, OperationDone done) {
      DetectLabels(std::move(request), std::move(done));
    });
  }
  router.AddAsyncOperation(prefix + "DetectFaces", [this](Json request, OperationDone done) {
    DetectFaces(std::move(request), std::move(done));
  });
  router.AddAsyncOperation(prefix + "DetectText", [this](Json request, OperationDone done) {
    DetectText(std::move(request), std::move(done));
  });
}

}  // namespace imagemill::server
