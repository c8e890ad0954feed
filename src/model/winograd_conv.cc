#include "model/winograd_conv.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>
#include <opencv2/dnn/all_layers.hpp>

#include "model/gemm_conv_kernel.h"
#include "model/winograd_kernel.h"

namespace imagemill::model {
namespace {

// Below this side, OpenCV's direct convolution may be faster than the transforms; from 10x10
// (9 tiles) on the layer measured faster (docs/benchmarks.md, "Design measurements").
constexpr int kMinSide = 10;
constexpr int kMinInputChannels = 8;

// The activation a rewrite folded into the node: attribute "relu" (1: on), "slope" (leaky ReLU).
Activation ActivationOf(const cv::dnn::LayerParams& params) {
  Activation act;
  act.on = params.get<int>("relu", 0) != 0;
  act.slope = params.get<float>("slope", 0.0f);
  return act;
}

// Applies `act` to a whole blob (OpenCV's convolution, for the maps the kernels do not take).
void Apply(const Activation& act, cv::Mat& m) {
  if (!act.on) return;
  if (act.slope == 0) {
    cv::max(m, 0.0, m);
  } else {
    cv::max(m, m * act.slope, m);
  }
}

// Transformed filters, shared by every network of the process that has the same weights.
struct FilterCache {
  struct Entry {
    std::vector<float> weights, bias;  // the layer's own, compared in full on a lookup
    std::weak_ptr<const WinogradFilters> filters;
  };
  std::mutex mu;
  std::multimap<uint32_t, Entry> entries;  // by CRC-32 of the weights
};

FilterCache& Filters() {
  static FilterCache* cache = new FilterCache;  // never destroyed: layers may outlive statics
  return *cache;
}

// The workers of a run each load the same model, so their networks have the same filters: they
// are transformed once per process and shared, read-only (NanoDet's take about 60 MB). Held
// while transforming, so that networks loading together wait for one transform.
std::shared_ptr<const WinogradFilters> SharedFilters(const float* weights, const float* bias,
                                                     int out_channels, int in_channels) {
  const size_t n = size_t(out_channels) * size_t(in_channels) * 9;
  const uint32_t crc = static_cast<uint32_t>(libdeflate_crc32(0, weights, n * sizeof(float)));
  const std::vector<float> b = bias ? std::vector<float>(bias, bias + out_channels)
                                    : std::vector<float>();
  FilterCache& cache = Filters();
  std::lock_guard<std::mutex> lock(cache.mu);
  for (auto it = cache.entries.begin(); it != cache.entries.end();) {
    it = it->second.filters.expired() ? cache.entries.erase(it) : std::next(it);
  }
  auto [first, last] = cache.entries.equal_range(crc);
  for (auto it = first; it != last; ++it) {
    const FilterCache::Entry& e = it->second;
    if (e.weights.size() == n && e.bias == b &&
        std::memcmp(e.weights.data(), weights, n * sizeof(float)) == 0) {
      if (auto shared = e.filters.lock()) return shared;
    }
  }
  auto shared = std::make_shared<const WinogradFilters>(
      TransformFilters(weights, bias, out_channels, in_channels));
  cache.entries.emplace(crc, FilterCache::Entry{std::vector<float>(weights, weights + n), b,
                                                shared});
  return shared;
}

class WinogradConvLayer final : public cv::dnn::Layer {
 public:
  explicit WinogradConvLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {
    act_ = ActivationOf(params);
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
    filters_ = SharedFilters(blobs[0].ptr<float>(), bias, out_channels, in_channels);
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
      Apply(act_, out.at(0));
      return;
    }
    inputs.getMatVector(in);
    const cv::Mat& x = in.at(0);
    cv::Mat& y = out.at(0);
    CV_Assert(x.type() == CV_32F && x.isContinuous() && y.isContinuous() &&
              x.size[1] == filters_->in_channels);
    for (int n = 0; n < x.size[0]; ++n) {
      WinogradConv3x3(*filters_, x.ptr<float>(n), x.size[2], x.size[3], act_, y.ptr<float>(n));
    }
  }

