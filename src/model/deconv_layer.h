// Transposed convolutions whose kernel equals their stride (each input pixel becomes its own
// k x k block of output, blocks never overlap), inside OpenCV's DNN module, for networks whose
// input size changes from one forward pass to the next.
//
// OpenCV 4.6's Deconvolution layer, with the BatchNormalization after it fused in, keeps state
// from the first pass's input size: a second pass over an input of another size gives wrong
// values (PP-OCR's text detector, which upsamples its map with two 2x2, stride-2 transposed
// convolutions each followed by a BatchNormalization, found no text after the first image; the
// layers before them agree with a fresh network's). UseBlockDeconvs renames those
// ConvTranspose nodes to kBlockDeconvOp, whose layer works everything out per pass:
//   y[o][k*i + u][k*j + v] = b[o] + sum over c of w[c][o][u][v] * x[c][i][j].
#pragma once

#include <onnx/onnx_pb.h>

namespace imagemill::model {

// The ONNX op type (default domain) of a transposed convolution run by imagemill's layer.
inline constexpr const char* kBlockDeconvOp = "ImagemillBlockDeconv";

// Rewrites, in place, each ConvTranspose node with a 2-D kernel equal to its strides, no padding,
// no output padding, dilation 1, one group and no output_shape. Returns how many it rewrote.
int UseBlockDeconvs(onnx::ModelProto& model);

// Registers the layer with OpenCV's layer factory. Once per process; thread-safe.
void RegisterBlockDeconvLayer();

}  // namespace imagemill::model
