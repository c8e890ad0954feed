// Compiled with -mavx2 -mfma (CMakeLists.txt). The transforms work on eight tiles at once, one
// tile per AVX lane: the stride-4 columns of the input rows are gathered, and the output
// columns scattered, with in-register 4x4 transposes instead of element by element. The 36 matrix
// products use a register-blocked kernel (avx2_product.h: 6 output channels x 16 tiles) that reads
// the filters in the order TransformFilters stored them and the transformed input where the
// transform wrote it, so nothing is repacked per block.
#include "model/winograd_kernel.h"

#include "model/avx2_product.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace imagemill::model {
namespace {

// Tiles per block: enough columns for the product kernel to run at speed, few enough that a
// block's transformed input and products stay near the core (measured on 80x80 to 20x20 maps).
constexpr int kTilesPerBlock = 48;

// G, the filter transform of F(4x4, 3x3) (Lavin and Gray, interpolation points 0, ±1, ±2, ∞).
constexpr double kG[6][3] = {{1 / 4.0, 0, 0},          {-1 / 6.0, -1 / 6.0, -1 / 6.0},
                             {-1 / 6.0, 1 / 6.0, -1 / 6.0}, {1 / 24.0, 1 / 12.0, 1 / 6.0},
                             {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};

// Bᵀ applied to six vectors (the same column of six input rows, or six columns of a row).
inline void InputTransform(__m256 p0, __m256 p1, __m256 p2, __m256 p3, __m256 p4, __m256 p5,
                           __m256 v[6]) {
  const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), five = _mm256_set1_ps(5);
  const __m256 p24 = _mm256_sub_ps(p4, p2);  // terms shared by rows 1-4
  const __m256 p13 = _mm256_fnmadd_ps(four, p1, p3);
  const __m256 q = _mm256_mul_ps(two, _mm256_sub_ps(p3, p1));
  v[0] = _mm256_fnmadd_ps(five, p2, _mm256_fmadd_ps(four, p0, p4));
  v[1] = _mm256_fnmadd_ps(four, p2, _mm256_add_ps(p13, p4));
  v[2] = _mm256_fnmadd_ps(four, p2, _mm256_sub_ps(p4, p13));
  v[3] = _mm256_add_ps(p24, q);
  v[4] = _mm256_sub_ps(p24, q);
  v[5] = _mm256_fnmadd_ps(five, p3, _mm256_fmadd_ps(four, p1, p5));
}

// Bᵀ over six whole input rows of `n` floats, into six rows. Written with intrinsics: GCC left
// the plain loop scalar (too many pointers to check for overlap; docs/benchmarks.md has the
// figures). The last n % 8 columns are loaded and stored under a mask, so nothing past the rows
// is read or written.
inline void InputRows(const float* const p[6], float* const v[6], int n) {
  alignas(32) static constexpr int kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                0,  0,  0,  0,  0,  0,  0,  0};
  __m256 o[6];
  int x = 0;
  for (; x + 8 <= n; x += 8) {
    InputTransform(_mm256_loadu_ps(p[0] + x), _mm256_loadu_ps(p[1] + x), _mm256_loadu_ps(p[2] + x),
                   _mm256_loadu_ps(p[3] + x), _mm256_loadu_ps(p[4] + x), _mm256_loadu_ps(p[5] + x),
                   o);
    for (int r = 0; r < 6; ++r) _mm256_storeu_ps(v[r] + x, o[r]);
  }
  if (x < n) {
    const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - (n - x)));
    __m256 in[6];
    for (int r = 0; r < 6; ++r) in[r] = _mm256_maskload_ps(p[r] + x, mask);
    InputTransform(in[0], in[1], in[2], in[3], in[4], in[5], o);
    for (int r = 0; r < 6; ++r) _mm256_maskstore_ps(v[r] + x, mask, o[r]);
  }
}

