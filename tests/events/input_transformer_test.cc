// Target input: InputPath, Input and InputTransformer, against the examples of EventBridge's
// user guide ("Amazon EventBridge input transformation").
#include "events/input_transformer.h"

#include <gtest/gtest.h>

#include "events/json_path.h"
#include "events/target_input.h"

namespace imagemill::events {
namespace {

constexpr const char* kEvent = R"({"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}})";

const std::map<std::string, std::string> kPaths = {{"timestamp", "$.time"},
                                                   {"instance", "$.detail.instance-id"},
                                                   {"state", "$.detail.state"},
                                                   {"resource", "$.resources[0]"}};

const Invocation kInvocation{"arn:aws:events:us-east-2:123456789012:rule/example", "example",
                             "2015-11-11T21:29:55Z"};

std::string Render(const std::string& input_template,
                   const std::map<std::string, std::string>& paths = kPaths,
                   const char* event = kEvent) {
  Result<InputTransformer> t = InputTransformer::Create(paths, input_template);
  EXPECT_TRUE(t.ok()) << input_template << ": " << t.status().ToString();
  Result<JsonValue> e = ParseJson(event);
  EXPECT_TRUE(e.ok());
  return t.ok() && e.ok() ? t->Render(*e, kInvocation) : "";
}

std::string TemplateRefusal(const std::string& input_template,
                    const std::map<std::string, std::string>& paths = kPaths) {
  Result<InputTransformer> t = InputTransformer::Create(paths, input_template);
  EXPECT_FALSE(t.ok()) << input_template;
  return t.ok() ? "" : t.status().message();
}

TEST(JsonPathTest, FindsFieldsIndexesAndQuotedNames) {
  Result<JsonValue> e = ParseJson(R"({"a": {"b c": [10, {"d": true}]}, "x.y": 1})");
  ASSERT_TRUE(e.ok());
  auto find = [&](const char* path) -> std::string {
    Result<JsonPath> p = JsonPath::Parse(path);
    EXPECT_TRUE(p.ok()) << path << ": " << p.status().ToString();
    const JsonValue* v = p.ok() ? p->Find(*e) : nullptr;
    return v == nullptr ? "(none)" : ToJson(*v);
  };
  EXPECT_EQ(find("$"), ToJson(*e));
  EXPECT_EQ(find("$.a['b c'][0]"), "10");
  EXPECT_EQ(find("$.a[\"b c\"][1].d"), "true");
  EXPECT_EQ(find("$['x.y']"), "1");
  EXPECT_EQ(find("$.a['b c'][2]"), "(none)");
  EXPECT_EQ(find("$.missing.deeper"), "(none)");
  EXPECT_EQ(find("$.a[0]"), "(none)");
  for (const char* bad : {"", "detail", "$.", "$..a", "$[", "$[x]", "$[-1]", "$['a'", "$a"}) {
    Result<JsonPath> p = JsonPath::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
  }
  EXPECT_NE(JsonPath::Parse("$.a[x]").status().message().find("position 4"), std::string::npos);
}

TEST(InputTransformerTest, TheGuidesTemplates) {
  EXPECT_EQ(Render(R"("instance <instance> is in <state>")"),
            R"("instance i-0123456789 is in RUNNING")");
  EXPECT_EQ(Render(R"("instance \"<instance>\" is in <state>")"),
            R"("instance \"i-0123456789\" is in RUNNING")");
  EXPECT_EQ(Render("{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}"),
            "{\n  \"instance\" : \"i-0123456789\",\n  \"state\": \"RUNNING\"\n}");
  EXPECT_EQ(Render(R"({"instance" : <instance>, "state": "<state>",
 "instanceStatus": "instance \"<instance>\" is in <state>"})"),
            R"({"instance" : "i-0123456789", "state": "RUNNING",
 "instanceStatus": "instance \"i-0123456789\" is in RUNNING"})");
  EXPECT_EQ(
      Render(R"({"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"})"),
      R"({"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"})");
  EXPECT_EQ(Render(R"("<aws.events.rule-name> triggered")", {}), R"("example triggered")");
}

TEST(InputTransformerTest, ReservedVariables) {
  std::string out = Render(R"({"instance": <instance>, "state": <state>,
    "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>,
    "at": <aws.events.event.ingestion-time>, "originalEvent": <aws.events.event.json>,
    "envelope": <aws.events.event>})");
  Result<JsonValue> v = ParseJson(out);
  ASSERT_TRUE(v.ok()) << out;
  EXPECT_EQ(v->Find("ruleArn")->text(), "arn:aws:events:us-east-2:123456789012:rule/example");
  EXPECT_EQ(v->Find("ruleName")->text(), "example");
  EXPECT_EQ(v->Find("at")->text(), "2015-11-11T21:29:55Z");
  EXPECT_EQ(v->Find("originalEvent")->Find("detail")->Find("state")->text(), "RUNNING");
  EXPECT_EQ(v->Find("envelope")->Find("detail"), nullptr);
  EXPECT_EQ(v->Find("envelope")->Find("source")->text(), "aws.ec2");
}

