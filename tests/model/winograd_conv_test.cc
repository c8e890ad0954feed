#include "model/winograd_conv.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "model/net_loader.h"
#include "model/winograd_kernel.h"
#include "support/cached_assets.h"

namespace imagemill::model {
namespace {

struct ConvCase {
  int in_channels, out_channels, height, width;
  bool bias, relu;
  float slope = 0;  // with relu: leaky ReLU's slope for negative values
};

// OpenCV's own convolution (and [leaky] ReLU) on the same filters: the reference.
cv::Mat OpenCvConv(const cv::Mat& x, const cv::Mat& w, const cv::Mat& b, bool relu,
                   float slope = 0) {
  cv::dnn::LayerParams lp;
  lp.set("kernel_size", 3);
  lp.set("pad", 1);
  lp.set("num_output", w.size[0]);
  lp.set("bias_term", !b.empty());
  lp.blobs = {w};
  if (!b.empty()) lp.blobs.push_back(b);
  cv::dnn::Net net;
  net.addLayerToPrev("conv", "Convolution", lp);
  if (relu) {
    cv::dnn::LayerParams r;
    if (slope != 0) r.set("negative_slope", slope);
    net.addLayerToPrev("relu", "ReLU", r);
  }
  net.setInput(x);
  return net.forward().clone();
}

class WinogradKernelTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(WinogradKernelTest, MatchesOpenCvConvolution) {
  if (!WinogradEnabled()) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  const ConvCase c = GetParam();
  cv::RNG rng(7);
  int wsz[] = {c.out_channels, c.in_channels, 3, 3};
  cv::Mat w(4, wsz, CV_32F);
  rng.fill(w, cv::RNG::UNIFORM, -0.2, 0.2);
  cv::Mat b;
  if (c.bias) {
    b.create(c.out_channels, 1, CV_32F);
    rng.fill(b, cv::RNG::UNIFORM, -0.5, 0.5);
  }
  int xsz[] = {2, c.in_channels, c.height, c.width};  // two images: each is done on its own
  cv::Mat x(4, xsz, CV_32F);
  rng.fill(x, cv::RNG::UNIFORM, -1, 1);
  cv::Mat ref = OpenCvConv(x, w, b, c.relu, c.slope);

