// TfjsGraph: a TensorFlow.js graph model (model.json topology plus its binary weight shards) read
// into memory. Hand-written because no C++ library reads this format: it is TensorFlow's GraphDef
// as JSON with the constants moved into a weights manifest (some stored as float16 or
// affine-quantized uint8/uint16), which only the JavaScript converter and loader understand.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/tensor.h"
#include "util/status.h"

namespace imagemill::model {

// One node of the graph. Inputs are "name" or "name:k" (output k of node `name`); control
// dependencies ("^name") are dropped when loading.
struct TfjsNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  nlohmann::json attr;  // TensorFlow AttrValue objects by attribute name, as in model.json

  bool has_attr(const std::string& key) const { return attr.contains(key); }
  // Typed attribute readers; each returns `fallback` when the attribute is absent.
  int64_t AttrInt(const std::string& key, int64_t fallback) const;
  float AttrFloat(const std::string& key, float fallback) const;
  bool AttrBool(const std::string& key, bool fallback) const;
  std::string AttrString(const std::string& key,
                         const std::string& fallback) const;  // base64-decoded
  std::vector<int64_t> AttrInts(const std::string& key) const;
  std::vector<std::string> AttrStrings(const std::string& key) const;  // base64-decoded
};

// A tensor named in the model's signature (a graph input or output).
struct TfjsSignatureTensor {
  std::string name;  // the tensor name without a ":0" suffix
  Shape shape;       // -1 for an unknown dimension
};

struct TfjsGraph {
  std::filesystem::path path;  // the model.json it was read from, for error messages
  std::string generated_by;
  std::string converted_by;
  std::vector<TfjsNode> nodes;
  std::map<std::string, HostTensor> weights;  // by Const node name
  std::vector<TfjsSignatureTensor> inputs;    // from the signature, else the Placeholders
  std::vector<TfjsSignatureTensor> outputs;   // from the signature (may be empty)

  // REQUIRES: nothing. Returns null when there is no node of that name.
  const TfjsNode* FindNode(const std::string& name) const;

 private:
  friend Result<TfjsGraph> LoadTfjsGraph(const std::filesystem::path& model_json);
  std::map<std::string, size_t> index_;
};

// Reads model.json and the weight shards it lists (paths relative to model.json). Fails with
// InvalidArgument / Corrupt / NotFound naming the file when it is not a graph model, is
// malformed, or a shard is missing or too short.
Result<TfjsGraph> LoadTfjsGraph(const std::filesystem::path& model_json);

// Splits "name:k" into ("name", k); plain "name" is output 0.
std::pair<std::string, int> SplitTensorName(const std::string& tensor);

}  // namespace imagemill::model
