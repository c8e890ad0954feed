// A faster MaxPool for the networks imagemill imports, inside OpenCV's DNN module.
//
// NanoDet's only pooling (3x3, stride 2, padding 1, on 32 channels of 160x160 after its first
// convolution) is faster in this layer than in OpenCV 4.6's Pooling (docs/benchmarks.md, "Design
// measurements"). UseFastMaxPools renames such nodes to kMaxPoolOp, whose layer takes the
// maximum down the window's rows first (whole rows, vectorised by the compiler), then across each
// window's columns. Like the convolution layers (winograd_conv.h), the rewrite happens in memory
// when imagemill loads a network, under the same switch (WinogradEnabled).
#pragma once

#include <onnx/onnx_pb.h>

namespace imagemill::model {

// The ONNX op type (default domain) of a MaxPool run by imagemill's layer.
inline constexpr const char* kMaxPoolOp = "ImagemillMaxPool";

// Rewrites, in place, each 2-D MaxPool node with one output, explicit (or no) padding smaller
// than the window, no dilation, floor rounding and row-major storage. Returns how many it
// rewrote.
int UseFastMaxPools(onnx::ModelProto& model);

// Registers the layer with OpenCV's layer factory. Once per process; thread-safe.
void RegisterMaxPoolLayer();

// Where the window goes: output (y, x) covers input rows y·stride_y - pad_top + 0..kernel_h-1,
// and likewise for columns; positions outside the input are left out of the maximum.
struct PoolGeometry {
  int height = 0, width = 0, out_height = 0, out_width = 0;
  int kernel_h = 1, kernel_w = 1, stride_y = 1, stride_x = 1, pad_top = 0, pad_left = 0;
};

// `in` [planes][height][width] -> `out` [planes][out_height][out_width].
void MaxPool(const float* in, int planes, const PoolGeometry& g, float* out);

}  // namespace imagemill::model
