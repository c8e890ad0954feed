// The logistic function over an array, for imagemill's Sigmoid layer (sigmoid_layer.h).
//
// sigmoid_kernel.cc is compiled for AVX2 and FMA; call it only when WinogradEnabled()
// (winograd_conv.h) says this CPU has them.
#pragma once

#include <cstddef>

namespace imagemill::model {

// out[i] = 1 / (1 + e^-in[i]) for n values; `out` may be `in`. Within a few float ulps of the
// same formula with std::exp (e^x by a polynomial of about 1 ulp).
void Sigmoid(const float* in, size_t n, float* out);

}  // namespace imagemill::model
