// Faster convolutions for the networks imagemill imports, inside OpenCV's DNN module.
//
// OpenCV 4.6 runs a 3x3 convolution directly (9 multiply-adds per output, input and output
// channel). The label models spend 90 % of a forward pass there, so imagemill hands the 3x3,
// stride-1, padding-1 convolutions of the networks it imports to its own layer, which computes
// them with Winograd's F(4x4, 3x3) (winograd_kernel.h), and the convolutions with few input
// channels, where OpenCV is slowest, to an im2col layer (gemm_conv_kernel.h). With those layers
// and the max pooling, sigmoids and transposes of pool_layer.h, sigmoid_layer.h and
// transpose_layer.h, NanoDet-320 makes 29.6 forward passes/s on one thread against 15.7 with
// OpenCV's (`build/ceiling_bench`, medians of 4 interleaved runs on a busy machine,
// docs/models.md).
//
// How: after import, UseWinogradConvs and UseGemmConvs rename those Conv nodes to kWinogradConvOp
// and kGemmConvOp (folding a Relu or LeakyRelu that only they feed); OpenCV's ONNX reader builds a
// layer for an op it does not know from its layer factory, where RegisterWinogradConvLayer put
// ours. Maps smaller than 10x10 (where the transforms may cost more than they save) go to OpenCV's
// own convolution inside the Winograd layer. ONNX files written by `imagemill model import` keep
// the standard Conv: the rewrite is applied in memory, when imagemill loads a network, and only on
// CPUs with AVX2 and FMA.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstddef>

namespace imagemill::model {

// The ONNX op type (default domain) of a convolution run by imagemill's Winograd layer.
inline constexpr const char* kWinogradConvOp = "ImagemillWinogradConv3x3";

// The ONNX op type of any other convolution run by imagemill's own layer (gemm_conv_kernel.h).
inline constexpr const char* kGemmConvOp = "ImagemillGemmConv";

// True when this CPU can run the kernel (AVX2 and FMA), and IMAGEMILL_WINOGRAD is not "0"
// (a switch for measuring against OpenCV's own convolution).
bool WinogradEnabled();

// Rewrites, in place, each Conv node of `model` with a float 3x3 filter initializer, stride 1,
// dilation 1, one group, padding 1 on every side and at least 8 input channels; a Relu, or a
// LeakyRelu with alpha in [0, 1], fed only by such a node is folded into it. Returns how many
// convolutions were rewritten.
int UseWinogradConvs(onnx::ModelProto& model);

// Rewrites, in place, each Conv node with fewer than 8 input channels, float filter and bias
// initializers, dilation 1, one group and explicit padding to kGemmConvOp (any kernel size and
// stride), folding activations likewise. Returns how many convolutions were rewritten.
int UseGemmConvs(onnx::ModelProto& model);

// Registers both layers with OpenCV's layer factory. Once per process; thread-safe.
void RegisterWinogradConvLayer();

// Winograd layers with the same weights (the networks that each worker of a run loads from one
// model) share one copy of the transformed filters. The bytes of transformed filters alive in
// the process, each shared copy counted once.
size_t WinogradFilterBytes();

}  // namespace imagemill::model
