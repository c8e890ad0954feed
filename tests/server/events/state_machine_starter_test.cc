#include "server/events/state_machine_starter.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "support/fake_execution_backend.h"

namespace imagemill::server {
namespace {

class StateMachineStarterTest : public ::testing::Test {
 protected:
  StateMachineStarterTest() : api_(ArnContext{}, backend_, clock_), starter_(api_) {}

  events::StartRequest Request(const std::string& input) {
    return {api_.StateMachineArn(), input, "event-1", "arn:aws:events:::rule/r", "Target0"};
  }

  testing::FakeExecutionBackend backend_;
  testing::FakeClock clock_;
  stepfunctions::StepFunctionsApi api_;
  StateMachineStarter starter_;
};

TEST_F(StateMachineStarterTest, StartsAnExecutionUnderANewNameWithTheTargetsInput) {
  const std::string input = R"({"myStateInput": {"Bucket": "b", "Prefix": "p"}})";
  Result<std::string> first = starter_.Start(Request(input));
  Result<std::string> second = starter_.Start(Request(input));
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_NE(*first, *second);  // each event is a run of its own
  ASSERT_EQ(backend_.executions.size(), 2u);
  for (const auto& [name, e] : backend_.executions) {
    EXPECT_TRUE(*first == api_.ExecutionArnOf(name) || *second == api_.ExecutionArnOf(name));
    EXPECT_EQ(e.input, input);
    EXPECT_EQ(e.status, "RUNNING");
  }
}

TEST_F(StateMachineStarterTest, SaysWhyAndWhatToDoWhenItCannotStart) {
  Result<std::string> bad_input = starter_.Start(Request(R"({"Bucket": "b"})"));
  ASSERT_FALSE(bad_input.ok());
  EXPECT_EQ(bad_input.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad_input.status().message().find("InvalidExecutionInput"), std::string::npos);

  events::StartRequest other = Request(R"({"myStateInput": {"Bucket": "b"}})");
  other.state_machine_arn = "arn:aws:states:us-east-1:000000000000:stateMachine:other";
  Result<std::string> unknown = starter_.Start(other);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_NE(unknown.status().message().find(api_.StateMachineArn()), std::string::npos)
      << unknown.status().message();
  EXPECT_TRUE(backend_.executions.empty());
}

}  // namespace
}  // namespace imagemill::server
