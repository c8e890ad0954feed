// Convolution as matrix products: the input is unrolled (im2col) a block of output pixels at a
// time and multiplied by the filters with the AVX2 kernel of avx2_product.h. Any kernel size,
// stride and padding, no dilation, no groups, NCHW float32. imagemill uses it where OpenCV 4.6's
// convolution is slow, on few input channels (NanoDet's first layer, 3 -> 32 channels, stride 2);
// on NanoDet's other stride-2 and 1x1 convolutions it was no faster than OpenCV's, so they stay
// with OpenCV (docs/benchmarks.md, "Design measurements").
//
// gemm_conv_kernel.cc is compiled for AVX2 and FMA; call it only when WinogradEnabled()
// (winograd_conv.h) says this CPU has them.
// Results differ from OpenCV's convolution by float rounding (the sums run in another order).
#pragma once

#include <vector>

#include "model/winograd_kernel.h"

namespace imagemill::model {

// The filters, laid out once in panels of output channels for the products; and the bias.
struct GemmFilters {
  int out_channels = 0;
  int in_channels = 0;
  int kernel_h = 0;
  int kernel_w = 0;
  // Panels of 6 output channels (fewer in the last): the panel of channels o0..o0+rows-1 starts
  // at o0·k and holds [k][rows], k = in_channels·kernel_h·kernel_w in the order of `weights`.
  std::vector<float> w;
  std::vector<float> bias;  // [out], zeros when the convolution has none
};

// `weights` [out][in][kernel_h][kernel_w], `bias` [out] or nullptr.
GemmFilters PackGemmFilters(const float* weights, const float* bias, int out_channels,
                            int in_channels, int kernel_h, int kernel_w);

// Where the filter goes: output (y, x) reads input rows y·stride_y - pad_top + 0..kernel_h-1, and
// likewise for columns; positions outside the input read zeros.
struct ConvGeometry {
  int height = 0, width = 0;          // input
  int out_height = 0, out_width = 0;  // output
  int stride_y = 1, stride_x = 1;
  int pad_top = 0, pad_left = 0;
};

// One image: `in` [in_channels][height][width] -> `out` [out_channels][out_height][out_width],
// followed by `act`. Scratch memory is per thread, reused across calls.
void GemmConv(const GemmFilters& f, const float* in, const ConvGeometry& g, Activation act,
              float* out);

}  // namespace imagemill::model
