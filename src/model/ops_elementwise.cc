// Converters for element-wise TF ops: activations and arithmetic. They keep whatever layout their
// input has, so a chain of them between two convolutions needs no Transpose.
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#include <cmath>

#include "model/constant_folding.h"
#include "model/conversion_context.h"

namespace imagemill::model {
namespace {

// A unary op that maps to one ONNX node with the same layout.
OpConverter Unary(const std::string& onnx_op,
                  std::vector<OnnxAttr> (*attrs)(const TfjsNode&) = nullptr) {
  return [onnx_op, attrs](ConversionContext& ctx, const TfjsNode& node) -> Status {
    const Value& in = ctx.Input(node, 0);
    Value out;
    const std::string x = ctx.TensorAnyLayout(in, &out.perm);
    out.shape = in.shape;
    out.onnx = ctx.onnx().AddNode(onnx_op, {x}, node.name,
                                  attrs != nullptr ? attrs(node) : std::vector<OnnxAttr>{});
    ctx.Define(node, 0, std::move(out));
    return Status::Ok();
  };
}

// Identity-like ops: the output is the input.
Status Alias(ConversionContext& ctx, const TfjsNode& node) {
  ctx.Define(node, 0, ctx.Input(node, 0));
  return Status::Ok();
}

Status Cast(ConversionContext& ctx, const TfjsNode& node) {
  const std::string dst = node.attr.value("DstT", nlohmann::json::object()).value("type", "");
  const std::string src = node.attr.value("SrcT", nlohmann::json::object()).value("type", "");
  if (dst != "DT_FLOAT" || (src != "DT_FLOAT" && !src.empty())) {
    return ctx.Error(node, "only float-to-float casts of computed tensors are supported (" + src +
                               " to " + dst + ")");
  }
  return Alias(ctx, node);
}

// TF constant `c` broadcast against a tensor of rank `rank` laid out as `perm`: rank-extended with
// leading 1s, then permuted like the tensor.
std::string BroadcastConstant(ConversionContext& ctx, const std::string& hint, HostTensor c,
                              int rank, const Perm& perm) {
  if (c.size() == 1) {
    c.shape = {1};
    return ctx.onnx().AddInitializer(hint, c);
  }
  while (static_cast<int>(c.shape.size()) < rank) c.shape.insert(c.shape.begin(), 1);
  return ctx.Constant(hint, c, perm);
}

// Add, Sub, Mul, RealDiv, Maximum, Minimum, BiasAdd.
Status Binary(ConversionContext& ctx, const TfjsNode& node) {
  if (node.inputs.size() != 2) return ctx.Error(node, "expects two inputs");
  const Value& a = ctx.Input(node, 0);
  const Value& b = ctx.Input(node, 1);
  auto shape = BroadcastShapes(a.shape, b.shape);
  if (!shape) {
    return ctx.Error(node, "shapes " + ShapeToString(a.shape) + " and " + ShapeToString(b.shape) +
                               " do not broadcast");
  }
  std::string op = node.op;
  if (op == "AddV2" || op == "BiasAdd") op = "Add";
  if (op == "RealDiv") op = "Div";
  if (op == "Maximum") op = "Max";
  if (op == "Minimum") op = "Min";
  if (op != "Add" && op != "Sub" && op != "Mul" && op != "Div" && op != "Max" && op != "Min") {
    return ctx.Error(node, "no ONNX equivalent");
  }
  Value out;
  out.shape = *shape;

  if (a.is_constant() != b.is_constant()) {
    const bool const_first = a.is_constant();
    const Value& t = const_first ? b : a;
    HostTensor c = const_first ? *a.constant : *b.constant;
    if (t.rank() != static_cast<int>(out.shape.size())) {
      return ctx.Error(node, "the constant operand has a higher rank than the tensor");
    }
    if (!c.is_float()) c = HostTensor::Float(c.shape, std::vector<float>(c.i.begin(), c.i.end()));
    // Rewrite so that the tensor comes first and the op commutes: x - c = x + (-c),
    // x / c = x * (1/c). OpenCV folds "tensor op constant" into one scale/shift layer.
    bool negate_tensor = false;
    if (op == "Sub") {
      if (const_first) {
        negate_tensor = true;  // c - x = (-x) + c
      } else {
        for (auto& v : c.f) v = -v;
      }
      op = "Add";
    } else if (op == "Div") {
      if (const_first) return ctx.Error(node, "dividing a constant by a tensor is not supported");
      for (auto& v : c.f) v = 1.0f / v;
      op = "Mul";
    }
    std::string x = ctx.TensorAnyLayout(t, &out.perm);
    // A per-channel constant added to a convolution's output becomes the convolution's bias.
    if (op == "Add" && !negate_tensor && c.shape.size() == 1 && t.rank() == 4 &&
        OnnxAxis(out.perm, 3) == 1 && ctx.TryFoldBias(x, node.inputs[const_first ? 1 : 0], c)) {
      out.onnx = x;
      ctx.Define(node, 0, std::move(out));
      return Status::Ok();
    }
    if (negate_tensor) {
      const std::string minus_one =
          ctx.onnx().AddInitializer(node.name + "/minus_one", HostTensor::Float({1}, {-1.0f}));
      x = ctx.onnx().AddNode("Mul", {x, minus_one}, node.name + "/neg");
    }
    const std::string k = BroadcastConstant(ctx, node.name + "/const", c, t.rank(), out.perm);
    out.onnx = ctx.onnx().AddNode(op, {x, k}, node.name);
    ctx.Define(node, 0, std::move(out));
    return Status::Ok();
  }
  if (a.is_constant()) return ctx.Error(node, "both inputs are constants that were not folded");

  // Two computed tensors: bring both to the layout of the one with the higher rank.
  const Value& lead = a.rank() >= b.rank() ? a : b;
  const Value& other = a.rank() >= b.rank() ? b : a;
  if (other.rank() != lead.rank()) {
    return ctx.Error(node, "broadcasting tensors of different ranks is not supported");
  }
  const std::string lead_name = ctx.TensorAnyLayout(lead, &out.perm);
  const std::string other_name = ctx.Tensor(other, out.perm);
  const std::string& x = &lead == &a ? lead_name : other_name;
  const std::string& y = &lead == &a ? other_name : lead_name;
  out.onnx = ctx.onnx().AddNode(op, {x, y}, node.name);
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

}  // namespace

void RegisterElementwiseOps(OpConverterMap& map) {
  map["Relu"] = Unary("Relu");
  map["Sigmoid"] = Unary("Sigmoid");
  map["Tanh"] = Unary("Tanh");
  map["Elu"] = Unary("Elu");
  map["Relu6"] = Unary("Clip", [](const TfjsNode&) {
    // Min and max as attributes (the opset-6 form): the form OpenCV 4.6 reads.
    return std::vector<OnnxAttr>{OnnxAttr::Float("min", 0), OnnxAttr::Float("max", 6)};
  });
  map["LeakyRelu"] = Unary("LeakyRelu", [](const TfjsNode& n) {
    return std::vector<OnnxAttr>{OnnxAttr::Float("alpha", n.AttrFloat("alpha", 0.2f))};
  });
  map["Identity"] = Alias;
  map["StopGradient"] = Alias;
  map["Snapshot"] = Alias;
  map["Cast"] = Cast;
  for (const char* op :
       {"Add", "AddV2", "BiasAdd", "Sub", "Mul", "RealDiv", "Maximum", "Minimum"}) {
    map[op] = Binary;
  }
}

}  // namespace imagemill::model
