// EventsApi: each AWSEvents operation, with every request and answer checked against botocore's
// service model for events (2015-10-07), and PutEvents starting executions through a recording
// starter.
#include "events/events_api.h"

#include <gtest/gtest.h>

#include <mutex>

#include "events/event_entry.h"
#include "events/memory_rule_store.h"
#include "events/seed_rules.h"
#include "support/aws_model.h"
#include "support/fake_clock.h"

namespace imagemill::events {
namespace {

// Records what it is asked to start; fails while `fail` is set.
class RecordingStarter final : public ExecutionStarter {
 public:
  Result<std::string> Start(const StartRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail) return Status::InvalidArgument("the input has no myStateInput");
    requests.push_back(request);
    return request.state_machine_arn + ":execution-" + std::to_string(requests.size());
  }
  std::mutex mu_;
  bool fail = false;
  std::vector<StartRequest> requests;
};

class EventsApiTest : public ::testing::Test {
 protected:
  EventsApiTest() {
    EventsConfig config;
    config.on_delivery = [this](const Delivery& d) { deliveries.push_back(d); };
    api = std::make_unique<EventsApi>(store, starter, clock, config);
    SeedEventRules(store, SeedConfig{Account{}, StateMachineArn(Account{}, "DMapStateMachine"), 1});
  }

  // Calls `op`, checking the request (unless `check_request` is false, for requests that are
  // wrong on purpose) and the answer against the service model.
  ApiResult Call(const std::string& op, const nlohmann::json& request, bool check_request = true) {
    const nlohmann::json* model = testing::AwsServiceModel("events", "2015-10-07");
    const nlohmann::json* operation = model != nullptr ? &(*model)["operations"][op] : nullptr;
    if (operation != nullptr && check_request) {
      auto errors = testing::AwsShapeErrors(*model, request, (*operation)["input"]["shape"]);
      EXPECT_TRUE(errors.empty()) << op << " request: " << errors.front();
    }
    ApiResult result = api->Handle(op, request);
    if (operation == nullptr) return result;
    if (result.ok()) {
      if (operation->contains("output")) {
        auto errors =
            testing::AwsShapeErrors(*model, result.body(), (*operation)["output"]["shape"], true);
        EXPECT_TRUE(errors.empty())
            << op << " answer " << result.body().dump() << ": " << errors.front();
      } else {
        EXPECT_EQ(result.body(), nlohmann::json::object()) << op;
      }
    } else {
      // An error the model lists for the operation, or one any AWS JSON service may answer.
      std::string type = result.error().type;
      bool listed = type == "ValidationException" || type == "SerializationException";
      for (const auto& e : (*operation)["errors"]) listed = listed || e["shape"] == type;
      EXPECT_TRUE(listed) << op << " answered " << type << ", which its model does not list";
      EXPECT_FALSE(result.error().message.empty());
    }
    return result;
  }

  std::string ErrorType(const ApiResult& r) { return r.ok() ? "(ok)" : r.error().type; }
  std::string ErrorMessage(const ApiResult& r) { return r.ok() ? "(ok)" : r.error().message; }

  testing::FakeClock clock;
  MemoryEventRuleStore store;
  RecordingStarter starter;
  std::vector<Delivery> deliveries;
  std::unique_ptr<EventsApi> api;
};

nlohmann::json SeedEntry() {
  return {{"Source", "serverless-data-processing"},
          {"DetailType", "ServerlessDataProcessing"},
          {"Detail",
           R"({"myStateInput": {"Bucket": "youngj-image-dataset-bucket", "Prefix": "sample"}})"}};
}

TEST_F(EventsApiTest, TheSeedsEventStartsARunOverItsBucketAndPrefix) {
  ApiResult r = Call("PutEvents", {{"Entries", {SeedEntry()}}});
  ASSERT_TRUE(r.ok()) << r.ToJson().dump();
  EXPECT_EQ(r.body()["FailedEntryCount"], 0);
  ASSERT_EQ(r.body()["Entries"].size(), 1u);
  ASSERT_EQ(starter.requests.size(), 1u);
  const StartRequest& s = starter.requests[0];
  EXPECT_EQ(s.state_machine_arn,
            "arn:aws:states:us-east-1:123456789012:stateMachine:DMapStateMachine");
  EXPECT_EQ(s.input,
            R"({"myStateInput":{"Bucket":"youngj-image-dataset-bucket","Prefix":"sample"}})");
  EXPECT_EQ(s.event_id, r.body()["Entries"][0]["EventId"]);
  EXPECT_EQ(s.rule_arn, "arn:aws:events:us-east-1:123456789012:rule/ServerlessDataProcessingRule");
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_TRUE(deliveries[0].status.ok());
  EXPECT_EQ(deliveries[0].execution_arn, s.state_machine_arn + ":execution-1");

  // The same event on the seed's own bus, named or by ARN.
  nlohmann::json entry = SeedEntry();
  entry["EventBusName"] = "ServerlessDataProcessingBus";
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {entry}}}).ok());
  entry["EventBusName"] =
      "arn:aws:events:us-east-1:123456789012:event-bus/ServerlessDataProcessingBus";
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {entry}}}).ok());
  ASSERT_EQ(starter.requests.size(), 3u);
  EXPECT_EQ(starter.requests[2].rule_arn,
            "arn:aws:events:us-east-1:123456789012:rule/ServerlessDataProcessingBus/"
            "ServerlessDataProcessingRule");
  // Another source starts nothing.
  entry["Source"] = "something-else";
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {entry}}}).ok());
  EXPECT_EQ(starter.requests.size(), 3u);
}

