// Converters for TF ops that move data rather than compute it: Transpose (only changes the
// tracked layout), Reshape, ConcatV2, Split/SplitV, Pad/PadV2 (kept pending so that a following
// convolution can absorb it), Mean, and the bilinear/nearest resizes.
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#include "model/conversion_context.h"

namespace imagemill::model {
namespace {

int NormalizeAxis(int64_t axis, int rank) {
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

Status Transpose(ConversionContext& ctx, const TfjsNode& node) {
  const Value& in = ctx.Input(node, 0);
  auto perm_t = ctx.ConstInput(node, 1);
  if (!perm_t.ok()) return perm_t.status();
  const auto q64 = perm_t->AsInts();
  if (static_cast<int>(q64.size()) != in.rank()) return ctx.Error(node, "perm rank mismatch");
  const Perm q(q64.begin(), q64.end());
  const Perm q_inv = InversePerm(q);
  Value out = in;
  for (int k = 0; k < in.rank(); ++k) {
    out.perm[k] = q_inv[in.perm[k]];
    out.shape[k] = in.shape[q[k]];
    if (in.pad) {
      out.pad->begin[k] = in.pad->begin[q[k]];
      out.pad->end[k] = in.pad->end[q[k]];
    }
  }
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

Status Reshape(ConversionContext& ctx, const TfjsNode& node) {
  const Value& in = ctx.Input(node, 0);
  auto target = ctx.ConstInput(node, 1);
  if (!target.ok()) return target.status();
  std::vector<int64_t> dims = target->AsInts();
  Shape shape(dims.begin(), dims.end());
  int64_t known = 1;
  int unknown = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == -1) {
      unknown = static_cast<int>(k);
    } else {
      known *= shape[k];
    }
  }
  const int64_t n = NumElements(in.shape);
  if (unknown >= 0 && known > 0) shape[unknown] = n / known;
  if (NumElements(shape) != n) {
    return ctx.Error(node, "cannot reshape " + ShapeToString(in.shape) + " to " +
                               ShapeToString(Shape(dims.begin(), dims.end())));
  }
  Value out;
  out.shape = shape;
  out.perm = IdentityPerm(static_cast<int>(shape.size()));
  const std::string x = ctx.Tensor(in, IdentityPerm(in.rank()));
  const std::string t = ctx.onnx().AddInitializer(
      node.name + "/shape", HostTensor::Int({static_cast<int64_t>(dims.size())}, dims));
  out.onnx = ctx.onnx().AddNode("Reshape", {x, t}, node.name);
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

Status Squeeze(ConversionContext& ctx, const TfjsNode& node) {
  const Value& in = ctx.Input(node, 0);
  auto dims = node.AttrInts("squeeze_dims");
  Shape shape;
  for (int k = 0; k < in.rank(); ++k) {
    bool drop = dims.empty() ? in.shape[k] == 1 : false;
    for (int64_t d : dims) drop = drop || NormalizeAxis(d, in.rank()) == k;
    if (!drop) shape.push_back(in.shape[k]);
  }
  Value out;
  out.shape = shape;
  out.perm = IdentityPerm(static_cast<int>(shape.size()));
  const std::string t = ctx.onnx().AddInitializer(
      node.name + "/shape", HostTensor::Int({static_cast<int64_t>(shape.size())}, shape));
  out.onnx = ctx.onnx().AddNode("Reshape", {ctx.Tensor(in, IdentityPerm(in.rank())), t}, node.name);
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

Status Concat(ConversionContext& ctx, const TfjsNode& node) {
  const int n = static_cast<int>(node.inputs.size()) - 1;
  auto axis_t = ctx.ConstInput(node, n);
  if (!axis_t.ok()) return axis_t.status();
  // Lay every input out like the first computed one.
  const Value* lead = nullptr;
  for (int k = 0; k < n && lead == nullptr; ++k) {
    if (!ctx.Input(node, k).is_constant()) lead = &ctx.Input(node, k);
  }
  if (lead == nullptr) return ctx.Error(node, "all inputs are constants that were not folded");
  const int axis = NormalizeAxis(axis_t->AsInt(0), lead->rank());
  Value out;
  out.shape = lead->shape;
  out.shape[axis] = 0;
  std::string lead_name = ctx.TensorAnyLayout(*lead, &out.perm);
  std::vector<std::string> inputs;
  for (int k = 0; k < n; ++k) {
    const Value& v = ctx.Input(node, k);
    if (v.rank() != lead->rank()) return ctx.Error(node, "inputs differ in rank");
    out.shape[axis] += v.shape[axis];
    inputs.push_back(&v == lead        ? lead_name
                     : v.is_constant() ? ctx.Constant(node.name + "/const", *v.constant, out.perm)
                                       : ctx.Tensor(v, out.perm));
  }
  out.onnx = ctx.onnx().AddNode("Concat", inputs, node.name,
                                {OnnxAttr::Int("axis", OnnxAxis(out.perm, axis))});
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

// Split(axis, value) with num_split, SplitV(value, size_splits, axis).
Status Split(ConversionContext& ctx, const TfjsNode& node) {
  const bool v = node.op == "SplitV";
  const Value& in = ctx.Input(node, v ? 0 : 1);
  auto axis_t = ctx.ConstInput(node, v ? 2 : 0);
  if (!axis_t.ok()) return axis_t.status();
  const int axis = NormalizeAxis(axis_t->AsInt(0), in.rank());
  std::vector<int64_t> sizes;
  if (v) {
    auto s = ctx.ConstInput(node, 1);
    if (!s.ok()) return s.status();
    sizes = s->AsInts();
    int64_t rest = in.shape[axis];
    int unknown = -1;
    for (size_t k = 0; k < sizes.size(); ++k) {
      if (sizes[k] < 0) {
        unknown = static_cast<int>(k);
      } else {
        rest -= sizes[k];
      }
    }
    if (unknown >= 0) sizes[unknown] = rest;
  } else {
    const int64_t parts = node.AttrInt("num_split", 1);
    if (parts <= 0 || in.shape[axis] % parts != 0) return ctx.Error(node, "uneven split");
    sizes.assign(parts, in.shape[axis] / parts);
  }
  Perm perm;
  const std::string x = ctx.TensorAnyLayout(in, &perm);
  std::vector<std::string> hints;
  for (size_t k = 0; k < sizes.size(); ++k)
    hints.push_back(TensorName(node.name, static_cast<int>(k)));
  const auto outs = ctx.onnx().AddNodeN(
      "Split", {x}, hints,
      {OnnxAttr::Int("axis", OnnxAxis(perm, axis)), OnnxAttr::Ints("split", sizes)});
  for (size_t k = 0; k < sizes.size(); ++k) {
    Value out;
    out.onnx = outs[k];
    out.perm = perm;
    out.shape = in.shape;
    out.shape[axis] = sizes[k];
    ctx.Define(node, static_cast<int>(k), std::move(out));
  }
  return Status::Ok();
}

// Pad, PadV2: kept pending (see PendingPad) until a consumer absorbs or emits it.
Status Pad(ConversionContext& ctx, const TfjsNode& node) {
  const Value& in = ctx.Input(node, 0);
  auto paddings = ctx.ConstInput(node, 1);
  if (!paddings.ok()) return paddings.status();
  if (paddings->size() != int64_t{2} * in.rank())
    return ctx.Error(node, "paddings do not match the rank");
  float value = 0;
  if (node.op == "PadV2") {
    auto v = ctx.ConstInput(node, 2);
    if (!v.ok()) return v.status();
    value = static_cast<float>(v->AsDouble(0));
  }
  PendingPad pad;
  for (int k = 0; k < in.rank(); ++k) {
    pad.begin.push_back(paddings->AsInt(int64_t{2} * k));
    pad.end.push_back(paddings->AsInt(int64_t{2} * k + 1));
  }
  pad.value = value;
  Value out;
  if (in.pad && in.pad->value == value) {  // two pads in a row: one pad
    out = in;
    for (int k = 0; k < in.rank(); ++k) {
      out.pad->begin[k] += pad.begin[k];
      out.pad->end[k] += pad.end[k];
    }
  } else {
    out.onnx = ctx.TensorAnyLayout(in, &out.perm);
    out.shape = in.shape;
    out.pad = pad;
  }
  for (int k = 0; k < in.rank(); ++k) out.shape[k] = in.shape[k] + pad.begin[k] + pad.end[k];
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

Status Mean(ConversionContext& ctx, const TfjsNode& node) {
  const Value& in = ctx.Input(node, 0);
  auto axes_t = ctx.ConstInput(node, 1);
  if (!axes_t.ok()) return axes_t.status();
  const bool keep = node.AttrBool("keep_dims", false);
  Value out;
  // Without keep_dims the rank drops; reduce in TF layout so that the result needs no layout.
  const std::string x =
      keep ? ctx.TensorAnyLayout(in, &out.perm) : ctx.Tensor(in, IdentityPerm(in.rank()));
  if (!keep) out.perm = IdentityPerm(in.rank());
  std::vector<int64_t> axes;
  std::vector<bool> reduced(in.rank(), false);
  for (int64_t a : axes_t->AsInts()) {
    const int tf_axis = NormalizeAxis(a, in.rank());
    reduced[tf_axis] = true;
    axes.push_back(OnnxAxis(out.perm, tf_axis));
  }
  for (int k = 0; k < in.rank(); ++k) {
    if (!reduced[k]) {
      out.shape.push_back(in.shape[k]);
    } else if (keep) {
      out.shape.push_back(1);
    }
  }
  if (!keep) out.perm = IdentityPerm(static_cast<int>(out.shape.size()));
  out.onnx =
      ctx.onnx().AddNode("ReduceMean", {x}, node.name,
                         {OnnxAttr::Ints("axes", axes), OnnxAttr::Int("keepdims", keep ? 1 : 0)});
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

// ResizeBilinear, ResizeNearestNeighbor. TF bakes the output size into a constant; ONNX gets
// scale factors measured at the model's own input size, so the network also runs at other sizes.
Status Resize(ConversionContext& ctx, const TfjsNode& node) {
  const Value& in = ctx.Input(node, 0);
  if (in.rank() != 4) return ctx.Error(node, "input is not 4-D");
  auto size = ctx.ConstInput(node, 1);
  if (!size.ok()) return size.status();
  if (size->size() != 2) return ctx.Error(node, "size is not [height, width]");
  const Shape* native = ctx.NativeShape(node.inputs[0]);
  const Shape& base = native != nullptr ? *native : in.shape;
  const float sy = static_cast<float>(size->AsInt(0)) / static_cast<float>(base[1]);
  const float sx = static_cast<float>(size->AsInt(1)) / static_cast<float>(base[2]);
  const bool bilinear = node.op == "ResizeBilinear";
  std::string mode = "asymmetric";
  if (node.AttrBool("align_corners", false)) {
    mode = "align_corners";
  } else if (node.AttrBool("half_pixel_centers", false)) {
    if (!bilinear) return ctx.Error(node, "half_pixel_centers nearest-neighbour resize");
    mode = "half_pixel";
  }
  Value out;
  out.perm = NhwcAsNchw();
  const std::string x = ctx.Tensor(in, out.perm);
  const std::string roi = ctx.onnx().AddInitializer(node.name + "/roi", HostTensor::Float({0}, {}));
  const std::string scales =
      ctx.onnx().AddInitializer(node.name + "/scales", HostTensor::Float({4}, {1, 1, sy, sx}));
  std::vector<OnnxAttr> attrs = {OnnxAttr::String("mode", bilinear ? "linear" : "nearest"),
                                 OnnxAttr::String("coordinate_transformation_mode", mode)};
  if (!bilinear) attrs.push_back(OnnxAttr::String("nearest_mode", "floor"));
  out.onnx = ctx.onnx().AddNode("Resize", {x, roi, scales}, node.name, attrs);
  // The output size as OpenCV's Resize layer computes it: input size times the scale, truncated.
  out.shape = {in.shape[0], static_cast<int64_t>(static_cast<float>(in.shape[1]) * sy),
               static_cast<int64_t>(static_cast<float>(in.shape[2]) * sx), in.shape[3]};
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

}  // namespace

void RegisterShapeOps(OpConverterMap& map) {
  map["Transpose"] = Transpose;
  map["Reshape"] = Reshape;
  map["Squeeze"] = Squeeze;
  map["ConcatV2"] = Concat;
  map["Split"] = Split;
  map["SplitV"] = Split;
  map["Pad"] = Pad;
  map["PadV2"] = Pad;
  map["Mean"] = Mean;
  map["ResizeBilinear"] = Resize;
  map["ResizeNearestNeighbor"] = Resize;
}

}  // namespace imagemill::model
