// The parameters of Rekognition's image requests other than the image, validated as Rekognition
// validates them (botocore's service model: DetectLabelsRequest, DetectFacesRequest,
// DetectTextRequest). Each answers the InvalidParameterException for a bad request, naming the
// member and what it must be, or nullopt. Members the operation does not have are refused.
#pragma once

#include <optional>

#include "server/api_router.h"
#include "vision/labels/label_settings.h"
#include "vision/text/text_settings.h"

namespace imagemill::server {

// MinConfidence, MaxLabels, Features, Settings, merged into `settings`.
std::optional<AwsError> ReadDetectLabelsSettings(const Json& request,
                                                 vision::LabelSettings* settings);

// Attributes: a list of Rekognition's attribute names (DEFAULT, ALL, AGE_RANGE, ...). None
// changes imagemill's answer (docs/faces.md says why), but a name Rekognition does not know is
// refused as Rekognition refuses it.
std::optional<AwsError> ReadDetectFacesAttributes(const Json& request);

// Filters (WordFilter, RegionsOfInterest), merged into `settings`.
std::optional<AwsError> ReadDetectTextSettings(const Json& request, vision::TextSettings* settings);

}  // namespace imagemill::server
