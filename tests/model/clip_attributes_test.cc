#include "model/clip_attributes.h"

#include <gtest/gtest.h>

#include <limits>
#include <opencv2/dnn.hpp>

#include "model/net_loader.h"
#include "model/onnx_builder.h"

namespace imagemill::model {
namespace {

// x [1, 2, 4, 4] -> Clip(x, lo, hi) -> y, opset 11, the bounds made by Constant nodes (as
// paddle2onnx writes them) or given as initializers.
onnx::ModelProto ClipModel(bool constant_nodes, bool with_max = true) {
  OnnxBuilder b("clip", 11);
  b.AddInput("x", {1, 2, 4, 4});
  std::vector<std::string> inputs = {"x"};
  auto bound = [&](const std::string& hint, float v) {
    if (!constant_nodes) return b.AddInitializer(hint, HostTensor::Float({}, {v}));
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_float_data(v);
    std::string out = b.UniqueName(hint);
    onnx::NodeProto& n = *b.mutable_model().mutable_graph()->add_node();
    n.set_op_type("Constant");
    n.add_output(out);
    onnx::AttributeProto& a = *n.add_attribute();
    a.set_name("value");
    a.set_type(onnx::AttributeProto::TENSOR);
    *a.mutable_t() = t;
    return out;
  };
  inputs.push_back(bound("lo", -1));
  if (with_max) inputs.push_back(bound("hi", 6));
  b.AddOutput(b.AddNode("Clip", inputs, "y"), {1, 2, 4, 4});
  return b.model();
}

// The network's output for an input of `fill`s, or NaN when OpenCV refuses the model.
float RunClip(const onnx::ModelProto& m, float fill) {
  Result<cv::dnn::Net> net = NetFromOnnx(m.SerializeAsString(), "clip test");
  if (!net.ok()) return std::numeric_limits<float>::quiet_NaN();
  const int dims[] = {1, 2, 4, 4};
  net->setInput(cv::Mat(4, dims, CV_32F, cv::Scalar(fill)));
  return net->forward().ptr<float>()[0];
}

TEST(ClipInputsToAttributes, MakesAnOpset11ClipThatOpenCvRefusesRunnable) {
  for (bool constant_nodes : {true, false}) {
    onnx::ModelProto m = ClipModel(constant_nodes);
    EXPECT_TRUE(std::isnan(RunClip(m, 10))) << "OpenCV now reads Clip's bounds from inputs";
    Result<int> rewritten = ClipInputsToAttributes(m);
    ASSERT_TRUE(rewritten.ok()) << rewritten.status().ToString();
    EXPECT_EQ(*rewritten, 1);
    EXPECT_EQ(RunClip(m, 10), 6.0f);
    EXPECT_EQ(RunClip(m, -10), -1.0f);
    EXPECT_EQ(RunClip(m, 2.5f), 2.5f);
    for (const onnx::NodeProto& n : m.graph().node()) {
      EXPECT_NE(n.op_type(), "Constant") << "a Constant node nothing reads was left";
    }
  }
}

TEST(ClipInputsToAttributes, AMissingBoundIsUnbounded) {
  onnx::ModelProto m = ClipModel(true, /*with_max=*/false);
  ASSERT_TRUE(ClipInputsToAttributes(m).ok());
  EXPECT_EQ(RunClip(m, 1e30f), 1e30f);
  EXPECT_EQ(RunClip(m, -10), -1.0f);
}

TEST(ClipInputsToAttributes, ABoundTheGraphComputesIsRefusedAndNothingChanges) {
  OnnxBuilder b("clip", 11);
  b.AddInput("x", {1, 2, 4, 4});
  const std::string lo = b.AddNode("ReduceMin", {"x"}, "lo", {OnnxAttr::Int("keepdims", 0)});
  b.AddOutput(b.AddNode("Clip", {"x", lo}, "y"), {1, 2, 4, 4});
  onnx::ModelProto m = b.model();
  const std::string before = m.SerializeAsString();
  Result<int> rewritten = ClipInputsToAttributes(m);
  ASSERT_FALSE(rewritten.ok());
  EXPECT_EQ(rewritten.status().code(), Code::kUnsupported);
  EXPECT_NE(rewritten.status().message().find("min"), std::string::npos);
  EXPECT_EQ(m.SerializeAsString(), before);
}

}  // namespace
}  // namespace imagemill::model
