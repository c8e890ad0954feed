#include "model/tensor.h"

#include <cassert>

namespace imagemill::model {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) {
    if (k > 0) s += ",";
    s += std::to_string(shape[k]);
  }
  return s + "]";
}

HostTensor HostTensor::Float(Shape shape, std::vector<float> values) {
  HostTensor t;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  t.f = std::move(values);
  return t;
}

HostTensor HostTensor::Int(Shape shape, std::vector<int64_t> values) {
  HostTensor t;
  t.dtype = DType::kInt64;
  t.shape = std::move(shape);
  t.i = std::move(values);
  return t;
}

std::vector<int64_t> HostTensor::AsInts() const {
  std::vector<int64_t> out(size());
  for (int64_t k = 0; k < size(); ++k) out[k] = AsInt(k);
  return out;
}

HostTensor Transposed(const HostTensor& t, const std::vector<int>& perm) {
  const int rank = static_cast<int>(t.shape.size());
  assert(static_cast<int>(perm.size()) == rank);
  HostTensor out;
  out.dtype = t.dtype;
  out.shape.resize(rank);
  for (int k = 0; k < rank; ++k) out.shape[k] = t.shape[perm[k]];
  std::vector<int64_t> in_strides(rank, 1);
  for (int k = rank - 2; k >= 0; --k) in_strides[k] = in_strides[k + 1] * t.shape[k + 1];
  const int64_t n = t.size();
  if (t.is_float()) {
    out.f.resize(n);
  } else {
    out.i.resize(n);
  }
  std::vector<int64_t> index(rank, 0);  // index into `out`
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (int a = 0; a < rank; ++a) src += index[a] * in_strides[perm[a]];
    if (t.is_float()) {
      out.f[k] = t.f[src];
    } else {
      out.i[k] = t.i[src];
    }
    for (int a = rank - 1; a >= 0; --a) {
      if (++index[a] < out.shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

}  // namespace imagemill::model