TEST_F(EventsApiTest, AnS3ObjectCreatedEventLabelsThatObject) {
  // The event as Amazon S3 sends it to EventBridge.
  nlohmann::json detail = {{"version", "0"},
                           {"bucket", {{"name", "photos"}}},
                           {"object",
                            {{"key", "2024/cat \"1\".jpg"},
                             {"size", 5},
                             {"etag", "b1946ac9"},
                             {"sequencer", "00617F08299329D189"}}},
                           {"request-id", "N4N7GDK58NMKJ12R"},
                           {"requester", "123456789012"},
                           {"source-ip-address", "1.2.3.4"},
                           {"reason", "PutObject"}};
  nlohmann::json entry = {{"Source", "aws.s3"},
                          {"DetailType", "Object Created"},
                          {"Resources", {"arn:aws:s3:::photos"}},
                          {"Detail", detail.dump()}};
  ApiResult r = Call("PutEvents", {{"Entries", {entry}}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(starter.requests.size(), 1u);
  Result<JsonValue> input = ParseJson(starter.requests[0].input);
  ASSERT_TRUE(input.ok()) << starter.requests[0].input;
  EXPECT_EQ(ToJson(*input), R"({"myStateInput":{"Bucket":"photos","Key":"2024/cat \"1\".jpg"}})");
  EXPECT_EQ(starter.requests[0].rule_arn,
            "arn:aws:events:us-east-1:123456789012:rule/S3ObjectCreatedRule");
}

TEST_F(EventsApiTest, BusesAreCreatedDescribedListedAndDeleted) {
  ApiResult created = Call("CreateEventBus", {{"Name", "orders"}});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created.body()["EventBusArn"],
            "arn:aws:events:us-east-1:123456789012:event-bus/orders");
  EXPECT_EQ(ErrorType(Call("CreateEventBus", {{"Name", "orders"}})),
            "ResourceAlreadyExistsException");
  EXPECT_EQ(ErrorType(Call("CreateEventBus", {{"Name", "default"}})),
            "ResourceAlreadyExistsException");
  EXPECT_EQ(ErrorType(Call("CreateEventBus", {{"Name", "a b"}}, false)), "ValidationException");
  EXPECT_EQ(ErrorMessage(Call("CreateEventBus", {{"Name", "a b"}}, false)),
            "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+");

  ApiResult described = Call("DescribeEventBus", {{"Name", "orders"}});
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described.body()["Name"], "orders");
  EXPECT_EQ(Call("DescribeEventBus", nlohmann::json::object()).body()["Name"], "default");
  EXPECT_EQ(ErrorMessage(Call("DescribeEventBus", {{"Name", "nope"}})),
            "Event bus nope does not exist.");

  ApiResult page = Call("ListEventBuses", {{"Limit", 2}});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page.body()["EventBuses"].size(), 2u);
  EXPECT_EQ(page.body()["EventBuses"][0]["Name"], "ServerlessDataProcessingBus");
  EXPECT_EQ(page.body()["EventBuses"][1]["Name"], "default");
  ApiResult rest = Call("ListEventBuses", {{"Limit", 2}, {"NextToken", page.body()["NextToken"]}});
  ASSERT_EQ(rest.body()["EventBuses"].size(), 1u);
  EXPECT_EQ(rest.body()["EventBuses"][0]["Name"], "orders");
  EXPECT_FALSE(rest.body().contains("NextToken"));
  EXPECT_EQ(Call("ListEventBuses", {{"NamePrefix", "ord"}}).body()["EventBuses"].size(), 1u);

  EXPECT_TRUE(Call("DeleteEventBus", {{"Name", "orders"}}).ok());
  EXPECT_TRUE(Call("DeleteEventBus", {{"Name", "orders"}}).ok());  // gone already: fine
  EXPECT_EQ(ErrorMessage(Call("DeleteEventBus", {{"Name", "default"}})),
            "Cannot delete event bus default.");
}

