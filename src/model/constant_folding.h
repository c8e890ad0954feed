// Constant folding: evaluates at import time the TF nodes whose inputs are all constants, such as
// the SparseToDense + AddV2 chains that an ONNX→TF export leaves behind to build Reshape targets.
// OpenCV's DNN cannot run those integer ops, and folding them leaves only the layers that matter.
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#pragma once

#include <optional>
#include <vector>

#include "model/tensor.h"
#include "model/tfjs_graph.h"

namespace imagemill::model {

// The outputs of `node` given its constant `inputs`, or nullopt when imagemill does not fold this
// op (the node is then converted like any other).
std::optional<std::vector<HostTensor>> FoldConstant(const TfjsNode& node,
                                                    const std::vector<HostTensor>& inputs);

// NumPy/TF broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<Shape> BroadcastShapes(const Shape& a, const Shape& b);

}  // namespace imagemill::model
