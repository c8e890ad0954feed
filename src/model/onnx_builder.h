// OnnxBuilder: appends nodes, initializers, inputs and outputs to an ONNX model held as the
// protobuf classes of Debian's libonnx. Names of the tensors it creates are unique within the
// model. Not thread-safe; one builder per conversion.
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#pragma once

#include <onnx/onnx_pb.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/tensor.h"

namespace imagemill::model {

// One attribute of a node.
struct OnnxAttr {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats };
  std::string name;
  Kind kind;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;

  static OnnxAttr Int(std::string name, int64_t v) { return {std::move(name), Kind::kInt, v}; }
  static OnnxAttr Float(std::string name, float v) { return {std::move(name), Kind::kFloat, 0, v}; }
  static OnnxAttr String(std::string name, std::string v) {
    return {std::move(name), Kind::kString, 0, 0, std::move(v)};
  }
  static OnnxAttr Ints(std::string name, std::vector<int64_t> v) {
    return {std::move(name), Kind::kInts, 0, 0, {}, std::move(v)};
  }
  static OnnxAttr Floats(std::string name, std::vector<float> v) {
    return {std::move(name), Kind::kFloats, 0, 0, {}, {}, std::move(v)};
  }
};

class OnnxBuilder {
 public:
  // `opset` is the default-domain operator set the model declares.
  OnnxBuilder(const std::string& graph_name, int opset);

  // A name not used yet, derived from `hint`.
  std::string UniqueName(const std::string& hint);

  // Adds a constant tensor under a unique name derived from `hint`; returns that name.
  std::string AddInitializer(const std::string& hint, const HostTensor& value);

  // Adds a node with one output named uniquely after `output_hint`; returns the output's name.
  std::string AddNode(const std::string& op, const std::vector<std::string>& inputs,
                      const std::string& output_hint, const std::vector<OnnxAttr>& attrs = {});
  // Adds a node with several outputs, uniquely named after the hints; returns their names.
  std::vector<std::string> AddNodeN(const std::string& op, const std::vector<std::string>& inputs,
                                    const std::vector<std::string>& output_hints,
                                    const std::vector<OnnxAttr>& attrs = {});

  void AddInput(const std::string& name, const Shape& shape);
  void AddOutput(const std::string& name, const Shape& shape);

  // Renames tensor `from` to `to` wherever a node or output uses it. REQUIRES: `to` is unused.
  void Rename(const std::string& from, const std::string& to);
  bool IsUsedName(const std::string& name) const { return used_.count(name) > 0; }

  const onnx::ModelProto& model() const { return model_; }
  onnx::ModelProto& mutable_model() { return model_; }

 private:
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
  std::set<std::string> used_;
};

}  // namespace imagemill::model
