#include "server/dynamodb/expression.h"

#include <gtest/gtest.h>

#include "server/dynamodb/evaluate.h"

namespace imagemill::server::dynamodb {
namespace {

// An item as the results table answers it.
Json Item() {
  return Json::parse(R"({
    "id": {"S": "sample/dog.jpg"},
    "size": {"N": "163759"},
    "bucket": {"S": "images"},
    "labels": {"L": [
      {"M": {"Name": {"S": "Dog"}, "Confidence": {"N": "91.5"},
             "Parents": {"L": [{"M": {"Name": {"S": "Animal"}}}]}}},
      {"M": {"Name": {"S": "Bicycle"}, "Confidence": {"N": "70"}}}]},
    "tags": {"SS": ["outdoor", "pet"]},
    "flag": {"BOOL": true}
  })");
}

// Parses and evaluates `text` against Item() with `values` and `names`.
bool Matches(const std::string& text, const Json& values = Json::object(),
             const Json& names = Json::object()) {
  ExpressionContext ctx;
  if (!values.empty()) ctx.values = &values;
  if (!names.empty()) ctx.names = &names;
  std::string error;
  auto c = ParseCondition(text, "FilterExpression", ctx, &error);
  EXPECT_TRUE(c) << text << ": " << error;
  return c && Evaluate(*c, Item());
}

std::string ParseError(const std::string& text, const Json& values = Json::object(),
                       const Json& names = Json::object()) {
  ExpressionContext ctx;
  if (!values.empty()) ctx.values = &values;
  if (!names.empty()) ctx.names = &names;
  std::string error;
  auto c = ParseCondition(text, "FilterExpression", ctx, &error);
  EXPECT_FALSE(c) << text;
  return error;
}

TEST(ExpressionTest, ComparesStringsNumbersAndAcrossTypes) {
  Json v = {{":b", {{"S", "images"}}}, {":n", {{"N", "100000"}}}, {":big", {{"N", "1e6"}}}};
  EXPECT_TRUE(Matches("bucket = :b", v));
  EXPECT_FALSE(Matches("bucket <> :b", v));
  EXPECT_TRUE(Matches("size > :n", v));
  EXPECT_TRUE(Matches("size >= :n AND size < :big", v));
  EXPECT_FALSE(Matches("bucket > :n", v)) << "a string and a number are not ordered";
  EXPECT_TRUE(Matches("size BETWEEN :n AND :big", v));
  EXPECT_TRUE(Matches("bucket IN (:n, :b)", v));
}

TEST(ExpressionTest, NumbersCompareByValueNotText) {
  Json v = {{":a", {{"N", "163759.0"}}}, {":small", {{"N", "9"}}}};
  EXPECT_TRUE(Matches("size = :a", v));
  EXPECT_TRUE(Matches("size > :small", v)) << "'9' sorts after '163759' as text";
}

TEST(ExpressionTest, AMissingAttributeMakesEveryComparisonFalse) {
  Json v = {{":x", {{"S", "x"}}}};
  EXPECT_FALSE(Matches("nothing = :x", v));
  EXPECT_FALSE(Matches("nothing <> :x", v));
  EXPECT_TRUE(Matches("NOT nothing = :x", v));
}

TEST(ExpressionTest, FunctionsAsDynamoDbDefinesThem) {
  Json v = {{":dog", {{"S", "dog"}}},
            {":sample", {{"S", "sample/"}}},
            {":pet", {{"S", "pet"}}},
            {":ss", {{"S", "SS"}}},
            {":two", {{"N", "2"}}},
            {":label", {{"M", {{"Name", {{"S", "Bicycle"}}}, {"Confidence", {{"N", "70"}}}}}}}};
  EXPECT_TRUE(Matches("contains(id, :dog)", v));
  EXPECT_TRUE(Matches("begins_with(id, :sample)", v));
  EXPECT_FALSE(Matches("begins_with(bucket, :sample)", v));
  EXPECT_TRUE(Matches("contains(tags, :pet)", v));
  EXPECT_TRUE(Matches("contains(labels, :label)", v));
  EXPECT_TRUE(Matches("attribute_exists(labels[1].Confidence)"));
  EXPECT_TRUE(Matches("attribute_not_exists(labels[2])"));
  EXPECT_TRUE(Matches("attribute_type(tags, :ss)", {{":ss", {{"S", "SS"}}}}));
  EXPECT_TRUE(Matches("size(labels) = :two", {{":two", {{"N", "2"}}}}));
  EXPECT_TRUE(Matches("size(id) > :two", {{":two", {{"N", "2"}}}}));
}

TEST(ExpressionTest, NestedPathsAndNamePlaceholders) {
  Json v = {{":dog", {{"S", "Dog"}}}, {":animal", {{"S", "Animal"}}}};
  Json n = {{"#l", "labels"}, {"#n", "Name"}};
  EXPECT_TRUE(Matches("#l[0].#n = :dog AND labels[0].Parents[0].Name = :animal", v, n));
  EXPECT_FALSE(
      Matches("#l[1].#n = :dog", {{":dog", {{"S", "Dog"}}}}, {{"#l", "labels"}, {"#n", "Name"}}));
}

TEST(ExpressionTest, PrecedenceIsNotThenAndThenOr) {
  Json v = {{":a", {{"S", "images"}}}, {":b", {{"S", "other"}}}};
  EXPECT_TRUE(Matches("bucket = :b OR bucket = :a AND flag = flag", v));
  EXPECT_FALSE(Matches("(bucket = :b OR bucket = :a) AND NOT bucket = :a", v));
  EXPECT_TRUE(Matches("not bucket = :b and (bucket = :a)", v)) << "keywords in any case";
}

TEST(ExpressionTest, ErrorsInDynamoDbsWords) {
  EXPECT_NE(ParseError("bucket = ").find("Syntax error; token: \"<EOF>\""), std::string::npos);
  EXPECT_NE(ParseError("bucket == :x", {{":x", {{"S", "a"}}}}).find("Syntax error"),
            std::string::npos);
  EXPECT_NE(ParseError("#b = :x", {{":x", {{"S", "a"}}}})
                .find("An expression attribute name used in the document path is not defined; "
                      "attribute name: #b"),
            std::string::npos);
  EXPECT_NE(ParseError("bucket = :x").find("attribute value: :x"), std::string::npos);
  EXPECT_NE(ParseError("frobnicate(bucket)").find("Invalid function name"), std::string::npos);
  EXPECT_NE(ParseError("contains(bucket)").find("Incorrect number of operands"), std::string::npos);
  EXPECT_NE(ParseError("").find("can not be empty"), std::string::npos);
  EXPECT_NE(ParseError("bucket = :x", {{":x", {{"Q", "a"}}}}).find("not an attribute value"),
            std::string::npos);
  std::string deep(200, '(');
  EXPECT_NE(ParseError(deep + "a = :x").find("nests"), std::string::npos);
}

TEST(ExpressionTest, UnusedPlaceholdersAreNamed) {
  Json values = {{":x", {{"S", "a"}}}, {":unused", {{"S", "b"}}}};
  ExpressionContext ctx;
  ctx.values = &values;
  std::string error;
  ASSERT_TRUE(ParseCondition("bucket = :x", "FilterExpression", ctx, &error));
  EXPECT_EQ(UnusedPlaceholders(ctx),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
}

TEST(ProjectionTest, KeepsTopLevelAndNestedMembersAndCompactsLists) {
  ExpressionContext ctx;
  std::vector<Path> paths;
  std::string error;
  ASSERT_TRUE(
      ParseProjection("id, labels[1].Name, labels[0].Confidence, nothing", ctx, &paths, &error))
      << error;
  Json projected = Project(Item(), paths);
  EXPECT_EQ(projected, Json::parse(R"({
    "id": {"S": "sample/dog.jpg"},
    "labels": {"L": [{"M": {"Confidence": {"N": "91.5"}}}, {"M": {"Name": {"S": "Bicycle"}}}]}
  })"));
}

TEST(ProjectionTest, RefusesMalformedProjections) {
  ExpressionContext ctx;
  std::vector<Path> paths;
  std::string error;
  EXPECT_FALSE(ParseProjection("id,, labels", ctx, &paths, &error));
  EXPECT_NE(error.find("Syntax error"), std::string::npos);
  EXPECT_FALSE(ParseProjection("labels[x]", ctx, &paths, &error));
}

}  // namespace
}  // namespace imagemill::server::dynamodb
