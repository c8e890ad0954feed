// OpenCV 4.6's ONNX reader takes a Clip's bounds only as the `min`/`max` attributes of opset 6;
// from opset 11 on they are inputs (usually Constant nodes), and OpenCV refuses such a Clip
// (tests/model/opencv_onnx_quirks_test.cc). Networks exported by paddle2onnx (PP-OCR) use the
// input form for every hard swish and Relu6. ClipInputsToAttributes turns each constant-bounded
// Clip back into the attribute form, which OpenCV reads, and drops the Constant nodes left unused.
#pragma once

#include <onnx/onnx_pb.h>

#include "util/status.h"

namespace imagemill::model {

// Rewrites, in place, every Clip node of `model` whose min and max inputs are scalar float
// constants (Constant nodes or initializers; a missing or empty input is unbounded) so that it
// has one input and `min`/`max` attributes. Returns how many nodes were rewritten, or
// Unsupported naming the node when a bound is computed by the graph (nothing is changed then).
Result<int> ClipInputsToAttributes(onnx::ModelProto& model);

}  // namespace imagemill::model
