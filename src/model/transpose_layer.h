// A faster Transpose for the networks imagemill imports, inside OpenCV's DNN module.
//
// NanoDet ends in six Transposes, perm (0, 2, 1), that turn its [1, channels, positions] heads
// into [1, positions, channels]; OpenCV 4.6's Permute layer computes every element's index and
// was a visible share of the pass (docs/benchmarks.md, "Design measurements"). UseFastTransposes
// renames those nodes to kTransposeOp, whose layer copies in cache-sized blocks.
// Like the convolution layers (winograd_conv.h), the rewrite happens in memory when imagemill
// loads a network, under the same switch (WinogradEnabled).
#pragma once

#include <onnx/onnx_pb.h>

namespace imagemill::model {

// The ONNX op type (default domain) of a Transpose run by imagemill's layer.
inline constexpr const char* kTransposeOp = "ImagemillTranspose021";

// Rewrites, in place, each Transpose node with perm (0, 2, 1). Returns how many it rewrote.
int UseFastTransposes(onnx::ModelProto& model);

// Registers the layer with OpenCV's layer factory. Once per process; thread-safe.
void RegisterTransposeLayer();

// out[n][j][i] = in[n][i][j] for `in` [batch][rows][cols].
void Transpose021(const float* in, int batch, int rows, int cols, float* out);

}  // namespace imagemill::model