TEST_F(EventsApiTest, RulesArePutDescribedListedDisabledAndDeleted) {
  nlohmann::json rule = {{"Name", "pngs"},
                         {"EventPattern", R"({"detail": {"key": [{"suffix": ".png"}]}})"},
                         {"Description", "png uploads"}};
  ApiResult put = Call("PutRule", rule);
  ASSERT_TRUE(put.ok()) << put.ToJson();
  EXPECT_EQ(put.body()["RuleArn"], "arn:aws:events:us-east-1:123456789012:rule/pngs");

  ApiResult d = Call("DescribeRule", {{"Name", "pngs"}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.body()["EventPattern"], rule["EventPattern"]);
  EXPECT_EQ(d.body()["State"], "ENABLED");
  EXPECT_EQ(d.body()["Description"], "png uploads");
  EXPECT_EQ(d.body()["EventBusName"], "default");
  EXPECT_EQ(ErrorMessage(Call("DescribeRule", {{"Name", "nope"}})),
            "Rule nope does not exist on EventBus default.");
  EXPECT_EQ(ErrorMessage(Call("DescribeRule", {{"Name", "pngs"}, {"EventBusName", "nobus"}})),
            "Event bus nobus does not exist.");

  ApiResult listed = Call("ListRules", {{"Limit", 1}});
  ASSERT_EQ(listed.body()["Rules"].size(), 1u);
  EXPECT_EQ(listed.body()["Rules"][0]["Name"], "S3ObjectCreatedRule");
  ApiResult next = Call("ListRules", {{"Limit", 10}, {"NextToken", listed.body()["NextToken"]}});
  ASSERT_EQ(next.body()["Rules"].size(), 2u);
  EXPECT_EQ(next.body()["Rules"][0]["Name"], "ServerlessDataProcessingRule");
  EXPECT_EQ(next.body()["Rules"][1]["Name"], "pngs");
  EXPECT_EQ(Call("ListRules", {{"NamePrefix", "png"}}).body()["Rules"].size(), 1u);

  // Disabled, the seed's rule starts nothing; enabled again, it does.
  ASSERT_TRUE(Call("DisableRule", {{"Name", "ServerlessDataProcessingRule"}}).ok());
  EXPECT_EQ(Call("DescribeRule", {{"Name", "ServerlessDataProcessingRule"}}).body()["State"],
            "DISABLED");
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {SeedEntry()}}}).ok());
  EXPECT_TRUE(starter.requests.empty());
  ASSERT_TRUE(Call("EnableRule", {{"Name", "ServerlessDataProcessingRule"}}).ok());
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {SeedEntry()}}}).ok());
  EXPECT_EQ(starter.requests.size(), 1u);
  EXPECT_EQ(ErrorType(Call("EnableRule", {{"Name", "nope"}})), "ResourceNotFoundException");

  EXPECT_EQ(ErrorMessage(Call("DeleteRule", {{"Name", "ServerlessDataProcessingRule"}}))
                .rfind("Rule can't be deleted since it has targets.", 0),
            0u);
  EXPECT_TRUE(Call("DeleteRule", {{"Name", "pngs"}}).ok());
  EXPECT_EQ(ErrorType(Call("DescribeRule", {{"Name", "pngs"}})), "ResourceNotFoundException");
}

