#include "model/transpose_layer.h"

#include <gtest/gtest.h>

#include <opencv2/dnn.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "model/net_loader.h"

namespace imagemill::model {
namespace {

TEST(Transpose021, SwapsTheLastTwoAxesOfEachBatchItem) {
  // Sizes around the 32-element blocks, odd on both sides.
  for (auto [batch, rows, cols] : {std::tuple{1, 80, 1600}, std::tuple{2, 33, 65},
                                   std::tuple{3, 1, 7}, std::tuple{1, 45, 31}}) {
    std::vector<float> in(static_cast<size_t>(batch) * rows * cols);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i);
    std::vector<float> out(in.size(), -1.0f);
    Transpose021(in.data(), batch, rows, cols, out.data());
    for (int n = 0; n < batch; ++n) {
      for (int i = 0; i < rows; ++i) {
        for (int j = 0; j < cols; ++j) {
          ASSERT_EQ(out[(static_cast<size_t>(n) * cols + j) * rows + i],
                    in[(static_cast<size_t>(n) * rows + i) * cols + j])
              << batch << "x" << rows << "x" << cols << " at " << n << "," << i << "," << j;
        }
      }
    }
  }
}

// X [2, 5, 7] -> Transpose(perm) -> Y.
onnx::ModelProto TransposeModel(std::vector<int64_t> perm) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto& g = *m.mutable_graph();
  g.set_name("t");
  onnx::ValueInfoProto& x = *g.add_input();
  x.set_name("X");
  x.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {2, 5, 7}) {
    x.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::NodeProto& n = *g.add_node();
  n.set_op_type("Transpose");
  n.set_name("transpose");
  n.add_input("X");
  n.add_output("Y");
  onnx::AttributeProto& a = *n.add_attribute();
  a.set_name("perm");
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t p : perm) a.add_ints(p);
  onnx::ValueInfoProto& y = *g.add_output();
  y.set_name("Y");
  y.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t p : perm) {
    const int64_t d = std::vector<int64_t>{2, 5, 7}[p];
    y.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  return m;
}

TEST(UseFastTransposes, RewritesOnlyPerm021) {
  onnx::ModelProto swap = TransposeModel({0, 2, 1});
  EXPECT_EQ(UseFastTransposes(swap), 1);
  EXPECT_EQ(swap.graph().node(0).op_type(), kTransposeOp);
  for (std::vector<int64_t> perm : {std::vector<int64_t>{1, 0, 2}, {2, 1, 0}, {0, 1, 2}}) {
    onnx::ModelProto other = TransposeModel(perm);
    EXPECT_EQ(UseFastTransposes(other), 0);
    EXPECT_EQ(other.graph().node(0).op_type(), "Transpose");
  }
}

TEST(UseFastTransposes, GivesOpenCvsOutputInsideANetwork) {
  onnx::ModelProto original = TransposeModel({0, 2, 1});
  onnx::ModelProto rewritten = original;
  ASSERT_EQ(UseFastTransposes(rewritten), 1);
  RegisterTransposeLayer();
  int sz[] = {2, 5, 7};
  cv::Mat x(3, sz, CV_32F);
  cv::RNG(5).fill(x, cv::RNG::UNIFORM, -1, 1);
  auto run = [&](const onnx::ModelProto& m) {
    auto net = NetFromOnnx(m.SerializeAsString(), "transpose test");
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    if (!net.ok()) return cv::Mat();
    net->setInput(x);
    return net->forward().clone();
  };
  const cv::Mat ours = run(rewritten), reference = run(original);
  ASSERT_EQ(ours.dims, 3);
  ASSERT_EQ(reference.dims, 3);
  for (int d = 0; d < 3; ++d) EXPECT_EQ(ours.size[d], reference.size[d]);
  EXPECT_EQ(cv::norm(ours, reference, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace imagemill::model
