#include "model/tfjs_graph.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/base64.h"

namespace imagemill::model {
namespace {

int64_t JsonInt(const nlohmann::json& v) {
  return v.is_string() ? std::stoll(v.get<std::string>()) : v.get<int64_t>();
}

Shape ShapeFromJson(const nlohmann::json& tensor_shape) {
  Shape shape;
  if (!tensor_shape.contains("dim")) return shape;
  for (const auto& d : tensor_shape["dim"])
    shape.push_back(d.contains("size") ? JsonInt(d["size"]) : -1);
  return shape;
}

std::string StripOutputSuffix(const std::string& name) {
  auto [base, index] = SplitTensorName(name);
  return index == 0 ? base : name;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Decodes one weight entry of the manifest from `data` (`available` bytes). Returns the bytes it
// used through `used`.
Result<HostTensor> DecodeWeight(const nlohmann::json& spec, const unsigned char* data,
                                size_t available, size_t* used, const std::string& file) {
  const std::string name = spec.value("name", "");
  const std::string dtype = spec.value("dtype", "float32");
  Shape shape;
  for (const auto& d : spec.value("shape", nlohmann::json::array())) shape.push_back(JsonInt(d));
  const int64_t n = NumElements(shape);
  const bool int_result = dtype == "int32" || dtype == "bool";
  if (dtype != "float32" && !int_result) {
    return Status::Unsupported(file + ": weight '" + name + "' has dtype '" + dtype +
                               "', which imagemill does not import");
  }
  std::string stored = dtype;
  float scale = 1, min = 0;
  if (spec.contains("quantization")) {
    const auto& q = spec["quantization"];
    stored = q.value("dtype", "");
    scale = q.value("scale", 1.0f);
    min = q.value("min", 0.0f);
  }
  size_t width;
  if (stored == "float32" || stored == "int32") {
    width = 4;
  } else if (stored == "float16" || stored == "uint16") {
    width = 2;
  } else if (stored == "uint8" || stored == "bool") {
    width = 1;
  } else {
    return Status::Unsupported(file + ": weight '" + name + "' is stored as '" + stored +
                               "', which imagemill does not import");
  }
  *used = width * static_cast<size_t>(n);
  if (*used > available) {
    return Status::Corrupt(file + ": weight shards end before weight '" + name + "' (needs " +
                           std::to_string(*used) + " bytes, " + std::to_string(available) +
                           " left)");
  }
  std::vector<double> values(n);
  for (int64_t k = 0; k < n; ++k) {
    const unsigned char* p = data + k * width;
    if (stored == "float32") {
      float v;
      std::memcpy(&v, p, 4);
      values[k] = v;
    } else if (stored == "int32") {
      int32_t v;
      std::memcpy(&v, p, 4);
      values[k] = v;
    } else if (stored == "float16") {
      uint16_t v;
      std::memcpy(&v, p, 2);
      values[k] = HalfToFloat(v);
    } else if (stored == "uint16") {
      uint16_t v;
      std::memcpy(&v, p, 2);
      values[k] = v * static_cast<double>(scale) + min;
    } else if (stored == "uint8") {
      values[k] = p[0] * static_cast<double>(scale) + min;
    } else {  // bool
      values[k] = p[0] != 0;
    }
  }
  if (int_result) {
    std::vector<int64_t> ints(n);
    for (int64_t k = 0; k < n; ++k) ints[k] = static_cast<int64_t>(std::llround(values[k]));
    HostTensor t = HostTensor::Int(std::move(shape), std::move(ints));
    if (dtype == "bool") t.dtype = DType::kBool;
    return t;
  }
  return HostTensor::Float(std::move(shape), std::vector<float>(values.begin(), values.end()));
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot open the file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::pair<std::string, int> SplitTensorName(const std::string& tensor) {
  const auto colon = tensor.rfind(':');
  if (colon == std::string::npos || colon + 1 == tensor.size()) return {tensor, 0};
  for (size_t k = colon + 1; k < tensor.size(); ++k) {
    if (!std::isdigit(static_cast<unsigned char>(tensor[k]))) return {tensor, 0};
  }
  return {tensor.substr(0, colon), std::stoi(tensor.substr(colon + 1))};
}

int64_t TfjsNode::AttrInt(const std::string& key, int64_t fallback) const {
  if (!attr.contains(key) || !attr[key].contains("i")) return fallback;
  return JsonInt(attr[key]["i"]);
}

float TfjsNode::AttrFloat(const std::string& key, float fallback) const {
  if (!attr.contains(key) || !attr[key].contains("f")) return fallback;
  return attr[key]["f"].get<float>();
}

bool TfjsNode::AttrBool(const std::string& key, bool fallback) const {
  if (!attr.contains(key) || !attr[key].contains("b")) return fallback;
  return attr[key]["b"].get<bool>();
}

std::string TfjsNode::AttrString(const std::string& key, const std::string& fallback) const {
  if (!attr.contains(key) || !attr[key].contains("s")) return fallback;
  return Base64DecodeLenient(attr[key]["s"].get<std::string>());
}

std::vector<int64_t> TfjsNode::AttrInts(const std::string& key) const {
  std::vector<int64_t> out;
  if (!attr.contains(key) || !attr[key].contains("list")) return out;
  for (const auto& v : attr[key]["list"].value("i", nlohmann::json::array()))
    out.push_back(JsonInt(v));
  return out;
}

std::vector<std::string> TfjsNode::AttrStrings(const std::string& key) const {
  std::vector<std::string> out;
  if (!attr.contains(key) || !attr[key].contains("list")) return out;
  for (const auto& v : attr[key]["list"].value("s", nlohmann::json::array())) {
    out.push_back(Base64DecodeLenient(v.get<std::string>()));
  }
  return out;
}

const TfjsNode* TfjsGraph::FindNode(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &nodes[it->second];
}

Result<TfjsGraph> LoadTfjsGraph(const std::filesystem::path& model_json) {
  const std::string file = model_json.string();
  auto text = ReadFile(model_json);
  if (!text.ok()) return text.status();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(file + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("modelTopology") || !j.contains("weightsManifest")) {
    return Status::InvalidArgument(
        file + ": not a TensorFlow.js model (no modelTopology/weightsManifest)");
  }
  if (j.value("format", "graph-model") != "graph-model" || !j["modelTopology"].contains("node")) {
    return Status::Unsupported(file + ": a TensorFlow.js '" + j.value("format", "") +
                               "' model; imagemill imports graph models only");
  }
  TfjsGraph graph;
  graph.path = model_json;
  graph.generated_by = j.value("generatedBy", "");
  graph.converted_by = j.value("convertedBy", "");

  try {
    for (const auto& n : j["modelTopology"]["node"]) {
      TfjsNode node;
      node.name = n.at("name").get<std::string>();
      node.op = n.at("op").get<std::string>();
      for (const auto& in : n.value("input", nlohmann::json::array())) {
        std::string s = in.get<std::string>();
        if (!s.empty() && s[0] != '^') node.inputs.push_back(std::move(s));
      }
      node.attr = n.value("attr", nlohmann::json::object());
      graph.index_[node.name] = graph.nodes.size();
      graph.nodes.push_back(std::move(node));
    }

    const nlohmann::json* signature = nullptr;
    if (j.contains("signature")) {
      signature = &j["signature"];
    } else if (j.contains("userDefinedMetadata") &&
               j["userDefinedMetadata"].contains("signature")) {
      signature = &j["userDefinedMetadata"]["signature"];
    }
    if (signature != nullptr) {
      const nlohmann::json sig_inputs = signature->value("inputs", nlohmann::json::object());
      const nlohmann::json sig_outputs = signature->value("outputs", nlohmann::json::object());
      for (const auto& [key, t] : sig_inputs.items()) {
        graph.inputs.push_back({StripOutputSuffix(t.value("name", key)),
                                ShapeFromJson(t.value("tensorShape", nlohmann::json::object()))});
      }
      for (const auto& [key, t] : sig_outputs.items()) {
        graph.outputs.push_back({StripOutputSuffix(t.value("name", key)),
                                 ShapeFromJson(t.value("tensorShape", nlohmann::json::object()))});
      }
    }
    if (graph.inputs.empty()) {
      for (const auto& node : graph.nodes) {
        if (node.op != "Placeholder") continue;
        Shape shape;
        if (node.attr.contains("shape")) shape = ShapeFromJson(node.attr["shape"]["shape"]);
        graph.inputs.push_back({node.name, shape});
      }
    }

    // Weights: each manifest group is the concatenation of its shards, in order.
    for (const auto& group : j["weightsManifest"]) {
      std::string bytes;
      for (const auto& p : group.at("paths")) {
        const auto shard_path = model_json.parent_path() / p.get<std::string>();
        auto shard = ReadFile(shard_path);
        if (!shard.ok()) {
          return Status::NotFound(file + ": weight shard " + shard_path.string() +
                                  " is missing or unreadable");
        }
        bytes += *shard;
      }
      size_t offset = 0;
      for (const auto& spec : group.at("weights")) {
        size_t used = 0;
        auto t = DecodeWeight(spec, reinterpret_cast<const unsigned char*>(bytes.data()) + offset,
                              bytes.size() - offset, &used, file);
        if (!t.ok()) return t.status();
        offset += used;
        graph.weights[spec.at("name").get<std::string>()] = std::move(t).value();
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(file + ": malformed graph model (" + e.what() + ")");
  } catch (const std::invalid_argument& e) {
    return Status::Corrupt(file + ": malformed number in the graph model");
  } catch (const std::out_of_range& e) {
    return Status::Corrupt(file + ": number out of range in the graph model");
  }
  return graph;
}

}  // namespace imagemill::model
