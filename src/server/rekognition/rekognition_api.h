// RekognitionApi: Rekognition's image operations (RekognitionService, JSON 1.1), answering as the
// CLI answers the same image with the same settings:
//
//   DetectLabels   the label model (and the label sources the server was started with), with
//                  the request's MinConfidence, MaxLabels, Features and Settings
//                  (labels_processor.h; `imagemill detect-labels`)
//   DetectFaces    BlazeFace (faces_processor.h; `imagemill detect-faces`); Attributes checked
//   DetectText     the text detector and Tesseract, with the request's Filters
//                  (text_processor.h; `imagemill detect-text`)
//
// The image: request_image.h (Image.Bytes up to 5 MB, Image.S3Object up to 15 MB from the
// configured S3 endpoint). Errors: InvalidParameterException (request_params.h),
// InvalidImageFormatException, ImageTooLargeException, InvalidS3ObjectException,
// ThrottlingException when every worker is busy and max_queued requests wait,
// InternalServerError when the faces or text model cannot be opened (its message says what to
// do).
//
// Requests run on a pool of their own, one thread per worker, so inference never holds up the
// server's other requests; a full queue answers at once instead of waiting. The label model loads
// at Open (every worker's network: a missing model is a start-up error); the face and text
// models load at the first request that needs them, each pool thread then making its own
// network, so a server nobody asks for faces or text pays nothing for them. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "server/api_router.h"
#include "server/metrics.h"
#include "server/rekognition/request_image.h"
#include "server/rekognition/request_params.h"
#include "server/work_pool.h"
#include "vision/faces/faces_processor.h"
#include "vision/labels/labels_processor.h"
#include "vision/text/text_processor.h"

namespace imagemill::server {

struct RekognitionOptions {
  int workers = 2;                   // inference threads, each with its own networks
  int64_t max_queued = 128;          // requests waiting beyond the running ones
  uint64_t max_bytes = 5 << 20;      // Image.Bytes, decoded
  uint64_t max_s3_bytes = 15 << 20;  // Image.S3Object
  // Opens the bucket an S3Object names ("s3://<bucket>" with the server's S3 settings).
  std::function<Result<std::unique_ptr<ObjectStore>>(const std::string& bucket)> open_bucket;
  bool labels = true;  // false: no label model is loaded and DetectLabels is not served
  uint64_t max_pixels = vision::kDefaultMaxPixels;  // DetectFaces and DetectText
  std::filesystem::path models_dir;                 // where the face and text models are
};

class RekognitionApi {
 public:
  // Opens the label model when options.labels (every worker's network loads here).
  static Result<std::unique_ptr<RekognitionApi>> Open(const vision::LabelsProcessorOptions& model,
                                                      RekognitionOptions options, Metrics& metrics);
  // On a processor already open, shared with others (a server's executions): its networks are
  // shared too when it was opened with shared_networks. Unused unless options.labels.
  static Result<std::unique_ptr<RekognitionApi>> Open(
      std::shared_ptr<const vision::LabelsProcessor> processor, RekognitionOptions options,
      Metrics& metrics);
  ~RekognitionApi();  // waits for the requests in flight

  // Each answers `request` through `done`, from a worker thread (or at once for a bad request or
  // a full queue).
  void DetectLabels(Json request, OperationDone done);
  void DetectFaces(Json request, OperationDone done);
  void DetectText(Json request, OperationDone done);

  void Register(ApiRouter& router);
  static ServiceInfo Service();

  const WorkPool& pool() const { return *pool_; }

 private:
  RekognitionApi(std::shared_ptr<const vision::LabelsProcessor> processor,
                 std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers,
                 RekognitionOptions options, Metrics& metrics);
  // Runs `answer` on the pool for `operation`, answering ThrottlingException when it is full.
  void Submit(const std::string& operation, OperationDone done,
              std::function<AwsResult<Json>(int worker)> answer);
  AwsResult<Json> Labels(const Json& request, const vision::LabelSettings& settings, int worker);
  // What one DetectFaces or DetectText request does with the image's bytes and name on the pool
  // thread's worker of its processor.
  using DetectFn = std::function<Result<Answer>(std::string bytes, const std::string& name,
                                                ProcessorWorker& runner)>;
  // The steps DetectFaces and DetectText share: `processor` (opened or the error saying why
  // not), pool thread `worker`'s worker of it in slots[worker] (made at its first request), the
  // request's image, then `detect`; the answer counted in the metrics.
  AwsResult<Json> Detect(const Json& request, int worker, const std::string& operation,
                         AwsResult<const Processor*> processor,
                         std::vector<std::unique_ptr<ProcessorWorker>>& slots,
                         const DetectFn& detect);
  AwsResult<Json> Faces(const Json& request, int worker);
  AwsResult<Json> Text(const Json& request, const vision::TextSettings& settings, int worker);
  // The faces (text) processor, opened at the first call; the error says what is missing.
  AwsResult<const vision::FacesProcessor*> OpenFaces();
  AwsResult<const vision::TextProcessor*> OpenText();

  std::shared_ptr<const vision::LabelsProcessor> processor_;  // null unless options.labels
  std::vector<std::unique_ptr<vision::LabelsProcessor::RequestWorker>> workers_;  // one a thread
  RekognitionOptions options_;
  Metrics& metrics_;
  RequestImages images_;
  std::mutex open_mu_;
  std::unique_ptr<vision::FacesProcessor> faces_;  // guarded by open_mu_ until set, then const
  std::unique_ptr<vision::TextProcessor> text_;    // guarded by open_mu_ until set, then const
  // One worker of each per pool thread, made by that thread at its first request.
  std::vector<std::unique_ptr<ProcessorWorker>> face_workers_;
  std::vector<std::unique_ptr<ProcessorWorker>> text_workers_;
  std::unique_ptr<WorkPool> pool_;  // last: its threads stop before the rest goes
};

}  // namespace imagemill::server
