// The TF.js graph-model importer: converts a TensorFlow.js graph model into an ONNX model that
// OpenCV 4.6's DNN module (cv::dnn::readNetFromONNX) runs.
//
// Hand-written because no library converts TF.js graphs to ONNX in C++ (the known converters are
// Python: tfjs-converter to a SavedModel, then tf2onnx). We emit ONNX rather than build a
// cv::dnn::Net layer by layer because ONNX is a file users can inspect, cache and run elsewhere,
// and OpenCV's ONNX importer already fuses and optimises what it reads.
//
// What the importer does, and why (each measured against the original model under TF.js):
//  - Tracks each tensor's layout (layout.h), so the Transposes an ONNX→TF export puts around every
//    NHWC convolution vanish, and emits a Transpose only where an op needs a specific layout.
//  - Folds constant subgraphs (SparseToDense/AddV2 building Reshape targets) at import time.
//  - Turns TF "SAME" padding into explicit, possibly asymmetric pads; absorbs explicit Pad ops into
//    the following convolution or max pool.
//  - Re-lays out filters ([H,W,Cin,Cout] → [Cout,Cin,H,W]; depthwise [H,W,Cin,m] → [Cin·m,1,H,W]
//    with group = Cin) and folds bias additions into convolutions.
//  - Writes what OpenCV 4.6 reads: Clip with min/max attributes (for Relu6), Resize with scale
//    factors and half_pixel or asymmetric coordinates, graph outputs with shapes and with names no
//    internal tensor has.
// The graph may be cut: the outputs can be any tensors, so a model whose tail OpenCV cannot run
// (CenterNet's TopK) is imported up to the tensors before it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/tensor.h"
#include "model/tfjs_graph.h"
#include "util/status.h"

namespace imagemill::model {

struct ImportOptions {
  // TF tensor names to make graph outputs ("node" or "node:k"); empty means the model signature's
  // outputs.
  std::vector<std::string> outputs;
  // Overrides the height and width of the (single) image input; 0 keeps the model's own.
  int input_height = 0;
  int input_width = 0;
};

struct TensorInfo {
  // The ONNX graph input or output name: the TF tensor name ("node", or "node:k" for output k).
  std::string name;
  Shape shape;  // in TF semantics (an NHWC tensor stays NHWC)
};

struct ImportedModel {
  std::string onnx;  // a serialized onnx.ModelProto
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::map<std::string, int> tf_ops;    // TF ops converted, by type
  std::map<std::string, int> onnx_ops;  // ONNX nodes emitted, by type
};

// Thread safety: conversions share no mutable state; any number may run at once.

// Converts `graph`. Fails with Unsupported naming the file, node and op when the graph has an op
// or attribute imagemill cannot convert, and InvalidArgument for an unknown output name.
Result<ImportedModel> ImportTfjsGraph(const TfjsGraph& graph, const ImportOptions& options);

// LoadTfjsGraph followed by ImportTfjsGraph.
Result<ImportedModel> ImportTfjsModel(const std::filesystem::path& model_json,
                                      const ImportOptions& options);

}  // namespace imagemill::model
