// The matrix-product kernel shared by imagemill's convolution kernels (winograd_kernel.cc,
// gemm_conv_kernel.cc): M = A · B with A stored in panels of kPanel rows ([k][rows], so that one
// step of the loop reads one contiguous row of the panel) and B row-major. Include it only from
// files compiled with -mavx2 -mfma.
#pragma once

#include <immintrin.h>

namespace imagemill::model {
namespace {

// Rows of A per panel, and rows of the product kernel.
constexpr int kPanel = 6;

// M (R rows x 8·NV columns) = U-panel (R x k, stored [k][R]) · V (k rows, row stride ldv). The
// accumulators are named variables: GCC keeps an array of them on the stack, storing every one
// on every step of the loop (measured: half the speed).
template <int R, int NV>
void Product(const float* u, const float* v, int ldv, int k, float* m, int ldm) {
  static_assert(R >= 1 && R <= kPanel && NV >= 1 && NV <= 2);
  const __m256 z = _mm256_setzero_ps();
  __m256 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
  __m256 c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
  for (int i = 0; i < k; ++i, u += R, v += ldv) {
    const __m256 b0 = _mm256_loadu_ps(v);
    const __m256 b1 = NV > 1 ? _mm256_loadu_ps(v + 8) : z;
#define IMAGEMILL_PRODUCT_ROW(r, lo, hi)                 \
  if constexpr (R > r) {                                 \
    const __m256 a = _mm256_broadcast_ss(u + r);         \
    lo = _mm256_fmadd_ps(a, b0, lo);                     \
    if constexpr (NV > 1) hi = _mm256_fmadd_ps(a, b1, hi); \
  }
    IMAGEMILL_PRODUCT_ROW(0, c00, c01)
    IMAGEMILL_PRODUCT_ROW(1, c10, c11)
    IMAGEMILL_PRODUCT_ROW(2, c20, c21)
    IMAGEMILL_PRODUCT_ROW(3, c30, c31)
    IMAGEMILL_PRODUCT_ROW(4, c40, c41)
    IMAGEMILL_PRODUCT_ROW(5, c50, c51)
#undef IMAGEMILL_PRODUCT_ROW
  }
  const __m256 lo[kPanel] = {c00, c10, c20, c30, c40, c50};
  const __m256 hi[kPanel] = {c01, c11, c21, c31, c41, c51};
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_ps(m + r * ldm, lo[r]);
    if constexpr (NV > 1) _mm256_storeu_ps(m + r * ldm + 8, hi[r]);
  }
}

using ProductFn = void (*)(const float*, const float*, int, int, float*, int);
constexpr ProductFn kProducts[kPanel][2] = {
    {Product<1, 1>, Product<1, 2>}, {Product<2, 1>, Product<2, 2>}, {Product<3, 1>, Product<3, 2>},
    {Product<4, 1>, Product<4, 2>}, {Product<5, 1>, Product<5, 2>}, {Product<6, 1>, Product<6, 2>}};

// Splits M (rows x columns, columns a multiple of 8) into calls of the kernel. `a` holds the panels
// of `rows` rows one after the other (panel p at p·kPanel·k), `b` has row stride ldb.
inline void MatrixProduct(const float* a, int rows, int k, const float* b, int ldb, int columns,
                          float* m, int ldm) {
  for (int o0 = 0; o0 < rows; o0 += kPanel) {
    const int n = rows - o0 < kPanel ? rows - o0 : kPanel;
    for (int c = 0; c < columns; c += 16) {
      const int nv = columns - c >= 16 ? 2 : 1;
      kProducts[n - 1][nv - 1](a + static_cast<long>(o0) * k, b + c, ldb, k,
                               m + static_cast<long>(o0) * ldm + c, ldm);
    }
  }
}

}  // namespace
}  // namespace imagemill::model
