#include "model/pool_layer.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <mutex>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

namespace imagemill::model {
namespace {

class MaxPoolLayer final : public cv::dnn::Layer {
 public:
  explicit MaxPoolLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {
    g_.kernel_h = params.get<int>("kernel_h");
    g_.kernel_w = params.get<int>("kernel_w");
    g_.stride_y = params.get<int>("stride_y", 1);
    g_.stride_x = params.get<int>("stride_x", 1);
    g_.pad_top = params.get<int>("pad_top", 0);
    g_.pad_left = params.get<int>("pad_left", 0);
    pad_bottom_ = params.get<int>("pad_bottom", 0);
    pad_right_ = params.get<int>("pad_right", 0);
  }

  static cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
    return cv::makePtr<MaxPoolLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required_outputs*/,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& /*internals*/) const override {
    CV_Assert(inputs.size() == 1 && inputs[0].size() == 4);
    const int h = (inputs[0][2] + g_.pad_top + pad_bottom_ - g_.kernel_h) / g_.stride_y + 1;
    const int w = (inputs[0][3] + g_.pad_left + pad_right_ - g_.kernel_w) / g_.stride_x + 1;
    CV_Assert(h > 0 && w > 0);
    outputs.assign(1, cv::dnn::MatShape{inputs[0][0], inputs[0][1], h, w});
    return false;
  }

  void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
               cv::OutputArrayOfArrays /*internals*/) override {
    std::vector<cv::Mat> in, out;
    inputs.getMatVector(in);
    outputs.getMatVector(out);
    const cv::Mat& x = in.at(0);
    cv::Mat& y = out.at(0);
    CV_Assert(x.type() == CV_32F && y.type() == CV_32F && x.isContinuous() && y.isContinuous() &&
              x.dims == 4);
    PoolGeometry g = g_;
    g.height = x.size[2];
    g.width = x.size[3];
    g.out_height = y.size[2];
    g.out_width = y.size[3];
    MaxPool(x.ptr<float>(), x.size[0] * x.size[1], g, y.ptr<float>());
  }

 private:
  PoolGeometry g_;  // window, strides and padding; the sizes are filled in per call
  int pad_bottom_ = 0, pad_right_ = 0;
};

const onnx::AttributeProto* Attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

}  // namespace

void MaxPool(const float* in, int planes, const PoolGeometry& g, float* out) {
  // The maxima down the window's rows, between pad_left and enough -inf columns on the right
  // for every window: then each output is the maximum of kernel_w entries, with no bounds to
  // check, and the loops over a row vectorise (-O3, CMakeLists.txt).
  const float lowest = -std::numeric_limits<float>::infinity();
  const int padded = std::max(g.pad_left + g.width, (g.out_width - 1) * g.stride_x + g.kernel_w);
  std::vector<float> column_max(padded, lowest);
  float* const cm = column_max.data() + g.pad_left;
  for (int p = 0; p < planes; ++p) {
    const float* plane = in + static_cast<size_t>(p) * g.height * g.width;
    for (int oy = 0; oy < g.out_height; ++oy) {
      const int y0 = std::max(0, oy * g.stride_y - g.pad_top);
      const int y1 = std::min(g.height, oy * g.stride_y - g.pad_top + g.kernel_h);
      // Down the window's rows (at least one: padding is smaller than the window).
      std::copy(plane + static_cast<size_t>(y0) * g.width,
                plane + static_cast<size_t>(y0 + 1) * g.width, cm);
      for (int y = y0 + 1; y < y1; ++y) {
        const float* row = plane + static_cast<size_t>(y) * g.width;
        for (int x = 0; x < g.width; ++x) cm[x] = std::max(cm[x], row[x]);
      }
      // Across each window's columns.
      float* dst = out + (static_cast<size_t>(p) * g.out_height + oy) * g.out_width;
      const float* first = column_max.data();
      if (g.stride_x == 2) {  // NanoDet's; a constant stride lets the compiler vectorise
        for (int ox = 0; ox < g.out_width; ++ox) dst[ox] = first[2 * ox];
        for (int kx = 1; kx < g.kernel_w; ++kx) {
          for (int ox = 0; ox < g.out_width; ++ox) dst[ox] = std::max(dst[ox], first[2 * ox + kx]);
        }
      } else {
        for (int ox = 0; ox < g.out_width; ++ox) dst[ox] = first[ox * g.stride_x];
        for (int kx = 1; kx < g.kernel_w; ++kx) {
          for (int ox = 0; ox < g.out_width; ++ox) {
            dst[ox] = std::max(dst[ox], first[ox * g.stride_x + kx]);
          }
        }
      }
    }
  }
}

