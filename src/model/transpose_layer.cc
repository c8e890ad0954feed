#include "model/transpose_layer.h"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <opencv2/dnn.hpp>
#include <vector>

namespace imagemill::model {
namespace {

// Elements per side of a block: 32x32 floats read and 32x32 written stay in L1 (8 KiB).
constexpr int kBlock = 32;

class TransposeLayer final : public cv::dnn::Layer {
 public:
  explicit TransposeLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {}

  static cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
    return cv::makePtr<TransposeLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required_outputs*/,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& /*internals*/) const override {
    CV_Assert(inputs.size() == 1 && inputs[0].size() == 3);
    outputs.assign(1, cv::dnn::MatShape{inputs[0][0], inputs[0][2], inputs[0][1]});
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
              x.dims == 3);
    Transpose021(x.ptr<float>(), x.size[0], x.size[1], x.size[2], y.ptr<float>());
  }
};

}  // namespace

void Transpose021(const float* in, int batch, int rows, int cols, float* out) {
  const size_t plane = static_cast<size_t>(rows) * cols;
  for (int n = 0; n < batch; ++n, in += plane, out += plane) {
    for (int i0 = 0; i0 < rows; i0 += kBlock) {
      const int i1 = std::min(rows, i0 + kBlock);
      for (int j0 = 0; j0 < cols; j0 += kBlock) {
        const int j1 = std::min(cols, j0 + kBlock);
        for (int j = j0; j < j1; ++j) {
          float* dst = out + static_cast<size_t>(j) * rows;
          for (int i = i0; i < i1; ++i) dst[i] = in[static_cast<size_t>(i) * cols + j];
        }
      }
    }
  }
}

int UseFastTransposes(onnx::ModelProto& model) {
  int rewritten = 0;
  for (onnx::NodeProto& n : *model.mutable_graph()->mutable_node()) {
    if (n.op_type() != "Transpose" || !n.domain().empty() || n.input_size() != 1) continue;
    bool perm021 = false;
    for (const auto& a : n.attribute()) {
      if (a.name() == "perm") {
        perm021 = a.ints_size() == 3 && a.ints(0) == 0 && a.ints(1) == 2 && a.ints(2) == 1;
      }
    }
    if (!perm021) continue;
    n.set_op_type(kTransposeOp);
    n.clear_attribute();
    ++rewritten;
  }
  return rewritten;
}

void RegisterTransposeLayer() {
  static std::once_flag once;
  std::call_once(
      once, [] { cv::dnn::LayerFactory::registerLayer(kTransposeOp, TransposeLayer::Create); });
}

}  // namespace imagemill::model
