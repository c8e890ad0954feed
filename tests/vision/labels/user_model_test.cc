// Bring your own model: small ONNX detectors and a classifier, built here with the project's ONNX
// builder, run through the labels processor and answered in the DetectLabels shape.
//
// The tiny detectors see a 64x64 input as four 32x32 cells. A cell's objectness rises with its
// mean red plus green; class "dog" with red over green, class "widget" with green over red; each
// cell's box is the cell itself. So an image with a red top-left quarter and a green bottom-right
// quarter holds one Dog (top left) and one Widget (bottom right), and nothing else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>

#include "model/onnx_builder.h"
#include "support/images.h"
#include "support/rekognition_model.h"
#include "vision/labels/labels_processor.h"

namespace imagemill::vision {
namespace {

using model::HostTensor;
using model::OnnxAttr;
using model::OnnxBuilder;

constexpr float kGain = 40;  // steepness of the cells' sigmoids

enum class Kind { kYoloV5, kYoloV8, kClassifier };

// Conv weights [channels, 3, k, k] where channel c's response is Σ_colour w[c][colour] · mean of
// that colour plane (RGB, 0..1) over the k x k window, plus bias[c].
HostTensor MeanWeights(const std::vector<std::array<float, 3>>& w, int k) {
  std::vector<float> v;
  for (const auto& per_colour : w) {
    for (float colour_weight : per_colour) {
      for (int i = 0; i < k * k; ++i) v.push_back(colour_weight / static_cast<float>(k * k));
    }
  }
  return HostTensor::Float({static_cast<int64_t>(w.size()), 3, k, k}, v);
}

std::string BuildModel(Kind kind) {
  OnnxBuilder b("tiny", 11);
  b.AddInput("images", {1, 3, 64, 64});
  if (kind == Kind::kClassifier) {
    // Two logits over the whole image: "beach" (blue), "forest" (green).
    const std::string conv =
        b.AddNode("Conv",
                  {"images", b.AddInitializer("w", MeanWeights({{0, 0, 8}, {0, 8, 0}}, 64)),
                   b.AddInitializer("b", HostTensor::Float({2}, {0, 0}))},
                  "logits4d", {OnnxAttr::Ints("kernel_shape", {64, 64})});
    const std::string flat = b.AddNode(
        "Reshape", {conv, b.AddInitializer("shape", HostTensor::Int({2}, {1, 2}))}, "logits");
    b.AddOutput(flat, {1, 2});
  } else {
    const bool v5 = kind == Kind::kYoloV5;
    std::vector<std::array<float, 3>> w(4, {0, 0, 0});  // box channels: constant
    std::vector<float> bias(4, -100);                   // sigmoid(-100) = 0, then + the box
    if (v5) {
      w.push_back({kGain, kGain, 0});  // objectness: red + green
      bias.push_back(-kGain / 2);
    }
    w.push_back({kGain, -kGain, 0});  // dog: red over green
    bias.push_back(-kGain / 4);
    w.push_back({-kGain, kGain, 0});  // widget: green over red
    bias.push_back(-kGain / 4);
    const int64_t channels = static_cast<int64_t>(w.size());
    const std::string conv = b.AddNode(
        "Conv",
        {"images", b.AddInitializer("w", MeanWeights(w, 32)),
         b.AddInitializer("b", HostTensor::Float({channels}, bias))},
        "cells", {OnnxAttr::Ints("kernel_shape", {32, 32}), OnnxAttr::Ints("strides", {32, 32})});
    const std::string sig = b.AddNode("Sigmoid", {conv}, "probs");
    // Boxes in input pixels: centre of cell (row, col), 32 x 32.
    std::vector<float> boxes(static_cast<size_t>(channels) * 4, 0);
    for (int cell = 0; cell < 4; ++cell) {
      const int row = cell / 2, col = cell % 2;
      boxes[0 * 4 + cell] = 32.0f * static_cast<float>(col) + 16;
      boxes[1 * 4 + cell] = 32.0f * static_cast<float>(row) + 16;
      boxes[2 * 4 + cell] = 32;
      boxes[3 * 4 + cell] = 32;
    }
    const std::string out = b.AddNode(
        "Add", {sig, b.AddInitializer("boxes", HostTensor::Float({1, channels, 2, 2}, boxes))},
        "decoded");
    const std::string flat =
        b.AddNode("Reshape",
                  {out, b.AddInitializer("shape", HostTensor::Int({3}, {1, channels, 4}))}, "flat");
    if (v5) {
      const std::string t =
          b.AddNode("Transpose", {flat}, "output0", {OnnxAttr::Ints("perm", {0, 2, 1})});
      b.AddOutput(t, {1, 4, channels});
    } else {
      b.AddOutput(flat, {1, channels, 4});  // yolov8: [1, 4 + C, N]
    }
  }
  std::string bytes;
  b.model().SerializeToString(&bytes);
  return bytes;
}

class UserModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imagemill_user_model_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }
  Result<std::unique_ptr<LabelsProcessor>> Open(Kind kind, const std::string& labels) {
    LabelsProcessorOptions o;
    const char* kinds[] = {"yolov5", "yolov8", "classifier"};
    o.model.model_kind = kinds[static_cast<int>(kind)];
    o.model.model_file = Write(o.model.model_kind + ".onnx", BuildModel(kind));
    o.model.labels_file = Write("labels.txt", labels);
    return LabelsProcessor::Open(o);
  }
  static nlohmann::json Label(const Processor& p, const cv::Mat& bgr) {
    ObjectInfo item;
    item.key = "test.png";
    auto prepared = p.Prepare(item, imagemill::testing::Encode(bgr, ".png"));
    EXPECT_TRUE(prepared.ok()) << prepared.status().ToString();
    auto worker = p.NewWorker();
    EXPECT_TRUE(worker.ok()) << worker.status().ToString();
    auto answer = (*worker)->Process(item, **prepared);
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer->response;
  }

