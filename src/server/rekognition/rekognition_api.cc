#include "server/rekognition/rekognition_api.h"

#include <spdlog/spdlog.h>

#include "util/base64.h"

namespace imagemill::server {
namespace {

AwsError InvalidParameter(std::string m) {
  return {400, "InvalidParameterException", std::move(m)};
}

// An image failure (decode, pixel limit) in Rekognition's names.
AwsError ImageError(const Status& s) {
  switch (s.code()) {
    case Code::kTooLarge:
      return {400, "ImageTooLargeException", s.message()};
    case Code::kNotAnImage:
    case Code::kUnsupported:
    case Code::kCorrupt:
      return {400, "InvalidImageFormatException",
              "Request has invalid image format: " + s.message() + " (send a JPEG or PNG image)"};
    default:
      return AwsError::Internal(s.ToString());
  }
}

}  // namespace

ServiceInfo RekognitionApi::Service() {
  return {"RekognitionService", "rekognition", "1.1", "ThrottlingException"};
}

std::optional<AwsError> ReadDetectLabelsSettings(const Json& request,
                                                 vision::LabelSettings* settings) {
  Json rest = Json::object();  // the request without its image, which may be megabytes
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() != "Image") rest[it.key()] = it.value();
  }
  if (Status s = settings->MergeJson(rest); !s.ok()) return InvalidParameter(s.message());
  if (Status s = settings->Validate(); !s.ok()) return InvalidParameter(s.message());
  return std::nullopt;
}

Result<std::unique_ptr<RekognitionApi>> RekognitionApi::Open(
    const vision::LabelsProcessorOptions& model, RekognitionOptions options, Metrics& metrics) {
  Result<std::unique_ptr<vision::LabelsProcessor>> processor = vision::LabelsProcessor::Open(model);
  if (!processor.ok()) return processor.status();
  return Open(std::shared_ptr<const vision::LabelsProcessor>(std::move(processor).value()),
              std::move(options), metrics);
}

