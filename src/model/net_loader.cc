#include "model/net_loader.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

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

namespace {

// An imported TF.js model as OpenCV will read it (Winograd rewrite applied), with its tensors.
struct PreparedModel {
  std::string onnx;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
};

Result<PreparedModel> ImportAndPrepare(const std::filesystem::path& path,
                                       const ImportOptions& options) {
  auto imported = ImportTfjsModel(path, options);
  if (!imported.ok()) return imported.status();
  PreparedModel m{std::move(imported->onnx), std::move(imported->inputs),
                  std::move(imported->outputs)};
  if (WinogradEnabled()) {
    onnx::ModelProto proto;
    if (!proto.ParseFromString(m.onnx)) {
      return Status::Internal(path.string() + ": import wrote an unreadable model");
    }
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
      m.onnx = proto.SerializeAsString();
    }
  }
  return m;
}

// Every worker of a run loads the same model: it is imported once per process and the ONNX
// bytes are shared (importing NanoDet costs about 0.2 s of CPU). Keyed by the file, its size and
// modification time, the import options and whether imagemill's layers are on (IMAGEMILL_WINOGRAD
// can change between loads, as in the tests that compare them with OpenCV's); failures are not
// kept.
Result<std::shared_ptr<const PreparedModel>> CachedImport(const std::filesystem::path& path,
                                                         const ImportOptions& options) {
  using Key =
      std::tuple<std::string, uintmax_t, int64_t, std::vector<std::string>, int, int, bool>;
  static std::mutex mu;
  static std::map<Key, std::shared_ptr<const PreparedModel>> cache;
  std::error_code size_error, time_error;
  const uintmax_t size = std::filesystem::file_size(path, size_error);
  const auto mtime = std::filesystem::last_write_time(path, time_error);
  const bool cacheable = !size_error && !time_error;
  Key key{path.lexically_normal().string(), cacheable ? size : 0,
          cacheable ? static_cast<int64_t>(mtime.time_since_epoch().count()) : 0, options.outputs,
          options.input_height, options.input_width, WinogradEnabled()};
  // Held while importing, so that workers starting together wait for one import.
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); cacheable && it != cache.end()) return it->second;
  Result<PreparedModel> prepared = ImportAndPrepare(path, options);
  if (!prepared.ok()) return prepared.status();
  auto shared = std::make_shared<const PreparedModel>(std::move(prepared).value());
  if (cacheable) cache[key] = shared;
  return shared;
}

}  // namespace

Result<LoadedNet> LoadNet(const std::filesystem::path& path, const ImportOptions& options) {
  LoadedNet loaded;
  if (path.extension() == ".json") {
    auto prepared = CachedImport(path, options);
    if (!prepared.ok()) return prepared.status();
    auto net = NetFromOnnx((*prepared)->onnx, path.string());
    if (!net.ok()) return net.status();
    loaded.net = std::move(net).value();
    loaded.inputs = (*prepared)->inputs;
    loaded.outputs = (*prepared)->outputs;
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
