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
#define IMAGEMILL_PRODUCT_ROW(r, lo, hi)                   \
  if constexpr (R > r) {                                   \
    const __m256 a = _mm256_broadcast_ss(u + r);           \
    lo = _mm256_fmadd_ps(a, b0, lo);                       \
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

// One column of M for a panel of R rows: M[r][0] = Σ_i A[i][r] · B[i][0], with A's rows loaded
// under a mask (R of 8 lanes) and four sums in flight, since each step depends on the last.
template <int R>
void ProductColumn(const float* u, const float* v, int ldv, int k, float* m, int ldm) {
  alignas(32) static constexpr int kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                0,  0,  0,  0,  0,  0,  0,  0};
  const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - R));
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 4 <= k; i += 4, u += 4 * R, v += 4 * ldv) {
    s0 = _mm256_fmadd_ps(_mm256_maskload_ps(u, mask), _mm256_broadcast_ss(v), s0);
    s1 = _mm256_fmadd_ps(_mm256_maskload_ps(u + R, mask), _mm256_broadcast_ss(v + ldv), s1);
    s2 = _mm256_fmadd_ps(_mm256_maskload_ps(u + 2 * R, mask), _mm256_broadcast_ss(v + 2 * ldv), s2);
    s3 = _mm256_fmadd_ps(_mm256_maskload_ps(u + 3 * R, mask), _mm256_broadcast_ss(v + 3 * ldv), s3);
  }
  for (; i < k; ++i, u += R, v += ldv) {
    s0 = _mm256_fmadd_ps(_mm256_maskload_ps(u, mask), _mm256_broadcast_ss(v), s0);
  }
  alignas(32) float sum[8];
  _mm256_store_ps(sum, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (int r = 0; r < R; ++r) m[r * ldm] = sum[r];
}

constexpr ProductFn kProductColumns[kPanel] = {ProductColumn<1>, ProductColumn<2>,
                                               ProductColumn<3>, ProductColumn<4>,
                                               ProductColumn<5>, ProductColumn<6>};

// Up to this many columns past the last multiple of 8 are done one by one: a step of the sum for
// one column costs two loads and a multiply-add, against seven loads and six multiply-adds for a
// padded 8-wide column block of a 6-row panel.
constexpr int kMaxSingleColumns = 3;

// Splits M (rows x columns) into calls of the kernels. `a` holds the panels of `rows` rows one
// after the other (panel p at p·kPanel·k), `b` has row stride ldb. The last columns % 8 columns
// are done one by one when there are at most kMaxSingleColumns of them (a 10x10 map has 9
// Winograd tiles, a 20x20 map 25); otherwise as 8 columns, the extra ones computed from whatever
// `b` holds there and left in M's padding, so `b` and `m` need columns rounded up to 8.
inline void MatrixProduct(const float* a, int rows, int k, const float* b, int ldb, int columns,
                          float* m, int ldm) {
  const int rest = columns % 8;
  const int vectors = rest <= kMaxSingleColumns ? columns - rest : columns + 8 - rest;
  for (int o0 = 0; o0 < rows; o0 += kPanel) {
    const int n = rows - o0 < kPanel ? rows - o0 : kPanel;
    const float* panel = a + static_cast<long>(o0) * k;
    float* mp = m + static_cast<long>(o0) * ldm;
    for (int c = 0; c < vectors; c += 16) {
      const int nv = vectors - c >= 16 ? 2 : 1;
      kProducts[n - 1][nv - 1](panel, b + c, ldb, k, mp + c, ldm);
    }
    for (int c = vectors; c < columns; ++c)
      kProductColumns[n - 1](panel, b + c, ldb, k, mp + c, ldm);
  }
}

}  // namespace
}  // namespace imagemill::model