Result<std::unique_ptr<RekognitionApi>> RekognitionApi::Open(
    std::shared_ptr<const vision::LabelsProcessor> processor, RekognitionOptions options,
    Metrics& metrics) {
  std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers;
  for (int i = 0; i < std::max(1, options.workers); ++i) {
    auto worker = processor->NewRequestWorker();
    if (!worker.ok()) return worker.status();
    workers.push_back(std::move(worker).value());
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
      pool_(std::make_unique<WorkPool>("detect-labels", static_cast<int>(workers_.size()),
                                       options_.max_queued)) {}

RekognitionApi::~RekognitionApi() { pool_->Shutdown(); }

AwsResult<std::string> RekognitionApi::ImageBytes(const Json& image, std::string* name) {
  const bool has_bytes = image.contains("Bytes"), has_s3 = image.contains("S3Object");
  if (has_bytes == has_s3) {
    return InvalidParameter("Requested image should either contain bytes or s3 object");
  }
  if (has_bytes) {
    *name = "Image.Bytes";
    if (!image["Bytes"].is_string()) return InvalidParameter("Image.Bytes must be base64 text.");
    const std::string& text = image["Bytes"].get_ref<const std::string&>();
    if (text.size() / 4 * 3 > options_.max_bytes + 3) {
      return AwsError{400, "ImageTooLargeException",
                      "Image size is too large: Image.Bytes takes at most " +
                          std::to_string(options_.max_bytes) +
                          " bytes; put larger images in S3 and send Image.S3Object."};
    }
    std::optional<std::string> bytes = Base64Decode(text);
    if (!bytes) return InvalidParameter("Image.Bytes is not valid base64.");
    if (bytes->empty()) return InvalidParameter("Image.Bytes is empty.");
    if (bytes->size() > options_.max_bytes) {
      return AwsError{400, "ImageTooLargeException",
                      "Image size is too large: Image.Bytes takes at most " +
                          std::to_string(options_.max_bytes) + " bytes."};
    }
    return std::move(*bytes);
  }
  const Json& s3 = image["S3Object"];
  if (!s3.is_object() || !s3.contains("Bucket") || !s3["Bucket"].is_string() ||
      !s3.contains("Name") || !s3["Name"].is_string() || s3["Name"].get<std::string>().empty()) {
    return InvalidParameter("Image.S3Object needs Bucket and Name, both strings.");
  }
  if (s3.contains("Version")) {
    return InvalidParameter("Image.S3Object.Version is not supported: name the current object.");
  }
  const std::string bucket = s3["Bucket"], key = s3["Name"];
  *name = "s3://" + bucket + "/" + key;
  if (!options_.open_bucket) {
    return AwsError{400, "InvalidS3ObjectException",
                    "This server reads no S3 objects: start it with an S3 endpoint "
                    "(--s3-endpoint-url) or send Image.Bytes."};
  }
  std::shared_ptr<ObjectStore> store;
  {
    std::lock_guard<std::mutex> lock(buckets_mu_);
    auto it = buckets_.find(bucket);
    if (it != buckets_.end()) store = it->second;
  }
  if (!store) {
    Result<std::unique_ptr<ObjectStore>> opened = options_.open_bucket(bucket);
    if (!opened.ok()) {
      return AwsError{400, "InvalidS3ObjectException",
                      "Unable to get object metadata from S3: " + opened.status().message()};
    }
    store = std::move(opened).value();
    std::lock_guard<std::mutex> lock(buckets_mu_);
    buckets_.emplace(bucket, store);
  }
  Result<std::string> bytes = store->Get(key);
  if (!bytes.ok()) {
    if (bytes.status().code() == Code::kTooLarge) {
      return AwsError{
          400, "ImageTooLargeException",
          "Image size is too large: S3 objects may be at most 15 MB: " + bytes.status().message()};
    }
    if (bytes.status().code() == Code::kThrottled) {
      return AwsError{400, "ThrottlingException", bytes.status().message()};
    }
    return AwsError{400, "InvalidS3ObjectException",
                    "Unable to get object metadata from S3. Check object key, region and/or "
                    "access permissions: " +
                        bytes.status().message()};
  }
  if (bytes->size() > options_.max_s3_bytes) {
    return AwsError{400, "ImageTooLargeException",
                    "Image size is too large: " + *name + " is " + std::to_string(bytes->size()) +
                        " bytes; S3 objects may be at most 15 MB."};
  }
  return std::move(bytes).value();
}

AwsResult<Json> RekognitionApi::Run(const Json& request, const vision::LabelSettings& settings,
                                    int worker) {
  std::string name;
  AwsResult<std::string> bytes = ImageBytes(request["Image"], &name);
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

void RekognitionApi::DetectLabels(Json request, OperationDone done) {
  if (!request.contains("Image") || !request["Image"].is_object()) {
    return done(
        InvalidParameter("1 validation error detected: Value null at 'image' failed to "
                         "satisfy constraint: Member must not be null"));
  }
  vision::LabelSettings settings = processor_->options().settings;
  if (auto e = ReadDetectLabelsSettings(request, &settings)) return done(*e);
  auto shared = std::make_shared<Json>(std::move(request));
  bool queued = pool_->TrySubmit([this, shared, settings, done](int worker) {
    AwsResult<Json> result = [&]() -> AwsResult<Json> {
      try {
        return Run(*shared, settings, worker);
      } catch (const std::exception& e) {
        spdlog::error("DetectLabels failed: {}", e.what());
        return AwsError::Internal(std::string("DetectLabels failed: ") + e.what());
      }
    }();
    done(std::move(result));
  });
  if (!queued) {
    done(AwsError{400, "ThrottlingException",
                  "Slow down: " + std::to_string(pool_->threads()) +
                      " DetectLabels requests are "
                      "running and " +
                      std::to_string(pool_->queued()) + " are waiting."});
  }
}

void RekognitionApi::Register(ApiRouter& router) {
  router.AddService(Service());
  router.AddAsyncOperation(Service().target_prefix + ".DetectLabels",
                           [this](Json request, OperationDone done) {
                             DetectLabels(std::move(request), std::move(done));
                           });
}

}  // namespace imagemill::server
