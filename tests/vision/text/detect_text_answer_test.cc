#include "vision/text/detect_text_answer.h"

#include <gtest/gtest.h>

#include "support/rekognition_model.h"
#include "support/vision_builders.h"

namespace imagemill::vision {
namespace {

// A line of `words` at `top`, starting at `left`, each word 0.1 wide with 0.02 between them,
// the detector's box 0.01 larger on every side.
TextLine Line(std::vector<std::pair<std::string, float>> words, float top, float left = 0.1f) {
  TextLine line;
  float x = left;
  for (auto& [text, confidence] : words) {
    line.words.push_back({text, confidence, Quad(x, top, 0.1f, 0.05f)});
    x += 0.12f;
  }
  line.corners = Quad(left - 0.01f, top - 0.01f, x - left, 0.07f);
  line.detector_score = 0.9f;
  return line;
}

std::vector<nlohmann::json> OfType(const nlohmann::json& answer, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& d : answer["TextDetections"]) {
    if (d["Type"] == type) out.push_back(d);
  }
  return out;
}

TEST(DetectTextAnswer, LinesFirstInReadingOrderThenWordsWithTheirLinesIds) {
  std::vector<TextLine> lines = {Line({{"keep", 90}, {"smiling", 80}}, 0.5f),
                                 Line({{"MONDAY", 70}}, 0.2f)};
  const nlohmann::json a = DetectTextAnswer(lines, {}, "pp-ocrv4-det+tesseract-5.3.0");
  EXPECT_EQ(a["TextModelVersion"], "pp-ocrv4-det+tesseract-5.3.0");
  const auto& d = a["TextDetections"];
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0]["Type"], "LINE");
  EXPECT_EQ(d[0]["DetectedText"], "MONDAY");
  EXPECT_EQ(d[0]["Id"], 0);
  EXPECT_FALSE(d[0].contains("ParentId"));
  EXPECT_EQ(d[1]["DetectedText"], "keep smiling");
  EXPECT_EQ(d[1]["Id"], 1);
  EXPECT_DOUBLE_EQ(d[1]["Confidence"].get<double>(), 85);  // the mean of its words'
  const std::vector<std::string> words = {"MONDAY", "keep", "smiling"};
  const std::vector<int> parents = {0, 1, 1};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(d[2 + k]["Type"], "WORD");
    EXPECT_EQ(d[2 + k]["DetectedText"], words[k]);
    EXPECT_EQ(d[2 + k]["Id"], static_cast<int>(2 + k));
    EXPECT_EQ(d[2 + k]["ParentId"], parents[k]);
  }
}

TEST(DetectTextAnswer, LinesOfOneRowReadLeftToRight) {
  std::vector<TextLine> lines = {Line({{"right", 90}}, 0.305f, 0.6f),
                                 Line({{"left", 90}}, 0.3f, 0.1f),
                                 Line({{"below", 90}}, 0.6f, 0.0f)};
  const auto l = OfType(DetectTextAnswer(lines, {}, "v"), "LINE");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0]["DetectedText"], "left");
  EXPECT_EQ(l[1]["DetectedText"], "right");
  EXPECT_EQ(l[2]["DetectedText"], "below");
}

TEST(DetectTextAnswer, FilteredWordsLeaveTheirLinesAndEmptyLinesGo) {
  TextSettings s;
  s.min_confidence = 60;
  std::vector<TextLine> lines = {Line({{"faint", 40}}, 0.1f),
                                 Line({{"NO", 90}, {"smudge", 30}, {"PARKING", 80}}, 0.4f)};
  const nlohmann::json a = DetectTextAnswer(lines, s, "v");
  const auto l = OfType(a, "LINE"), w = OfType(a, "WORD");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]["DetectedText"], "NO PARKING");
  EXPECT_EQ(l[0]["Id"], 0);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0]["Id"], 1);
  EXPECT_EQ(w[1]["Id"], 2);
  EXPECT_EQ(w[1]["ParentId"], 0);
}

TEST(DetectTextAnswer, AtMostAHundredWordsInWholeLines) {
  std::vector<TextLine> lines;
  for (int k = 0; k < 30; ++k) {
    lines.push_back(Line({{"a", 90}, {"b", 90}, {"c", 90}, {"d", 90}}, 0.03f * k));
  }
  lines.push_back(Line({{"x", 90}, {"y", 90}, {"z", 90}}, 0.95f));
  const nlohmann::json a = DetectTextAnswer(lines, {}, "v");
  EXPECT_EQ(OfType(a, "WORD").size(), 100u);
  EXPECT_EQ(OfType(a, "LINE").size(), 25u);
  EXPECT_EQ(OfType(DetectTextAnswer(lines, {}, "v", 1000), "WORD").size(), 123u);
}

TEST(DetectTextAnswer, GeometryIsInRatiosAndALinesBoxHugsItsWords) {
  std::vector<TextLine> lines = {Line({{"edge", 90}}, 0.97f, 0.95f)};
  const nlohmann::json a = DetectTextAnswer(lines, {}, "v");
  for (const auto& d : a["TextDetections"]) {
    const auto& g = d["Geometry"];
    ASSERT_EQ(g["Polygon"].size(), 4u);
    float x0 = 1, x1 = 0, y0 = 1, y1 = 0;
    for (const auto& p : g["Polygon"]) {
      const float x = p["X"], y = p["Y"];
      EXPECT_GE(x, 0);
      EXPECT_LE(x, 1);
      EXPECT_GE(y, 0);
      EXPECT_LE(y, 1);
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
    EXPECT_FLOAT_EQ(g["BoundingBox"]["Left"].get<float>(), x0);
    EXPECT_FLOAT_EQ(g["BoundingBox"]["Top"].get<float>(), y0);
    EXPECT_NEAR(g["BoundingBox"]["Width"].get<float>(), x1 - x0, 1e-6);
    EXPECT_NEAR(g["BoundingBox"]["Height"].get<float>(), y1 - y0, 1e-6);
  }
  // The line's polygon is its word's (clamped at the image's edge), not the looser detector box.
  const auto& line = a["TextDetections"][0]["Geometry"]["BoundingBox"];
  const auto& word = a["TextDetections"][1]["Geometry"]["BoundingBox"];
  for (const char* k : {"Left", "Top", "Width", "Height"}) {
    EXPECT_NEAR(line[k].get<float>(), word[k].get<float>(), 1e-5) << k;
  }
  EXPECT_NEAR(line["Left"].get<float>(), 0.95f, 1e-5);
  EXPECT_NEAR(line["Width"].get<float>(), 0.05f, 1e-5);
}

TEST(DetectTextAnswer, FitsRekognitionsServiceModel) {
  if (!imagemill::testing::RekognitionModel()) {
    GTEST_SKIP() << "python3-botocore is not installed (scripts/install-deps.sh installs it)";
  }
  std::vector<TextLine> lines = {Line({{"IT'S", 90}}, 0.1f),
                                 Line({{"but", 95}, {"keep", 98}}, 0.4f)};
  const nlohmann::json a = DetectTextAnswer(lines, {}, "v");
  const std::vector<std::string> errors = imagemill::testing::ShapeErrors(a, "DetectTextResponse");
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_TRUE(
      imagemill::testing::ShapeErrors(DetectTextAnswer({}, {}, "v"), "DetectTextResponse").empty());
}

}  // namespace
}  // namespace imagemill::vision
