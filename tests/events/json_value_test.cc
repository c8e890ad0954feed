#include "events/json_value.h"

#include <gtest/gtest.h>

#include <string>

namespace imagemill::events {
namespace {

TEST(JsonValueTest, KeepsNumbersAsWritten) {
  Result<JsonValue> v = ParseJson(R"({"a": 300, "b": 300.0, "c": 3.0e2, "d": -0.5E-3,
                                      "e": 123456789012345678901234567890})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Find("a")->text(), "300");
  EXPECT_EQ(v->Find("b")->text(), "300.0");
  EXPECT_EQ(v->Find("c")->text(), "3.0e2");
  EXPECT_DOUBLE_EQ(v->Find("c")->number(), 300.0);
  EXPECT_DOUBLE_EQ(v->Find("d")->number(), -0.0005);
  EXPECT_EQ(v->Find("e")->text(), "123456789012345678901234567890");
  EXPECT_EQ(ToJson(*v),
            R"({"a":300,"b":300.0,"c":3.0e2,"d":-0.5E-3,"e":123456789012345678901234567890})");
}

TEST(JsonValueTest, RoundTripsStringsArraysAndLiterals) {
  std::string text = R"({"s":"q\"b\\n\n\u0001é","a":[1,[true,false,null],{}],"o":{"x":""}})";
  Result<JsonValue> v = ParseJson(text);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Find("s")->text(), "q\"b\\n\n\x01\xc3\xa9");
  EXPECT_EQ(ToJson(*v), text);
  EXPECT_EQ(v->Find("missing"), nullptr);
  EXPECT_EQ(v->Find("a")->Find("x"), nullptr);
}

TEST(JsonValueTest, AKeyGivenTwiceKeepsItsLastValueInItsFirstPlace) {
  Result<JsonValue> v = ParseJson(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToJson(*v), R"({"a":3,"b":2})");
}

TEST(JsonValueTest, RefusesWhatIsNotOneJsonValue) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "{} {}", "'x'", "\"\xff\"", "nul"}) {
    Result<JsonValue> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), Code::kInvalidArgument) << bad;
  }
  Result<JsonValue> v = ParseJson("{\"a\": tru}");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("line 1, column"), std::string::npos) << v.status().message();
}

TEST(JsonValueTest, RefusesNestingDeeperThanTheLimit) {
  std::string ok(kMaxJsonDepth, '['), too_deep(kMaxJsonDepth + 1, '[');
  ok += std::string(kMaxJsonDepth, ']');
  too_deep += std::string(kMaxJsonDepth + 1, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  Result<JsonValue> v = ParseJson(too_deep);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("nested deeper than"), std::string::npos);
}

TEST(JsonValueTest, BuildsObjectsAndQuotesStrings) {
  JsonValue o = JsonValue::Object();
  o.Set("k", JsonValue::String("v"));
  o.Set("n", JsonValue::Number("1.50"));
  o.Set("k", JsonValue::Bool(false));
  JsonValue a = JsonValue::Array();
  a.Append(JsonValue());
  o.Set("a", a);
  EXPECT_EQ(ToJson(o), R"({"k":false,"n":1.50,"a":[null]})");
  EXPECT_EQ(QuoteJson("a\"\t\x1f"), "\"a\\\"\\t\\u001f\"");
}

}  // namespace
}  // namespace imagemill::events
