// Converters for TF convolutions and pooling (Conv2D, DepthwiseConv2dNative, their grappler-fused
// forms, MaxPool, AvgPool). ONNX convolves NCHW: the input is brought to NCHW layout, TF filters
// are re-laid out, TF "SAME" padding becomes explicit (possibly asymmetric) pads, and a pending
// Pad in front of the op is absorbed into those pads.
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#include <limits>

#include "model/conversion_context.h"

namespace imagemill::model {
namespace {

struct Window {
  std::vector<int64_t> kernel, strides, dilations;  // H, W
  std::vector<int64_t> pads;                        // top, left, bottom, right
};

// The layout of the TF input in which ONNX sees NCHW, for data_format `format`.
Perm NchwLayout(const std::string& format) {
  return format == "NCHW" ? IdentityPerm(4) : NhwcAsNchw();
}

// Spatial (H, W) TF axes for `format`.
std::pair<int, int> SpatialAxes(const std::string& format) {
  return format == "NCHW" ? std::pair{2, 3} : std::pair{1, 2};
}

// Fills window.pads for TF `padding` and computes the output H, W.
Status ResolvePadding(ConversionContext& ctx, const TfjsNode& node, const Value& in,
                      const std::string& format, Window& w, int64_t out_hw[2]) {
  const auto [ah, aw] = SpatialAxes(format);
  const int64_t in_hw[2] = {in.shape[ah], in.shape[aw]};
  const std::string padding = node.AttrString("padding", "VALID");
  w.pads.assign(4, 0);
  if (padding == "SAME") {
    for (int d = 0; d < 2; ++d) {
      out_hw[d] = (in_hw[d] + w.strides[d] - 1) / w.strides[d];
      const int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
      const int64_t total =
          std::max<int64_t>((out_hw[d] - 1) * w.strides[d] + extent - in_hw[d], 0);
      w.pads[d] = total / 2;  // TF puts the odd pixel at the end
      w.pads[d + 2] = total - total / 2;
    }
    return Status::Ok();
  }
  if (padding == "EXPLICIT") {
    const auto p = node.AttrInts("explicit_paddings");  // [before, after] per TF axis
    if (p.size() != 8) return ctx.Error(node, "malformed explicit_paddings");
    const size_t h = 2 * static_cast<size_t>(ah), w2 = 2 * static_cast<size_t>(aw);
    w.pads = {p[h], p[w2], p[h + 1], p[w2 + 1]};
  } else if (padding != "VALID") {
    return ctx.Error(node, "padding '" + padding + "' is not supported");
  }
  for (int d = 0; d < 2; ++d) {
    const int64_t extent = (w.kernel[d] - 1) * w.dilations[d] + 1;
    out_hw[d] = (in_hw[d] + w.pads[d] + w.pads[d + 2] - extent) / w.strides[d] + 1;
  }
  return Status::Ok();
}

// Absorbs a pending Pad of `in` (spatial axes only, with `value`) into w.pads and returns the ONNX
// tensor before the pad; otherwise emits the pad. `in` is returned laid out as NCHW.
std::string AbsorbPad(ConversionContext& ctx, const Value& in, const std::string& format,
                      float value, Window& w) {
  const Perm nchw = NchwLayout(format);
  if (in.pad && in.pad->value == value) {
    const auto [ah, aw] = SpatialAxes(format);
    const int c = format == "NCHW" ? 1 : 3;
    const auto& p = *in.pad;
    if (p.begin[0] == 0 && p.end[0] == 0 && p.begin[c] == 0 && p.end[c] == 0) {
      w.pads[0] += p.begin[ah];
      w.pads[1] += p.begin[aw];
      w.pads[2] += p.end[ah];
      w.pads[3] += p.end[aw];
      Value unpadded = in;
      unpadded.pad.reset();
      return ctx.Tensor(unpadded, nchw);
    }
  }
  return ctx.Tensor(in, nchw);
}

// Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative.
Status Conv(ConversionContext& ctx, const TfjsNode& node) {
  const bool depthwise = node.op.find("Depthwise") != std::string::npos;
  const std::string format = node.AttrString("data_format", "NHWC");
  if (format != "NHWC" && format != "NCHW") return ctx.Error(node, "data_format " + format);
  const Value& in = ctx.Input(node, 0);
  if (in.rank() != 4) return ctx.Error(node, "input is not 4-D: " + ShapeToString(in.shape));
  auto filter = ctx.ConstInput(node, 1);
  if (!filter.ok()) return filter.status();
  if (filter->shape.size() != 4 || !filter->is_float())
    return ctx.Error(node, "filter is not 4-D float");
  const int64_t kh = filter->shape[0], kw = filter->shape[1];
  const int64_t fin = filter->shape[2], fout = filter->shape[3];
  const auto [ah, aw] = SpatialAxes(format);
  const int c_axis = format == "NCHW" ? 1 : 3;
  const int64_t in_channels = in.shape[c_axis];

  Window w;
  w.kernel = {kh, kw};
  const auto strides = node.AttrInts("strides");
  const auto dilations = node.AttrInts("dilations");
  w.strides = strides.size() == 4 ? std::vector<int64_t>{strides[ah], strides[aw]}
                                  : std::vector<int64_t>{1, 1};
  w.dilations = dilations.size() == 4 ? std::vector<int64_t>{dilations[ah], dilations[aw]}
                                      : std::vector<int64_t>{1, 1};
  int64_t out_hw[2];
  // Output size is computed on the padded input; pads found here are added to absorbed ones.
  if (Status s = ResolvePadding(ctx, node, in, format, w, out_hw); !s.ok()) return s;

  // ONNX weights [Cout, Cin/group, kh, kw].
  HostTensor weights;
  int64_t group = 1;
  int64_t out_channels;
  if (depthwise) {
    // TF [kh, kw, Cin, m] -> ONNX [Cin*m, 1, kh, kw], group = Cin.
    if (fin != in_channels) return ctx.Error(node, "filter channels do not match the input");
    out_channels = fin * fout;
    group = fin;
    weights = HostTensor::Float({out_channels, 1, kh, kw}, std::vector<float>(filter->size()));
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        for (int64_t c = 0; c < fin; ++c)
          for (int64_t m = 0; m < fout; ++m)
            weights.f[((c * fout + m) * kh + y) * kw + x] =
                filter->f[((y * kw + x) * fin + c) * fout + m];
  } else {
    // TF [kh, kw, Cin, Cout] -> ONNX [Cout, Cin, kh, kw]; grouped when Cin < input channels.
    if (fin <= 0 || in_channels % fin != 0)
      return ctx.Error(node, "filter channels do not match the input");
    group = in_channels / fin;
    out_channels = fout;
    weights = Transposed(*filter, {3, 2, 0, 1});
  }

  std::vector<std::string> inputs = {AbsorbPad(ctx, in, format, 0.0f, w), ""};
  inputs[1] = ctx.onnx().AddInitializer(node.name + "/weights", weights);

  const auto fused = node.AttrStrings("fused_ops");
  size_t next_arg = 2;
  std::vector<std::string> activations;
  for (const auto& f : fused) {
    if (f == "BiasAdd") {
      auto bias = ctx.ConstInput(node, static_cast<int>(next_arg++));
      if (!bias.ok()) return bias.status();
      inputs.push_back(ctx.onnx().AddInitializer(node.name + "/bias", *bias));
    } else if (f == "Relu" || f == "Relu6" || f == "LeakyRelu" || f == "Elu" || f == "Sigmoid") {
      activations.push_back(f);
    } else {
      return ctx.Error(node, "fused op '" + f + "' is not supported");
    }
  }

  std::vector<OnnxAttr> attrs = {
      OnnxAttr::Ints("kernel_shape", {kh, kw}),
      OnnxAttr::Ints("strides", w.strides),
      OnnxAttr::Ints("dilations", w.dilations),
      OnnxAttr::Ints("pads", w.pads),
      OnnxAttr::Int("group", group),
  };
  const std::string conv_name = activations.empty() ? node.name : node.name + "/conv";
  std::string x = ctx.onnx().AddNode("Conv", inputs, conv_name, attrs);
  if (inputs.size() == 2 && activations.empty()) {
    auto& nodes = *ctx.onnx().mutable_model().mutable_graph()->mutable_node();
    ctx.NoteBiaslessConv(x, &nodes[nodes.size() - 1], out_channels);
  }
  for (const auto& f : activations) {
    std::vector<OnnxAttr> a;
    std::string op = f;
    if (f == "Relu6") {
      op = "Clip";
      a = {OnnxAttr::Float("min", 0), OnnxAttr::Float("max", 6)};
    } else if (f == "LeakyRelu") {
      a = {OnnxAttr::Float("alpha", node.AttrFloat("leakyrelu_alpha", 0.2f))};
    }
    x = ctx.onnx().AddNode(op, {x}, node.name, a);
  }

  Value out;
  out.onnx = x;
  out.perm = NchwLayout(format);
  out.shape = in.shape;
  out.shape[ah] = out_hw[0];
  out.shape[aw] = out_hw[1];
  out.shape[c_axis] = out_channels;
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

// MaxPool, AvgPool.
Status Pool(ConversionContext& ctx, const TfjsNode& node) {
  const std::string format = node.AttrString("data_format", "NHWC");
  if (format != "NHWC" && format != "NCHW") return ctx.Error(node, "data_format " + format);
  const Value& in = ctx.Input(node, 0);
  if (in.rank() != 4) return ctx.Error(node, "input is not 4-D");
  const auto [ah, aw] = SpatialAxes(format);
  const auto ksize = node.AttrInts("ksize");
  const auto strides = node.AttrInts("strides");
  if (ksize.size() != 4 || strides.size() != 4) return ctx.Error(node, "malformed ksize/strides");
  Window w;
  w.kernel = {ksize[ah], ksize[aw]};
  w.strides = {strides[ah], strides[aw]};
  w.dilations = {1, 1};
  int64_t out_hw[2];
  if (Status s = ResolvePadding(ctx, node, in, format, w, out_hw); !s.ok()) return s;
  const bool max = node.op == "MaxPool";
  // A max pool ignores padding, which is what a -inf pad value does in TF.
  const float absorbable = -std::numeric_limits<float>::infinity();
  // An average pool counts padded zeros differently from TF: keep an explicit Pad as a layer.
  std::string x =
      max ? AbsorbPad(ctx, in, format, absorbable, w) : ctx.Tensor(in, NchwLayout(format));
  std::vector<OnnxAttr> attrs = {OnnxAttr::Ints("kernel_shape", w.kernel),
                                 OnnxAttr::Ints("strides", w.strides),
                                 OnnxAttr::Ints("pads", w.pads)};
  Value out;
  out.onnx = ctx.onnx().AddNode(max ? "MaxPool" : "AveragePool", {x}, node.name, attrs);
  out.perm = NchwLayout(format);
  out.shape = in.shape;
  out.shape[ah] = out_hw[0];
  out.shape[aw] = out_hw[1];
  ctx.Define(node, 0, std::move(out));
  return Status::Ok();
}

}  // namespace

void RegisterConvOps(OpConverterMap& map) {
  for (const char* op :
       {"Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"}) {
    map[op] = Conv;
  }
  map["MaxPool"] = Pool;
  map["AvgPool"] = Pool;
}

}  // namespace imagemill::model
