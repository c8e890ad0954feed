#include "server/dynamodb/dynamodb_api.h"

#include <gtest/gtest.h>

#include <set>

namespace imagemill::server::dynamodb {
namespace {

class DynamoDbApiTest : public ::testing::Test {
 protected:
  DynamoDbApiTest() : api_(Config(), items_) {
    for (int i = 0; i < 50; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "photos/%03d.jpg", i);
      items_.Put(id, {{"id", {{"S", id}}},
                      {"size", {{"N", std::to_string(1000 + i)}}},
                      {"labels", {{"L", {{{"M", {{"Name", {{"S", i % 2 ? "Dog" : "Cat"}}}}}}}}}}});
    }
  }
  static TableConfig Config() {
    TableConfig c;
    c.name = "serverless-data-processing-table";
    c.arn.region = "eu-west-1";
    c.arn.account = "123456789012";
    return c;
  }
  Json Request(Json extra = Json::object()) {
    extra["TableName"] = "serverless-data-processing-table";
    return extra;
  }

  MemoryItemSource items_;
  DynamoDbApi api_;
};

TEST_F(DynamoDbApiTest, DescribesTheOneTableWithTheSeedsKey) {
  AwsResult<Json> r = api_.DescribeTable(Request());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json& t = (*r)["Table"];
  EXPECT_EQ(t["TableArn"],
            "arn:aws:dynamodb:eu-west-1:123456789012:table/serverless-data-processing-table");
  EXPECT_EQ(t["KeySchema"][0]["AttributeName"], "id");
  EXPECT_EQ(t["ItemCount"], 50);
  EXPECT_EQ(t["TableStatus"], "ACTIVE");
}

TEST_F(DynamoDbApiTest, AnotherTableIsNotFound) {
  AwsResult<Json> r = api_.GetItem({{"TableName", "other"}, {"Key", {{"id", {{"S", "x"}}}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type, "ResourceNotFoundException");
  EXPECT_NE(r.error().message.find("serverless-data-processing-table"), std::string::npos);
}

TEST_F(DynamoDbApiTest, GetsAnItemByIdWithAProjection) {
  AwsResult<Json> r = api_.GetItem(Request({{"Key", {{"id", {{"S", "photos/007.jpg"}}}}},
                                            {"ProjectionExpression", "#s"},
                                            {"ExpressionAttributeNames", {{"#s", "size"}}}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["Item"], Json::parse(R"({"size": {"N": "1007"}})"));
  AwsResult<Json> missing = api_.GetItem(Request({{"Key", {{"id", {{"S", "nope"}}}}}}));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->contains("Item"));
}

TEST_F(DynamoDbApiTest, RefusesAKeyThatIsNotTheSchemas) {
  for (Json key : {Json{{"id", {{"N", "1"}}}}, Json{{"key", {{"S", "a"}}}},
                   Json{{"id", {{"S", "a"}}}, {"other", {{"S", "b"}}}}}) {
    AwsResult<Json> r = api_.GetItem(Request({{"Key", key}}));
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.error().type, "ValidationException");
    EXPECT_NE(r.error().message.find("does not match the schema"), std::string::npos);
  }
}

TEST_F(DynamoDbApiTest, BatchGetsKnownKeysAndRefusesDuplicates) {
  Json keys = Json::array({{{"id", {{"S", "photos/001.jpg"}}}},
                           {{"id", {{"S", "nope"}}}},
                           {{"id", {{"S", "photos/002.jpg"}}}}});
  AwsResult<Json> r = api_.BatchGetItem(
      {{"RequestItems", {{"serverless-data-processing-table", {{"Keys", keys}}}}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["Responses"]["serverless-data-processing-table"].size(), 2u);
  EXPECT_TRUE((*r)["UnprocessedKeys"].empty());
  keys.push_back(keys[0]);
  AwsResult<Json> dup = api_.BatchGetItem(
      {{"RequestItems", {{"serverless-data-processing-table", {{"Keys", keys}}}}}});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("duplicates"), std::string::npos);
}

TEST_F(DynamoDbApiTest, QueriesByIdOnly) {
  AwsResult<Json> r =
      api_.Query(Request({{"KeyConditionExpression", "id = :id"},
                          {"ExpressionAttributeValues", {{":id", {{"S", "photos/003.jpg"}}}}}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["Count"], 1);
  EXPECT_EQ((*r)["Items"][0]["size"]["N"], "1003");
  AwsResult<Json> range =
      api_.Query(Request({{"KeyConditionExpression", "id > :id"},
                          {"ExpressionAttributeValues", {{":id", {{"S", "photos/003.jpg"}}}}}}));
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.error().message.find("id = :value"), std::string::npos);
}

TEST_F(DynamoDbApiTest, ScansPageByPageWithLimitAndLastEvaluatedKey) {
  std::set<std::string> seen;
  Json request = Request({{"Limit", 7}});
  int pages = 0;
  while (true) {
    AwsResult<Json> r = api_.Scan(request);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ++pages;
    for (const Json& item : (*r)["Items"]) {
      EXPECT_TRUE(seen.insert(item["id"]["S"].get<std::string>()).second) << "seen twice";
    }
    if (!r->contains("LastEvaluatedKey")) break;
    request["ExclusiveStartKey"] = (*r)["LastEvaluatedKey"];
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(pages, 8);  // 7 full pages, then the last item (7 * 7 = 49)
}

TEST_F(DynamoDbApiTest, SegmentsSplitTheTableWithoutOverlap) {
  std::set<std::string> seen;
  for (int segment = 0; segment < 4; ++segment) {
    AwsResult<Json> r = api_.Scan(Request({{"Segment", segment}, {"TotalSegments", 4}}));
    ASSERT_TRUE(r.ok()) << r.error().message;
    for (const Json& item : (*r)["Items"]) {
      EXPECT_TRUE(seen.insert(item["id"]["S"].get<std::string>()).second);
    }
  }
  EXPECT_EQ(seen.size(), 50u);
  AwsResult<Json> bad = api_.Scan(Request({{"Segment", 4}, {"TotalSegments", 4}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("Segment"), std::string::npos);
}

TEST_F(DynamoDbApiTest, FiltersCountOnlyWhatMatchesButScanEverything) {
  AwsResult<Json> r = api_.Scan(Request({{"FilterExpression", "labels[0].#n = :dog"},
                                         {"ExpressionAttributeNames", {{"#n", "Name"}}},
                                         {"ExpressionAttributeValues", {{":dog", {{"S", "Dog"}}}}},
                                         {"Select", "COUNT"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["Count"], 25);
  EXPECT_EQ((*r)["ScannedCount"], 50);
  EXPECT_FALSE(r->contains("Items"));
}

TEST_F(DynamoDbApiTest, RefusesUnusedPlaceholders) {
  AwsResult<Json> r = api_.Scan(
      Request({{"FilterExpression", "size > :a"},
               {"ExpressionAttributeValues", {{":a", {{"N", "1"}}}, {":b", {{"N", "2"}}}}}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unused in expressions: keys: {:b}"), std::string::npos);
}

TEST_F(DynamoDbApiTest, ListsTheTable) {
  AwsResult<Json> r = api_.ListTables(Json::object());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["TableNames"], Json::array({"serverless-data-processing-table"}));
}

TEST(SegmentTest, SpreadsIdsOverSegments) {
  std::vector<int> counts(4);
  for (int i = 0; i < 1000; ++i) ++counts[SegmentOf("k" + std::to_string(i), 4)];
  for (int c : counts) EXPECT_GT(c, 150);
}

}  // namespace
}  // namespace imagemill::server::dynamodb
