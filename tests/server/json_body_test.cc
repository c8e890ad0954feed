#include "server/json_body.h"

#include <gtest/gtest.h>

namespace imagemill::server {
namespace {

std::string Big(char c, size_t n) { return std::string(n, c); }

TEST(JsonBodyTest, EqualsNlohmannsParseWithLongStringsCutOut) {
  const std::string b64 = Big('Q', 10000) + "==";
  for (std::string body : {
           "{\"Image\": {\"Bytes\": \"" + b64 + "\"}, \"MaxLabels\": 3}",
           "[\"" + b64 + "\", \"short\", {\"k\": \"" + b64 + "\"}]",
           // Long strings with escapes or non-ASCII go through the parser as they are.
           "{\"a\": \"" + Big('x', 5000) + "\\\"" + Big('y', 5000) + "\", \"b\": \"\xc3\xa9" +
               Big('z', 5000) + "\"}",
           "{\"short\": \"a\\\\\", \"long\": \"" + b64 + "\"}",
       }) {
    nlohmann::json expected = nlohmann::json::parse(body);
    EXPECT_EQ(ParseJsonBody(body), expected) << body.substr(0, 60);
  }
}

TEST(JsonBodyTest, InvalidJsonStaysInvalid) {
  const std::string b64 = Big('Q', 10000);
  EXPECT_TRUE(ParseJsonBody("{\"a\": \"" + b64 + "\"").is_discarded());
  EXPECT_TRUE(ParseJsonBody("{\"a\": \"" + b64).is_discarded());
  EXPECT_TRUE(ParseJsonBody("\"" + b64 + "\" \"" + b64 + "\"").is_discarded());
  EXPECT_TRUE(ParseJsonBody("{oops").is_discarded());
}

TEST(JsonBodyTest, AMarkerWrittenByTheClientCannotReachBeyondItsOwnStrings) {
  const std::string b64 = Big('Q', 10000);
  nlohmann::json doc =
      ParseJsonBody("{\"a\": \"" + b64 + "\", \"b\": \"\\u0001blob:7\", \"c\": \"\\u0001blob:0\"}");
  EXPECT_EQ(doc["a"], b64);
  EXPECT_EQ(doc["b"],
            "\x01"
            "blob:7");
  EXPECT_EQ(doc["c"], b64);  // the client's own string, nothing else
}

}  // namespace
}  // namespace imagemill::server
