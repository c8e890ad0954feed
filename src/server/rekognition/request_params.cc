#include "server/rekognition/request_params.h"

#include <array>
#include <string_view>

namespace imagemill::server {
namespace {

// Rekognition's Attribute enum: botocore's model in Debian 12 knows DEFAULT and ALL; the service
// has since accepted each attribute by name, and newer SDKs send them.
constexpr std::array<std::string_view, 14> kAttributes = {
    "DEFAULT",       "ALL",           "AGE_RANGE", "BEARD",     "EMOTIONS",
    "EYE_DIRECTION", "EYEGLASSES",    "EYES_OPEN", "GENDER",    "MOUTH_OPEN",
    "MUSTACHE",      "FACE_OCCLUDED", "SMILE",     "SUNGLASSES"};

std::string Joined(const std::array<std::string_view, 14>& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

std::optional<AwsError> ReadDetectLabelsSettings(const Json& request,
                                                 vision::LabelSettings* settings) {
  Json rest = Json::object();  // the request without its image, which may be megabytes
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() != "Image") rest[it.key()] = it.value();
  }
  if (Status s = settings->MergeJson(rest); !s.ok()) return AwsError::InvalidParameter(s.message());
  if (Status s = settings->Validate(); !s.ok()) return AwsError::InvalidParameter(s.message());
  return std::nullopt;
}

std::optional<AwsError> ReadDetectFacesAttributes(const Json& request) {
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (it.key() != "Image" && it.key() != "Attributes") {
      return AwsError::InvalidParameter("unknown member " + it.key() + " (known: Image, Attributes)");
    }
  }
  if (!request.contains("Attributes") || request["Attributes"].is_null()) return std::nullopt;
  const Json& attributes = request["Attributes"];
  if (!attributes.is_array()) {
    return AwsError::InvalidParameter("Attributes must be a list of attribute names, e.g. [\"ALL\"]");
  }
  for (const Json& a : attributes) {
    bool known = false;
    if (a.is_string()) {
      for (std::string_view n : kAttributes) known = known || a.get_ref<const std::string&>() == n;
    }
    if (!known) {
      return AwsError::InvalidParameter(
          "1 validation error detected: Value '" + attributes.dump() +
          "' at 'attributes' failed to satisfy constraint: Member must satisfy constraint: "
          "[Member must satisfy enum value set: [" +
          Joined(kAttributes) + "]]");
    }
  }
  return std::nullopt;
}

std::optional<AwsError> ReadDetectTextSettings(const Json& request,
                                               vision::TextSettings* settings) {
  // MergeJson skips the Image member and refuses any other but Filters.
  if (Status s = settings->MergeJson(request); !s.ok()) return AwsError::InvalidParameter(s.message());
  if (Status s = settings->Validate(); !s.ok()) return AwsError::InvalidParameter(s.message());
  return std::nullopt;
}

}  // namespace imagemill::server
