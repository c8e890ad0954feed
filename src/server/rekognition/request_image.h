// RequestImages: the image of a Rekognition request (DetectLabels, DetectFaces, DetectText), as
// bytes, and Rekognition's errors for an image that cannot be read or answered.
//
//   Image.Bytes      base64, at most max_bytes decoded (ImageTooLargeException beyond)
//   Image.S3Object   {Bucket, Name}: checked by s3_object_name.h (a name that could leave its
//                    bucket is refused before any store is opened), then read from the store
//                    open_bucket gives, at most max_s3_bytes (ImageTooLargeException beyond,
//                    InvalidS3ObjectException when it cannot be read; no Version)
//
// Thread-safe: buckets are opened once and shared.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "objectstore/object_store.h"
#include "server/api_router.h"
#include "util/status.h"

namespace imagemill::server {

struct RequestImageOptions {
  uint64_t max_bytes = 5 << 20;      // Image.Bytes, decoded
  uint64_t max_s3_bytes = 15 << 20;  // Image.S3Object
  // Opens the bucket an S3Object names (a bucket of the server's S3 endpoint, or a folder of its
  // --buckets folder), given a name CheckS3Object accepted; empty: S3 objects are refused.
  std::function<Result<std::unique_ptr<ObjectStore>>(const std::string& bucket)> open_bucket;
};

class RequestImages {
 public:
  explicit RequestImages(RequestImageOptions options) : options_(std::move(options)) {}

  // The bytes of the request's `Image` member; `*name` gets what messages call the image
  // ("Image.Bytes", "s3://bucket/key"). InvalidParameterException, ImageTooLargeException,
  // InvalidS3ObjectException or ThrottlingException (S3 throttled) otherwise.
  AwsResult<std::string> Read(const Json& image, std::string* name);

 private:
  const RequestImageOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ObjectStore>> buckets_;  // guarded by mu_
};

// InvalidParameterException with AWS's message for a request without an Image object, or
// nullopt when it has one.
std::optional<AwsError> MissingImage(const Json& request);

// An image's failure (decode, pixel limit) in Rekognition's names: ImageTooLargeException,
// InvalidImageFormatException, else InternalServerError.
AwsError ImageError(const Status& status);

}  // namespace imagemill::server
