#include "model/deconv_layer.h"

#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

namespace imagemill::model {
namespace {

class BlockDeconvLayer final : public cv::dnn::Layer {
 public:
  // blobs[0]: weights [in, out, k, k]; blobs[1] (optional): bias [out].
  explicit BlockDeconvLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {
    CV_Assert(!blobs.empty() && blobs[0].dims == 4 && blobs[0].type() == CV_32F &&
              blobs[0].size[2] == blobs[0].size[3]);
    in_ = blobs[0].size[0];
    out_ = blobs[0].size[1];
    k_ = blobs[0].size[2];
    // One (out x in) matrix per kernel position, so a position's outputs are one product.
    const cv::Mat w = blobs[0].reshape(1, in_);  // in x (out * k * k)
    for (int u = 0; u < k_; ++u) {
      for (int v = 0; v < k_; ++v) {
        cv::Mat m(out_, in_, CV_32F);
        for (int o = 0; o < out_; ++o) {
          for (int c = 0; c < in_; ++c) m.at<float>(o, c) = w.at<float>(c, (o * k_ + u) * k_ + v);
        }
        per_position_.push_back(m);
      }
    }
    if (blobs.size() > 1) {
      CV_Assert(blobs[1].type() == CV_32F && static_cast<int>(blobs[1].total()) == out_);
      bias_ = blobs[1].reshape(1, 1).clone();
    }
  }

  static cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
    return cv::makePtr<BlockDeconvLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required_outputs*/,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& /*internals*/) const override {
    CV_Assert(!inputs.empty() && inputs[0].size() == 4 && inputs[0][1] == in_);
    outputs.assign(1, {inputs[0][0], out_, inputs[0][2] * k_, inputs[0][3] * k_});
    return false;
  }

  void forward(cv::InputArrayOfArrays inputs, cv::OutputArrayOfArrays outputs,
               cv::OutputArrayOfArrays /*internals*/) override {
    std::vector<cv::Mat> in, out;
    inputs.getMatVector(in);
    outputs.getMatVector(out);
    const cv::Mat& x = in.at(0);
    cv::Mat& y = out.at(0);
    CV_Assert(x.type() == CV_32F && x.isContinuous() && y.isContinuous() && x.dims == 4);
    const int h = x.size[2], w = x.size[3];
    cv::Mat product;
    for (int n = 0; n < x.size[0]; ++n) {
      const cv::Mat plane(in_, h * w, CV_32F, const_cast<float*>(x.ptr<float>(n)));
      float* dst = y.ptr<float>(n);
      for (int u = 0; u < k_; ++u) {
        for (int v = 0; v < k_; ++v) {
          cv::gemm(per_position_[u * k_ + v], plane, 1.0, cv::noArray(), 0.0, product);
          for (int o = 0; o < out_; ++o) {
            const float b = bias_.empty() ? 0.0f : bias_.at<float>(o);
            const float* p = product.ptr<float>(o);
            float* yo = dst + static_cast<size_t>(o) * h * k_ * w * k_;
            for (int i = 0; i < h; ++i) {
              float* row = yo + (static_cast<size_t>(i) * k_ + u) * w * k_ + v;
              for (int j = 0; j < w; ++j) row[j * k_] = p[i * w + j] + b;
            }
          }
        }
      }
    }
  }

 private:
  int in_ = 0, out_ = 0, k_ = 1;
  std::vector<cv::Mat> per_position_;  // k*k matrices, out x in
  cv::Mat bias_;                       // 1 x out, or empty
};

const onnx::AttributeProto* Attribute(const onnx::NodeProto& n, const std::string& name) {
  for (const onnx::AttributeProto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

// All of `name`'s values equal `v` (true when the attribute is absent: ONNX's defaults are 0 for
// pads and output_padding and 1 for dilations and group).
bool AllEqual(const onnx::NodeProto& n, const std::string& name, int64_t v) {
  const onnx::AttributeProto* a = Attribute(n, name);
  if (a == nullptr) return true;
  if (a->type() == onnx::AttributeProto::INT) return a->i() == v;
  for (int64_t x : a->ints()) {
    if (x != v) return false;
  }
  return true;
}

}  // namespace

int UseBlockDeconvs(onnx::ModelProto& model) {
  int rewritten = 0;
  for (onnx::NodeProto& n : *model.mutable_graph()->mutable_node()) {
    if (n.op_type() != "ConvTranspose" || !n.domain().empty()) continue;
    const onnx::AttributeProto* kernel = Attribute(n, "kernel_shape");
    const onnx::AttributeProto* strides = Attribute(n, "strides");
    if (kernel == nullptr || strides == nullptr || kernel->ints_size() != 2 ||
        strides->ints_size() != 2 || kernel->ints(0) != kernel->ints(1) ||
        strides->ints(0) != kernel->ints(0) || strides->ints(1) != kernel->ints(1)) {
      continue;
    }
    if (!AllEqual(n, "pads", 0) || !AllEqual(n, "output_padding", 0) ||
        !AllEqual(n, "dilations", 1) || !AllEqual(n, "group", 1) ||
        Attribute(n, "output_shape") != nullptr) {
      continue;
    }
    const onnx::AttributeProto* auto_pad = Attribute(n, "auto_pad");
    if (auto_pad != nullptr && auto_pad->s() != "NOTSET" && auto_pad->s() != "VALID") continue;
    n.set_op_type(kBlockDeconvOp);
    n.clear_attribute();
    ++rewritten;
  }
  return rewritten;
}

void RegisterBlockDeconvLayer() {
  static std::once_flag once;
  std::call_once(
      once, [] { cv::dnn::LayerFactory::registerLayer(kBlockDeconvOp, BlockDeconvLayer::Create); });
}

}  // namespace imagemill::model
