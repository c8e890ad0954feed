// A faster Sigmoid for the networks imagemill imports, inside OpenCV's DNN module.
//
// OpenCV 4.6's Sigmoid is slow on NanoDet's three class-score heads (80 classes x 2100 positions
// at 320x320; docs/benchmarks.md, "Design measurements"). UseFastSigmoids renames Sigmoid nodes to
// kSigmoidOp, whose layer computes 1 / (1 + e^-x) eight values at a time with an AVX2 e^x
// (sigmoid_kernel.h). Like the convolution layers (winograd_conv.h), the rewrite happens in
// memory when imagemill loads a network, under the same switch (WinogradEnabled: AVX2 and FMA).
#pragma once

#include <onnx/onnx_pb.h>

namespace imagemill::model {

// The ONNX op type (default domain) of a Sigmoid run by imagemill's layer.
inline constexpr const char* kSigmoidOp = "ImagemillSigmoid";

// Rewrites, in place, each Sigmoid node. Returns how many it rewrote.
int UseFastSigmoids(onnx::ModelProto& model);

// Registers the layer with OpenCV's layer factory. Once per process; thread-safe.
void RegisterSigmoidLayer();

}  // namespace imagemill::model
