// Winograd F(4x4, 3x3) convolution: 3x3 filters, stride 1, one pixel of zero padding on every
// side, no groups, NCHW float32. Each 4x4 block of outputs costs 36 multiply-adds per input and
// output channel pair instead of 144; the products become 36 matrix products (an AVX2 kernel),
// between transforms of the input and of the output done eight tiles at a time.
//
// winograd_kernel.cc is compiled for AVX2 and FMA; call it only when WinogradCpuSupported()
// (winograd_conv.h) says this CPU has them.
// Results differ from a direct convolution by float rounding (about 1e-5 relative here).
#pragma once

#include <vector>

namespace imagemill::model {

// What follows a convolution: nothing, or x -> max(x, slope·x) with 0 <= slope <= 1 (slope 0 is
// ReLU; NanoDet's leaky ReLU has 0.1).
struct Activation {
  bool on = false;
  float slope = 0;
};

// The filters transformed once: 36 matrices of out_channels x in_channels, and the bias.
struct WinogradFilters {
  int out_channels = 0;
  int in_channels = 0;
  // [36][out x in], each ξ in panels of 6 output channels (fewer in the last): the panel of
  // channels o0..o0+rows-1 starts at o0·in and holds [in][rows], the order the products read it.
  std::vector<float> u;
  std::vector<float> bias;  // [out], zeros when the convolution has none
};

// `weights` [out][in][3][3], `bias` [out] or nullptr.
WinogradFilters TransformFilters(const float* weights, const float* bias, int out_channels,
                                 int in_channels);

// One image: `in` [in_channels][height][width] -> `out` [out_channels][height][width], followed by
// `act`. Scratch memory is per thread (a few MiB), reused across calls.
void WinogradConv3x3(const WinogradFilters& f, const float* in, int height, int width,
                     Activation act, float* out);

}  // namespace imagemill::model
