// HostTensor: a small dense tensor held in memory, used for a model's weights and for the
// constants the importer folds. Integers of every width are widened to int64 and every float to
// float32, which is all the importer needs to reason about shapes and weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imagemill::model {

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar).
int64_t NumElements(const Shape& shape);

// "[1,3,416,416]"
std::string ShapeToString(const Shape& shape);

enum class DType { kFloat32, kInt64, kBool };

struct HostTensor {
  DType dtype = DType::kFloat32;
  Shape shape;
  std::vector<float> f;    // dtype kFloat32
  std::vector<int64_t> i;  // dtype kInt64 and kBool (0 or 1)

  int64_t size() const { return NumElements(shape); }
  bool is_float() const { return dtype == DType::kFloat32; }

  static HostTensor Float(Shape shape, std::vector<float> values);
  static HostTensor Int(Shape shape, std::vector<int64_t> values);

  // Element k as a double / int64 whatever the dtype. REQUIRES: 0 <= k < size().
  double AsDouble(int64_t k) const { return is_float() ? f[k] : static_cast<double>(i[k]); }
  int64_t AsInt(int64_t k) const { return is_float() ? static_cast<int64_t>(f[k]) : i[k]; }
  std::vector<int64_t> AsInts() const;
};

// Copy of `t` transposed so that result.shape[k] == t.shape[perm[k]].
// REQUIRES: perm is a permutation of 0..rank-1.
HostTensor Transposed(const HostTensor& t, const std::vector<int>& perm);

}  // namespace imagemill::model