TEST_F(EventsApiTest, PutRuleRefusesBadPatternsSchedulesAndMissingBuses) {
  ApiResult bad = Call("PutRule", {{"Name", "r"}, {"EventPattern", R"({"source": "aws.s3"})"}});
  EXPECT_EQ(ErrorType(bad), "InvalidEventPatternException");
  EXPECT_EQ(
      ErrorMessage(bad),
      "Event pattern is not valid. Reason: \"source\" must be an object or an array (at source)");
  EXPECT_EQ(ErrorType(Call("PutRule", {{"Name", "r"}, {"ScheduleExpression", "rate(5 minutes)"}})),
            "ValidationException");
  EXPECT_EQ(ErrorMessage(Call("PutRule", {{"Name", "r"}})),
            "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  EXPECT_EQ(
      ErrorType(Call("PutRule",
                     {{"Name", "r"}, {"EventPattern", "{\"a\":[1]}"}, {"EventBusName", "nobus"}})),
      "ResourceNotFoundException");
  EXPECT_EQ(
      ErrorType(Call("PutRule",
                     {{"Name", "r"}, {"EventPattern", "{\"a\":[1]}"}, {"State", "PAUSED"}}, false)),
      "ValidationException");
  EXPECT_EQ(
      ErrorType(Call("PutRule", {{"Name", "r"}, {"EventPattern", std::string(5000, ' ')}}, false)),
      "ValidationException");
}

TEST_F(EventsApiTest, TargetsArePutListedAndRemoved) {
  ASSERT_TRUE(Call("PutRule", {{"Name", "r"}, {"EventPattern", R"({"source": ["x"]})"}}).ok());
  std::string machine = StateMachineArn(Account{}, "DMapStateMachine");
  nlohmann::json target = {{"Id", "t1"}, {"Arn", machine}, {"Input", R"({"myStateInput": {}})"}};
  ApiResult put = Call("PutTargets", {{"Rule", "r"}, {"Targets", {target}}});
  ASSERT_TRUE(put.ok()) << put.ToJson();
  EXPECT_EQ(put.body()["FailedEntryCount"], 0);
  ApiResult listed = Call("ListTargetsByRule", {{"Rule", "r"}});
  ASSERT_EQ(listed.body()["Targets"].size(), 1u);
  EXPECT_EQ(listed.body()["Targets"][0], target);
  ApiResult names = Call("ListRuleNamesByTarget", {{"TargetArn", machine}});
  EXPECT_EQ(names.body()["RuleNames"],
            (nlohmann::json{"S3ObjectCreatedRule", "ServerlessDataProcessingRule", "r"}));

  // A constant input reaches the starter as given.
  ASSERT_TRUE(
      Call("PutEvents", {{"Entries", {{{"Source", "x"}, {"DetailType", "t"}, {"Detail", "{}"}}}}})
          .ok());
  ASSERT_EQ(starter.requests.size(), 1u);
  EXPECT_EQ(starter.requests[0].input, R"({"myStateInput":{}})");

  // Five targets at most.
  std::vector<nlohmann::json> five;
  for (int i = 2; i <= 6; ++i) five.push_back({{"Id", "t" + std::to_string(i)}, {"Arn", machine}});
  ApiResult too_many = Call("PutTargets", {{"Rule", "r"}, {"Targets", five}});
  EXPECT_EQ(ErrorType(too_many), "LimitExceededException");
  EXPECT_EQ(Call("ListTargetsByRule", {{"Rule", "r"}}).body()["Targets"].size(), 1u);

  ApiResult removed = Call("RemoveTargets", {{"Rule", "r"}, {"Ids", {"t1", "unknown"}}});
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(Call("ListTargetsByRule", {{"Rule", "r"}}).body()["Targets"].empty());
  EXPECT_EQ(ErrorType(Call("ListTargetsByRule", {{"Rule", "nope"}})), "ResourceNotFoundException");
  EXPECT_EQ(ErrorType(Call("RemoveTargets", {{"Rule", "nope"}, {"Ids", {"t1"}}})),
            "ResourceNotFoundException");
}

