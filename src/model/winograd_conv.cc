#include "model/winograd_conv.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>

#include "model/winograd_kernel.h"

namespace imagemill::model {
namespace {

// Below this side, OpenCV's direct convolution is likely faster than the transforms: at 10x10 the
// 9 tiles fill 16 columns of the products, yet NanoDet's 10x10 layers took 6.9 ms per pass with
// the AVX2 kernel against 8.1 ms with OpenCV's convolution (median of 3 runs); smaller maps were
// not measured.
constexpr int kMinSide = 10;
constexpr int kMinInputChannels = 8;

class WinogradConvLayer final : public cv::dnn::Layer {
 public:
  explicit WinogradConvLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {
    relu_ = params.get<int>("relu", 0) != 0;
    CV_Assert(!blobs.empty() && blobs[0].dims == 4 && blobs[0].type() == CV_32F &&
              blobs[0].isContinuous() && blobs[0].size[2] == 3 && blobs[0].size[3] == 3);
    const int out_channels = blobs[0].size[0];
    const int in_channels = blobs[0].size[1];
    const float* bias = nullptr;
    if (blobs.size() > 1) {
      CV_Assert(blobs[1].type() == CV_32F && blobs[1].isContinuous() &&
                static_cast<int>(blobs[1].total()) == out_channels);
      bias = blobs[1].ptr<float>();
    }
    filters_ = TransformFilters(blobs[0].ptr<float>(), bias, out_channels, in_channels);
    cv::dnn::LayerParams conv;
    conv.name = name;
    conv.type = "Convolution";
    conv.set("kernel_size", 3);
    conv.set("pad", 1);
    conv.set("stride", 1);
    conv.set("num_output", out_channels);
    conv.set("bias_term", bias != nullptr);
    conv.blobs = blobs;
    direct_ = cv::dnn::ConvolutionLayer::create(conv);
  }

  static cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
    return cv::makePtr<WinogradConvLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int required_outputs,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& internals) const override {
    return direct_->getMemoryShapes(inputs, required_outputs, outputs, internals);
  }

  void finalize(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs) override {
    std::vector<cv::Mat> in;
    inputs.getMatVector(in);
    small_ = in.at(0).dims != 4 || in[0].size[2] < kMinSide || in[0].size[3] < kMinSide;
    if (small_) direct_->finalize(inputs, outputs);
  }

  void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
               cv::OutputArrayOfArrays internals) override {
    std::vector<cv::Mat> in, out;
    outputs.getMatVector(out);
    if (small_) {
      direct_->forward(inputs, outputs, internals);
      if (relu_) cv::max(out.at(0), 0.0, out[0]);
      return;
    }
    inputs.getMatVector(in);
    const cv::Mat& x = in.at(0);
    cv::Mat& y = out.at(0);
    CV_Assert(x.type() == CV_32F && x.isContinuous() && y.isContinuous() &&
              x.size[1] == filters_.in_channels);
    for (int n = 0; n < x.size[0]; ++n) {
      WinogradConv3x3(filters_, x.ptr<float>(n), x.size[2], x.size[3], relu_, y.ptr<float>(n));
    }
  }

 private:
  WinogradFilters filters_;
  cv::Ptr<cv::dnn::Layer> direct_;  // OpenCV's convolution, for maps under kMinSide
  bool relu_ = false;
  bool small_ = false;
};

const onnx::AttributeProto* Attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

bool IntsAre(const onnx::AttributeProto* a, std::vector<int64_t> want, bool absent_ok) {
  if (a == nullptr) return absent_ok;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end()) == want;
}

bool Qualifies(const onnx::NodeProto& n, const std::map<std::string, const onnx::TensorProto*>& init) {
  if (n.op_type() != "Conv" || !n.domain().empty() || n.input_size() < 2 || n.input_size() > 3) {
    return false;
  }
  auto w = init.find(n.input(1));
  if (w == init.end() || w->second->data_type() != onnx::TensorProto::FLOAT) return false;
  const auto& d = w->second->dims();
  if (d.size() != 4 || d[2] != 3 || d[3] != 3 || d[1] < kMinInputChannels) return false;
  if (n.input_size() == 3) {
    auto b = init.find(n.input(2));
    if (b == init.end() || b->second->data_type() != onnx::TensorProto::FLOAT) return false;
  }
  const onnx::AttributeProto* group = Attr(n, "group");
  const onnx::AttributeProto* auto_pad = Attr(n, "auto_pad");
  return IntsAre(Attr(n, "kernel_shape"), {3, 3}, true) &&
         IntsAre(Attr(n, "strides"), {1, 1}, true) && IntsAre(Attr(n, "dilations"), {1, 1}, true) &&
         IntsAre(Attr(n, "pads"), {1, 1, 1, 1}, false) && (group == nullptr || group->i() == 1) &&
         (auto_pad == nullptr || auto_pad->s() == "NOTSET");
}

}  // namespace

bool WinogradEnabled() {
  const char* env = std::getenv("IMAGEMILL_WINOGRAD");
  if (env != nullptr && std::string(env) == "0") return false;
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int UseWinogradConvs(onnx::ModelProto& model) {
  onnx::GraphProto& g = *model.mutable_graph();
  std::map<std::string, const onnx::TensorProto*> init;
  for (const auto& t : g.initializer()) init[t.name()] = &t;
  std::map<std::string, int> consumers;
  for (const auto& n : g.node()) {
    for (const auto& i : n.input()) ++consumers[i];
  }
  std::set<std::string> graph_outputs;
  for (const auto& o : g.output()) graph_outputs.insert(o.name());
  std::map<std::string, int> relu_of;  // tensor -> index of the Relu node reading it
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (n.op_type() == "Relu" && n.domain().empty() && n.input_size() == 1) relu_of[n.input(0)] = i;
  }
  std::set<int> folded;
  int rewritten = 0;
  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto& n = *g.mutable_node(i);
    if (!Qualifies(n, init)) continue;
    n.set_op_type(kWinogradConvOp);
    n.clear_attribute();
    auto relu = relu_of.find(n.output(0));
    if (relu != relu_of.end() && consumers[n.output(0)] == 1 && graph_outputs.count(n.output(0)) == 0) {
      n.set_output(0, g.node(relu->second).output(0));
      onnx::AttributeProto* a = n.add_attribute();
      a->set_name("relu");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(1);
      folded.insert(relu->second);
    }
    ++rewritten;
  }
  if (!folded.empty()) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (int i = 0; i < g.node_size(); ++i) {
      if (folded.count(i) == 0) *kept.Add() = g.node(i);
    }
    g.mutable_node()->Swap(&kept);
  }
  return rewritten;
}

void RegisterWinogradConvLayer() {
  static std::once_flag once;
  std::call_once(once, [] {
    cv::dnn::LayerFactory::registerLayer(kWinogradConvOp, WinogradConvLayer::Create);
  });
}

}  // namespace imagemill::model