  std::filesystem::path dir_;
};

// 200 x 120 (not square: boxes are ratios of each side), red top-left, green bottom-right.
cv::Mat Quarters() {
  cv::Mat img(120, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  img(cv::Rect(0, 0, 100, 60)).setTo(cv::Scalar(0, 0, 255));
  img(cv::Rect(100, 60, 100, 60)).setTo(cv::Scalar(0, 255, 0));
  return img;
}

void ExpectBox(const nlohmann::json& label, float left, float top) {
  ASSERT_EQ(label["Instances"].size(), 1u) << label.dump();
  const nlohmann::json& box = label["Instances"][0]["BoundingBox"];
  EXPECT_NEAR(box["Left"].get<double>(), left, 0.01);
  EXPECT_NEAR(box["Top"].get<double>(), top, 0.01);
  EXPECT_NEAR(box["Width"].get<double>(), 0.5, 0.01);
  EXPECT_NEAR(box["Height"].get<double>(), 0.5, 0.01);
}

TEST_F(UserModelTest, YoloDetectorsAnswerThroughTheSameShape) {
  for (Kind kind : {Kind::kYoloV5, Kind::kYoloV8}) {
    auto p = Open(kind, "dog\nwidget\n");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    const std::string name = (*p)->Name();
    EXPECT_EQ(
        name.rfind(kind == Kind::kYoloV5 ? "labels/yolov5:yolov5.onnx@" : "labels/yolov8:", 0), 0u)
        << name;
    const nlohmann::json answer = Label(**p, Quarters());
    ASSERT_EQ(answer["Labels"].size(), 2u) << answer.dump();
    // Known classes get the taxonomy ("dog" is Dog, a pet); unknown ones their own name.
    const nlohmann::json& dog =
        answer["Labels"][0]["Name"] == "Dog" ? answer["Labels"][0] : answer["Labels"][1];
    const nlohmann::json& widget =
        answer["Labels"][0]["Name"] == "Dog" ? answer["Labels"][1] : answer["Labels"][0];
    EXPECT_EQ(dog["Name"], "Dog");
    EXPECT_EQ(dog["Parents"][0]["Name"], "Pet");
    EXPECT_EQ(widget["Name"], "Widget");
    EXPECT_TRUE(widget["Parents"].empty());
    ExpectBox(dog, 0, 0);
    ExpectBox(widget, 0.5f, 0.5f);
    // An unmeasured model's confidence is its score: these cells are sure.
    EXPECT_GT(dog["Confidence"].get<double>(), 99);
    EXPECT_TRUE(answer["LabelModelVersion"].get<std::string>().starts_with(
        kind == Kind::kYoloV5 ? "yolov5:" : "yolov8:"));
    if (imagemill::testing::RekognitionModel()) {
      EXPECT_TRUE(imagemill::testing::ShapeErrors(answer, "DetectLabelsResponse").empty());
    }
    // A black image holds nothing.
    EXPECT_TRUE(Label(**p, cv::Mat(64, 64, CV_8UC3, cv::Scalar(0, 0, 0)))["Labels"].empty());
  }
}

TEST_F(UserModelTest, AClassifierGivesLabelsWithoutInstances) {
  auto p = Open(Kind::kClassifier, "beach\nforest\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const nlohmann::json answer = Label(**p, cv::Mat(90, 90, CV_8UC3, cv::Scalar(40, 220, 30)));
  ASSERT_EQ(answer["Labels"].size(), 1u) << answer.dump();
  EXPECT_EQ(answer["Labels"][0]["Name"], "Forest");
  EXPECT_TRUE(answer["Labels"][0]["Instances"].empty());
  EXPECT_GT(answer["Labels"][0]["Confidence"].get<double>(), 55);
}

TEST_F(UserModelTest, MismatchesAreStartUpErrorsThatSayWhatToCheck) {
  auto wrong_count = Open(Kind::kYoloV5, "dog\nwidget\ncat\n");
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_EQ(wrong_count.status().code(), Code::kInvalidArgument);
  EXPECT_NE(wrong_count.status().message().find("--labels"), std::string::npos)
      << wrong_count.status().message();
  auto wrong_kind = Open(Kind::kClassifier, "a\nb\nc\n");
  EXPECT_EQ(wrong_kind.status().code(), Code::kInvalidArgument);

  LabelsProcessorOptions o;
  o.model.model_kind = "yolov5";
  o.model.model_file = dir_ / "missing.onnx";
  o.model.labels_file = Write("labels.txt", "dog\n");
  auto missing = LabelsProcessor::Open(o);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.onnx"), std::string::npos);
  o.model.model_kind = "resnet";
  EXPECT_EQ(LabelsProcessor::Open(o).status().code(), Code::kInvalidArgument);
}

TEST_F(UserModelTest, TheNameFollowsTheModelFilesContent) {
  LabelsProcessorOptions o;
  o.model.model_kind = "yolov8";
  o.model.model_file = Write("m.onnx", BuildModel(Kind::kYoloV8));
  o.model.labels_file = Write("labels.txt", "dog\nwidget\n");
  const std::string before = *LabelsProcessor::NameFor(o);
  Write("labels.txt", "dog\ngadget\n");
  EXPECT_NE(*LabelsProcessor::NameFor(o), before);
}

}  // namespace
}  // namespace imagemill::vision