TEST_F(EventsApiTest, PutTargetsRefusesTargetsThatCannotStartExecutions) {
  ASSERT_TRUE(Call("PutRule", {{"Name", "r"}, {"EventPattern", R"({"source": ["x"]})"}}).ok());
  std::string machine = StateMachineArn(Account{}, "DMapStateMachine");
  auto put = [&](const nlohmann::json& target) {
    return Call("PutTargets", {{"Rule", "r"}, {"Targets", {target}}});
  };
  ApiResult lambda =
      put({{"Id", "t"}, {"Arn", "arn:aws:lambda:us-east-1:123456789012:function:f"}});
  EXPECT_EQ(ErrorType(lambda), "ValidationException");
  EXPECT_NE(ErrorMessage(lambda).find("must be a state machine's"), std::string::npos);
  EXPECT_NE(ErrorMessage(put({{"Id", "t"}, {"Arn", machine}, {"Input", "{}"}, {"InputPath", "$"}}))
                .find("at most one of Input, InputPath and InputTransformer"),
            std::string::npos);
  EXPECT_NE(ErrorMessage(put({{"Id", "t"}, {"Arn", machine}, {"Input", "not json"}}))
                .find("Input is not valid JSON"),
            std::string::npos);
  EXPECT_NE(ErrorMessage(put({{"Id", "t"}, {"Arn", machine}, {"InputPath", "detail"}}))
                .find("must begin with $"),
            std::string::npos);
  EXPECT_NE(ErrorMessage(put({{"Id", "t"},
                              {"Arn", machine},
                              {"InputTransformer", {{"InputTemplate", "{\"a\": <x>}"}}}}))
                .find("<x>, which InputPathsMap does not define"),
            std::string::npos);
  EXPECT_EQ(ErrorType(Call("PutTargets",
                           {{"Rule", "nope"}, {"Targets", {{{"Id", "t"}, {"Arn", machine}}}}})),
            "ResourceNotFoundException");
  EXPECT_EQ(
      ErrorType(Call("PutTargets", {{"Rule", "r"}, {"Targets", nlohmann::json::array()}}, false)),
      "ValidationException");
}

TEST_F(EventsApiTest, PutEventsReportsEachEntry) {
  nlohmann::json no_source = {{"DetailType", "t"}, {"Detail", "{}"}};
  nlohmann::json bad_detail = {{"Source", "s"}, {"DetailType", "t"}, {"Detail", "[1, 2]"}};
  nlohmann::json no_bus = SeedEntry();
  no_bus["EventBusName"] = "missing-bus";
  ApiResult r = Call("PutEvents", {{"Entries", {no_source, SeedEntry(), bad_detail, no_bus}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.body()["FailedEntryCount"], 3);
  const nlohmann::json& e = r.body()["Entries"];
  EXPECT_EQ(e[0]["ErrorCode"], "InvalidArgument");
  EXPECT_EQ(e[0]["ErrorMessage"],
            "Parameter Source is not valid. Reason: Source is a required argument.");
  EXPECT_TRUE(e[1].contains("EventId"));
  EXPECT_EQ(e[2]["ErrorCode"], "MalformedDetail");
  EXPECT_EQ(e[3]["ErrorCode"], "ResourceNotFoundException");
  EXPECT_EQ(e[3]["ErrorMessage"], "Event bus missing-bus does not exist.");
  EXPECT_EQ(starter.requests.size(), 1u);
}

TEST_F(EventsApiTest, PutEventsRefusesRequestsOutsideItsLimits) {
  EXPECT_EQ(ErrorType(Call("PutEvents", {{"Entries", nlohmann::json::array()}}, false)),
            "ValidationException");
  std::vector<nlohmann::json> eleven(11, SeedEntry());
  ApiResult too_many = Call("PutEvents", {{"Entries", eleven}}, false);
  EXPECT_EQ(ErrorType(too_many), "ValidationException");
  EXPECT_NE(ErrorMessage(too_many).find("Member must have length less than or equal to 10"),
            std::string::npos);
  nlohmann::json big = SeedEntry();
  big["Detail"] = "{\"x\": \"" + std::string(kMaxPutEventsBytes, 'a') + "\"}";
  ApiResult over = Call("PutEvents", {{"Entries", {big}}});
  EXPECT_NE(ErrorMessage(over).find("Total size of the entries in the request is over the limit"),
            std::string::npos);
  EXPECT_TRUE(starter.requests.empty());
  EXPECT_EQ(ErrorType(Call("PutEvents", nlohmann::json::object(), false)), "ValidationException");
  EXPECT_EQ(ErrorType(Call("PutEvents", {{"Entries", "x"}}, false)), "SerializationException");
}

TEST_F(EventsApiTest, ATargetThatCannotStartDoesNotFailTheEvent) {
  starter.fail = true;
  ApiResult r = Call("PutEvents", {{"Entries", {SeedEntry()}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.body()["FailedEntryCount"], 0);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_FALSE(deliveries[0].status.ok());
  EXPECT_EQ(deliveries[0].rule, "ServerlessDataProcessingRule");
  EXPECT_NE(deliveries[0].status.message().find("myStateInput"), std::string::npos);
}

TEST_F(EventsApiTest, AnInputThatIsNotJsonNeverReachesTheStarter) {
  ASSERT_TRUE(Call("PutRule", {{"Name", "r"}, {"EventPattern", R"({"source": ["x"]})"}}).ok());
  nlohmann::json target = {
      {"Id", "quoted"},
      {"Arn", StateMachineArn(Account{}, "DMapStateMachine")},
      {"InputTransformer",
       {{"InputPathsMap", {{"s", "$.detail.s"}}}, {"InputTemplate", R"({"k": "<s>"})"}}}};
  ASSERT_TRUE(Call("PutTargets", {{"Rule", "r"}, {"Targets", {target}}}).ok());
  nlohmann::json entry = {{"Source", "x"}, {"DetailType", "t"}, {"Detail", R"({"s": "a\"b"})"}};
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {entry}}}).ok());
  EXPECT_TRUE(starter.requests.empty());
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_NE(deliveries[0].status.message().find("not JSON"), std::string::npos);
  // Plain text between quotes is fine.
  entry["Detail"] = R"({"s": "plain"})";
  ASSERT_TRUE(Call("PutEvents", {{"Entries", {entry}}}).ok());
  ASSERT_EQ(starter.requests.size(), 1u);
  EXPECT_EQ(starter.requests[0].input, R"({"k": "plain"})");
}

