#include "server/stepfunctions/stepfunctions_api.h"

#include <gtest/gtest.h>

#include <map>

#include "support/fake_clock.h"
#include "support/fake_execution_backend.h"

namespace imagemill::server::stepfunctions {
namespace {

using FakeBackend = testing::FakeExecutionBackend;

class StepFunctionsApiTest : public ::testing::Test {
 protected:
  StepFunctionsApiTest() : api_(Arn(), backend_, clock_) {}
  static ArnContext Arn() {
    ArnContext c;
    c.region = "eu-west-1";
    c.account = "123456789012";
    return c;
  }
  Json Start(const std::string& name, const std::string& input) {
    AwsResult<Json> r = api_.StartExecution(
        {{"stateMachineArn", api_.StateMachineArn()}, {"name", name}, {"input", input}});
    return r.ok() ? *r : Json{{"error", r.error().type}};
  }
  const std::string seed_input_ = R"({"myStateInput": {"Bucket": "b", "Prefix": "sample"}})";

  testing::FakeClock clock_;
  FakeBackend backend_;
  StepFunctionsApi api_;
};

TEST_F(StepFunctionsApiTest, ArnsAreShapedAsAwsShapesThem) {
  EXPECT_EQ(api_.StateMachineArn(),
            "arn:aws:states:eu-west-1:123456789012:stateMachine:serverless-data-processing");
  Json started = Start("june", seed_input_);
  EXPECT_EQ(started["executionArn"],
            "arn:aws:states:eu-west-1:123456789012:execution:serverless-data-processing:june");
  AwsResult<Json> d = api_.DescribeExecution({{"executionArn", started["executionArn"]}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(
      (*d)["mapRunArn"],
      "arn:aws:states:eu-west-1:123456789012:mapRun:serverless-data-processing/june:run-june");
  EXPECT_EQ((*d)["status"], "RUNNING");
  EXPECT_EQ((*d)["input"], seed_input_);
}

TEST_F(StepFunctionsApiTest, ANameIsIdempotentWhileRunningWithTheSameInput) {
  Json first = Start("n1", seed_input_);
  Json again = Start("n1", R"({"myStateInput":{"Prefix":"sample","Bucket":"b"}})");
  EXPECT_EQ(again["executionArn"], first["executionArn"]);
  EXPECT_EQ(Start("n1", R"({"myStateInput": {"Bucket": "other"}})")["error"],
            "ExecutionAlreadyExists");
  backend_.executions["n1"].status = "SUCCEEDED";
  EXPECT_EQ(Start("n1", seed_input_)["error"], "ExecutionAlreadyExists");
}

TEST_F(StepFunctionsApiTest, RefusesBadNamesInputsAndStateMachines) {
  EXPECT_EQ(Start("has space", seed_input_)["error"], "InvalidName");
  EXPECT_EQ(Start("a:b", seed_input_)["error"], "InvalidName");
  EXPECT_EQ(Start("ok", "{not json")["error"], "InvalidExecutionInput");
  EXPECT_EQ(Start("ok", R"({"nothing": 1})")["error"], "InvalidExecutionInput");
  AwsResult<Json> other = api_.StartExecution(
      {{"stateMachineArn", "arn:aws:states:eu-west-1:123456789012:stateMachine:other"}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().type, "StateMachineDoesNotExist");
  AwsResult<Json> bad = api_.DescribeExecution({{"executionArn", "nonsense"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().type, "InvalidArn");
  AwsResult<Json> missing =
      api_.DescribeExecution({{"executionArn", api_.ExecutionArnOf("nobody")}});
  EXPECT_EQ(missing.error().type, "ExecutionDoesNotExist");
}

TEST_F(StepFunctionsApiTest, ListsNewestFirstWithAStatusFilterAndPages) {
  for (const char* n : {"a", "b", "c", "d", "e"}) Start(n, seed_input_);
  backend_.executions["b"].status = "FAILED";
  Json request = {{"stateMachineArn", api_.StateMachineArn()}, {"maxResults", 2}};
  std::vector<std::string> names;
  while (true) {
    AwsResult<Json> page = api_.ListExecutions(request);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (const Json& e : (*page)["executions"]) names.push_back(e["name"]);
    if (!page->contains("nextToken")) break;
    request["nextToken"] = (*page)["nextToken"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"e", "d", "c", "b", "a"}));
  AwsResult<Json> failed = api_.ListExecutions(
      {{"stateMachineArn", api_.StateMachineArn()}, {"statusFilter", "FAILED"}});
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ((*failed)["executions"].size(), 1u);
  EXPECT_EQ((*failed)["executions"][0]["name"], "b");
}

TEST_F(StepFunctionsApiTest, MapRunCountsToleranceAndUpdates) {
  Start("m", seed_input_);
  ExecutionInfo& e = backend_.executions["m"];
  e.total = 10;
  e.succeeded = 7;
  e.failed = 1;
  e.pending = 2;
  const std::string arn = MapRunArn(Arn(), kStateMachineName, "m", "run-m");
  AwsResult<Json> d = api_.DescribeMapRun({{"mapRunArn", arn}});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ((*d)["itemCounts"]["succeeded"], 7);
  EXPECT_EQ((*d)["itemCounts"]["total"], 10);
  EXPECT_EQ((*d)["toleratedFailurePercentage"], 5.0);
  ASSERT_TRUE(
      api_.UpdateMapRun({{"mapRunArn", arn}, {"maxConcurrency", 8}, {"toleratedFailureCount", 3}})
          .ok());
  EXPECT_EQ(backend_.executions["m"].max_concurrency, 8);
  EXPECT_EQ(backend_.executions["m"].tolerated_failure_count, 3);
  AwsResult<Json> runs = api_.ListMapRuns({{"executionArn", api_.ExecutionArnOf("m")}});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)["mapRuns"][0]["mapRunArn"], arn);
  EXPECT_EQ(api_.DescribeMapRun({{"mapRunArn", arn + "x"}}).error().type, "ResourceNotFound");
}

TEST_F(StepFunctionsApiTest, StopThenRedriveAndTheHistoryTellsIt) {
  Start("s", seed_input_);
  ASSERT_TRUE(
      api_.StopExecution(
              {{"executionArn", api_.ExecutionArnOf("s")}, {"error", "User"}, {"cause", "enough"}})
          .ok());
  AwsResult<Json> history = api_.GetExecutionHistory({{"executionArn", api_.ExecutionArnOf("s")}});
  ASSERT_TRUE(history.ok());
  std::vector<std::string> types;
  for (const Json& ev : (*history)["events"]) types.push_back(ev["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"ExecutionStarted", "MapStateEntered", "MapRunStarted",
                                             "MapRunAborted", "ExecutionAborted"}));
  EXPECT_EQ((*history)["events"].back()["executionAbortedEventDetails"]["cause"], "enough");
  ASSERT_TRUE(api_.RedriveExecution({{"executionArn", api_.ExecutionArnOf("s")}}).ok());
  EXPECT_EQ(backend_.executions["s"].redrive_count, 1);
  EXPECT_EQ(api_.RedriveExecution({{"executionArn", api_.ExecutionArnOf("s")}}).error().type,
            "ExecutionNotRedrivable");
}

TEST_F(StepFunctionsApiTest, DescribesTheSeedsStateMachine) {
  AwsResult<Json> d = api_.DescribeStateMachine({{"stateMachineArn", api_.StateMachineArn()}});
  ASSERT_TRUE(d.ok());
  Json definition = Json::parse((*d)["definition"].get<std::string>());
  EXPECT_EQ(definition["States"]["Map"]["ItemProcessor"]["ProcessorConfig"]["Mode"], "DISTRIBUTED");
  EXPECT_EQ(definition["States"]["Map"]["ToleratedFailurePercentage"], 5);
  EXPECT_EQ((*api_.ListStateMachines(Json::object()))["stateMachines"].size(), 1u);
}

}  // namespace
}  // namespace imagemill::server::stepfunctions
