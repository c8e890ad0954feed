// Checks JSON answers against the shapes of Amazon Rekognition's service model, as Debian's
// python3-botocore ships it (botocore/data/rekognition/2016-06-27/service-2.json).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace imagemill::testing {

// The parsed service model, or nullopt when python3-botocore is not installed.
const std::optional<nlohmann::json>& RekognitionModel();

// Every way `value` departs from the model's shape named `shape` ("DetectLabelsResponse"):
// members the shape does not have, and values of the wrong JSON type (structure, list, string,
// integer, float, boolean), recursively. Empty when `value` fits. REQUIRES: RekognitionModel().
std::vector<std::string> ShapeErrors(const nlohmann::json& value, const std::string& shape);

}  // namespace imagemill::testing
