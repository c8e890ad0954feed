#include "vision/properties/image_properties_processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <set>
#include <thread>

#include "support/images.h"
#include "support/rekognition_model.h"

namespace imagemill::vision {
namespace {

using ::imagemill::testing::Encode;
using ::testing::HasSubstr;

ObjectInfo Item(std::string key) {
  ObjectInfo info;
  info.key = std::move(key);
  return info;
}

Result<nlohmann::json> ProcessOne(const Processor& processor, const ObjectInfo& item,
                                  std::string bytes) {
  Result<std::unique_ptr<PreparedItem>> prepared = processor.Prepare(item, std::move(bytes));
  if (!prepared.ok()) return prepared.status();
  Result<std::unique_ptr<ProcessorWorker>> worker = processor.NewWorker();
  if (!worker.ok()) return worker.status();
  Result<Answer> answer = (*worker)->Process(item, **prepared);
  if (!answer.ok()) return answer.status();
  return answer->response;
}

std::set<std::string> Keys(const nlohmann::json& j) {
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  return keys;
}

TEST(ImagePropertiesProcessorTest, NameReflectsTheSettingsThatChangeAnswers) {
  EXPECT_EQ(ImagePropertiesProcessor().Name(), "image-properties");
  EXPECT_EQ(ImagePropertiesProcessor({.max_pixels = 5}).Name(), "image-properties");
  EXPECT_EQ(ImagePropertiesProcessor({.properties = {.max_dominant_colors = 3}}).Name(),
            "image-properties/colors-3");
}

TEST(ImagePropertiesProcessorTest, AnswersInTheDetectLabelsShape) {
  const ImagePropertiesProcessor processor;
  Result<nlohmann::json> answer =
      ProcessOne(processor, Item("photos/red.jpg"),
                 Encode(cv::Mat(300, 400, CV_8UC3, cv::Scalar(0, 0, 255)), ".jpg"));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  const nlohmann::json& j = *answer;
  EXPECT_EQ(Keys(j), (std::set<std::string>{"Labels", "ImageProperties"}));
  EXPECT_EQ(j["Labels"], nlohmann::json::array());
  EXPECT_EQ(Keys(j["ImageProperties"]), (std::set<std::string>{"Quality", "DominantColors"}));
  EXPECT_EQ(Keys(j["ImageProperties"]["Quality"]),
            (std::set<std::string>{"Brightness", "Sharpness", "Contrast"}));
  ASSERT_FALSE(j["ImageProperties"]["DominantColors"].empty());
  const nlohmann::json& top = j["ImageProperties"]["DominantColors"][0];
  EXPECT_EQ(Keys(top), (std::set<std::string>{"Red", "Green", "Blue", "HexCode", "CSSColor",
                                              "SimplifiedColor", "PixelPercent"}));
  EXPECT_EQ(top["SimplifiedColor"], "red");
  EXPECT_GT(top["PixelPercent"].get<double>(), 95.0);
  EXPECT_GT(top["Red"].get<int>(), 240);
}

TEST(ImagePropertiesProcessorTest, AnswerFitsTheBotocoreModel) {
  if (!testing::RekognitionModel()) GTEST_SKIP() << "python3-botocore is not installed";
  cv::Mat photo(600, 800, CV_8UC3);
  cv::RNG(1).fill(photo, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(photo, photo, cv::Size(0, 0), 3);
  Result<nlohmann::json> answer =
      ProcessOne(ImagePropertiesProcessor(), Item("k"), Encode(photo, ".png"));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ((*answer)["ImageProperties"]["DominantColors"].size(), 10u);
  EXPECT_THAT(testing::ShapeErrors(*answer, "DetectLabelsResponse"), ::testing::IsEmpty());
  // The validator does catch what does not fit.
  nlohmann::json wrong = *answer;
  wrong["ImageProperties"]["Quality"]["Blur"] = 1;
  wrong["ImageProperties"]["DominantColors"][0]["Red"] = "255";
  EXPECT_EQ(testing::ShapeErrors(wrong, "DetectLabelsResponse").size(), 2u);
}

TEST(ImagePropertiesProcessorTest, HandlesLargePhotos) {
  const ImagePropertiesProcessor processor;
  cv::Mat big(3000, 4000, CV_8UC3);
  cv::RNG(2).fill(big, cv::RNG::UNIFORM, 0, 256);
  Result<std::unique_ptr<PreparedItem>> prepared =
      processor.Prepare(Item("big.jpg"), Encode(big, ".jpg"));
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  Result<std::unique_ptr<ProcessorWorker>> worker = processor.NewWorker();
  ASSERT_TRUE(worker.ok());
  Result<Answer> answer = (*worker)->Process(Item("big.jpg"), **prepared);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_NEAR(answer->response["ImageProperties"]["Quality"]["Brightness"].get<double>(), 50.0, 2.0);
}

TEST(ImagePropertiesProcessorTest, FailuresNameTheItem) {
  const ImagePropertiesProcessor processor({.max_pixels = 1000});
  const struct {
    std::string key, bytes;
    Code code;
  } cases[] = {
      {"notes/readme.txt", "hello", Code::kNotAnImage},
      {"photos/empty.jpg", "", Code::kCorrupt},
      {"photos/scan.jp2", std::string("\0\0\0\x0CjP  \r\n\x87\n\0\0", 14), Code::kNotAnImage},
      {"photos/big.png", Encode(cv::Mat(40, 40, CV_8UC3, cv::Scalar(1, 2, 3)), ".png"),
       Code::kTooLarge},
      {"photos/cut.jpg",
       Encode(cv::Mat(20, 20, CV_8UC3, cv::Scalar(1, 2, 3)), ".jpg").substr(0, 300),
       Code::kCorrupt},
  };
  for (const auto& c : cases) {
    Result<std::unique_ptr<PreparedItem>> prepared = processor.Prepare(Item(c.key), c.bytes);
    ASSERT_FALSE(prepared.ok()) << c.key;
    EXPECT_EQ(prepared.status().code(), c.code) << prepared.status().ToString();
    EXPECT_THAT(prepared.status().message(), HasSubstr(c.key));
  }
}

TEST(ImagePropertiesProcessorTest, PrepareIsThreadSafe) {
  const ImagePropertiesProcessor processor;
  std::vector<std::string> images;
  for (int i = 0; i < 4; ++i) {
    cv::Mat m(240, 320, CV_8UC3);
    cv::RNG(100 + i).fill(m, cv::RNG::UNIFORM, 0, 256);
    images.push_back(Encode(m, i % 2 ? ".png" : ".jpg"));
  }
  std::vector<std::string> alone;
  for (const std::string& bytes : images)
    alone.push_back(ProcessOne(processor, Item("k"), bytes)->dump());
  std::vector<std::string> together(images.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < images.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 5; ++round)
        together[i] = ProcessOne(processor, Item("k"), images[i])->dump();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(together, alone);
}

TEST(ImagePropertiesProcessorTest, RejectsAnotherProcessorsItem) {
  class Foreign : public PreparedItem {};
  Foreign foreign;
  Result<std::unique_ptr<ProcessorWorker>> worker = ImagePropertiesProcessor().NewWorker();
  ASSERT_TRUE(worker.ok());
  EXPECT_EQ((*worker)->Process(Item("k"), foreign).status().code(), Code::kInternal);
}

}  // namespace
}  // namespace imagemill::vision
