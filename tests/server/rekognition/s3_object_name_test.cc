// The object an Image.S3Object names: Rekognition's validation, S3's bucket names, and keys that
// cannot leave their bucket; and RequestImages reading a folder of buckets only inside it.
#include "server/rekognition/s3_object_name.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "objectstore/object_store.h"
#include "server/rekognition/request_image.h"
#include "support/temp_dir.h"

namespace imagemill::server {
namespace {

using ::testing::HasSubstr;

std::string TypeOf(const std::string& bucket, const std::string& name) {
  std::optional<AwsError> e = CheckS3Object(bucket, name);
  if (!e) return "ok";
  EXPECT_EQ(e->status, 400);
  EXPECT_FALSE(e->message.empty());
  return e->type;
}

TEST(S3ObjectNameTest, AcceptsWhatS3Names) {
  EXPECT_EQ(TypeOf("pics", "sample/dog.jpg"), "ok");
  EXPECT_EQ(TypeOf("my.photo-bucket1", "a b/ünï.jpg"), "ok");
  EXPECT_EQ(TypeOf("pics", "x..y/..jpg"), "ok") << "dots inside a segment are a name";
  EXPECT_EQ(TypeOf("pics", "100%.jpg"), "ok");
  EXPECT_EQ(TypeOf("pics", std::string(1024, 'k')), "ok");
}

TEST(S3ObjectNameTest, RefusesWhatTheServiceModelRefusesAsInvalidParameter) {
  EXPECT_EQ(TypeOf("ab", "k.jpg"), "InvalidParameterException");
  EXPECT_EQ(TypeOf("..", "k.jpg"), "InvalidParameterException");
  EXPECT_EQ(TypeOf(std::string(256, 'b'), "k.jpg"), "InvalidParameterException");
  EXPECT_EQ(TypeOf("a/../b", "k.jpg"), "InvalidParameterException");
  EXPECT_EQ(TypeOf("/etc", "passwd"), "InvalidParameterException");
  EXPECT_EQ(TypeOf("pics%2F..", "k.jpg"), "InvalidParameterException");
  EXPECT_EQ(TypeOf("pics", ""), "InvalidParameterException");
  EXPECT_EQ(TypeOf("pics", std::string(1025, 'k')), "InvalidParameterException");
  std::optional<AwsError> e = CheckS3Object("a/b", "k.jpg");
  ASSERT_TRUE(e);
  EXPECT_THAT(e->message, HasSubstr("Value 'a/b' at 'image.s3Object.bucket' failed to satisfy "
                                    "constraint: Member must satisfy regular expression pattern"));
}

TEST(S3ObjectNameTest, RefusesBucketsS3CannotHaveAsInvalidS3Object) {
  EXPECT_EQ(TypeOf("...", "k.jpg"), "InvalidS3ObjectException");
  EXPECT_EQ(TypeOf("a..b", "k.jpg"), "InvalidS3ObjectException");
  EXPECT_EQ(TypeOf("Pics", "k.jpg"), "InvalidS3ObjectException");
  EXPECT_EQ(TypeOf("pics_2", "k.jpg"), "InvalidS3ObjectException");
  EXPECT_EQ(TypeOf("-pics", "k.jpg"), "InvalidS3ObjectException");
  EXPECT_EQ(TypeOf("192.168.1.1", "k.jpg"), "InvalidS3ObjectException");
  EXPECT_EQ(TypeOf(std::string(64, 'b'), "k.jpg"), "InvalidS3ObjectException");
}

TEST(S3ObjectNameTest, RefusesKeysThatCouldLeaveTheirBucket) {
  for (const std::string& key : std::vector<std::string>{"../secret.jpg", "a/../../secret.jpg", "a/..", "./k.jpg", "/etc/passwd", "a//b.jpg",
        "..\\secret.jpg", "a\\..\\..\\secret.jpg", "%2e%2e/secret.jpg", "a%2F..%2F..%2Fsecret.jpg",
        "%2Fetc%2Fpasswd", "%2E%2E", std::string("k\0.jpg", 6)}) {
    std::optional<AwsError> e = CheckS3Object("pics", key);
    ASSERT_TRUE(e) << key;
    EXPECT_EQ(e->type, "InvalidS3ObjectException") << key;
    EXPECT_THAT(e->message, HasSubstr("Unable to get object metadata from S3")) << key;
    EXPECT_THAT(e->message, HasSubstr("s3://pics/")) << "names the object: " << key;
  }
}

// A folder of buckets with a file beside it that no request may read.
class FolderOfBucketsTest : public ::testing::Test {
 protected:
  FolderOfBucketsTest() {
    outside_.Write("secret.jpg", "outside");
    outside_.Write("root/pics/dog.jpg", "inside");
    outside_.Write("root/pics/big.jpg", std::string(100, 'x'));
    RequestImageOptions o;
    o.max_s3_bytes = 50;
    o.open_bucket = [this](const std::string& bucket) {
      ++opened_;
      return OpenObjectStore(outside_.path() + "/root/" + bucket, StoreOptions{});
    };
    images_ = std::make_unique<RequestImages>(o);
  }
  AwsResult<std::string> Read(const std::string& bucket, const std::string& key) {
    std::string name;
    return images_->Read({{"S3Object", {{"Bucket", bucket}, {"Name", key}}}}, &name);
  }

  testing::TempDir outside_;
  int opened_ = 0;
  std::unique_ptr<RequestImages> images_;
};

TEST_F(FolderOfBucketsTest, ReadsAnObjectOfABucket) {
  AwsResult<std::string> bytes = Read("pics", "dog.jpg");
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(*bytes, "inside");
  bytes = Read("pics", "cat.jpg");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().type, "InvalidS3ObjectException");
  bytes = Read("dogs", "dog.jpg");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().type, "InvalidS3ObjectException") << "a bucket that is not there";
}

TEST_F(FolderOfBucketsTest, AnObjectOverTheLimitIsTooLarge) {
  AwsResult<std::string> bytes = Read("pics", "big.jpg");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().type, "ImageTooLargeException");
  EXPECT_THAT(bytes.error().message, HasSubstr("s3://pics/big.jpg"));
}

TEST_F(FolderOfBucketsTest, NeverReadsOutsideTheFolder) {
  const std::vector<std::pair<std::string, std::string>> tries = {
      {"..", "secret.jpg"},        {"...", "../secret.jpg"},   {"../root", "secret.jpg"},
      {"pics", "../../secret.jpg"}, {"pics", "%2e%2e/%2e%2e/secret.jpg"},
      {"pics", "/etc/passwd"},     {"pics", "..\\..\\secret.jpg"}};
  for (const auto& [bucket, key] : tries) {
    AwsResult<std::string> bytes = Read(bucket, key);
    EXPECT_FALSE(bytes.ok()) << bucket << " / " << key << " read " << *bytes;
  }
  EXPECT_EQ(opened_, 0) << "no store was opened for a name that could leave the folder";
}

}  // namespace
}  // namespace imagemill::server