TEST(InputTransformerTest, ValuesKeepTheirJsonTypeOutsideQuotes) {
  const char* event = R"({"detail": {"n": 3.0e2, "o": {"k": [1]}, "t": true, "s": "a\"b"}})";
  std::map<std::string, std::string> paths = {{"n", "$.detail.n"},
                                              {"o", "$.detail.o"},
                                              {"t", "$.detail.t"},
                                              {"s", "$.detail.s"},
                                              {"gone", "$.detail.nothing"}};
  EXPECT_EQ(Render(R"([<n>, <o>, <t>, <s>, <gone>])", paths, event),
            R"([3.0e2, {"k":[1]}, true, "a\"b", null])");
  // Between quotes a missing value is nothing, and strings are not escaped (as EventBridge).
  EXPECT_EQ(Render(R"("<n>|<o>|<t>|<gone>")", paths, event), R"("3.0e2|{"k":[1]}|true|")");
  EXPECT_EQ(Render(R"({"s": "<s>"})", paths, event), R"({"s": "a"b"})");
}

TEST(InputTransformerTest, WordsInAnglesThatNameNoVariableStay) {
  EXPECT_EQ(Render(R"({"html": "<b>bold</b> <state>"})"), R"({"html": "<b>bold</b> RUNNING"})");
}

TEST(InputTransformerTest, RefusesWhatCannotWork) {
  EXPECT_NE(
      TemplateRefusal(R"({"a": <undefined>})").find("<undefined>, which InputPathsMap does not define"),
      std::string::npos);
  EXPECT_NE(TemplateRefusal("instance <instance> is in <state>").find("does not make JSON"),
            std::string::npos);
  EXPECT_NE(TemplateRefusal("").find("1 to 8192"), std::string::npos);
  EXPECT_NE(TemplateRefusal(std::string(8193, ' ')).find("1 to 8192"), std::string::npos);
  EXPECT_NE(TemplateRefusal("{}", {{"bad name", "$.x"}}).find("not a valid name"), std::string::npos);
  EXPECT_NE(TemplateRefusal("{}", {{"aws.events.rule-arn", "$.x"}}).find("not a valid name"),
            std::string::npos);
  EXPECT_NE(TemplateRefusal("{}", {{"x", "detail.x"}}).find("must begin with $"), std::string::npos);
  std::map<std::string, std::string> many;
  for (int i = 0; i <= 100; ++i) many["v" + std::to_string(i)] = "$.x";
  EXPECT_NE(TemplateRefusal("{}", many).find("at most 100"), std::string::npos);
}

std::string TargetRender(const nlohmann::json& target, const char* event = kEvent) {
  Result<TargetInput> t = TargetInput::FromTarget(target);
  EXPECT_TRUE(t.ok()) << target.dump() << ": " << t.status().ToString();
  Result<JsonValue> e = ParseJson(event);
  return t.ok() && e.ok() ? t->Render(*e, kInvocation) : "";
}

TEST(TargetInputTest, TheWholeEventAConstantAPathOrATemplate) {
  nlohmann::json target = {{"Id", "t1"}, {"Arn", "arn:aws:states:us-east-1:1:stateMachine:m"}};
  EXPECT_EQ(ParseJson(TargetRender(target)).value(), ParseJson(kEvent).value());
  target["Input"] = R"({"fixed": [1, 2.50]})";
  EXPECT_EQ(TargetRender(target), R"({"fixed":[1,2.50]})");
  target.erase("Input");
  target["InputPath"] = "$.detail";
  EXPECT_EQ(TargetRender(target), R"({"instance-id":"i-0123456789","state":"RUNNING"})");
  target["InputPath"] = "$.detail.nothing";
  EXPECT_EQ(TargetRender(target), "null");
  target.erase("InputPath");
  target["InputTransformer"] = {{"InputPathsMap", {{"state", "$.detail.state"}}},
                                {"InputTemplate", R"({"s": <state>})"}};
  EXPECT_EQ(TargetRender(target), R"({"s": "RUNNING"})");
}

TEST(TargetInputTest, RefusesTwoInputsOrBadOnesNamingTheTarget) {
  nlohmann::json target = {{"Id", "t1"}, {"Arn", "x"}, {"Input", "{}"}, {"InputPath", "$"}};
  Result<TargetInput> t = TargetInput::FromTarget(target);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "Target t1: give at most one of Input, InputPath and InputTransformer");
  EXPECT_FALSE(TargetInput::FromTarget({{"Id", "t"}, {"Input", "{not json"}}).ok());
  EXPECT_FALSE(TargetInput::FromTarget({{"Id", "t"}, {"InputPath", "detail"}}).ok());
  EXPECT_FALSE(TargetInput::FromTarget({{"Id", "t"}, {"InputTransformer", {{"x", 1}}}}).ok());
}

}  // namespace
}  // namespace imagemill::events
