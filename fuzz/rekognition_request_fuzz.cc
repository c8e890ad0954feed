// libFuzzer target for the members of a Rekognition image request (DetectLabels, DetectFaces,
// DetectText) that `imagemill serve` reads before any work: the Image (server/rekognition/
// request_image.h: base64 bytes, an S3 object's bucket and name, s3_object_name.h) and each
// operation's parameters (request_params.h). The body is untrusted JSON. Built and run by
// `make fuzz`.
//
// Checks, besides the sanitizers: every refusal is a 400 with a message; bytes read are never
// empty nor over the limit; settings accepted are within the service model's ranges; an S3
// object name accepted has no '/' in its bucket and no ".." segment in its key, decoded or not.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/rekognition/request_image.h"
#include "server/rekognition/request_params.h"
#include "server/rekognition/s3_object_name.h"
#include "util/percent_decode.h"

namespace {

using namespace imagemill::server;  // NOLINT

void CheckRefusal(const std::optional<AwsError>& e) {
  if (e && (e->status != 400 || e->message.empty())) __builtin_trap();
}

bool HasDotDotSegment(const std::string& key) {
  const std::string k = "/" + key + "/";
  for (const char* dots : {"/../", "\\..\\", "/..\\", "\\../"}) {
    if (k.find(dots) != std::string::npos) return true;
  }
  return false;
}

// An accepted S3 object never names a path outside its bucket.
void CheckS3ObjectName(const Json& image) {
  if (!image.contains("S3Object") || !image["S3Object"].is_object()) return;
  const Json& s3 = image["S3Object"];
  if (!s3.contains("Bucket") || !s3["Bucket"].is_string() || !s3.contains("Name") ||
      !s3["Name"].is_string()) {
    return;
  }
  const std::string bucket = s3["Bucket"], key = s3["Name"];
  std::optional<AwsError> e = CheckS3Object(bucket, key);
  CheckRefusal(e);
  if (e) return;
  if (bucket.find('/') != std::string::npos || bucket == "." || bucket == "..") __builtin_trap();
  if (key.empty() || key[0] == '/' || HasDotDotSegment(key)) __builtin_trap();
  if (HasDotDotSegment(imagemill::PercentDecode(key))) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Json request = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (request.is_discarded() || !request.is_object()) return 0;
  CheckRefusal(ReadDetectFacesAttributes(request));
  imagemill::vision::TextSettings text;
  std::optional<AwsError> e = ReadDetectTextSettings(request, &text);
  CheckRefusal(e);
  if (!e && !text.Validate().ok()) __builtin_trap();
  imagemill::vision::LabelSettings labels;
  e = ReadDetectLabelsSettings(request, &labels);
  CheckRefusal(e);
  if (!e && !labels.Validate().ok()) __builtin_trap();
  if (MissingImage(request)) return 0;
  CheckS3ObjectName(request["Image"]);
  static RequestImages* images = [] {
    RequestImageOptions o;
    o.max_bytes = 1 << 10;  // no open_bucket: S3 objects are refused after their name is read
    return new RequestImages(o);
  }();
  std::string name;
  AwsResult<std::string> read = images->Read(request["Image"], &name);
  if (read.ok() && (read->empty() || read->size() > (1 << 10))) __builtin_trap();
  if (!read.ok() && read.error().message.empty()) __builtin_trap();
  return 0;
}
