#include "support/rekognition_model.h"

#include "support/aws_model.h"

namespace imagemill::testing {

const std::optional<nlohmann::json>& RekognitionModel() {
  static const std::optional<nlohmann::json> model = []() -> std::optional<nlohmann::json> {
    const nlohmann::json* m = AwsServiceModel("rekognition", "2016-06-27");
    if (m == nullptr) return std::nullopt;
    return *m;
  }();
  return model;
}

std::vector<std::string> ShapeErrors(const nlohmann::json& value, const std::string& shape) {
  return AwsShapeErrors(*RekognitionModel(), value, shape);
}

}  // namespace imagemill::testing
