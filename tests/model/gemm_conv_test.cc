#include "model/gemm_conv_kernel.h"

#include <gtest/gtest.h>

#include <opencv2/dnn.hpp>

#include "model/winograd_conv.h"

namespace imagemill::model {
namespace {

struct GemmCase {
  int in_channels, out_channels, height, width, kernel, stride, pad;
  bool bias, relu;
  float slope;
};

// OpenCV's own convolution (and [leaky] ReLU) on the same filters: the reference.
cv::Mat OpenCvConv(const cv::Mat& x, const cv::Mat& w, const cv::Mat& b, const GemmCase& c) {
  cv::dnn::LayerParams lp;
  lp.set("kernel_size", c.kernel);
  lp.set("pad", c.pad);
  lp.set("stride", c.stride);
  lp.set("num_output", c.out_channels);
  lp.set("bias_term", c.bias);
  lp.blobs = {w};
  if (c.bias) lp.blobs.push_back(b);
  cv::dnn::Net net;
  net.addLayerToPrev("conv", "Convolution", lp);
  if (c.relu) {
    cv::dnn::LayerParams r;
    if (c.slope != 0) r.set("negative_slope", c.slope);
    net.addLayerToPrev("relu", "ReLU", r);
  }
  net.setInput(x);
  return net.forward().clone();
}

class GemmConvTest : public ::testing::TestWithParam<GemmCase> {};

TEST_P(GemmConvTest, MatchesOpenCvConvolution) {
  if (!WinogradEnabled()) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  const GemmCase c = GetParam();
  cv::RNG rng(11);
  int wsz[] = {c.out_channels, c.in_channels, c.kernel, c.kernel};
  cv::Mat w(4, wsz, CV_32F);
  rng.fill(w, cv::RNG::UNIFORM, -0.5, 0.5);
  cv::Mat b;
  if (c.bias) {
    b.create(c.out_channels, 1, CV_32F);
    rng.fill(b, cv::RNG::UNIFORM, -0.5, 0.5);
  }
  int xsz[] = {2, c.in_channels, c.height, c.width};  // two images: each is done on its own
  cv::Mat x(4, xsz, CV_32F);
  rng.fill(x, cv::RNG::UNIFORM, -1, 1);
  cv::Mat ref = OpenCvConv(x, w, b, c);

  GemmFilters f = PackGemmFilters(w.ptr<float>(), c.bias ? b.ptr<float>() : nullptr,
                                  c.out_channels, c.in_channels, c.kernel, c.kernel);
  ConvGeometry g;
  g.height = c.height;
  g.width = c.width;
  g.out_height = ref.size[2];
  g.out_width = ref.size[3];
  g.stride_y = g.stride_x = c.stride;
  g.pad_top = g.pad_left = c.pad;
  int ysz[] = {2, c.out_channels, g.out_height, g.out_width};
  cv::Mat y(4, ysz, CV_32F, cv::Scalar(12345));  // every output must be written
  for (int n = 0; n < 2; ++n) {
    GemmConv(f, x.ptr<float>(n), g, Activation{c.relu, c.slope}, y.ptr<float>(n));
  }
  // The same products summed in another order: differences of a few float ulps of the sums.
  const double scale = std::max(1.0, cv::norm(ref, cv::NORM_INF));
  EXPECT_LE(cv::norm(y, ref, cv::NORM_INF), 1e-5 * scale);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, GemmConvTest,
    ::testing::Values(GemmCase{3, 32, 64, 64, 3, 2, 1, true, true, 0.1f},   // NanoDet's first
                      GemmCase{3, 13, 37, 29, 3, 2, 1, false, true, 0.0f},  // odd sizes, 6+6+1
                      GemmCase{1, 7, 31, 45, 3, 1, 1, true, false, 0.0f},
                      GemmCase{4, 9, 23, 17, 5, 2, 2, true, true, 0.2f},
                      GemmCase{5, 6, 20, 21, 7, 3, 3, false, false, 0.0f},
                      GemmCase{2, 11, 9, 13, 1, 1, 0, true, true, 0.0f},
                      GemmCase{40, 20, 15, 19, 3, 2, 1, true, true, 0.1f},  // a long inner sum
                      GemmCase{3, 8, 3, 2, 3, 1, 1, true, false, 0.0f}));

}  // namespace
}  // namespace imagemill::model
