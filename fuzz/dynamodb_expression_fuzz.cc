// libFuzzer target for DynamoDB expressions (server/dynamodb/expression.h, evaluate.h):
// FilterExpression, KeyConditionExpression and ProjectionExpression arrive as untrusted text.
// The input is an expression; it is parsed as a condition and as a projection with a fixed set
// of placeholders, and whatever parses is evaluated and projected against a fixed item.
// Built and run by `make fuzz` (fuzz/dynamodb_expression.dict helps it find the keywords).
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/dynamodb/evaluate.h"
#include "server/dynamodb/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imagemill::server::dynamodb;  // NOLINT
  static const Json kItem = Json::parse(R"({
    "id": {"S": "sample/dog.jpg"}, "size": {"N": "163759"}, "tags": {"SS": ["a", "b"]},
    "labels": {"L": [{"M": {"Name": {"S": "Dog"}, "Confidence": {"N": "91.5"}}}]},
    "flag": {"BOOL": true}, "nothing": {"NULL": true}, "blob": {"B": "AAEC"}})");
  static const Json kNames = {{"#a", "labels"}, {"#b", "Name"}, {"#c", "size"}};
  static const Json kValues = {{":s", {{"S", "Dog"}}},
                               {":n", {{"N", "10"}}},
                               {":l", {{"L", {{{"S", "x"}}}}}},
                               {":t", {{"S", "SS"}}}};
  std::string text(reinterpret_cast<const char*>(data), size);
  ExpressionContext ctx;
  ctx.names = &kNames;
  ctx.values = &kValues;
  std::string error;
  auto condition = ParseCondition(text, "FilterExpression", ctx, &error);
  if (condition) {
    (void)Evaluate(*condition, kItem);
  } else if (error.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  std::vector<Path> paths;
  if (ParseProjection(text, ctx, &paths, &error)) (void)Project(kItem, paths);
  (void)UnusedPlaceholders(ctx);
  return 0;
}
