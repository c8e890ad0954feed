#include "model/sigmoid_layer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <opencv2/dnn.hpp>
#include <vector>

#include "model/net_loader.h"
#include "model/sigmoid_kernel.h"
#include "model/winograd_conv.h"

namespace imagemill::model {
namespace {

TEST(SigmoidKernel, MatchesTheFormulaWithStdExp) {
  if (!WinogradEnabled()) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  std::vector<float> x;
  for (float v = -120.0f; v <= 120.0f; v += 0.0137f) x.push_back(v);  // every binade of e^x
  for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 87.0f, -87.0f, 88.5f, -88.5f, 1e30f, -1e30f}) {
    x.push_back(v);
  }
  x.push_back(0.5f);  // an odd count: the scalar tail too
  std::vector<float> y(x.size());
  Sigmoid(x.data(), x.size(), y.data());
  for (size_t i = 0; i < x.size(); ++i) {
    const double ref = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
    // A few float ulps of the result, or of the smallest normal float.
    EXPECT_NEAR(y[i], ref, 3e-7 * ref + 2e-38) << "x = " << x[i];
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> n(8, nan);
  Sigmoid(n.data(), n.size(), n.data());  // in place
  for (float v : n) EXPECT_TRUE(std::isnan(v));
}

// X [1, 3, 37] -> Sigmoid -> Y.
onnx::ModelProto SigmoidModel() {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto& g = *m.mutable_graph();
  g.set_name("sigmoid");
  for (const char* name : {"X", "Y"}) {
    onnx::ValueInfoProto& v = name[0] == 'X' ? *g.add_input() : *g.add_output();
    v.set_name(name);
    v.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : {1, 3, 37}) {
      v.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    }
  }
  onnx::NodeProto& n = *g.add_node();
  n.set_op_type("Sigmoid");
  n.set_name("sigmoid");
  n.add_input("X");
  n.add_output("Y");
  return m;
}

TEST(UseFastSigmoids, GivesOpenCvsOutputInsideANetwork) {
  if (!WinogradEnabled()) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  onnx::ModelProto original = SigmoidModel();
  onnx::ModelProto rewritten = original;
  ASSERT_EQ(UseFastSigmoids(rewritten), 1);
  EXPECT_EQ(rewritten.graph().node(0).op_type(), kSigmoidOp);
  RegisterSigmoidLayer();
  int sz[] = {1, 3, 37};
  cv::Mat x(3, sz, CV_32F);
  cv::RNG(6).fill(x, cv::RNG::UNIFORM, -20, 20);
  auto run = [&](const onnx::ModelProto& m) {
    auto net = NetFromOnnx(m.SerializeAsString(), "sigmoid test");
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    if (!net.ok()) return cv::Mat();
    net->setInput(x);
    return net->forward().clone();
  };
  const cv::Mat ours = run(rewritten), reference = run(original);
  ASSERT_EQ(ours.total(), reference.total());
  EXPECT_LE(cv::norm(ours, reference, cv::NORM_INF), 1e-6);
}

}  // namespace
}  // namespace imagemill::model
