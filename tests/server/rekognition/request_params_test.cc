// The parameters of DetectLabels, DetectFaces and DetectText requests, refused as Rekognition
// refuses them.
#include "server/rekognition/request_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/rekognition/request_image.h"

namespace imagemill::server {
namespace {

using ::testing::HasSubstr;

const Json kImage = {{"Bytes", "AAAA"}};

TEST(RequestParamsTest, DetectFacesTakesRekognitionsAttributeNames) {
  EXPECT_FALSE(ReadDetectFacesAttributes({{"Image", kImage}}));
  EXPECT_FALSE(
      ReadDetectFacesAttributes({{"Image", kImage}, {"Attributes", Json::array({"DEFAULT"})}}));
  EXPECT_FALSE(ReadDetectFacesAttributes(
      {{"Image", kImage}, {"Attributes", Json::array({"ALL", "DEFAULT"})}}));
  EXPECT_FALSE(
      ReadDetectFacesAttributes({{"Image", kImage}, {"Attributes", Json::array({"AGE_RANGE"})}}))
      << "a newer SDK's attribute name is accepted";
  EXPECT_FALSE(ReadDetectFacesAttributes({{"Image", kImage}, {"Attributes", Json::array()}}));
}

TEST(RequestParamsTest, DetectFacesRefusesUnknownAttributesAndMembers) {
  std::optional<AwsError> e = ReadDetectFacesAttributes(
      {{"Image", kImage}, {"Attributes", Json::array({"ALL", "HAIRCUT"})}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "InvalidParameterException");
  EXPECT_EQ(e->status, 400);
  EXPECT_THAT(e->message, HasSubstr("at 'attributes' failed to satisfy constraint"));
  EXPECT_THAT(e->message, HasSubstr("HAIRCUT"));
  e = ReadDetectFacesAttributes({{"Image", kImage}, {"Attributes", "ALL"}});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->message, HasSubstr("Attributes must be a list"));
  e = ReadDetectFacesAttributes({{"Image", kImage}, {"Attributes", Json::array({7})}});
  ASSERT_TRUE(e);
  e = ReadDetectFacesAttributes({{"Image", kImage}, {"MinConfidence", 50}});
  ASSERT_TRUE(e);
  EXPECT_THAT(e->message, HasSubstr("unknown member MinConfidence"));
}

TEST(RequestParamsTest, DetectTextReadsItsFilters) {
  vision::TextSettings settings;
  EXPECT_FALSE(ReadDetectTextSettings(
      {{"Image", kImage}, {"Filters", {{"WordFilter", {{"MinBoundingBoxHeight", 0.05}}}}}},
      &settings));
  EXPECT_FLOAT_EQ(settings.min_confidence, 80) << "a WordFilter's documented default";
  EXPECT_FLOAT_EQ(settings.min_box_height, 0.05f);
}

TEST(RequestParamsTest, DetectTextRefusesBadFiltersNamingTheMember) {
  vision::TextSettings settings;
  std::optional<AwsError> e = ReadDetectTextSettings(
      {{"Image", kImage}, {"Filters", {{"WordFilter", {{"MinConfidence", 101}}}}}}, &settings);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "InvalidParameterException");
  EXPECT_THAT(e->message, HasSubstr("Filters.WordFilter.MinConfidence"));
  Json eleven = Json::array();
  for (int i = 0; i < 11; ++i) {
    eleven.push_back({{"BoundingBox", {{"Left", 0}, {"Top", 0}, {"Width", 1}, {"Height", 1}}}});
  }
  settings = vision::TextSettings();
  e = ReadDetectTextSettings({{"Image", kImage}, {"Filters", {{"RegionsOfInterest", eleven}}}},
                             &settings);
  ASSERT_TRUE(e);
  EXPECT_THAT(e->message, HasSubstr("RegionsOfInterest"));
  e = ReadDetectTextSettings({{"Image", kImage}, {"Attributes", Json::array({"ALL"})}}, &settings);
  ASSERT_TRUE(e) << "DetectFaces' member is no DetectText member";
}

TEST(RequestParamsTest, DetectLabelsReadsItsSettings) {
  vision::LabelSettings settings;
  EXPECT_FALSE(ReadDetectLabelsSettings({{"Image", kImage}, {"MinConfidence", 65}}, &settings));
  EXPECT_DOUBLE_EQ(settings.min_confidence, 65);
  std::optional<AwsError> e =
      ReadDetectLabelsSettings({{"Image", kImage}, {"MinConfidence", 101}}, &settings);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "InvalidParameterException");
}

TEST(RequestParamsTest, ARequestWithoutAnImageIsRefusedAsAwsRefusesIt) {
  std::optional<AwsError> e = MissingImage({{"Attributes", Json::array({"ALL"})}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, "InvalidParameterException");
  EXPECT_THAT(e->message, HasSubstr("Value null at 'image'"));
  EXPECT_TRUE(MissingImage({{"Image", "dog.jpg"}})) << "an Image that is no object";
  EXPECT_FALSE(MissingImage({{"Image", kImage}}));
}

TEST(RequestParamsTest, ImagesAreReadFromBytesWithRekognitionsLimits) {
  RequestImageOptions o;
  o.max_bytes = 6;
  RequestImages images(o);
  std::string name;
  AwsResult<std::string> bytes = images.Read({{"Bytes", "aGVsbG8="}}, &name);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "hello");
  EXPECT_EQ(name, "Image.Bytes");
  bytes = images.Read({{"Bytes", "aGVsbG8gd29ybGQ="}}, &name);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().type, "ImageTooLargeException");
  bytes = images.Read({{"S3Object", {{"Bucket", "pics"}, {"Name", "k.jpg"}}}}, &name);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().type, "InvalidS3ObjectException") << "a server that reads no S3";
  EXPECT_EQ(name, "s3://pics/k.jpg");
  bytes = images.Read({{"Bytes", "aGVsbG8="}, {"S3Object", {{"Bucket", "b"}}}}, &name);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().type, "InvalidParameterException");
  EXPECT_EQ(ImageError(Status(Code::kCorrupt, "x.jpg: truncated")).type,
            "InvalidImageFormatException");
  EXPECT_EQ(ImageError(Status(Code::kTooLarge, "x.jpg: 200 MP")).type, "ImageTooLargeException");
}

}  // namespace
}  // namespace imagemill::server
