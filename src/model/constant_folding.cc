#include "model/constant_folding.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace imagemill::model {
namespace {

// The index into a tensor of shape `shape` (right-aligned against `out_shape`, broadcast on
// size-1 axes) of the element at multi-index `index` of the output.
int64_t BroadcastIndex(const Shape& shape, const Shape& out_shape,
                       const std::vector<int64_t>& index) {
  const size_t offset = out_shape.size() - shape.size();
  int64_t flat = 0;
  for (size_t a = 0; a < shape.size(); ++a) {
    const int64_t i = shape[a] == 1 ? 0 : index[a + offset];
    flat = flat * shape[a] + i;
  }
  return flat;
}

std::optional<HostTensor> Binary(const std::string& op, const HostTensor& a, const HostTensor& b) {
  auto out_shape = BroadcastShapes(a.shape, b.shape);
  if (!out_shape) return std::nullopt;
  const bool as_float = a.is_float() || b.is_float();
  std::function<double(double, double)> fn;
  if (op == "Add" || op == "AddV2") {
    fn = [](double x, double y) { return x + y; };
  } else if (op == "Sub") {
    fn = [](double x, double y) { return x - y; };
  } else if (op == "Mul") {
    fn = [](double x, double y) { return x * y; };
  } else if (op == "RealDiv" || (op == "Div" && as_float)) {
    fn = [](double x, double y) { return x / y; };
  } else if (op == "FloorDiv" || op == "Div") {
    fn = [](double x, double y) { return std::floor(x / y); };
  } else if (op == "FloorMod") {
    fn = [](double x, double y) { return x - std::floor(x / y) * y; };
  } else if (op == "Maximum") {
    fn = [](double x, double y) { return std::max(x, y); };
  } else if (op == "Minimum") {
    fn = [](double x, double y) { return std::min(x, y); };
  } else {
    return std::nullopt;
  }
  HostTensor out;
  out.dtype = as_float ? DType::kFloat32 : DType::kInt64;
  out.shape = *out_shape;
  const int64_t n = out.size();
  if (as_float) {
    out.f.resize(n);
  } else {
    out.i.resize(n);
  }
  std::vector<int64_t> index(out.shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    const double v = fn(a.AsDouble(BroadcastIndex(a.shape, out.shape, index)),
                        b.AsDouble(BroadcastIndex(b.shape, out.shape, index)));
    if (as_float) {
      out.f[k] = static_cast<float>(v);
    } else {
      out.i[k] = static_cast<int64_t>(v);
    }
    for (int d = static_cast<int>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < out.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

// TF Reshape target with one -1 resolved against `n` elements.
std::optional<Shape> ResolveShape(const std::vector<int64_t>& target, int64_t n) {
  Shape shape(target.begin(), target.end());
  int64_t known = 1;
  int unknown = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == -1) {
      if (unknown >= 0) return std::nullopt;
      unknown = static_cast<int>(k);
    } else {
      known *= shape[k];
    }
  }
  if (unknown >= 0) {
    if (known == 0 || n % known != 0) return std::nullopt;
    shape[unknown] = n / known;
  }
  if (NumElements(shape) != n) return std::nullopt;
  return shape;
}

HostTensor Concat(const std::vector<HostTensor>& parts, int axis) {
  HostTensor out;
  out.dtype = parts[0].dtype;
  for (const auto& p : parts) {
    if (p.is_float()) out.dtype = DType::kFloat32;
  }
  out.shape = parts[0].shape;
  out.shape[axis] = 0;
  for (const auto& p : parts) out.shape[axis] += p.shape[axis];
  int64_t outer = 1;
  for (int a = 0; a < axis; ++a) outer *= out.shape[a];
  for (int64_t o = 0; o < outer; ++o) {
    for (const auto& p : parts) {
      const int64_t chunk = p.size() / std::max<int64_t>(outer, 1);
      for (int64_t c = 0; c < chunk; ++c) {
        const int64_t k = o * chunk + c;
        if (out.is_float()) {
          out.f.push_back(static_cast<float>(p.AsDouble(k)));
        } else {
          out.i.push_back(p.i[k]);
        }
      }
    }
  }
  return out;
}

}  // namespace

std::optional<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t k = 0; k < out.size(); ++k) {
    const int64_t da = k < out.size() - a.size() ? 1 : a[k - (out.size() - a.size())];
    const int64_t db = k < out.size() - b.size() ? 1 : b[k - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[k] = da == 1 ? db : da;
  }
  return out;
}

