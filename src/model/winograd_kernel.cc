// Compiled with -mavx2 -mfma (CMakeLists.txt): the loops below are written so that the compiler
// vectorises them over a row of tiles; the 36 matrix products are Eigen's.
#include "model/winograd_kernel.h"

#include <algorithm>
#include <cstddef>

#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>

namespace imagemill::model {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Tiles per matrix product: enough columns for Eigen to run at speed, few enough that a block's
// transformed input and products stay in the core's caches (measured on 80x80 to 20x20 maps).
constexpr int kTilesPerBlock = 48;

// G, the filter transform of F(4x4, 3x3) (Lavin and Gray, interpolation points 0, ±1, ±2, ∞).
constexpr double kG[6][3] = {{1 / 4.0, 0, 0},          {-1 / 6.0, -1 / 6.0, -1 / 6.0},
                             {-1 / 6.0, 1 / 6.0, -1 / 6.0}, {1 / 24.0, 1 / 12.0, 1 / 6.0},
                             {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};

// Bᵀ applied to six values (rows of the input patch, or columns of a row).
inline void InputTransform(const float* p0, const float* p1, const float* p2, const float* p3,
                           const float* p4, const float* p5, float* const v[6], int n) {
  for (int t = 0; t < n; ++t) {
    v[0][t] = 4 * p0[t] - 5 * p2[t] + p4[t];
    v[1][t] = -4 * p1[t] - 4 * p2[t] + p3[t] + p4[t];
    v[2][t] = 4 * p1[t] - 4 * p2[t] - p3[t] + p4[t];
    v[3][t] = -2 * p1[t] - p2[t] + 2 * p3[t] + p4[t];
    v[4][t] = 2 * p1[t] - p2[t] - 2 * p3[t] + p4[t];
    v[5][t] = 4 * p1[t] - 5 * p3[t] + p5[t];
  }
}

struct Scratch {
  std::vector<float> v, m, rows, d, p, s, y;
};

// Tile rows [th0, th1) of one image.
void ConvBlock(const WinogradFilters& f, const float* in, int height, int width, bool relu,
               float* out, int th0, int th1, Scratch& k) {
  const int ic_n = f.in_channels, oc_n = f.out_channels;
  const int tw = (width + 3) / 4, tiles = (th1 - th0) * tw, wp = 4 * tw + 2;
  float* const rows = k.rows.data();
  float* const d = k.d.data();
  float* const p = k.p.data();
  // Input: for each channel and tile row, Bᵀ over the six input rows (whole rows at once), then
  // B over each tile's six columns, written as V[ξ][channel][tile].
  for (int ic = 0; ic < ic_n; ++ic) {
    const float* plane = in + static_cast<size_t>(ic) * height * width;
    for (int th = th0; th < th1; ++th) {
      for (int r = 0; r < 6; ++r) {
        float* row = rows + r * wp;
        const int y = 4 * th - 1 + r;
        std::fill(row, row + wp, 0.0f);
        if (y >= 0 && y < height) {
          std::copy(plane + static_cast<size_t>(y) * width,
                    plane + static_cast<size_t>(y) * width + width, row + 1);
        }
      }
      float* const dr[6] = {d, d + wp, d + 2 * wp, d + 3 * wp, d + 4 * wp, d + 5 * wp};
      InputTransform(rows, rows + wp, rows + 2 * wp, rows + 3 * wp, rows + 4 * wp, rows + 5 * wp,
                     dr, wp);
      const int offset = (th - th0) * tw;
      for (int r = 0; r < 6; ++r) {
        for (int t = 0; t < tw; ++t) {
          for (int j = 0; j < 6; ++j) p[j * tw + t] = dr[r][4 * t + j];
        }
        float* v[6];
        for (int c = 0; c < 6; ++c) {
          v[c] = k.v.data() + (static_cast<size_t>(r * 6 + c) * ic_n + ic) * tiles + offset;
        }
        InputTransform(p, p + tw, p + 2 * tw, p + 3 * tw, p + 4 * tw, p + 5 * tw, v, tw);
      }
    }
  }
  // The 36 products M[ξ] = U[ξ] · V[ξ].
  for (int xi = 0; xi < 36; ++xi) {
    Eigen::Map<const RowMajor> u(f.u.data() + static_cast<size_t>(xi) * oc_n * ic_n, oc_n, ic_n);
    Eigen::Map<const RowMajor> v(k.v.data() + static_cast<size_t>(xi) * ic_n * tiles, ic_n, tiles);
    Eigen::Map<RowMajor> m(k.m.data() + static_cast<size_t>(xi) * oc_n * tiles, oc_n, tiles);
    m.noalias() = u * v;
  }
  // Output: Aᵀ M A per tile, plus bias, ReLU, written back in rows of the output plane.
  float* const s = k.s.data();
  float* const yv = k.y.data();
  for (int oc = 0; oc < oc_n; ++oc) {
    float* plane = out + static_cast<size_t>(oc) * height * width;
    const float b = f.bias[oc];
    for (int th = th0; th < th1; ++th) {
      const int offset = (th - th0) * tw;
      for (int c = 0; c < 6; ++c) {
        const float* m[6];
        for (int r = 0; r < 6; ++r) {
          m[r] = k.m.data() + (static_cast<size_t>(r * 6 + c) * oc_n + oc) * tiles + offset;
        }
        float* s0 = s + (0 * 6 + c) * tw;
        float* s1 = s + (1 * 6 + c) * tw;
        float* s2 = s + (2 * 6 + c) * tw;
        float* s3 = s + (3 * 6 + c) * tw;
        for (int t = 0; t < tw; ++t) {
          const float a1 = m[1][t] + m[2][t], a2 = m[1][t] - m[2][t];
          const float a3 = m[3][t] + m[4][t], a4 = m[3][t] - m[4][t];
          s0[t] = m[0][t] + a1 + a3;
          s1[t] = a2 + 2 * a4;
          s2[t] = a1 + 4 * a3;
          s3[t] = a2 + 8 * a4 + m[5][t];
        }
      }
      for (int i = 0; i < 4; ++i) {
        const int y = 4 * th + i;
        if (y >= height) break;
        const float* q[6];
        for (int c = 0; c < 6; ++c) q[c] = s + (i * 6 + c) * tw;
        float* y0 = yv;
        float* y1 = yv + tw;
        float* y2 = yv + 2 * tw;
        float* y3 = yv + 3 * tw;
        for (int t = 0; t < tw; ++t) {
          const float a1 = q[1][t] + q[2][t], a2 = q[1][t] - q[2][t];
          const float a3 = q[3][t] + q[4][t], a4 = q[3][t] - q[4][t];
          float v0 = q[0][t] + a1 + a3 + b;
          float v1 = a2 + 2 * a4 + b;
          float v2 = a1 + 4 * a3 + b;
          float v3 = a2 + 8 * a4 + q[5][t] + b;
          if (relu) {
            v0 = std::max(v0, 0.0f);
            v1 = std::max(v1, 0.0f);
            v2 = std::max(v2, 0.0f);
            v3 = std::max(v3, 0.0f);
          }
          y0[t] = v0;
          y1[t] = v1;
          y2[t] = v2;
          y3[t] = v3;
        }
        float* row = plane + static_cast<size_t>(y) * width;
        const int whole = width / 4;
        for (int t = 0; t < whole; ++t) {
          row[4 * t] = y0[t];
          row[4 * t + 1] = y1[t];
          row[4 * t + 2] = y2[t];
          row[4 * t + 3] = y3[t];
        }
        for (int x = 4 * whole; x < width; ++x) row[x] = yv[(x - 4 * whole) * tw + whole];
      }
    }
  }
}

}  // namespace

WinogradFilters TransformFilters(const float* weights, const float* bias, int out_channels,
                                 int in_channels) {
  WinogradFilters f;
  f.out_channels = out_channels;
  f.in_channels = in_channels;
  f.u.resize(static_cast<size_t>(36) * out_channels * in_channels);
  f.bias.assign(out_channels, 0.0f);
  if (bias != nullptr) std::copy(bias, bias + out_channels, f.bias.begin());
  for (int o = 0; o < out_channels; ++o) {
    for (int i = 0; i < in_channels; ++i) {
      const float* g = weights + (static_cast<size_t>(o) * in_channels + i) * 9;
      double gt[6][3];  // G g
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 3; ++c) {
          gt[r][c] = kG[r][0] * g[c] + kG[r][1] * g[3 + c] + kG[r][2] * g[6 + c];
        }
      }
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 6; ++c) {  // (G g) Gᵀ
          const double u = gt[r][0] * kG[c][0] + gt[r][1] * kG[c][1] + gt[r][2] * kG[c][2];
          f.u[(static_cast<size_t>(r * 6 + c) * out_channels + o) * in_channels + i] =
              static_cast<float>(u);
        }
      }
    }
  }
  return f;
}

void WinogradConv3x3(const WinogradFilters& f, const float* in, int height, int width, bool relu,
                     float* out) {
  thread_local Scratch k;
  const int th_n = (height + 3) / 4, tw = (width + 3) / 4, wp = 4 * tw + 2;
  const int rows_per_block = std::max(1, kTilesPerBlock / tw);
  const size_t tiles = static_cast<size_t>(rows_per_block) * tw;
  auto need = [](std::vector<float>& v, size_t n) {
    if (v.size() < n) v.resize(n);
  };
  need(k.v, 36 * static_cast<size_t>(f.in_channels) * tiles);
  need(k.m, 36 * static_cast<size_t>(f.out_channels) * tiles);
  need(k.rows, 6 * static_cast<size_t>(wp));
  need(k.d, 6 * static_cast<size_t>(wp));
  need(k.p, 6 * static_cast<size_t>(tw));
  need(k.s, 24 * static_cast<size_t>(tw));
  need(k.y, 4 * static_cast<size_t>(tw));
  for (int th = 0; th < th_n; th += rows_per_block) {
    ConvBlock(f, in, height, width, relu, out, th, std::min(th_n, th + rows_per_block), k);
  }
}

}  // namespace imagemill::model