 private:
  std::shared_ptr<const WinogradFilters> filters_;  // shared with same-weight layers
  cv::Ptr<cv::dnn::Layer> direct_;  // OpenCV's convolution, for maps under kMinSide
  Activation act_;
  bool small_ = false;
};

// The convolutions UseGemmConvs picks (any stride, padding and kernel size; no groups or
// dilation), by GemmConv.
class GemmConvLayer final : public cv::dnn::Layer {
 public:
  explicit GemmConvLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {
    act_ = ActivationOf(params);
    CV_Assert(!blobs.empty() && blobs[0].dims == 4 && blobs[0].type() == CV_32F &&
              blobs[0].isContinuous());
    const float* bias = nullptr;
    if (blobs.size() > 1) {
      CV_Assert(blobs[1].type() == CV_32F && blobs[1].isContinuous() &&
                static_cast<int>(blobs[1].total()) == blobs[0].size[0]);
      bias = blobs[1].ptr<float>();
    }
    filters_ = PackGemmFilters(blobs[0].ptr<float>(), bias, blobs[0].size[0], blobs[0].size[1],
                               blobs[0].size[2], blobs[0].size[3]);
    geometry_.stride_y = params.get<int>("stride_y", 1);
    geometry_.stride_x = params.get<int>("stride_x", 1);
    geometry_.pad_top = params.get<int>("pad_top", 0);
    geometry_.pad_left = params.get<int>("pad_left", 0);
    pad_bottom_ = params.get<int>("pad_bottom", 0);
    pad_right_ = params.get<int>("pad_right", 0);
  }

  static cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
    return cv::makePtr<GemmConvLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required_outputs*/,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& /*internals*/) const override {
    CV_Assert(!inputs.empty() && inputs[0].size() == 4 && inputs[0][1] == filters_.in_channels);
    const int h = (inputs[0][2] + geometry_.pad_top + pad_bottom_ - filters_.kernel_h) /
                      geometry_.stride_y + 1;
    const int w = (inputs[0][3] + geometry_.pad_left + pad_right_ - filters_.kernel_w) /
                      geometry_.stride_x + 1;
    CV_Assert(h > 0 && w > 0);
    outputs.assign(1, cv::dnn::MatShape{inputs[0][0], filters_.out_channels, h, w});
    return false;
  }

  void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
               cv::OutputArrayOfArrays /*internals*/) override {
    std::vector<cv::Mat> in, out;
    inputs.getMatVector(in);
    outputs.getMatVector(out);
    const cv::Mat& x = in.at(0);
    cv::Mat& y = out.at(0);
    CV_Assert(x.type() == CV_32F && x.isContinuous() && y.isContinuous() &&
              x.size[1] == filters_.in_channels);
    ConvGeometry g = geometry_;
    g.height = x.size[2];
    g.width = x.size[3];
    g.out_height = y.size[2];
    g.out_width = y.size[3];
    for (int n = 0; n < x.size[0]; ++n) {
      GemmConv(filters_, x.ptr<float>(n), g, act_, y.ptr<float>(n));
    }
  }

 private:
  GemmFilters filters_;
  ConvGeometry geometry_;  // strides and padding; the sizes are filled in per call
  int pad_bottom_ = 0, pad_right_ = 0;
  Activation act_;
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

