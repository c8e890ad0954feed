#include "model/deconv_layer.h"

#include <gtest/gtest.h>

#include <opencv2/dnn.hpp>

#include "model/net_loader.h"
#include "model/onnx_builder.h"

namespace imagemill::model {
namespace {

// x [1, 3, H, W] -> ConvTranspose(k x k, stride k, 3 -> 4 channels) -> y, as PP-OCR's text
// detector has them: without bias, followed by a per-channel Add, BatchNormalization and Relu.
onnx::ModelProto DeconvModel(int k) {
  constexpr int kOut = 4;
  OnnxBuilder b("deconv", 11);
  b.AddInput("x", {1, 3, -1, -1});
  std::vector<float> w(3 * kOut * k * k);
  cv::RNG rng(17);
  for (float& v : w) v = rng.uniform(-1.0f, 1.0f);
  std::string y = b.AddNode(
      "ConvTranspose", {"x", b.AddInitializer("w", HostTensor::Float({3, kOut, k, k}, w))}, "y",
      {OnnxAttr::Ints("kernel_shape", {k, k}), OnnxAttr::Ints("strides", {k, k}),
       OnnxAttr::Ints("pads", {0, 0, 0, 0}), OnnxAttr::Int("group", 1)});
  const std::vector<float> shift = {0.25f, -0.5f, 0.75f, 0.1f}, one(kOut, 1.0f), zero(kOut, 0.0f);
  y = b.AddNode("Add", {y, b.AddInitializer("c", HostTensor::Float({1, kOut, 1, 1}, shift))}, "a");
  y = b.AddNode("BatchNormalization",
                {y, b.AddInitializer("scale", HostTensor::Float({kOut}, {1.5f, 0.5f, 1, 2})),
                 b.AddInitializer("bias", HostTensor::Float({kOut}, shift)),
                 b.AddInitializer("mean", HostTensor::Float({kOut}, zero)),
                 b.AddInitializer("var", HostTensor::Float({kOut}, one))},
                "bn");
  b.AddOutput(b.AddNode("Relu", {y}, "r"), {1, kOut, -1, -1});
  return b.model();
}

cv::Mat Input(int h, int w, uint64_t seed) {
  const int dims[] = {1, 3, h, w};
  cv::Mat x(4, dims, CV_32F);
  cv::RNG(seed).fill(x, cv::RNG::UNIFORM, -2, 2);
  return x;
}

cv::dnn::Net Load(const onnx::ModelProto& m) {
  Result<cv::dnn::Net> net = NetFromOnnx(m.SerializeAsString(), "deconv test");
  EXPECT_TRUE(net.ok()) << net.status().ToString();
  return net.ok() ? *net : cv::dnn::Net();
}

cv::Mat Forward(cv::dnn::Net& net, const cv::Mat& x) {
  net.setInput(x);
  return net.forward().clone();
}

TEST(UseBlockDeconvs, GivesOpenCvsFirstPassAndStaysRightWhenTheInputSizeChanges) {
  for (int k : {2, 3}) {
    const onnx::ModelProto original = DeconvModel(k);
    onnx::ModelProto rewritten = original;
    ASSERT_EQ(UseBlockDeconvs(rewritten), 1);
    EXPECT_EQ(rewritten.graph().node(0).op_type(), kBlockDeconvOp);
    RegisterBlockDeconvLayer();

    const cv::Mat a = Input(5, 7, 1), b = Input(8, 3, 2);
    // OpenCV's own layer is right on a network's first pass: the reference.
    cv::dnn::Net fresh_a = Load(original), fresh_b = Load(original);
    const cv::Mat ref_a = Forward(fresh_a, a), ref_b = Forward(fresh_b, b);
    ASSERT_EQ(ref_a.size[2], 5 * k);
    ASSERT_EQ(ref_b.size[3], 3 * k);

    cv::dnn::Net ours = Load(rewritten);
    const cv::Mat ours_a = Forward(ours, a), ours_b = Forward(ours, b);
    ASSERT_EQ(ours_a.total(), ref_a.total());
    ASSERT_EQ(ours_b.total(), ref_b.total());
    EXPECT_LE(cv::norm(ours_a, ref_a, cv::NORM_INF), 1e-5) << "k = " << k;
    EXPECT_LE(cv::norm(ours_b, ref_b, cv::NORM_INF), 1e-5) << "k = " << k;
  }
}

TEST(UseBlockDeconvs, OpenCvsOwnLayerGoesWrongWhenTheInputSizeChanges) {
  // Why the layer exists; when an OpenCV upgrade fixes this, the rewrite can go.
  const onnx::ModelProto original = DeconvModel(2);
  cv::dnn::Net reused = Load(original), fresh = Load(original);
  const cv::Mat b = Input(8, 3, 2);
  Forward(reused, Input(5, 7, 1));
  const cv::Mat after = Forward(reused, b), ref = Forward(fresh, b);
  ASSERT_EQ(after.total(), ref.total());
  EXPECT_GT(cv::norm(after, ref, cv::NORM_INF), 1e-3);
}

TEST(UseBlockDeconvs, LeavesOverlappingOrPaddedOnesToOpenCv) {
  OnnxBuilder b("deconv", 11);
  b.AddInput("x", {1, 3, 4, 4});
  const std::string w =
      b.AddInitializer("w", HostTensor::Float({3, 2, 3, 3}, std::vector<float>(54, 1)));
  b.AddNode("ConvTranspose", {"x", w}, "overlapping",
            {OnnxAttr::Ints("kernel_shape", {3, 3}), OnnxAttr::Ints("strides", {2, 2})});
  b.AddNode("ConvTranspose", {"x", w}, "padded",
            {OnnxAttr::Ints("kernel_shape", {3, 3}), OnnxAttr::Ints("strides", {3, 3}),
             OnnxAttr::Ints("pads", {1, 1, 1, 1})});
  onnx::ModelProto m = b.model();
  EXPECT_EQ(UseBlockDeconvs(m), 0);
}

}  // namespace
}  // namespace imagemill::model
