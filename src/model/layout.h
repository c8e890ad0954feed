// Layouts: how a TensorFlow tensor is laid out in the ONNX tensor that holds it.
//
// The importer tracks, for every TF tensor, a permutation `perm` with
//   onnx_dims[k] == tf_dims[perm[k]].
// A TF NHWC feature map held as an ONNX NCHW tensor has perm {0,3,1,2}. Tracking this lets the
// importer drop TF Transposes (they only change perm) and emit an ONNX Transpose only where an op
// needs a particular layout (an NCHW convolution, a Reshape, a graph output).
// Part of the hand-written TF.js importer; importer.h says why no library does this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace imagemill::model {

using Perm = std::vector<int>;

Perm IdentityPerm(int rank);
bool IsIdentity(const Perm& p);
Perm InversePerm(const Perm& p);

// The layout of an NHWC tensor held as NCHW.
inline const Perm& NhwcAsNchw() {
  static const Perm p = {0, 3, 1, 2};
  return p;
}

// The ONNX axis that holds TF axis `tf_axis` under `perm`. REQUIRES: 0 <= tf_axis < rank.
int OnnxAxis(const Perm& perm, int tf_axis);

// The ONNX Transpose `perm` attribute that turns an ONNX tensor laid out as `from` into one laid
// out as `to` (both describing the same TF tensor).
std::vector<int64_t> TransposeBetween(const Perm& from, const Perm& to);

}  // namespace imagemill::model