  WinogradFilters f = TransformFilters(w.ptr<float>(), c.bias ? b.ptr<float>() : nullptr,
                                       c.out_channels, c.in_channels);
  int ysz[] = {2, c.out_channels, c.height, c.width};
  cv::Mat y(4, ysz, CV_32F, cv::Scalar(12345));  // every output must be written
  for (int n = 0; n < 2; ++n) {
    WinogradConv3x3(f, x.ptr<float>(n), c.height, c.width, Activation{c.relu, c.slope}, y.ptr<float>(n));
  }
  const double scale = std::max(1.0, cv::norm(ref, cv::NORM_INF));
  EXPECT_LE(cv::norm(y, ref, cv::NORM_INF), 1e-4 * scale);
  if (c.relu && c.slope == 0) {
    double lo = 0;
    cv::minMaxIdx(y, &lo);
    EXPECT_GE(lo, 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, WinogradKernelTest,
                         ::testing::Values(ConvCase{8, 16, 20, 20, true, true},
                                           ConvCase{32, 24, 37, 23, true, false},
                                           ConvCase{16, 8, 16, 33, false, true},
                                           ConvCase{64, 64, 80, 80, true, true},
                                           ConvCase{9, 5, 5, 3, true, false},
                                           // 13 output channels: panels of 6, 6 and 1;
                                           // 45x7: groups of eight tiles across tile rows
                                           ConvCase{11, 13, 45, 7, true, true, 0.1f},
                                           ConvCase{24, 20, 10, 10, false, true, 0.25f},
                                           ConvCase{16, 7, 81, 83, true, false}));

// A one-node ONNX graph: X -> Conv(W[, B]) [-> Relu] -> outputs.
onnx::ModelProto ConvModel(std::vector<int64_t> strides, std::vector<int64_t> pads, int in_channels,
                           bool relu, bool conv_is_output) {
  onnx::ModelProto m;
  onnx::GraphProto& g = *m.mutable_graph();
  onnx::TensorProto& w = *g.add_initializer();
  w.set_name("W");
  w.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {int64_t{4}, int64_t{in_channels}, int64_t{3}, int64_t{3}}) w.add_dims(d);
  for (int i = 0; i < 4 * in_channels * 9; ++i) w.add_float_data(0.1f);
  onnx::NodeProto& conv = *g.add_node();
  conv.set_op_type("Conv");
  conv.add_input("X");
  conv.add_input("W");
  conv.add_output("C");
  auto ints = [&](const char* name, const std::vector<int64_t>& v) {
    onnx::AttributeProto& a = *conv.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t i : v) a.add_ints(i);
  };
  ints("kernel_shape", {3, 3});
  ints("strides", strides);
  ints("pads", pads);
  if (relu) {
    onnx::NodeProto& r = *g.add_node();
    r.set_op_type("Relu");
    r.add_input("C");
    r.add_output("R");
    g.add_output()->set_name("R");
  }
  if (conv_is_output || !relu) g.add_output()->set_name("C");
  return m;
}

TEST(UseWinogradConvs, RewritesQualifyingConvolutionsAndFoldsTheirRelu) {
  onnx::ModelProto m = ConvModel({1, 1}, {1, 1, 1, 1}, 8, true, false);
  EXPECT_EQ(UseWinogradConvs(m), 1);
  ASSERT_EQ(m.graph().node_size(), 1);  // the Relu is gone
  EXPECT_EQ(m.graph().node(0).op_type(), kWinogradConvOp);
  EXPECT_EQ(m.graph().node(0).output(0), "R");
  ASSERT_EQ(m.graph().node(0).attribute_size(), 1);
  EXPECT_EQ(m.graph().node(0).attribute(0).name(), "relu");
}

TEST(UseWinogradConvs, FoldsALeakyReluWithItsSlope) {
  onnx::ModelProto m = ConvModel({1, 1}, {1, 1, 1, 1}, 8, true, false);
  m.mutable_graph()->mutable_node(1)->set_op_type("LeakyRelu");
  onnx::AttributeProto& alpha = *m.mutable_graph()->mutable_node(1)->add_attribute();
  alpha.set_name("alpha");
  alpha.set_type(onnx::AttributeProto::FLOAT);
  alpha.set_f(0.1f);
  EXPECT_EQ(UseWinogradConvs(m), 1);
  ASSERT_EQ(m.graph().node_size(), 1);
  EXPECT_EQ(m.graph().node(0).output(0), "R");
  ASSERT_EQ(m.graph().node(0).attribute_size(), 2);
  EXPECT_EQ(m.graph().node(0).attribute(1).name(), "slope");
  EXPECT_FLOAT_EQ(m.graph().node(0).attribute(1).f(), 0.1f);
}

TEST(UseWinogradConvs, KeepsALeakyReluSteeperThanOne) {
  onnx::ModelProto m = ConvModel({1, 1}, {1, 1, 1, 1}, 8, true, false);
  m.mutable_graph()->mutable_node(1)->set_op_type("LeakyRelu");
  onnx::AttributeProto& alpha = *m.mutable_graph()->mutable_node(1)->add_attribute();
  alpha.set_name("alpha");
  alpha.set_type(onnx::AttributeProto::FLOAT);
  alpha.set_f(2.0f);  // max(x, 2x) is not this activation
  EXPECT_EQ(UseWinogradConvs(m), 1);
  EXPECT_EQ(m.graph().node_size(), 2);
}

TEST(UseGemmConvs, TakesFewInputChannelsWithTheirGeometry) {
  onnx::ModelProto m = ConvModel({2, 2}, {1, 0, 1, 2}, 3, true, false);
  EXPECT_EQ(UseWinogradConvs(m), 0);
  EXPECT_EQ(UseGemmConvs(m), 1);
  ASSERT_EQ(m.graph().node_size(), 1);
  const onnx::NodeProto& n = m.graph().node(0);
  EXPECT_EQ(n.op_type(), kGemmConvOp);
  EXPECT_EQ(n.output(0), "R");
  std::map<std::string, int64_t> attrs;
  for (const auto& a : n.attribute()) attrs[a.name()] = a.i();
  EXPECT_EQ(attrs, (std::map<std::string, int64_t>{{"stride_y", 2}, {"stride_x", 2},
                                                   {"pad_top", 1}, {"pad_left", 0},
                                                   {"pad_bottom", 1}, {"pad_right", 2},
                                                   {"relu", 1}}));
}

TEST(UseGemmConvs, LeavesEightOrMoreInputChannelsToOpenCv) {
  onnx::ModelProto strided = ConvModel({2, 2}, {1, 1, 1, 1}, 8, false, false);
  EXPECT_EQ(UseGemmConvs(strided), 0);
  EXPECT_EQ(strided.graph().node(0).op_type(), "Conv");
}

TEST(UseWinogradConvs, KeepsTheReluWhenTheConvolutionIsAlsoAnOutput) {
  onnx::ModelProto m = ConvModel({1, 1}, {1, 1, 1, 1}, 8, true, true);
  EXPECT_EQ(UseWinogradConvs(m), 1);
  ASSERT_EQ(m.graph().node_size(), 2);
  EXPECT_EQ(m.graph().node(0).output(0), "C");
  EXPECT_EQ(m.graph().node(0).attribute_size(), 0);
}

TEST(UseWinogradConvs, LeavesOtherConvolutionsAlone) {
  onnx::ModelProto strided = ConvModel({2, 2}, {1, 1, 1, 1}, 8, false, false);
  onnx::ModelProto unpadded = ConvModel({1, 1}, {0, 0, 0, 0}, 8, false, false);
  onnx::ModelProto asymmetric = ConvModel({1, 1}, {0, 0, 1, 1}, 8, false, false);
  onnx::ModelProto few_channels = ConvModel({1, 1}, {1, 1, 1, 1}, 3, false, false);
  for (onnx::ModelProto* m : {&strided, &unpadded, &asymmetric, &few_channels}) {
    EXPECT_EQ(UseWinogradConvs(*m), 0);
    EXPECT_EQ(m->graph().node(0).op_type(), "Conv");
  }
}

// Networks with the same weights (one per worker of a run) share one copy of the transformed
// filters; a layer with other weights has its own; the copy goes with the last network using it.
TEST(WinogradNet, NetworksWithTheSameWeightsShareTheTransformedFilters) {
  if (!WinogradEnabled()) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  constexpr int kIn = 8, kOut = 4, kSide = 16;
  auto model = [&](float offset) {
    onnx::ModelProto m = ConvModel({1, 1}, {1, 1, 1, 1}, kIn, true, false);
    m.set_ir_version(7);
    m.add_opset_import()->set_version(11);
    onnx::TensorProto& w = *m.mutable_graph()->mutable_initializer(0);
    for (int i = 0; i < w.float_data_size(); ++i) w.set_float_data(i, 0.01f * (i % 97) + offset);
    onnx::ValueInfoProto& x = *m.mutable_graph()->add_input();
    x.set_name("X");
    x.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    for (int d : {1, kIn, kSide, kSide}) {
      x.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    }
    for (onnx::ValueInfoProto& y : *m.mutable_graph()->mutable_output()) {
      y.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
      for (int d : {1, kOut, kSide, kSide}) {
        y.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
      }
    }
    EXPECT_EQ(UseWinogradConvs(m), 1);
    return m.SerializeAsString();
  };
  RegisterWinogradConvLayer();
  auto run = [&](const std::string& onnx) {
    auto net = NetFromOnnx(onnx, "test");
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    if (!net.ok()) return std::make_pair(cv::dnn::Net(), cv::Mat());
    int sz[] = {1, kIn, kSide, kSide};
    cv::Mat x(4, sz, CV_32F);
    cv::RNG(5).fill(x, cv::RNG::UNIFORM, -1, 1);
    net->setInput(x);
    cv::Mat y = net->forward().clone();
    return std::make_pair(*net, y);
  };
  const size_t before = WinogradFilterBytes();
  const size_t one = (36 * kOut * kIn + kOut) * sizeof(float);
  {
    const std::string unique = model(-0.377f);  // weights no other test uses
    auto [a, ya] = run(unique);
    EXPECT_EQ(WinogradFilterBytes(), before + one);
    {
      auto [b, yb] = run(unique);
      EXPECT_EQ(WinogradFilterBytes(), before + one) << "the second network shares the first's";
      EXPECT_EQ(cv::norm(ya, yb, cv::NORM_INF), 0.0);
      auto [c, yc] = run(model(0.5f));
      EXPECT_EQ(WinogradFilterBytes(), before + 2 * one) << "other weights, own filters";
      EXPECT_GT(cv::norm(ya, yc, cv::NORM_INF), 0.0);
    }
    EXPECT_EQ(WinogradFilterBytes(), before + one) << "still used by the first network";
  }
  EXPECT_EQ(WinogradFilterBytes(), before);
}

// The whole label model, loaded with and without the Winograd layer: same outputs.
TEST(WinogradNet, NanoDetGivesOpenCvsOutputs) {
  if (!WinogradEnabled()) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  const std::filesystem::path dir = imagemill::testing::ModelsDir();
  ASSERT_FALSE(dir.empty()) << "scripts/fetch-models.sh failed";
  ImportOptions options;
  options.input_height = options.input_width = 320;
  auto run = [&](const char* winograd) {
    ::setenv("IMAGEMILL_WINOGRAD", winograd, 1);
    auto loaded = LoadNet(dir / "nanodet.json", options);
    ::unsetenv("IMAGEMILL_WINOGRAD");
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (!loaded.ok()) return std::vector<cv::Mat>{};
    int sz[] = {1, 3, 320, 320};
    cv::Mat x(4, sz, CV_32F);
    cv::RNG(3).fill(x, cv::RNG::UNIFORM, 0, 1);
    loaded->net.setInput(x);
    std::vector<cv::String> names;
    for (const TensorInfo& t : loaded->outputs) names.push_back(t.name);
    std::vector<cv::Mat> outs;
    loaded->net.forward(outs, names);
    return outs;
  };
  std::vector<cv::Mat> ours = run("1");
  std::vector<cv::Mat> reference = run("0");
  ASSERT_EQ(ours.size(), reference.size());
  ASSERT_FALSE(ours.empty());
  for (size_t i = 0; i < ours.size(); ++i) {
    const double scale = std::max(1.0, cv::norm(reference[i], cv::NORM_INF));
    EXPECT_LE(cv::norm(ours[i], reference[i], cv::NORM_INF), 1e-3 * scale) << "output " << i;
  }
}

}  // namespace
}  // namespace imagemill::model