TEST_F(EventsApiTest, TestEventPattern) {
  std::string event = R"({"id": "1", "account": "123456789012", "source": "aws.ec2",
    "time": "2017-12-22T18:43:48Z", "region": "us-west-1", "resources": [],
    "detail-type": "EC2 Instance State-change Notification", "detail": {"state": "terminated"}})";
  ApiResult yes =
      Call("TestEventPattern",
           {{"EventPattern", R"({"detail": {"state": ["terminated"]}})"}, {"Event", event}});
  ASSERT_TRUE(yes.ok());
  EXPECT_EQ(yes.body()["Result"], true);
  ApiResult no =
      Call("TestEventPattern", {{"EventPattern", R"({"source": ["aws.s3"]})"}, {"Event", event}});
  EXPECT_EQ(no.body()["Result"], false);
  EXPECT_EQ(ErrorType(Call("TestEventPattern", {{"EventPattern", "{}"}, {"Event", event}})),
            "InvalidEventPatternException");
  EXPECT_EQ(
      ErrorType(Call("TestEventPattern", {{"EventPattern", R"({"a": [1]})"}, {"Event", "{}"}})),
      "ValidationException");
}

TEST_F(EventsApiTest, UnknownOperationsAndMalformedRequests) {
  ApiResult unknown = api->Handle("PutPartnerEvents", nlohmann::json::object());
  EXPECT_EQ(ErrorType(unknown), "UnknownOperationException");
  EXPECT_EQ(unknown.ToJson()["__type"], "UnknownOperationException");
  EXPECT_EQ(unknown.http_status(), 400);
  EXPECT_EQ(ErrorType(Call("DescribeRule", nlohmann::json::array(), false)),
            "SerializationException");
  EXPECT_EQ(ErrorType(Call("DescribeRule", {{"Name", 5}}, false)), "SerializationException");
  EXPECT_EQ(ErrorMessage(Call("DescribeRule", nlohmann::json::object(), false)),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
            "Member must not be null");
  for (const std::string& op : EventsApi::Operations()) {
    EXPECT_NE(ErrorType(api->Handle(op, nlohmann::json::object())), "UnknownOperationException")
        << op;
  }
}

TEST(SeedRulesTest, SeedsOnceAndLeavesTheUsersChangesAlone) {
  MemoryEventRuleStore store;
  SeedConfig config{Account{}, StateMachineArn(Account{}, "DMapStateMachine"), 1};
  EXPECT_TRUE(SeedEventRules(store, config));
  EXPECT_EQ(store.ListBuses("", "", 10).size(), 2u);
  EXPECT_EQ(store.ListRules("default", "", "", 10).size(), 2u);
  ASSERT_EQ(store.RemoveTargets("default", kSeedRule, {"Target0"}), StoreOutcome::kOk);
  ASSERT_EQ(store.DeleteRule("default", kSeedRule), StoreOutcome::kOk);
  EXPECT_FALSE(SeedEventRules(store, config));
  EXPECT_FALSE(store.GetRule("default", kSeedRule).has_value());
}

}  // namespace
}  // namespace imagemill::events
