#include "model/clip_attributes.h"

#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace imagemill::model {
namespace {

// The value of a one-element float or double tensor; nullopt for anything else.
std::optional<float> ScalarOf(const onnx::TensorProto& t) {
  int64_t count = 1;
  for (int64_t d : t.dims()) count *= d;
  if (count != 1) return std::nullopt;
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    if (t.float_data_size() == 1) return t.float_data(0);
    if (t.raw_data().size() != sizeof(float)) return std::nullopt;
    float v;
    std::memcpy(&v, t.raw_data().data(), sizeof v);
    return v;
  }
  if (t.data_type() == onnx::TensorProto::DOUBLE) {
    if (t.double_data_size() == 1) return static_cast<float>(t.double_data(0));
    if (t.raw_data().size() != sizeof(double)) return std::nullopt;
    double v;
    std::memcpy(&v, t.raw_data().data(), sizeof v);
    return static_cast<float>(v);
  }
  return std::nullopt;
}

void SetFloatAttribute(onnx::NodeProto& node, const std::string& name, float value) {
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

}  // namespace

Result<int> ClipInputsToAttributes(onnx::ModelProto& model) {
  onnx::GraphProto& graph = *model.mutable_graph();
  std::map<std::string, const onnx::TensorProto*> constants;
  for (const onnx::TensorProto& t : graph.initializer()) constants[t.name()] = &t;
  for (const onnx::NodeProto& n : graph.node()) {
    if (n.op_type() != "Constant" || n.output_size() != 1) continue;
    for (const onnx::AttributeProto& a : n.attribute()) {
      if (a.name() == "value" && a.has_t()) constants[n.output(0)] = &a.t();
    }
  }

  // First every bound, so that a graph this cannot rewrite is left untouched.
  struct Bounds {
    float lo = std::numeric_limits<float>::lowest();
    float hi = std::numeric_limits<float>::max();
  };
  std::map<int, Bounds> rewrites;
  for (int k = 0; k < graph.node_size(); ++k) {
    const onnx::NodeProto& n = graph.node(k);
    if (n.op_type() != "Clip" || n.input_size() < 2) continue;
    Bounds b;
    for (int i = 1; i < n.input_size() && i < 3; ++i) {
      if (n.input(i).empty()) continue;
      auto c = constants.find(n.input(i));
      std::optional<float> v = c == constants.end() ? std::nullopt : ScalarOf(*c->second);
      if (!v) {
        return Status::Unsupported("Clip node '" + n.name() + "': its " + (i == 1 ? "min" : "max") +
                                   " is not a scalar float constant, so OpenCV cannot run it");
      }
      (i == 1 ? b.lo : b.hi) = *v;
    }
    rewrites[k] = b;
  }

  for (const auto& [k, b] : rewrites) {
    onnx::NodeProto& n = *graph.mutable_node(k);
    const std::string x = n.input(0);
    n.clear_input();
    n.add_input(x);
    SetFloatAttribute(n, "min", b.lo);
    SetFloatAttribute(n, "max", b.hi);
  }

  // Constant nodes whose output nothing reads any more.
  std::set<std::string> read;
  for (const onnx::NodeProto& n : graph.node()) read.insert(n.input().begin(), n.input().end());
  for (const onnx::ValueInfoProto& o : graph.output()) read.insert(o.name());
  auto* nodes = graph.mutable_node();
  for (int k = nodes->size() - 1; k >= 0; --k) {
    const onnx::NodeProto& n = nodes->Get(k);
    if (n.op_type() == "Constant" && n.output_size() == 1 && read.count(n.output(0)) == 0) {
      nodes->DeleteSubrange(k, 1);
    }
  }
  return static_cast<int>(rewrites.size());
}

}  // namespace imagemill::model
