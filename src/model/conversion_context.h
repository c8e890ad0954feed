// ConversionContext: the state of one TF.js → ONNX conversion that the op converters share — what
// every TF tensor converted so far is (an ONNX tensor in some layout, or a constant), and the ONNX
// model being built. Op converters (ops_*.cc) read their inputs from it and define their outputs
// in it. Not thread-safe; one context per conversion.
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/layout.h"
#include "model/onnx_builder.h"
#include "model/tensor.h"
#include "model/tfjs_graph.h"
#include "util/status.h"

namespace imagemill::model {

// A TF Pad not emitted yet, so that a following convolution or pooling can absorb it.
// begin/end are per TF axis of the padded tensor.
struct PendingPad {
  std::vector<int64_t> begin, end;
  float value = 0;
};

// What one TF tensor became.
struct Value {
  std::string onnx;                    // the ONNX tensor; empty when `constant` is set
  Perm perm;                           // layout of `onnx` (see layout.h)
  Shape shape;                         // the TF tensor's shape (after any pending pad)
  std::optional<HostTensor> constant;  // the TF tensor's value, when known at import time
  std::optional<PendingPad> pad;       // `onnx` is the tensor before this pad

  bool is_constant() const { return constant.has_value(); }
  int rank() const { return static_cast<int>(shape.size()); }
};

class ConversionContext {
 public:
  ConversionContext(const TfjsGraph& graph, OnnxBuilder& builder,
                    const std::map<std::string, Shape>* native_shapes);

  const TfjsGraph& graph() const { return graph_; }
  OnnxBuilder& onnx() { return builder_; }

  // The value of input `k` of `node`. REQUIRES: the producer was converted (topological order).
  const Value& Input(const TfjsNode& node, int k) const;
  // Input `k` as a constant, or an error naming the node when it is not one.
  Result<HostTensor> ConstInput(const TfjsNode& node, int k) const;

  // Defines output `k` of `node`.
  void Define(const TfjsNode& node, int k, Value value);
  // The value of TF tensor `tensor`, or null when it was not defined.
  const Value* Find(const std::string& tensor) const;
  // Every TF tensor defined so far, by name.
  const std::map<std::string, Value>& values() const { return values_; }

  // The ONNX tensor holding `v` laid out as `want`, emitting a pending pad and a Transpose when
  // needed (cached, so that several consumers share them).
  std::string Tensor(const Value& v, const Perm& want);
  // The ONNX tensor holding `v` in whatever layout it has (returned in *perm).
  std::string TensorAnyLayout(const Value& v, Perm* perm);
  // Constant `t` (TF layout) as an initializer laid out as `perm`.
  std::string Constant(const std::string& hint, const HostTensor& t, const Perm& perm);

  // The shape TF tensor `tensor` has at the model's own input size (for ops whose TF attributes
  // bake in sizes, such as a resize to a constant size). Null when unknown.
  const Shape* NativeShape(const std::string& tensor) const;

  // How many nodes consume output `tensor` ("name" or "name:k").
  int ConsumerCount(const std::string& tensor) const;

  // Records that ONNX tensor `tensor` is the output of Conv node `conv` that has no bias yet, so
  // that a following bias addition can be folded into it.
  void NoteBiaslessConv(const std::string& tensor, onnx::NodeProto* conv, int64_t channels);
  // Folds `bias` (length = the conv's output channels) into the Conv that produced `tensor`, if
  // that Conv has no bias and no other consumer. Returns whether it did.
  bool TryFoldBias(const std::string& tensor, const std::string& tf_tensor, const HostTensor& bias);

  // An Unsupported status naming the model file, the node and its op.
  Status Error(const TfjsNode& node, const std::string& message) const;

 private:
  const TfjsGraph& graph_;
  OnnxBuilder& builder_;
  const std::map<std::string, Shape>* native_shapes_;
  std::map<std::string, Value> values_;            // by TF tensor name "node" or "node:k"
  std::map<std::string, std::string> transposed_;  // cache: "onnx|perm" -> ONNX tensor
  std::map<std::string, std::string> padded_;      // cache: pending pads emitted
  std::map<std::string, int> consumers_;
  struct BiaslessConv {
    onnx::NodeProto* node;
    int64_t channels;
  };
  std::map<std::string, BiaslessConv> biasless_convs_;
};

// Converts one TF node. Returns a Status naming the node when it cannot.
using OpConverter = std::function<Status(ConversionContext&, const TfjsNode&)>;
using OpConverterMap = std::map<std::string, OpConverter>;

// Each adds the converters of one family of ops (ops_conv.cc, ops_elementwise.cc, ops_shape.cc).
void RegisterConvOps(OpConverterMap& map);
void RegisterElementwiseOps(OpConverterMap& map);
void RegisterShapeOps(OpConverterMap& map);

// The canonical TF name of output k of node `name`: "name" for k == 0, else "name:k".
std::string TensorName(const std::string& node, int k);

}  // namespace imagemill::model
