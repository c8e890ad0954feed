#include "model/conversion_context.h"

namespace imagemill::model {

std::string TensorName(const std::string& node, int k) {
  return k == 0 ? node : node + ":" + std::to_string(k);
}

ConversionContext::ConversionContext(const TfjsGraph& graph, OnnxBuilder& builder,
                                     const std::map<std::string, Shape>* native_shapes)
    : graph_(graph), builder_(builder), native_shapes_(native_shapes) {
  for (const auto& node : graph.nodes) {
    for (const auto& in : node.inputs) {
      auto [name, k] = SplitTensorName(in);
      ++consumers_[TensorName(name, k)];
    }
  }
}

const Value& ConversionContext::Input(const TfjsNode& node, int k) const {
  auto [name, index] = SplitTensorName(node.inputs.at(k));
  return values_.at(TensorName(name, index));
}

Result<HostTensor> ConversionContext::ConstInput(const TfjsNode& node, int k) const {
  if (k >= static_cast<int>(node.inputs.size())) {
    return Error(node, "expects at least " + std::to_string(k + 1) + " inputs");
  }
  const Value& v = Input(node, k);
  if (!v.is_constant()) {
    return Error(node, "input " + std::to_string(k) + " ('" + node.inputs[k] +
                           "') must be a constant for imagemill to import it");
  }
  return *v.constant;
}

void ConversionContext::Define(const TfjsNode& node, int k, Value value) {
  values_[TensorName(node.name, k)] = std::move(value);
}

const Value* ConversionContext::Find(const std::string& tensor) const {
  auto [name, k] = SplitTensorName(tensor);
  auto it = values_.find(TensorName(name, k));
  return it == values_.end() ? nullptr : &it->second;
}

std::string ConversionContext::TensorAnyLayout(const Value& v, Perm* perm) {
  if (v.is_constant()) {
    *perm = IdentityPerm(v.rank());
    return Constant("const", *v.constant, *perm);
  }
  *perm = v.perm;
  if (!v.pad) return v.onnx;
  // ONNX Pad: pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] in ONNX axis order.
  std::vector<int64_t> pads(2 * static_cast<size_t>(v.rank()));
  for (int k = 0; k < v.rank(); ++k) {
    pads[k] = v.pad->begin[v.perm[k]];
    pads[k + v.rank()] = v.pad->end[v.perm[k]];
  }
  std::string key = v.onnx + "|pad";
  for (int64_t p : pads) key += "," + std::to_string(p);
  key += "|" + std::to_string(v.pad->value);
  auto it = padded_.find(key);
  if (it != padded_.end()) return it->second;
  const std::string pads_name =
      builder_.AddInitializer(v.onnx + "/pads", HostTensor::Int({int64_t{2} * v.rank()}, pads));
  const std::string value_name =
      builder_.AddInitializer(v.onnx + "/pad_value", HostTensor::Float({}, {v.pad->value}));
  std::string out = builder_.AddNode("Pad", {v.onnx, pads_name, value_name}, v.onnx + "/pad",
                                     {OnnxAttr::String("mode", "constant")});
  padded_[key] = out;
  return out;
}

std::string ConversionContext::Tensor(const Value& v, const Perm& want) {
  Perm have;
  std::string base = TensorAnyLayout(v, &have);
  if (have == want) return base;
  std::string key = base + "|";
  for (int p : want) key += std::to_string(p);
  auto it = transposed_.find(key);
  if (it != transposed_.end()) return it->second;
  std::string out = builder_.AddNode("Transpose", {base}, base + "/transposed",
                                     {OnnxAttr::Ints("perm", TransposeBetween(have, want))});
  transposed_[key] = out;
  return out;
}

std::string ConversionContext::Constant(const std::string& hint, const HostTensor& t,
                                        const Perm& perm) {
  if (IsIdentity(perm)) return builder_.AddInitializer(hint, t);
  return builder_.AddInitializer(hint, Transposed(t, perm));
}

const Shape* ConversionContext::NativeShape(const std::string& tensor) const {
  if (native_shapes_ == nullptr) return nullptr;
  auto [name, k] = SplitTensorName(tensor);
  auto it = native_shapes_->find(TensorName(name, k));
  return it == native_shapes_->end() ? nullptr : &it->second;
}

int ConversionContext::ConsumerCount(const std::string& tensor) const {
  auto [name, k] = SplitTensorName(tensor);
  auto it = consumers_.find(TensorName(name, k));
  return it == consumers_.end() ? 0 : it->second;
}

void ConversionContext::NoteBiaslessConv(const std::string& tensor, onnx::NodeProto* conv,
                                         int64_t channels) {
  biasless_convs_[tensor] = {conv, channels};
}

bool ConversionContext::TryFoldBias(const std::string& tensor, const std::string& tf_tensor,
                                    const HostTensor& bias) {
  auto it = biasless_convs_.find(tensor);
  if (it == biasless_convs_.end() || ConsumerCount(tf_tensor) != 1) return false;
  if (bias.size() != it->second.channels || !bias.is_float()) return false;
  HostTensor b = HostTensor::Float({bias.size()}, bias.f);
  it->second.node->add_input(builder_.AddInitializer(tensor + "/bias", b));
  biasless_convs_.erase(it);
  return true;
}

Status ConversionContext::Error(const TfjsNode& node, const std::string& message) const {
  return Status::Unsupported(graph_.path.string() + ": node '" + node.name + "' (op " + node.op +
                             "): " + message);
}

}  // namespace imagemill::model
