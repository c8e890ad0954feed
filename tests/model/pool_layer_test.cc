#include "model/pool_layer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "model/net_loader.h"

namespace imagemill::model {
namespace {

// The definition, element by element.
std::vector<float> NaiveMaxPool(const std::vector<float>& in, int planes, const PoolGeometry& g) {
  std::vector<float> out(static_cast<size_t>(planes) * g.out_height * g.out_width);
  for (int p = 0; p < planes; ++p) {
    for (int oy = 0; oy < g.out_height; ++oy) {
      for (int ox = 0; ox < g.out_width; ++ox) {
        float m = -std::numeric_limits<float>::infinity();
        for (int ky = 0; ky < g.kernel_h; ++ky) {
          for (int kx = 0; kx < g.kernel_w; ++kx) {
            const int y = oy * g.stride_y - g.pad_top + ky, x = ox * g.stride_x - g.pad_left + kx;
            if (y >= 0 && y < g.height && x >= 0 && x < g.width) {
              m = std::max(m, in[(static_cast<size_t>(p) * g.height + y) * g.width + x]);
            }
          }
        }
        out[(static_cast<size_t>(p) * g.out_height + oy) * g.out_width + ox] = m;
      }
    }
  }
  return out;
}

struct PoolCase {
  int height, width, kernel_h, kernel_w, stride_y, stride_x, top, left, bottom, right;
};

class MaxPoolTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(MaxPoolTest, MatchesTheDefinition) {
  const PoolCase c = GetParam();
  PoolGeometry g;
  g.height = c.height;
  g.width = c.width;
  g.kernel_h = c.kernel_h;
  g.kernel_w = c.kernel_w;
  g.stride_y = c.stride_y;
  g.stride_x = c.stride_x;
  g.pad_top = c.top;
  g.pad_left = c.left;
  g.out_height = (c.height + c.top + c.bottom - c.kernel_h) / c.stride_y + 1;
  g.out_width = (c.width + c.left + c.right - c.kernel_w) / c.stride_x + 1;
  const int planes = 3;
  std::vector<float> in(static_cast<size_t>(planes) * c.height * c.width);
  cv::RNG rng(9);
  for (float& v : in) v = rng.uniform(-2.0f, -0.5f);  // all negative: padding must not count
  std::vector<float> out(static_cast<size_t>(planes) * g.out_height * g.out_width, 12345.0f);
  MaxPool(in.data(), planes, g, out.data());
  EXPECT_EQ(out, NaiveMaxPool(in, planes, g));
}

INSTANTIATE_TEST_SUITE_P(Shapes, MaxPoolTest,
                         ::testing::Values(PoolCase{160, 160, 3, 3, 2, 2, 1, 1, 1, 1},  // NanoDet
                                           PoolCase{17, 16, 3, 3, 2, 2, 1, 1, 1, 1},
                                           PoolCase{13, 11, 2, 2, 2, 2, 0, 0, 0, 0},
                                           PoolCase{9, 12, 3, 2, 1, 1, 1, 0, 0, 1},
                                           PoolCase{21, 19, 5, 5, 3, 3, 2, 2, 2, 2},
                                           PoolCase{1, 1, 3, 3, 2, 2, 1, 1, 1, 1}));

// X [1, 2, h, w] -> MaxPool -> Y.
onnx::ModelProto PoolModel(int h, int w, std::vector<int64_t> kernel, std::vector<int64_t> strides,
                           std::vector<int64_t> pads, int out_h, int out_w) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(11);
  onnx::GraphProto& g = *m.mutable_graph();
  g.set_name("pool");
  auto value = [](onnx::ValueInfoProto& v, const char* name, std::vector<int64_t> dims) {
    v.set_name(name);
    v.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) {
      v.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    }
  };
  value(*g.add_input(), "X", {1, 2, h, w});
  onnx::NodeProto& n = *g.add_node();
  n.set_op_type("MaxPool");
  n.set_name("pool");
  n.add_input("X");
  n.add_output("Y");
  auto ints = [&](const char* name, const std::vector<int64_t>& v) {
    onnx::AttributeProto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t i : v) a.add_ints(i);
  };
  ints("kernel_shape", kernel);
  ints("strides", strides);
  ints("pads", pads);
  value(*g.add_output(), "Y", {1, 2, out_h, out_w});
  return m;
}

TEST(UseFastMaxPools, GivesOpenCvsOutputInsideANetwork) {
  RegisterMaxPoolLayer();
  for (int side : {160, 37}) {
    const int out = (side + 2 - 3) / 2 + 1;
    onnx::ModelProto original = PoolModel(side, side, {3, 3}, {2, 2}, {1, 1, 1, 1}, out, out);
    onnx::ModelProto rewritten = original;
    ASSERT_EQ(UseFastMaxPools(rewritten), 1);
    EXPECT_EQ(rewritten.graph().node(0).op_type(), kMaxPoolOp);
    int sz[] = {1, 2, side, side};
    cv::Mat x(4, sz, CV_32F);
    cv::RNG(4).fill(x, cv::RNG::UNIFORM, -1, 1);
    auto run = [&](const onnx::ModelProto& m) {
      auto net = NetFromOnnx(m.SerializeAsString(), "pool test");
      EXPECT_TRUE(net.ok()) << net.status().ToString();
      if (!net.ok()) return cv::Mat();
      net->setInput(x);
      return net->forward().clone();
    };
    const cv::Mat ours = run(rewritten), reference = run(original);
    ASSERT_EQ(ours.dims, 4);
    ASSERT_EQ(reference.dims, 4);
    for (int d = 0; d < 4; ++d) EXPECT_EQ(ours.size[d], reference.size[d]);
    EXPECT_EQ(cv::norm(ours, reference, cv::NORM_INF), 0.0) << side;
  }
}

TEST(UseFastMaxPools, LeavesWhatItCannotDoToOpenCv) {
  onnx::ModelProto wide_pad = PoolModel(9, 9, {2, 2}, {1, 1}, {2, 2, 2, 2}, 12, 12);
  onnx::ModelProto ceil = PoolModel(9, 9, {3, 3}, {2, 2}, {0, 0, 0, 0}, 4, 4);
  onnx::AttributeProto& c = *ceil.mutable_graph()->mutable_node(0)->add_attribute();
  c.set_name("ceil_mode");
  c.set_type(onnx::AttributeProto::INT);
  c.set_i(1);
  onnx::ModelProto indices = PoolModel(9, 9, {3, 3}, {2, 2}, {1, 1, 1, 1}, 5, 5);
  indices.mutable_graph()->mutable_node(0)->add_output("I");
  for (onnx::ModelProto* m : {&wide_pad, &ceil, &indices}) {
    EXPECT_EQ(UseFastMaxPools(*m), 0);
    EXPECT_EQ(m->graph().node(0).op_type(), "MaxPool");
  }
}

}  // namespace
}  // namespace imagemill::model