int UseFastMaxPools(onnx::ModelProto& model) {
  int rewritten = 0;
  for (onnx::NodeProto& n : *model.mutable_graph()->mutable_node()) {
    if (n.op_type() != "MaxPool" || !n.domain().empty() || n.input_size() != 1 ||
        n.output_size() != 1) {
      continue;
    }
    const onnx::AttributeProto* kernel = Attr(n, "kernel_shape");
    const onnx::AttributeProto* strides = Attr(n, "strides");
    const onnx::AttributeProto* pads = Attr(n, "pads");
    const onnx::AttributeProto* dilations = Attr(n, "dilations");
    const onnx::AttributeProto* auto_pad = Attr(n, "auto_pad");
    const onnx::AttributeProto* ceil_mode = Attr(n, "ceil_mode");
    const onnx::AttributeProto* storage_order = Attr(n, "storage_order");
    if (kernel == nullptr || kernel->ints_size() != 2 || kernel->ints(0) < 1 ||
        kernel->ints(1) < 1) {
      continue;
    }
    const int64_t k[2] = {kernel->ints(0), kernel->ints(1)};
    int64_t s[2] = {1, 1}, pad[4] = {0, 0, 0, 0};
    if (strides != nullptr) {
      if (strides->ints_size() != 2 || strides->ints(0) < 1 || strides->ints(1) < 1) continue;
      s[0] = strides->ints(0);
      s[1] = strides->ints(1);
    }
    if (pads != nullptr) {
      if (pads->ints_size() != 4) continue;
      for (int i = 0; i < 4; ++i) pad[i] = pads->ints(i);
    }
    // Every window must hold at least one input: padding smaller than the window.
    bool ok = pad[0] >= 0 && pad[1] >= 0 && pad[2] >= 0 && pad[3] >= 0 && pad[0] < k[0] &&
              pad[2] < k[0] && pad[1] < k[1] && pad[3] < k[1];
    if (dilations != nullptr) {
      for (int64_t d : dilations->ints()) ok = ok && d == 1;
    }
    ok = ok && (auto_pad == nullptr || auto_pad->s() == "NOTSET") &&
         (ceil_mode == nullptr || ceil_mode->i() == 0) &&
         (storage_order == nullptr || storage_order->i() == 0);
    if (!ok) continue;
    const std::pair<const char*, int64_t> geometry[] = {
        {"kernel_h", k[0]},  {"kernel_w", k[1]},   {"stride_y", s[0]},     {"stride_x", s[1]},
        {"pad_top", pad[0]}, {"pad_left", pad[1]}, {"pad_bottom", pad[2]}, {"pad_right", pad[3]}};
    n.set_op_type(kMaxPoolOp);
    n.clear_attribute();
    for (const auto& [name, value] : geometry) {
      onnx::AttributeProto* a = n.add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(value);
    }
    ++rewritten;
  }
  return rewritten;
}

void RegisterMaxPoolLayer() {
  static std::once_flag once;
  std::call_once(once,
                 [] { cv::dnn::LayerFactory::registerLayer(kMaxPoolOp, MaxPoolLayer::Create); });
}

}  // namespace imagemill::model
