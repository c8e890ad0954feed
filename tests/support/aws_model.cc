#include "support/aws_model.h"

#include <fstream>
#include <map>
#include <memory>
#include <mutex>

namespace imagemill::testing {
namespace {

constexpr const char* kModelRoots[] = {
    "/usr/lib/python3/dist-packages/botocore/data/",
    "/usr/share/awscli/botocore/data/",
};

void Check(const nlohmann::json& shapes, const nlohmann::json& value, const std::string& name,
           const std::string& path, bool answer, std::vector<std::string>& errors) {
  if (!shapes.contains(name)) {
    errors.push_back(path + ": unknown shape " + name);
    return;
  }
  const nlohmann::json& shape = shapes[name];
  const std::string type = shape["type"];
  auto fail = [&](const std::string& want) {
    errors.push_back(path + ": expected " + want + " (" + name + "), got " + value.dump());
  };
  auto length_limits = [&](size_t length, const char* what) {
    bool empty_answer_list = answer && type == "list" && length == 0;
    if (shape.contains("min") && length < shape["min"].get<size_t>() && !empty_answer_list) {
      errors.push_back(path + ": " + what + " shorter than the minimum of " + name);
    }
    if (shape.contains("max") && length > shape["max"].get<size_t>()) {
      errors.push_back(path + ": " + what + " longer than the maximum of " + name);
    }
  };
  if (type == "structure") {
    if (!value.is_object()) return fail("an object");
    for (const auto& [key, member] : value.items()) {
      if (!shape["members"].contains(key)) {
        errors.push_back(path + "." + key + ": not a member of " + name);
        continue;
      }
      Check(shapes, member, shape["members"][key]["shape"], path + "." + key, answer, errors);
    }
    for (const auto& required : shape.value("required", nlohmann::json::array())) {
      if (!value.contains(required.get<std::string>())) {
        errors.push_back(path + ": required member " + required.get<std::string>() + " of " + name +
                         " is missing");
      }
    }
  } else if (type == "list") {
    if (!value.is_array()) return fail("an array");
    length_limits(value.size(), "list");
    for (size_t i = 0; i < value.size(); ++i) {
      Check(shapes, value[i], shape["member"]["shape"], path + "[" + std::to_string(i) + "]",
            answer, errors);
    }
  } else if (type == "map") {
    if (!value.is_object()) return fail("an object (map)");
    length_limits(value.size(), "map");
    for (const auto& [key, member] : value.items()) {
      Check(shapes, key, shape["key"]["shape"], path + ".<key " + key + ">", answer, errors);
      Check(shapes, member, shape["value"]["shape"], path + "." + key, answer, errors);
    }
  } else if (type == "string") {
    if (!value.is_string()) return fail("a string");
    length_limits(value.get_ref<const std::string&>().size(), "string");
    if (shape.contains("enum")) {
      bool listed = false;
      for (const auto& e : shape["enum"]) listed = listed || e == value;
      if (!listed) errors.push_back(path + ": " + value.dump() + " is not in the enum of " + name);
    }
  } else if (type == "integer" || type == "long") {
    if (!value.is_number_integer()) return fail("an integer");
  } else if (type == "float" || type == "double") {
    if (!value.is_number()) return fail("a number");
  } else if (type == "boolean") {
    if (!value.is_boolean()) return fail("a boolean");
  } else if (type == "timestamp") {
    if (!value.is_number() && !value.is_string()) return fail("a timestamp");
  } else if (type == "blob") {
    if (!value.is_string()) return fail("a base64 string");
  } else {
    errors.push_back(path + ": unhandled shape type " + type);
  }
  if (value.is_number() && shape.contains("min") &&
      value.get<double>() < shape["min"].get<double>()) {
    errors.push_back(path + ": below the minimum of " + name);
  }
  if (value.is_number() && shape.contains("max") &&
      value.get<double>() > shape["max"].get<double>()) {
    errors.push_back(path + ": above the maximum of " + name);
  }
}

}  // namespace

const nlohmann::json* AwsServiceModel(const std::string& service, const std::string& version) {
  static std::mutex mu;
  static auto* models = new std::map<std::string, std::unique_ptr<nlohmann::json>>();
  std::lock_guard<std::mutex> lock(mu);
  std::string key = service + "/" + version;
  auto it = models->find(key);
  if (it == models->end()) {
    std::unique_ptr<nlohmann::json> model;
    for (const char* root : kModelRoots) {
      std::ifstream in(std::string(root) + key + "/service-2.json");
      if (in) {
        model = std::make_unique<nlohmann::json>(nlohmann::json::parse(in));
        break;
      }
    }
    it = models->emplace(key, std::move(model)).first;
  }
  return it->second.get();
}

std::vector<std::string> AwsShapeErrors(const nlohmann::json& model, const nlohmann::json& value,
                                        const std::string& shape, bool answer) {
  std::vector<std::string> errors;
  Check(model["shapes"], value, shape, "$", answer, errors);
  return errors;
}

}  // namespace imagemill::testing
