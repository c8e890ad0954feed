// RekognitionApi: Rekognition's DetectLabels (RekognitionService, JSON 1.1) on the label model,
// answering as `imagemill detect-labels` and `run` answer with the same settings (the request's
// MinConfidence, MaxLabels, Features and Settings; labels_processor.h).
//
//   Image.Bytes      base64, at most 5 MB decoded (ImageTooLargeException beyond)
//   Image.S3Object   {Bucket, Name}: read from the configured S3 endpoint, at most 15 MB
//                    (InvalidS3ObjectException when it cannot be read)
//   not JPEG or PNG-like, or undecodable               InvalidImageFormatException
//   more pixels than the server's limit                 ImageTooLargeException
//   a bad parameter                                     InvalidParameterException
//   every worker busy and max_queued requests waiting   ThrottlingException
//
// Requests run on a pool of their own (one network per thread), so inference never holds up the
// server's other requests; a full queue answers at once instead of waiting. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "objectstore/object_store.h"
#include "server/api_router.h"
#include "server/metrics.h"
#include "server/work_pool.h"
#include "vision/labels/labels_processor.h"

namespace imagemill::server {

struct RekognitionOptions {
  int workers = 2;                   // inference threads, each with its own network
  int64_t max_queued = 128;          // requests waiting beyond the running ones
  uint64_t max_bytes = 5 << 20;      // Image.Bytes, decoded
  uint64_t max_s3_bytes = 15 << 20;  // Image.S3Object
  // Opens the bucket an S3Object names ("s3://<bucket>" with the server's S3 settings).
  std::function<Result<std::unique_ptr<ObjectStore>>(const std::string& bucket)> open_bucket;
};

class RekognitionApi {
 public:
  // Opens the label model (every worker's networks load here: a missing model is an error at
  // start-up, not at the first request).
  static Result<std::unique_ptr<RekognitionApi>> Open(const vision::LabelsProcessorOptions& model,
                                                      RekognitionOptions options, Metrics& metrics);
  // On a processor already open, shared with others (a server's executions): its networks are
  // shared too when it was opened with shared_networks.
  static Result<std::unique_ptr<RekognitionApi>> Open(
      std::shared_ptr<const vision::LabelsProcessor> processor, RekognitionOptions options,
      Metrics& metrics);
  ~RekognitionApi();  // waits for the requests in flight

  // Answers `request` through `done`, from a worker thread (or at once for a bad request or a
  // full queue).
  void DetectLabels(Json request, OperationDone done);

  void Register(ApiRouter& router);
  static ServiceInfo Service();

  const WorkPool& pool() const { return *pool_; }

 private:
  RekognitionApi(std::shared_ptr<const vision::LabelsProcessor> processor,
                 std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers,
                 RekognitionOptions options, Metrics& metrics);
  // The image's bytes from the request (decoded or read from S3), or the AWS error.
  AwsResult<std::string> ImageBytes(const Json& image, std::string* name);
  AwsResult<Json> Run(const Json& request, const vision::LabelSettings& settings, int worker);

  std::shared_ptr<const vision::LabelsProcessor> processor_;
  std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers_;  // one a thread
  RekognitionOptions options_;
  Metrics& metrics_;
  std::mutex buckets_mu_;
  std::map<std::string, std::shared_ptr<ObjectStore>> buckets_;  // guarded by buckets_mu_
  std::unique_ptr<WorkPool> pool_;  // last: its threads stop before the rest goes
};

// Validates the request's parameters other than the image, as Rekognition does, into
// `settings`; the InvalidParameterException message otherwise.
std::optional<AwsError> ReadDetectLabelsSettings(const Json& request,
                                                 vision::LabelSettings* settings);

}  // namespace imagemill::server
