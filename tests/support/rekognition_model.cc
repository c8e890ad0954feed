#include "support/rekognition_model.h"

#include <fstream>

namespace imagemill::testing {
namespace {

constexpr const char* kModelPaths[] = {
    "/usr/lib/python3/dist-packages/botocore/data/rekognition/2016-06-27/service-2.json",
    "/usr/share/awscli/botocore/data/rekognition/2016-06-27/service-2.json",
};

void Check(const nlohmann::json& value, const std::string& shape_name, const std::string& path,
           std::vector<std::string>& errors) {
  const nlohmann::json& shapes = (*RekognitionModel())["shapes"];
  if (!shapes.contains(shape_name)) {
    errors.push_back(path + ": unknown shape " + shape_name);
    return;
  }
  const nlohmann::json& shape = shapes[shape_name];
  const std::string type = shape["type"];
  auto fail = [&](const std::string& want) {
    errors.push_back(path + ": expected " + want + " (" + shape_name + "), got " + value.dump());
  };
  if (type == "structure") {
    if (!value.is_object()) return fail("an object");
    for (const auto& [key, member] : value.items()) {
      if (!shape["members"].contains(key)) {
        errors.push_back(path + "." + key + ": not a member of " + shape_name);
        continue;
      }
      Check(member, shape["members"][key]["shape"], path + "." + key, errors);
    }
  } else if (type == "list") {
    if (!value.is_array()) return fail("an array");
    for (size_t i = 0; i < value.size(); ++i) {
      Check(value[i], shape["member"]["shape"], path + "[" + std::to_string(i) + "]", errors);
    }
  } else if (type == "string") {
    if (!value.is_string()) return fail("a string");
  } else if (type == "integer" || type == "long") {
    if (!value.is_number_integer()) return fail("an integer");
  } else if (type == "float" || type == "double") {
    if (!value.is_number()) return fail("a number");
  } else if (type == "boolean") {
    if (!value.is_boolean()) return fail("a boolean");
  } else {
    errors.push_back(path + ": unhandled shape type " + type);
  }
  if (value.is_number() && shape.contains("min") &&
      value.get<double>() < shape["min"].get<double>()) {
    errors.push_back(path + ": below the minimum of " + shape_name);
  }
  if (value.is_number() && shape.contains("max") &&
      value.get<double>() > shape["max"].get<double>()) {
    errors.push_back(path + ": above the maximum of " + shape_name);
  }
}

}  // namespace

const std::optional<nlohmann::json>& RekognitionModel() {
  static const std::optional<nlohmann::json> model = []() -> std::optional<nlohmann::json> {
    for (const char* path : kModelPaths) {
      std::ifstream in(path);
      if (in) return nlohmann::json::parse(in);
    }
    return std::nullopt;
  }();
  return model;
}

std::vector<std::string> ShapeErrors(const nlohmann::json& value, const std::string& shape) {
  std::vector<std::string> errors;
  Check(value, shape, "$", errors);
  return errors;
}

}  // namespace imagemill::testing
