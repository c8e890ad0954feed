// Compiled with -mavx2 -mfma (CMakeLists.txt).
#include "model/gemm_conv_kernel.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "model/avx2_product.h"

namespace imagemill::model {
namespace {

// Unrolled input per block, in floats: small enough to stay in the core's L2 cache (512 KiB)
// while the filters stream past it (192 KiB measured faster than 64 KiB and 512 KiB on NanoDet's
// stride-2 shapes).
constexpr int kBlockFloats = 48 * 1024;

struct Scratch {
  std::vector<float> b, m;
};

// Rows of the unrolled input for pixels [p0, p0 + n): row (ic, ky, kx), column j = the input
// value under filter tap (ky, kx) for output pixel p0 + j; `ld` floats per row.
void Unroll(const float* in, const ConvGeometry& g, int in_channels, int kh, int kw, int p0, int n,
            float* b, int ld) {
  const int ow = g.out_width;
  for (int ic = 0; ic < in_channels; ++ic) {
    const float* plane = in + static_cast<size_t>(ic) * g.height * g.width;
    for (int ky = 0; ky < kh; ++ky) {
      for (int kx = 0; kx < kw; ++kx) {
        float* dst = b + static_cast<size_t>((ic * kh + ky) * kw + kx) * ld;
        // Output columns whose input column ox·stride_x - pad_left + kx is inside the map.
        const int off = kx - g.pad_left;
        const int lo = off >= 0 ? 0 : (-off + g.stride_x - 1) / g.stride_x;
        const int hi = g.width - off <= 0 ? 0 : (g.width - off - 1) / g.stride_x + 1;
        for (int j = 0; j < n;) {
          const int p = p0 + j, oy = p / ow, ox0 = p % ow;
          const int run = std::min(n - j, ow - ox0);  // the rest of this output row
          const int y = oy * g.stride_y - g.pad_top + ky;
          float* d = dst + j - ox0;  // indexed by ox
          if (y < 0 || y >= g.height) {
            std::fill(d + ox0, d + ox0 + run, 0.0f);
          } else {
            const float* src = plane + static_cast<size_t>(y) * g.width + off;
            const int a = std::clamp(lo, ox0, ox0 + run), z = std::clamp(hi, a, ox0 + run);
            std::fill(d + ox0, d + a, 0.0f);
            if (g.stride_x == 1) {
              std::copy(src + a, src + z, d + a);
            } else if (g.stride_x == 2) {
              for (int ox = a; ox < z; ++ox) d[ox] = src[2 * ox];
            } else {
              for (int ox = a; ox < z; ++ox) d[ox] = src[ox * g.stride_x];
            }
            std::fill(d + z, d + ox0 + run, 0.0f);
          }
          j += run;
        }
      }
    }
  }
}

}  // namespace

GemmFilters PackGemmFilters(const float* weights, const float* bias, int out_channels,
                            int in_channels, int kernel_h, int kernel_w) {
  GemmFilters f;
  f.out_channels = out_channels;
  f.in_channels = in_channels;
  f.kernel_h = kernel_h;
  f.kernel_w = kernel_w;
  const size_t k = static_cast<size_t>(in_channels) * kernel_h * kernel_w;
  f.w.resize(k * out_channels);
  f.bias.assign(out_channels, 0.0f);
  if (bias != nullptr) std::copy(bias, bias + out_channels, f.bias.begin());
  for (int o = 0; o < out_channels; ++o) {
    const int o0 = o / kPanel * kPanel, rows = std::min(kPanel, out_channels - o0);
    for (size_t i = 0; i < k; ++i) {
      f.w[o0 * k + i * rows + (o - o0)] = weights[o * k + i];
    }
  }
  return f;
}

void GemmConv(const GemmFilters& f, const float* in, const ConvGeometry& g, Activation act,
              float* out) {
  thread_local Scratch s;
  const int k = f.in_channels * f.kernel_h * f.kernel_w, oc_n = f.out_channels;
  const int pixels = g.out_height * g.out_width;
  // Pixels per block: a multiple of 16 (the kernel's width), at least 32.
  const int block = std::min((pixels + 15) / 16 * 16, std::max(32, kBlockFloats / k / 16 * 16));
  if (s.b.size() < static_cast<size_t>(k) * block) s.b.resize(static_cast<size_t>(k) * block);
  if (s.m.size() < static_cast<size_t>(oc_n) * block) s.m.resize(static_cast<size_t>(oc_n) * block);
  float* const b = s.b.data();
  float* const m = s.m.data();
  const __m256 zero = _mm256_setzero_ps(), slope = _mm256_set1_ps(act.slope);
  for (int p0 = 0; p0 < pixels; p0 += block) {
    const int n = std::min(block, pixels - p0);
    // Columns past n of b hold what an earlier block left: the products may compute some, and
    // nothing reads them (each column of M depends on its own column of b only).
    Unroll(in, g, f.in_channels, f.kernel_h, f.kernel_w, p0, n, b, block);
    MatrixProduct(f.w.data(), oc_n, k, b, block, n, m, block);
    // Bias and activation, into the output planes.
    for (int oc = 0; oc < oc_n; ++oc) {
      const float* src = m + static_cast<size_t>(oc) * block;
      float* dst = out + static_cast<size_t>(oc) * pixels + p0;
      const __m256 bias = _mm256_set1_ps(f.bias[oc]);
      int j = 0;
      for (; j + 8 <= n; j += 8) {
        __m256 y = _mm256_add_ps(_mm256_loadu_ps(src + j), bias);
        if (act.on) {
          y = act.slope == 0 ? _mm256_max_ps(y, zero) : _mm256_max_ps(y, _mm256_mul_ps(y, slope));
        }
        _mm256_storeu_ps(dst + j, y);
      }
      for (; j < n; ++j) {
        float y = src[j] + f.bias[oc];
        if (act.on) y = act.slope == 0 ? std::max(y, 0.0f) : std::max(y, y * act.slope);
        dst[j] = y;
      }
    }
  }
}

}  // namespace imagemill::model
