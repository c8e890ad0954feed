#include "server/dynamodb/attribute_value.h"

#include <gtest/gtest.h>

namespace imagemill::server::dynamodb {
namespace {

TEST(AttributeValueTest, PlainJsonBecomesAttributeValues) {
  Json plain = Json::parse(R"({"Name": "Dog", "Confidence": 91.5, "n": 3, "ok": true,
                               "none": null, "list": ["a", 1]})");
  EXPECT_EQ(ToAttributeValue(plain), Json::parse(R"({"M": {
    "Name": {"S": "Dog"}, "Confidence": {"N": "91.5"}, "n": {"N": "3"}, "ok": {"BOOL": true},
    "none": {"NULL": true}, "list": {"L": [{"S": "a"}, {"N": "1"}]}}})"));
}

TEST(AttributeValueTest, TellsWellFormedValuesFromOthers) {
  EXPECT_EQ(AttributeType(Json::parse(R"({"S": "x"})")), "S");
  EXPECT_EQ(AttributeType(Json::parse(R"({"N": "-1.5e3"})")), "N");
  EXPECT_EQ(AttributeType(Json::parse(R"({"NS": ["1", "2"]})")), "NS");
  EXPECT_EQ(AttributeType(Json::parse(R"({"N": "one"})")), "");
  EXPECT_EQ(AttributeType(Json::parse(R"({"N": 1})")), "");
  EXPECT_EQ(AttributeType(Json::parse(R"({"NULL": false})")), "");
  EXPECT_EQ(AttributeType(Json::parse(R"({"SS": []})")), "");
  EXPECT_EQ(AttributeType(Json::parse(R"({"S": "x", "N": "1"})")), "");
  EXPECT_EQ(AttributeType(Json::parse(R"("x")")), "");
  EXPECT_NE(
      ValidateAttributeValue(Json::parse(R"({"M": {"a": {"L": [{"Q": 1}]}}})"), "v").find("v.a[0]"),
      std::string::npos);
}

TEST(AttributeValueTest, EqualityIsByValueAndSetsIgnoreOrder) {
  EXPECT_TRUE(AttributeEquals(Json::parse(R"({"N": "1.0"})"), Json::parse(R"({"N": "1"})")));
  EXPECT_FALSE(AttributeEquals(Json::parse(R"({"N": "1"})"), Json::parse(R"({"S": "1"})")));
  EXPECT_TRUE(
      AttributeEquals(Json::parse(R"({"SS": ["a", "b"]})"), Json::parse(R"({"SS": ["b", "a"]})")));
  EXPECT_TRUE(AttributeEquals(Json::parse(R"({"M": {"x": {"N": "2"}}})"),
                              Json::parse(R"({"M": {"x": {"N": "2.00"}}})")));
  EXPECT_FALSE(AttributeEquals(Json::parse(R"({"L": [{"S": "a"}]})"),
                               Json::parse(R"({"L": [{"S": "a"}, {"S": "b"}]})")));
}

}  // namespace
}  // namespace imagemill::server::dynamodb
