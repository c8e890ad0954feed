#include "vision/faces/faces_processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/cached_assets.h"
#include "support/images.h"

namespace imagemill::vision {
namespace {

using ::testing::HasSubstr;

ObjectInfo Item(const std::string& key) {
  ObjectInfo o;
  o.key = key;
  return o;
}

TEST(FacesProcessorTest, MissingModelIsAStartUpErrorSayingWhatToDo) {
  Result<std::unique_ptr<FacesProcessor>> p =
      FacesProcessor::Open({.models_dir = "/nonexistent/models"});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_THAT(p.status().message(), HasSubstr("fetch-models.sh"));
}

TEST(FacesProcessorTest, AnswersEveryImageAndNamesTheItemOnFailure) {
  const std::filesystem::path models = testing::ModelsDir();
  if (models.empty()) GTEST_SKIP() << "run scripts/fetch-models.sh";
  Result<std::unique_ptr<FacesProcessor>> p = FacesProcessor::Open({.models_dir = models});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->Name(), "faces/blazeface-256");
  EXPECT_EQ((*p)->Kind(), "faces");
  Result<std::unique_ptr<ProcessorWorker>> worker = (*p)->NewWorker();
  ASSERT_TRUE(worker.ok()) << worker.status().ToString();

  const std::string png =
      testing::Encode(cv::Mat(120, 160, CV_8UC3, cv::Scalar(90, 90, 90)), ".png");
  Result<std::unique_ptr<PreparedItem>> prepared = (*p)->Prepare(Item("a/grey.png"), png);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  Result<Answer> answer = (*worker)->Process(Item("a/grey.png"), **prepared);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->response, nlohmann::json({{"FaceDetails", nlohmann::json::array()}}));
  EXPECT_TRUE(answer->index.empty());  // no face: nothing a query for Face finds

  Result<std::unique_ptr<PreparedItem>> text = (*p)->Prepare(Item("a/notes.txt"), "hello");
  EXPECT_EQ(text.status().code(), Code::kNotAnImage);
  EXPECT_THAT(text.status().message(), HasSubstr("a/notes.txt"));
}

}  // namespace
}  // namespace imagemill::vision
