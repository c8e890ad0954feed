#include "model/layout.h"

namespace imagemill::model {

Perm IdentityPerm(int rank) {
  Perm p(rank);
  for (int k = 0; k < rank; ++k) p[k] = k;
  return p;
}

bool IsIdentity(const Perm& p) {
  for (size_t k = 0; k < p.size(); ++k) {
    if (p[k] != static_cast<int>(k)) return false;
  }
  return true;
}

Perm InversePerm(const Perm& p) {
  Perm inv(p.size());
  for (size_t k = 0; k < p.size(); ++k) inv[p[k]] = static_cast<int>(k);
  return inv;
}

int OnnxAxis(const Perm& perm, int tf_axis) { return InversePerm(perm)[tf_axis]; }

std::vector<int64_t> TransposeBetween(const Perm& from, const Perm& to) {
  // onnx_out[k] = tf[to[k]] = onnx_in[inverse(from)[to[k]]]
  const Perm inv = InversePerm(from);
  std::vector<int64_t> q(to.size());
  for (size_t k = 0; k < to.size(); ++k) q[k] = inv[to[k]];
  return q;
}

}  // namespace imagemill::model