namespace {

using Initializers = std::map<std::string, const onnx::TensorProto*>;

// The activation a Relu or LeakyRelu node applies, if it is one this file's layers can fold.
bool FoldableActivation(const onnx::NodeProto& n, float* slope) {
  if (!n.domain().empty() || n.input_size() != 1) return false;
  if (n.op_type() == "Relu") {
    *slope = 0;
    return true;
  }
  if (n.op_type() != "LeakyRelu") return false;
  const onnx::AttributeProto* alpha = Attr(n, "alpha");
  *slope = alpha == nullptr ? 0.01f : alpha->f();  // ONNX's default
  return *slope >= 0 && *slope <= 1;  // then max(x, slope·x) is the leaky ReLU
}

// Rewrites each node for which `rewrite` returns true (it renames the node and sets its
// attributes); an activation fed only by such a node is folded into it (attributes "relu" = 1
// and, for a leaky ReLU, "slope"). Returns how many nodes were rewritten.
template <typename Rewrite>
int RewriteConvs(onnx::ModelProto& model, Rewrite rewrite) {
  onnx::GraphProto& g = *model.mutable_graph();
  Initializers init;
  for (const auto& t : g.initializer()) init[t.name()] = &t;
  std::map<std::string, int> consumers;
  for (const auto& n : g.node()) {
    for (const auto& i : n.input()) ++consumers[i];
  }
  std::set<std::string> graph_outputs;
  for (const auto& o : g.output()) graph_outputs.insert(o.name());
  std::map<std::string, std::pair<int, float>> act_of;  // tensor -> activation node reading it
  for (int i = 0; i < g.node_size(); ++i) {
    float slope = 0;
    if (FoldableActivation(g.node(i), &slope)) act_of[g.node(i).input(0)] = {i, slope};
  }
  std::set<int> folded;
  int rewritten = 0;
  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto& n = *g.mutable_node(i);
    if (!rewrite(n, init)) continue;
    auto act = act_of.find(n.output(0));
    if (act != act_of.end() && consumers[n.output(0)] == 1 &&
        graph_outputs.count(n.output(0)) == 0) {
      n.set_output(0, g.node(act->second.first).output(0));
      onnx::AttributeProto* a = n.add_attribute();
      a->set_name("relu");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(1);
      if (act->second.second != 0) {
        onnx::AttributeProto* s = n.add_attribute();
        s->set_name("slope");
        s->set_type(onnx::AttributeProto::FLOAT);
        s->set_f(act->second.second);
      }
      folded.insert(act->second.first);
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

// A Conv GemmConvLayer can run (float filter and bias initializers, 2-D, one group, no dilation,
// explicit padding) and should: fewer than kMinInputChannels input channels (gemm_conv_kernel.h).
bool QualifiesForGemm(const onnx::NodeProto& n, const Initializers& init) {
  if (n.op_type() != "Conv" || !n.domain().empty() || n.input_size() < 2 || n.input_size() > 3) {
    return false;
  }
  auto w = init.find(n.input(1));
  if (w == init.end() || w->second->data_type() != onnx::TensorProto::FLOAT ||
      w->second->dims().size() != 4 || w->second->dims(1) >= kMinInputChannels) {
    return false;
  }
  if (n.input_size() == 3) {
    auto b = init.find(n.input(2));
    if (b == init.end() || b->second->data_type() != onnx::TensorProto::FLOAT) return false;
  }
  const onnx::AttributeProto* group = Attr(n, "group");
  const onnx::AttributeProto* auto_pad = Attr(n, "auto_pad");
  const onnx::AttributeProto* strides = Attr(n, "strides");
  const onnx::AttributeProto* pads = Attr(n, "pads");
  const auto& d = w->second->dims();
  return IntsAre(Attr(n, "dilations"), {1, 1}, true) && (group == nullptr || group->i() == 1) &&
         (auto_pad == nullptr || auto_pad->s() == "NOTSET") &&
         IntsAre(Attr(n, "kernel_shape"), {d[2], d[3]}, true) &&
         (strides == nullptr ||
          (strides->ints_size() == 2 && strides->ints(0) >= 1 && strides->ints(1) >= 1)) &&
         (pads == nullptr ||
          (pads->ints_size() == 4 &&
           *std::min_element(pads->ints().begin(), pads->ints().end()) >= 0));
}

}  // namespace

int UseWinogradConvs(onnx::ModelProto& model) {
  return RewriteConvs(model, [](onnx::NodeProto& n, const Initializers& init) {
    if (!Qualifies(n, init)) return false;
    n.set_op_type(kWinogradConvOp);
    n.clear_attribute();
    return true;
  });
}

int UseGemmConvs(onnx::ModelProto& model) {
  return RewriteConvs(model, [](onnx::NodeProto& n, const Initializers& init) {
    if (!QualifiesForGemm(n, init)) return false;
    const onnx::AttributeProto* strides = Attr(n, "strides");
    const onnx::AttributeProto* pads = Attr(n, "pads");  // top, left, bottom, right
    const std::pair<const char*, int64_t> geometry[] = {
        {"stride_y", strides == nullptr ? 1 : strides->ints(0)},
        {"stride_x", strides == nullptr ? 1 : strides->ints(1)},
        {"pad_top", pads == nullptr ? 0 : pads->ints(0)},
        {"pad_left", pads == nullptr ? 0 : pads->ints(1)},
        {"pad_bottom", pads == nullptr ? 0 : pads->ints(2)},
        {"pad_right", pads == nullptr ? 0 : pads->ints(3)}};
    n.set_op_type(kGemmConvOp);
    n.clear_attribute();
    for (const auto& [name, value] : geometry) {
      onnx::AttributeProto* a = n.add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(value);
    }
    return true;
  });
}

void RegisterWinogradConvLayer() {
  static std::once_flag once;
  std::call_once(once, [] {
    cv::dnn::LayerFactory::registerLayer(kWinogradConvOp, WinogradConvLayer::Create);
    cv::dnn::LayerFactory::registerLayer(kGemmConvOp, GemmConvLayer::Create);
  });
}

size_t WinogradFilterBytes() {
  FilterCache& cache = Filters();
  std::lock_guard<std::mutex> lock(cache.mu);
  size_t bytes = 0;
  for (const auto& [crc, e] : cache.entries) {
    if (auto f = e.filters.lock()) bytes += (f->u.size() + f->bias.size()) * sizeof(float);
  }
  return bytes;
}

}  // namespace imagemill::model
