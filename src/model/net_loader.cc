#include "model/net_loader.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <set>
#include <sstream>

#include "model/pool_layer.h"
#include "model/sigmoid_layer.h"
#include "model/transpose_layer.h"
#include "model/winograd_conv.h"

namespace imagemill::model {

Result<cv::dnn::Net> NetFromOnnx(const std::string& onnx, const std::string& what) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx.data(), onnx.size());
    if (net.empty()) return Status::Corrupt(what + ": OpenCV read no layers from the model");
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
  } catch (const cv::Exception& e) {
    return Status::Unsupported(what + ": OpenCV cannot load the network: " + e.what());
  }
}

Result<LoadedNet> LoadNet(const std::filesystem::path& path, const ImportOptions& options) {
  LoadedNet loaded;
  if (path.extension() == ".json") {
    auto imported = ImportTfjsModel(path, options);
    if (!imported.ok()) return imported.status();
    std::string onnx = std::move(imported->onnx);
    if (WinogradEnabled()) {
      onnx::ModelProto proto;
      if (!proto.ParseFromString(onnx)) return Status::Internal(path.string() + ": import wrote an unreadable model");
      // imagemill's own layers (convolutions, max pooling, sigmoids, transposes);
      // IMAGEMILL_WINOGRAD=0 keeps OpenCV's for all of them, the reference they are measured and
      // tested against.
      if (UseWinogradConvs(proto) + UseGemmConvs(proto) + UseFastMaxPools(proto) +
              UseFastSigmoids(proto) + UseFastTransposes(proto) >
          0) {
        RegisterWinogradConvLayer();
        RegisterMaxPoolLayer();
        RegisterSigmoidLayer();
        RegisterTransposeLayer();
        onnx = proto.SerializeAsString();
      }
    }
    auto net = NetFromOnnx(onnx, path.string());
    if (!net.ok()) return net.status();
    loaded.net = std::move(net).value();
    loaded.inputs = imported->inputs;
    loaded.outputs = imported->outputs;
    return loaded;
  }
  try {
    loaded.net = cv::dnn::readNetFromONNX(path.string());
    loaded.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    loaded.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    return Status::Unsupported(path.string() + ": OpenCV cannot load the network: " + e.what());
  }
  // OpenCV does not tell a model's input names; read them (and the shapes) from the file.
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto proto;
  if (!proto.ParseFromString(bytes.str())) {
    return Status::Corrupt(path.string() + ": not an ONNX model");
  }
  std::set<std::string> initializers;
  for (const auto& t : proto.graph().initializer()) initializers.insert(t.name());
  auto info = [](const onnx::ValueInfoProto& v) {
    TensorInfo t{v.name(), {}};
    for (const auto& d : v.type().tensor_type().shape().dim()) {
      t.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    return t;
  };
  for (const auto& v : proto.graph().input()) {
    if (initializers.count(v.name()) == 0) loaded.inputs.push_back(info(v));
  }
  for (const auto& v : proto.graph().output()) loaded.outputs.push_back(info(v));
  return loaded;
}

}  // namespace imagemill::model
