#include "server/rekognition/request_image.h"

#include "server/rekognition/s3_object_name.h"
#include "util/base64.h"

namespace imagemill::server {
namespace {

AwsError TooLarge(std::string m) { return {400, "ImageTooLargeException", std::move(m)}; }

}  // namespace

std::optional<AwsError> MissingImage(const Json& request) {
  if (request.contains("Image") && request["Image"].is_object()) return std::nullopt;
  return AwsError::InvalidParameter(
      "1 validation error detected: Value null at 'image' failed to satisfy constraint: Member "
      "must not be null");
}

AwsError ImageError(const Status& s) {
  switch (s.code()) {
    case Code::kTooLarge:
      return TooLarge(s.message());
    case Code::kNotAnImage:
    case Code::kUnsupported:
    case Code::kCorrupt:
      return {400, "InvalidImageFormatException",
              "Request has invalid image format: " + s.message() + " (send a JPEG or PNG image)"};
    default:
      return AwsError::Internal(s.ToString());
  }
}

AwsResult<std::string> RequestImages::Read(const Json& image, std::string* name) {
  const bool has_bytes = image.contains("Bytes"), has_s3 = image.contains("S3Object");
  if (has_bytes == has_s3) {
    return AwsError::InvalidParameter("Requested image should either contain bytes or s3 object");
  }
  if (has_bytes) {
    *name = "Image.Bytes";
    if (!image["Bytes"].is_string()) return AwsError::InvalidParameter("Image.Bytes must be base64 text.");
    const std::string& text = image["Bytes"].get_ref<const std::string&>();
    if (text.size() / 4 * 3 > options_.max_bytes + 3) {
      return TooLarge("Image size is too large: Image.Bytes takes at most " +
                      std::to_string(options_.max_bytes) +
                      " bytes; put larger images in S3 and send Image.S3Object.");
    }
    std::optional<std::string> bytes = Base64Decode(text);
    if (!bytes) return AwsError::InvalidParameter("Image.Bytes is not valid base64.");
    if (bytes->empty()) return AwsError::InvalidParameter("Image.Bytes is empty.");
    if (bytes->size() > options_.max_bytes) {
      return TooLarge("Image size is too large: Image.Bytes takes at most " +
                      std::to_string(options_.max_bytes) + " bytes.");
    }
    return std::move(*bytes);
  }
  const Json& s3 = image["S3Object"];
  if (!s3.is_object() || !s3.contains("Bucket") || !s3["Bucket"].is_string() ||
      !s3.contains("Name") || !s3["Name"].is_string()) {
    return AwsError::InvalidParameter("Image.S3Object needs Bucket and Name, both strings.");
  }
  if (s3.contains("Version")) {
    return AwsError::InvalidParameter("Image.S3Object.Version is not supported: name the current object.");
  }
  const std::string bucket = s3["Bucket"], key = s3["Name"];
  *name = "s3://" + bucket + "/" + key;
  if (std::optional<AwsError> e = CheckS3Object(bucket, key)) return *e;
  if (!options_.open_bucket) {
    return AwsError{400, "InvalidS3ObjectException",
                    "This server reads no S3 objects: start it with an S3 endpoint "
                    "(--endpoint-url) or send Image.Bytes."};
  }
  std::shared_ptr<ObjectStore> store;
  {
    std::lock_guard<std::mutex> lock(mu_);
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
    std::lock_guard<std::mutex> lock(mu_);
    buckets_.emplace(bucket, store);
  }
  // One byte beyond the limit tells a larger object without reading all of it.
  Result<std::string> bytes = store->Get(key, ByteRange{0, options_.max_s3_bytes + 1});
  if (!bytes.ok()) {
    if (bytes.status().code() == Code::kTooLarge) {
      return TooLarge("Image size is too large: S3 objects may be at most 15 MB: " +
                      bytes.status().message());
    }
    if (bytes.status().code() == Code::kThrottled) {
      return AwsError{400, "ThrottlingException", bytes.status().message()};
    }
    // A missing object is named as the client named it (a folder store's message would show
    // the server's paths).
    return AwsError{400, "InvalidS3ObjectException",
                    "Unable to get object metadata from S3. Check object key, region and/or "
                    "access permissions: " +
                        (bytes.status().code() == Code::kNotFound ? *name + ": no such object"
                                                                  : bytes.status().message())};
  }
  if (bytes->size() > options_.max_s3_bytes) {
    return TooLarge("Image size is too large: " + *name + " is larger than " +
                    std::to_string(options_.max_s3_bytes) +
                    " bytes; S3 objects may be at most 15 MB (make it smaller).");
  }
  return std::move(bytes).value();
}

}  // namespace imagemill::server
