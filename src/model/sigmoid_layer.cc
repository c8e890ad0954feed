#include "model/sigmoid_layer.h"

#include <mutex>
#include <opencv2/dnn.hpp>
#include <vector>

#include "model/sigmoid_kernel.h"

namespace imagemill::model {
namespace {

class SigmoidLayer final : public cv::dnn::Layer {
 public:
  explicit SigmoidLayer(const cv::dnn::LayerParams& params) : cv::dnn::Layer(params) {}

  static cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
    return cv::makePtr<SigmoidLayer>(params);
  }

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required_outputs*/,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& /*internals*/) const override {
    CV_Assert(inputs.size() == 1);
    outputs.assign(1, inputs[0]);
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
              x.total() == y.total());
    Sigmoid(x.ptr<float>(), x.total(), y.ptr<float>());
  }
};

}  // namespace

int UseFastSigmoids(onnx::ModelProto& model) {
  int rewritten = 0;
  for (onnx::NodeProto& n : *model.mutable_graph()->mutable_node()) {
    if (n.op_type() != "Sigmoid" || !n.domain().empty() || n.input_size() != 1) continue;
    n.set_op_type(kSigmoidOp);
    ++rewritten;
  }
  return rewritten;
}

void RegisterSigmoidLayer() {
  static std::once_flag once;
  std::call_once(once,
                 [] { cv::dnn::LayerFactory::registerLayer(kSigmoidOp, SigmoidLayer::Create); });
}

}  // namespace imagemill::model
