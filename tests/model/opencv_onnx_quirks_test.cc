// What OpenCV 4.6's ONNX reader accepts, which the importer's output is shaped around. If an
// OpenCV upgrade changes one of these, this test says which importer workaround can go.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <opencv2/dnn.hpp>

#include "model/onnx_builder.h"

namespace imagemill::model {
namespace {

enum class Variant { kClipAttributes, kClipInputs, kOutputWithoutShape, kTopK };

// Loads and runs a one-node model on a 1x2x4x4 tensor of 10s; returns the first output value, or
// NaN when OpenCV refuses the model.
float RunOneNode(Variant v) {
  OnnxBuilder b("quirk", 11);
  b.AddInput("x", {1, 2, 4, 4});
  std::string y;
  if (v == Variant::kTopK) {
    y = b.AddNodeN("TopK", {"x", b.AddInitializer("k", HostTensor::Int({1}, {2}))},
                   {"values", "indices"})[0];
  } else if (v == Variant::kClipInputs) {
    y = b.AddNode("Clip",
                  {"x", b.AddInitializer("lo", HostTensor::Float({}, {0})),
                   b.AddInitializer("hi", HostTensor::Float({}, {6}))},
                  "y");
  } else {
    y = b.AddNode("Clip", {"x"}, "y", {OnnxAttr::Float("min", 0), OnnxAttr::Float("max", 6)});
  }
  if (v == Variant::kOutputWithoutShape) {
    b.mutable_model().mutable_graph()->add_output()->set_name(y);
  } else {
    b.AddOutput(y, {1, 2, 4, 4});
  }
  std::string bytes;
  b.model().SerializeToString(&bytes);
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    const int dims[] = {1, 2, 4, 4};
    net.setInput(cv::Mat(4, dims, CV_32F, cv::Scalar(10)));
    return net.forward().ptr<float>()[0];
  } catch (const cv::Exception&) {
    return std::numeric_limits<float>::quiet_NaN();
  }
}

TEST(OpenCvOnnxQuirksTest, ClipNeedsAttributesOutputsNeedShapesNoTopK) {
  EXPECT_EQ(RunOneNode(Variant::kClipAttributes), 6.0f);      // what the importer writes for Relu6
  EXPECT_TRUE(std::isnan(RunOneNode(Variant::kClipInputs)));  // the opset-11 form is refused
  EXPECT_TRUE(
      std::isnan(RunOneNode(Variant::kOutputWithoutShape)));  // outputs must carry a type/shape
  EXPECT_TRUE(std::isnan(RunOneNode(Variant::kTopK)));        // so CenterNet is cut before TopK
}

}  // namespace
}  // namespace imagemill::model