// Columns j = 0..3 of eight 4-wide tiles, tile t starting at base + at[t]: (base + at[t])[j],
// one vector per j with tile t in lane t.
inline void Gather4(const float* base, const int at[8], __m256& c0, __m256& c1, __m256& c2,
                    __m256& c3) {
  auto pair = [base](int lo, int hi) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(base + lo)),
                                _mm_loadu_ps(base + hi), 1);
  };
  const __m256 x0 = pair(at[0], at[4]), x1 = pair(at[1], at[5]);
  const __m256 x2 = pair(at[2], at[6]), x3 = pair(at[3], at[7]);
  // A 4x4 transpose in each 128-bit lane.
  const __m256 t0 = _mm256_unpacklo_ps(x0, x1), t1 = _mm256_unpackhi_ps(x0, x1);
  const __m256 t2 = _mm256_unpacklo_ps(x2, x3), t3 = _mm256_unpackhi_ps(x2, x3);
  c0 = _mm256_shuffle_ps(t0, t2, 0x44);
  c1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  c2 = _mm256_shuffle_ps(t1, t3, 0x44);
  c3 = _mm256_shuffle_ps(t1, t3, 0xEE);
}

// The inverse of Gather4's transpose: o[j] lane t -> w[t % 4] lane t / 4, element j, i.e. each
// 128-bit lane of the result holds the four columns of one tile.
inline void Scatter4(__m256 o0, __m256 o1, __m256 o2, __m256 o3, __m256 w[4]) {
  const __m256 u0 = _mm256_unpacklo_ps(o0, o1), u1 = _mm256_unpackhi_ps(o0, o1);
  const __m256 u2 = _mm256_unpacklo_ps(o2, o3), u3 = _mm256_unpackhi_ps(o2, o3);
  w[0] = _mm256_shuffle_ps(u0, u2, 0x44);
  w[1] = _mm256_shuffle_ps(u0, u2, 0xEE);
  w[2] = _mm256_shuffle_ps(u1, u3, 0x44);
  w[3] = _mm256_shuffle_ps(u1, u3, 0xEE);
}

// Aᵀ applied to six vectors: four.
inline void OutputTransform(__m256 m0, __m256 m1, __m256 m2, __m256 m3, __m256 m4, __m256 m5,
                            __m256& s0, __m256& s1, __m256& s2, __m256& s3) {
  const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
  const __m256 a1 = _mm256_add_ps(m1, m2), a2 = _mm256_sub_ps(m1, m2);
  const __m256 a3 = _mm256_add_ps(m3, m4), a4 = _mm256_sub_ps(m3, m4);
  s0 = _mm256_add_ps(_mm256_add_ps(m0, a1), a3);
  s1 = _mm256_fmadd_ps(two, a4, a2);
  s2 = _mm256_fmadd_ps(four, a3, a1);
  s3 = _mm256_add_ps(_mm256_fmadd_ps(eight, a4, a2), m5);
}

// Scratch memory, 32-byte aligned, grown as needed and reused.
class Buffer {
 public:
  float* Get(size_t n) {
    if (n + 8 > data_.size()) data_.assign(n + 8, 0.0f);
    const auto addr = reinterpret_cast<uintptr_t>(data_.data());
    return data_.data() + ((32 - addr % 32) % 32) / sizeof(float);
  }

 private:
  std::vector<float> data_;
};

// Where one tile of a block reads its input and writes its output.
struct Tile {
  int in;    // offset of its first column in the block's vertically transformed rows (d)
  int out;   // offset of its top-left output in a channel's plane
  int rows;  // output rows inside the map (1-4)
  int cols;  // output columns inside the map (1-4)
};

struct Scratch {
  Buffer v, m, d, zero;
  std::vector<Tile> tiles;
  std::vector<int> whole;  // per group of eight tiles: 1 when all are whole 4x4 tiles
};

// Shapes of one call.
struct Layout {
  int height, width, tw, dw, ld;
};

