// The text processor end to end on images drawn at test time: the DetectText answer, per-call
// filters, names and errors.
#include "vision/text/text_processor.h"

#include <gtest/gtest.h>

#include "support/cached_assets.h"
#include "support/images.h"
#include "support/rekognition_model.h"
#include "support/text_image.h"

namespace imagemill::vision {
namespace {

std::vector<std::string> Texts(const nlohmann::json& answer, const std::string& type) {
  std::vector<std::string> out;
  for (const auto& d : answer["TextDetections"]) {
    if (d["Type"] == type) out.push_back(d["DetectedText"]);
  }
  return out;
}

class TextProcessorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::filesystem::path dir = imagemill::testing::TextModelDir();
    if (dir.empty()) return;
    TextProcessorOptions o;
    o.detector.model = dir / kTextModelFile;
    auto p = TextProcessor::Open(o);
    if (p.ok()) processor_ = std::move(p).value().release();
  }
  static void TearDownTestSuite() { delete processor_; }

  void SetUp() override {
    ASSERT_NE(processor_, nullptr) << "the text processor did not open; "
                                      "scripts/fetch-models.sh failed?";
    auto w = processor_->NewWorker();
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    worker_ = std::move(w).value();
  }

  static std::string Sign() {
    return imagemill::testing::Encode(
        imagemill::testing::TextImage({"NO PARKING", "AT ANY TIME"}, {560, 300}), ".png");
  }

  static TextProcessor* processor_;
  std::unique_ptr<ProcessorWorker> worker_;
};

TextProcessor* TextProcessorTest::processor_ = nullptr;

TEST_F(TextProcessorTest, ReadsASignAsRekognitionsDetectTextAnswersIt) {
  ObjectInfo item;
  item.key = "signs/parking.png";
  const std::string bytes = Sign();
  item.size = bytes.size();
  auto prepared = processor_->Prepare(item, bytes);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  auto processed = worker_->Process(item, **prepared);
  ASSERT_TRUE(processed.ok()) << processed.status().ToString();
  const nlohmann::json& answer = processed->response;
  EXPECT_EQ(Texts(answer, "LINE"), (std::vector<std::string>{"NO PARKING", "AT ANY TIME"}));
  EXPECT_EQ(Texts(answer, "WORD"),
            (std::vector<std::string>{"NO", "PARKING", "AT", "ANY", "TIME"}));
  EXPECT_EQ(answer["TextModelVersion"], processor_->model_version());
  EXPECT_EQ(processor_->model_version().rfind("pp-ocrv4-det+tesseract-", 0), 0u);
  double best = 0;
  for (const auto& d : answer["TextDetections"]) {
    EXPECT_GE(d["Confidence"].get<double>(), 45);
    best = std::max(best, d["Confidence"].get<double>());
  }
  if (imagemill::testing::RekognitionModel()) {
    const auto errors = imagemill::testing::ShapeErrors(answer, "DetectTextResponse");
    EXPECT_TRUE(errors.empty()) << errors.front();
  }
  // Found by `query --label Text`, kept beside the image's labels.
  ASSERT_EQ(processed->index.size(), 1u);
  EXPECT_EQ(processed->index[0].name, "Text");
  EXPECT_TRUE(processed->index[0].direct);
  EXPECT_LE(processed->index[0].confidence, best);
  EXPECT_GE(processed->index[0].confidence, 45);
  EXPECT_EQ(processor_->Kind(), "text");
}

TEST_F(TextProcessorTest, DetectTextAnswersOneImageWithTheCallersFilters) {
  TextSettings top_half;
  top_half.regions.push_back({cv::Rect2f(0, 0, 1, 0.4f), {}});
  auto answer = processor_->DetectText(Sign(), "parking.png", top_half, *worker_);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(Texts(answer->response, "LINE"), std::vector<std::string>{"NO PARKING"});
  ASSERT_EQ(answer->index.size(), 1u);  // what serve would store, as a run does
  EXPECT_EQ(answer->index[0].name, "Text");
  // The processor's own settings are untouched: the next call without filters reads both lines.
  auto all = processor_->DetectText(Sign(), "parking.png", {}, *worker_);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Texts(all->response, "LINE").size(), 2u);
  TextSettings bad;
  bad.min_confidence = 200;
  EXPECT_EQ(processor_->DetectText(Sign(), "parking.png", bad, *worker_).status().code(),
            Code::kInvalidArgument);
}

TEST_F(TextProcessorTest, AnImageWithoutTextHasNoDetections) {
  cv::Mat sky(300, 400, CV_8UC3);
  for (int y = 0; y < sky.rows; ++y) sky.row(y).setTo(cv::Scalar(230 - y / 3, 180, 120));
  auto answer =
      processor_->DetectText(imagemill::testing::Encode(sky, ".jpg"), "sky.jpg", {}, *worker_);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->response["TextDetections"].empty());
  EXPECT_TRUE(answer->index.empty());
  EXPECT_TRUE(TextIndexEntries(answer->response).empty());
}

TEST_F(TextProcessorTest, BytesThatAreNoImageAreSkippedNamingTheObject) {
  ObjectInfo item;
  item.key = "notes/readme.txt";
  auto prepared = processor_->Prepare(item, "hello, this is text, not an image of it");
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.status().code(), Code::kNotAnImage);
  EXPECT_NE(prepared.status().message().find("notes/readme.txt"), std::string::npos);
}

TEST_F(TextProcessorTest, AWorkerOfAnotherProcessorIsRefused) {
  class OtherWorker : public ProcessorWorker {
    Result<Answer> Process(const ObjectInfo&, PreparedItem&) override { return Answer{}; }
  } other;
  EXPECT_EQ(processor_->DetectText(Sign(), "x.png", {}, other).status().code(), Code::kInternal);
}

TEST(TextProcessor, NamesChangeWithTheFiltersAndTheDetectorsSize) {
  TextProcessorOptions o;
  EXPECT_EQ(*TextProcessor::NameFor(o), "text/pp-ocrv4-det");
  o.settings.min_confidence = 80;
  EXPECT_EQ(*TextProcessor::NameFor(o), "text/pp-ocrv4-det/c80");
  o.detector.max_side = 640;
  EXPECT_EQ(*TextProcessor::NameFor(o), "text/pp-ocrv4-det-640/c80");
  o.settings.min_box_width = 3;
  EXPECT_EQ(TextProcessor::NameFor(o).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace imagemill::vision
