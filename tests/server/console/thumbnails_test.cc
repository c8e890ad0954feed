#include "server/console/thumbnails.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>

#include "objectstore/memory_store.h"
#include "support/images.h"
#include "support/temp_dir.h"

namespace imagemill::server::console {
namespace {

cv::Mat Decoded(const std::string& jpeg) {
  return cv::imdecode(std::vector<uchar>(jpeg.begin(), jpeg.end()), cv::IMREAD_COLOR);
}

class RenditionCacheTest : public ::testing::Test {
 protected:
  RenditionCacheTest()
      : cache_(dir_.path() + "/renditions", [this](const std::string& source) {
          ++opened_;
          if (source != "mem://photos") {
            return Result<std::unique_ptr<ObjectStore>>(Status::NotFound("no store " + source));
          }
          auto store = std::make_unique<MemoryStore>();
          for (const auto& [key, bytes] : objects_) (void)store->Put(key, bytes, "application/octet-stream");
          return Result<std::unique_ptr<ObjectStore>>(std::move(store));
        }) {
    objects_["wide.png"] =
        testing::Encode(cv::Mat(300, 1200, CV_8UC3, cv::Scalar(10, 200, 30)), ".png");
    objects_["small.png"] = testing::Encode(cv::Mat(50, 80, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
    objects_["text.txt"] = "not an image";
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> objects_;
  int opened_ = 0;
  RenditionCache cache_;
};

TEST_F(RenditionCacheTest, ARenditionKeepsTheAspectAndNeverEnlarges) {
  Result<std::string> thumb = cache_.Get({"mem://photos", "wide.png", "e1", kThumbnailSize});
  ASSERT_TRUE(thumb.ok()) << thumb.status().message();
  cv::Mat t = Decoded(*thumb);
  EXPECT_EQ(t.cols, kThumbnailSize);
  EXPECT_EQ(t.rows, kThumbnailSize / 4);
  cv::Mat small = Decoded(*cache_.Get({"mem://photos", "small.png", "e1", kPictureSize}));
  EXPECT_EQ(small.cols, 80);
  EXPECT_EQ(small.rows, 50);
}

TEST_F(RenditionCacheTest, ARenditionIsMadeOnceAndANewEtagMakesANewOne) {
  const RenditionKey key{"mem://photos", "wide.png", "e1", kThumbnailSize};
  ASSERT_TRUE(cache_.Get(key).ok());
  EXPECT_TRUE(std::filesystem::exists(cache_.PathFor(key)));
  objects_.clear();  // stores opened from now on hold nothing
  EXPECT_TRUE(cache_.Get(key).ok()) << "from the file";
  RenditionKey changed = key;
  changed.etag = "e2";
  EXPECT_NE(cache_.PathFor(changed), cache_.PathFor(key));
  EXPECT_EQ(opened_, 1) << "one store per source";
  EXPECT_EQ(cache_.PathFor(key).find("wide"), std::string::npos) << "keys never reach file names";
}

TEST_F(RenditionCacheTest, ErrorsNameTheObjectAndOnlyOfferedSizesAreMade) {
  Result<std::string> text = cache_.Get({"mem://photos", "text.txt", "e", kThumbnailSize});
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("text.txt"), std::string::npos);
  EXPECT_EQ(cache_.Get({"mem://photos", "gone.png", "e", kThumbnailSize}).status().code(),
            Code::kNotFound);
  EXPECT_EQ(cache_.Get({"mem://other", "wide.png", "e", kThumbnailSize}).status().code(),
            Code::kNotFound);
  EXPECT_EQ(cache_.Get({"mem://photos", "wide.png", "e", 4000}).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace imagemill::server::console
