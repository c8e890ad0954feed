#include "model/onnx_builder.h"

namespace imagemill::model {
namespace {

void SetShape(onnx::ValueInfoProto* info, const std::string& name, const Shape& shape) {
  info->set_name(name);
  auto* tensor_type = info->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(onnx::TensorProto::FLOAT);
  auto* dims = tensor_type->mutable_shape();
  for (int64_t d : shape) {
    auto* dim = dims->add_dim();
    if (d >= 0) {
      dim->set_dim_value(d);
    } else {
      dim->set_dim_param("?");
    }
  }
}

}  // namespace

OnnxBuilder::OnnxBuilder(const std::string& graph_name, int opset) {
  model_.set_ir_version(onnx::IR_VERSION_2019_9_19);  // IR 6, what opset 11 came with
  model_.set_producer_name("imagemill");
  model_.set_producer_version(IMAGEMILL_VERSION);
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  graph_ = model_.mutable_graph();
  graph_->set_name(graph_name);
}

std::string OnnxBuilder::UniqueName(const std::string& hint) {
  std::string name = hint.empty() ? "t" : hint;
  for (int k = 1; used_.count(name) > 0; ++k) name = hint + "__" + std::to_string(k);
  used_.insert(name);
  return name;
}

std::string OnnxBuilder::AddInitializer(const std::string& hint, const HostTensor& value) {
  auto* t = graph_->add_initializer();
  t->set_name(UniqueName(hint));
  for (int64_t d : value.shape) t->add_dims(d);
  if (value.is_float()) {
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->set_raw_data(value.f.data(), value.f.size() * sizeof(float));
  } else {
    t->set_data_type(onnx::TensorProto::INT64);
    t->set_raw_data(value.i.data(), value.i.size() * sizeof(int64_t));
  }
  return t->name();
}

std::string OnnxBuilder::AddNode(const std::string& op, const std::vector<std::string>& inputs,
                                 const std::string& output_hint,
                                 const std::vector<OnnxAttr>& attrs) {
  return AddNodeN(op, inputs, {output_hint}, attrs)[0];
}

std::vector<std::string> OnnxBuilder::AddNodeN(const std::string& op,
                                               const std::vector<std::string>& inputs,
                                               const std::vector<std::string>& output_hints,
                                               const std::vector<OnnxAttr>& attrs) {
  auto* node = graph_->add_node();
  node->set_op_type(op);
  for (const auto& in : inputs) node->add_input(in);
  std::vector<std::string> outputs;
  for (const auto& hint : output_hints) {
    outputs.push_back(UniqueName(hint));
    node->add_output(outputs.back());
  }
  node->set_name(outputs[0]);
  for (const auto& a : attrs) {
    auto* p = node->add_attribute();
    p->set_name(a.name);
    switch (a.kind) {
      case OnnxAttr::Kind::kInt:
        p->set_type(onnx::AttributeProto::INT);
        p->set_i(a.i);
        break;
      case OnnxAttr::Kind::kFloat:
        p->set_type(onnx::AttributeProto::FLOAT);
        p->set_f(a.f);
        break;
      case OnnxAttr::Kind::kString:
        p->set_type(onnx::AttributeProto::STRING);
        p->set_s(a.s);
        break;
      case OnnxAttr::Kind::kInts:
        p->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : a.ints) p->add_ints(v);
        break;
      case OnnxAttr::Kind::kFloats:
        p->set_type(onnx::AttributeProto::FLOATS);
        for (float v : a.floats) p->add_floats(v);
        break;
    }
  }
  return outputs;
}

void OnnxBuilder::AddInput(const std::string& name, const Shape& shape) {
  used_.insert(name);
  SetShape(graph_->add_input(), name, shape);
}

void OnnxBuilder::AddOutput(const std::string& name, const Shape& shape) {
  SetShape(graph_->add_output(), name, shape);
}

void OnnxBuilder::Rename(const std::string& from, const std::string& to) {
  used_.insert(to);
  for (auto& node : *graph_->mutable_node()) {
    for (auto& in : *node.mutable_input()) {
      if (in == from) in = to;
    }
    for (auto& out : *node.mutable_output()) {
      if (out == from) out = to;
    }
    if (node.name() == from) node.set_name(to);
  }
  for (auto& out : *graph_->mutable_output()) {
    if (out.name() == from) out.set_name(to);
  }
}

}  // namespace imagemill::model