std::optional<std::vector<HostTensor>> FoldConstant(const TfjsNode& node,
                                                    const std::vector<HostTensor>& in) {
  const std::string& op = node.op;
  if (op == "Identity" || op == "StopGradient" || op == "Snapshot") return std::vector{in.at(0)};
  if (op == "Cast") {
    const std::string dst = node.attr.value("DstT", nlohmann::json::object()).value("type", "");
    HostTensor t = in.at(0);
    if (dst == "DT_FLOAT" && !t.is_float()) {
      t = HostTensor::Float(t.shape, std::vector<float>(t.i.begin(), t.i.end()));
    } else if (dst != "DT_FLOAT" && t.is_float()) {
      std::vector<int64_t> ints(t.f.size());
      for (size_t k = 0; k < ints.size(); ++k) ints[k] = static_cast<int64_t>(t.f[k]);
      t = HostTensor::Int(t.shape, ints);
    }
    return std::vector{t};
  }
  if (in.size() == 2) {
    if (auto out = Binary(op, in[0], in[1])) return std::vector{*out};
  }
  if (op == "SparseToDense" && in.size() == 4) {
    // (sparse_indices, output_shape, sparse_values, default_value)
    const auto& indices = in[0];
    Shape shape = in[1].AsInts();
    HostTensor out;
    out.dtype = in[3].dtype;
    out.shape = shape;
    const int64_t n = NumElements(shape);
    if (out.is_float()) {
      out.f.assign(n, static_cast<float>(in[3].AsDouble(0)));
    } else {
      out.i.assign(n, in[3].AsInt(0));
    }
    const int64_t count = indices.shape.empty() ? 1 : indices.shape[0];
    const int64_t rank = indices.shape.size() < 2 ? 1 : indices.shape[1];
    for (int64_t e = 0; e < count && indices.size() > 0; ++e) {
      int64_t flat = 0;
      for (int64_t a = 0; a < rank; ++a) flat = flat * shape[a] + indices.AsInt(e * rank + a);
      if (flat < 0 || flat >= n) return std::nullopt;
      const int64_t vk = in[2].size() == 1 ? 0 : e;
      if (out.is_float()) {
        out.f[flat] = static_cast<float>(in[2].AsDouble(vk));
      } else {
        out.i[flat] = in[2].AsInt(vk);
      }
    }
    return std::vector{out};
  }
  if ((op == "Reshape") && in.size() == 2) {
    auto shape = ResolveShape(in[1].AsInts(), in[0].size());
    if (!shape) return std::nullopt;
    HostTensor t = in[0];
    t.shape = *shape;
    return std::vector{t};
  }
  if (op == "Transpose" && in.size() == 2) {
    const auto p = in[1].AsInts();
    return std::vector{Transposed(in[0], std::vector<int>(p.begin(), p.end()))};
  }
  if (op == "ConcatV2" && in.size() >= 2) {
    std::vector<HostTensor> parts(in.begin(), in.end() - 1);
    int axis = static_cast<int>(in.back().AsInt(0));
    if (axis < 0) axis += static_cast<int>(parts[0].shape.size());
    return std::vector{Concat(parts, axis)};
  }
  if (op == "Pack" && !in.empty()) {
    int axis = static_cast<int>(node.AttrInt("axis", 0));
    std::vector<HostTensor> parts = in;
    for (auto& p : parts) {
      if (axis < 0) axis += static_cast<int>(p.shape.size()) + 1;
      p.shape.insert(p.shape.begin() + axis, 1);
    }
    return std::vector{Concat(parts, axis)};
  }
  return std::nullopt;
}

}  // namespace imagemill::model