// Tile rows [th0, th1) of one image. The block's tiles, row after row, are the columns of V and
// M (`ld` floats apart); the transforms take them eight at a time, so that a group may span two
// tile rows and no lane is wasted on a short row (20x20 maps have 5 tiles a row).
void ConvBlock(const WinogradFilters& f, const float* in, const Layout& s, Activation act,
               float* out, int th0, int th1, Scratch& k, float* vbuf, float* mbuf, float* d,
               const float* zero) {
  const int ic_n = f.in_channels, oc_n = f.out_channels;
  const int tw = s.tw, ld = s.ld, dw = s.dw, height = s.height, width = s.width;
  const int tiles = (th1 - th0) * tw, groups = (tiles + 7) / 8, columns = 8 * groups;
  // The tile table; the last group is filled up with copies of the last tile (read, not written).
  k.tiles.resize(columns);
  k.whole.assign(groups, 1);
  for (int i = 0; i < columns; ++i) {
    const int j = std::min(i, tiles - 1), th = th0 + j / tw, t = j % tw;
    Tile& tile = k.tiles[i];
    tile.in = (th - th0) * 6 * dw + 4 * t;
    tile.out = 4 * th * width + 4 * t;
    tile.rows = std::min(4, height - 4 * th);
    tile.cols = std::min(4, width - 4 * t);
    if (i >= tiles || tile.rows < 4 || tile.cols < 4) k.whole[i / 8] = 0;
  }
  // Input: for each channel, Bᵀ over the six input rows of each tile row (whole rows at once,
  // into d, which has a zero column on the left and zeros past the right edge), then B over each
  // tile's six columns, eight tiles at a time, written as V[ξ][channel][tile].
  const size_t vstep = static_cast<size_t>(ic_n) * ld;  // from ξ to ξ + 1
  for (int ic = 0; ic < ic_n; ++ic) {
    const float* plane = in + static_cast<size_t>(ic) * height * width;
    for (int th = th0; th < th1; ++th) {
      const float* row[6];
      for (int r = 0; r < 6; ++r) {
        const int y = 4 * th - 1 + r;
        row[r] = y >= 0 && y < height ? plane + static_cast<size_t>(y) * width : zero;
      }
      float* const dt = d + (th - th0) * 6 * dw + 1;
      float* const dr[6] = {dt, dt + dw, dt + 2 * dw, dt + 3 * dw, dt + 4 * dw, dt + 5 * dw};
      InputRows(row, dr, width);
    }
    for (int g = 0; g < groups; ++g) {
      int at[8], at4[8];
      for (int i = 0; i < 8; ++i) {
        at[i] = k.tiles[8 * g + i].in;
        at4[i] = at[i] + 4;
      }
      for (int r = 0; r < 6; ++r) {
        __m256 p0, p1, p2, p3, p4, p5, unused0, unused1;
        Gather4(d + r * dw, at, p0, p1, p2, p3);
        Gather4(d + r * dw, at4, p4, p5, unused0, unused1);
        __m256 o[6];
        InputTransform(p0, p1, p2, p3, p4, p5, o);
        float* const dst = vbuf + (static_cast<size_t>(r * 6) * ic_n + ic) * ld + 8 * g;
        for (int c = 0; c < 6; ++c) _mm256_storeu_ps(dst + c * vstep, o[c]);
      }
    }
  }
  // The 36 products M[ξ] = U[ξ] · V[ξ], panel by panel of output channels.
  for (int xi = 0; xi < 36; ++xi) {
    const float* u = f.u.data() + static_cast<size_t>(xi) * oc_n * ic_n;
    const float* v = vbuf + static_cast<size_t>(xi) * ic_n * ld;
    float* m = mbuf + static_cast<size_t>(xi) * oc_n * ld;
    MatrixProduct(u, oc_n, ic_n, v, ld, tiles, m, ld);
  }
  // Output: Aᵀ M A per tile, eight tiles at a time, plus bias, activation; each tile's rows are
  // stored straight from a 128-bit lane, except in groups with a partial or missing tile.
  const size_t mstep = static_cast<size_t>(oc_n) * ld;  // from ξ to ξ + 1
  const __m256 zero_v = _mm256_setzero_ps(), slope = _mm256_set1_ps(act.slope);
  const bool relu = act.on && act.slope == 0, leaky = act.on && act.slope != 0;
  for (int oc = 0; oc < oc_n; ++oc) {
    float* plane = out + static_cast<size_t>(oc) * height * width;
    const __m256 b = _mm256_set1_ps(f.bias[oc]);
    const float* mo = mbuf + static_cast<size_t>(oc) * ld;
    for (int g = 0; g < groups; ++g) {
      const float* mg = mo + 8 * g;
      const Tile* tg = k.tiles.data() + 8 * g;
      __m256 sv[4][6];
      for (int c = 0; c < 6; ++c) {
        __m256 mr[6];
        for (int r = 0; r < 6; ++r) mr[r] = _mm256_loadu_ps(mg + (r * 6 + c) * mstep);
        OutputTransform(mr[0], mr[1], mr[2], mr[3], mr[4], mr[5], sv[0][c], sv[1][c], sv[2][c],
                        sv[3][c]);
      }
      for (int i = 0; i < 4; ++i) {
        __m256 o0, o1, o2, o3;
        OutputTransform(sv[i][0], sv[i][1], sv[i][2], sv[i][3], sv[i][4], sv[i][5], o0, o1, o2,
                        o3);
        o0 = _mm256_add_ps(o0, b);
        o1 = _mm256_add_ps(o1, b);
        o2 = _mm256_add_ps(o2, b);
        o3 = _mm256_add_ps(o3, b);
        if (relu) {
          o0 = _mm256_max_ps(o0, zero_v);
          o1 = _mm256_max_ps(o1, zero_v);
          o2 = _mm256_max_ps(o2, zero_v);
          o3 = _mm256_max_ps(o3, zero_v);
        } else if (leaky) {  // max(x, slope·x) for 0 < slope <= 1
          o0 = _mm256_max_ps(o0, _mm256_mul_ps(o0, slope));
          o1 = _mm256_max_ps(o1, _mm256_mul_ps(o1, slope));
          o2 = _mm256_max_ps(o2, _mm256_mul_ps(o2, slope));
          o3 = _mm256_max_ps(o3, _mm256_mul_ps(o3, slope));
        }
        __m256 w[4];
        Scatter4(o0, o1, o2, o3, w);
        const int y = i * width;
        if (k.whole[g]) {
          for (int t = 0; t < 4; ++t) {
            _mm_storeu_ps(plane + tg[t].out + y, _mm256_castps256_ps128(w[t]));
            _mm_storeu_ps(plane + tg[t + 4].out + y, _mm256_extractf128_ps(w[t], 1));
          }
        } else {
          alignas(32) float lanes[4][8];
          for (int t = 0; t < 4; ++t) _mm256_store_ps(lanes[t], w[t]);
          for (int t = 0; t < 8 && 8 * g + t < tiles; ++t) {
            if (i < tg[t].rows) {
              std::memcpy(plane + tg[t].out + y, &lanes[t % 4][4 * (t / 4)],
                          sizeof(float) * tg[t].cols);
            }
          }
        }
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
  const size_t per_xi = static_cast<size_t>(out_channels) * in_channels;
  for (int o = 0; o < out_channels; ++o) {
    // Where output channel o sits in its panel (see WinogradFilters::u).
    const int o0 = o / kPanel * kPanel, rows = std::min(kPanel, out_channels - o0);
    for (int i = 0; i < in_channels; ++i) {
      const float* g = weights + (static_cast<size_t>(o) * in_channels + i) * 9;
      double gt[6][3];  // G g
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 3; ++c) {
          gt[r][c] = kG[r][0] * g[c] + kG[r][1] * g[3 + c] + kG[r][2] * g[6 + c];
        }
      }
      const size_t at = static_cast<size_t>(o0) * in_channels + static_cast<size_t>(i) * rows +
                        (o - o0);
      for (int r = 0; r < 6; ++r) {
        for (int c = 0; c < 6; ++c) {  // (G g) Gᵀ
          const double u = gt[r][0] * kG[c][0] + gt[r][1] * kG[c][1] + gt[r][2] * kG[c][2];
          f.u[(r * 6 + c) * per_xi + at] = static_cast<float>(u);
        }
      }
    }
  }
  return f;
}

void WinogradConv3x3(const WinogradFilters& f, const float* in, int height, int width,
                     Activation act, float* out) {
  thread_local Scratch k;
  Layout s;
  s.height = height;
  s.width = width;
  s.tw = (width + 3) / 4;
  s.dw = 4 * s.tw + 8;  // a tile's second gather reads up to column 4·tw + 3
  const int th_n = (height + 3) / 4;
  const int rows_per_block = std::max(1, kTilesPerBlock / s.tw);
  s.ld = (rows_per_block * s.tw + 7) / 8 * 8;
  float* const v = k.v.Get(36 * static_cast<size_t>(f.in_channels) * s.ld);
  float* const m = k.m.Get(36 * static_cast<size_t>(f.out_channels) * s.ld);
  float* const d = k.d.Get(static_cast<size_t>(rows_per_block) * 6 * s.dw);
  const float* const zero = k.zero.Get(static_cast<size_t>(width));  // never written: zeros
  // d: the left padding column and everything past the right edge stay zero.
  for (int r = 0; r < rows_per_block * 6; ++r) {
    d[r * s.dw] = 0;
    std::fill(d + r * s.dw + 1 + width, d + (r + 1) * s.dw, 0.0f);
  }
  for (int th = 0; th < th_n; th += rows_per_block) {
    ConvBlock(f, in, s, act, out, th, std::min(th_n, th + rows_per_block), k, v, m, d, zero);
  }
}

}  // namespace imagemill::model
