#include "server/dynamodb/dynamodb_api.h"

#include <set>

#include "server/dynamodb/attribute_value.h"
#include "server/dynamodb/evaluate.h"
#include "server/dynamodb/expression.h"

namespace imagemill::server::dynamodb {
namespace {

constexpr size_t kMaxPageBytes = 1 << 20;  // Query and Scan stop after 1 MB of items
constexpr size_t kMaxBatchKeys = 100;

AwsError Validation(std::string m) { return AwsError::Validation(std::move(m)); }

// A member that must be a string, or absent.
std::optional<AwsError> OptionalString(const Json& r, const char* name) {
  if (r.contains(name) && !r[name].is_string()) {
    return Validation(std::string(name) + " must be a string.");
  }
  return std::nullopt;
}

// The parsed parts of a read request that share the expression placeholders.
struct ReadExpressions {
  ExpressionContext ctx;
  std::unique_ptr<Condition> filter;
  std::unique_ptr<Condition> key_condition;
  std::vector<Path> projection;
  bool has_projection = false;
};

// Parses FilterExpression, KeyConditionExpression (when `key`), ProjectionExpression and the
// legacy AttributesToGet of `r`, then refuses unused placeholders.
std::optional<AwsError> ParseExpressions(const Json& r, bool filter, bool key,
                                         ReadExpressions* out) {
  for (const char* m : {"ExpressionAttributeNames", "ExpressionAttributeValues"}) {
    if (r.contains(m) && (!r[m].is_object() || r[m].empty())) {
      return Validation(std::string(m) +
                        " must not be empty: leave it out when no expression "
                        "uses a placeholder.");
    }
  }
  for (const char* m : {"FilterExpression", "KeyConditionExpression", "ProjectionExpression"}) {
    if (auto e = OptionalString(r, m)) return e;
  }
  for (const char* m : {"ScanFilter", "QueryFilter", "ConditionalOperator", "KeyConditions"}) {
    if (r.contains(m)) {
      return Validation(std::string(m) +
                        " (a legacy parameter) is not supported by imagemill: "
                        "use FilterExpression and KeyConditionExpression.");
    }
  }
  if (r.contains("ExpressionAttributeNames")) out->ctx.names = &r["ExpressionAttributeNames"];
  if (r.contains("ExpressionAttributeValues")) out->ctx.values = &r["ExpressionAttributeValues"];
  std::string error;
  if (key && r.contains("KeyConditionExpression")) {
    out->key_condition =
        ParseCondition(r["KeyConditionExpression"], "KeyConditionExpression", out->ctx, &error);
    if (!out->key_condition) return Validation(error);
  }
  if (filter && r.contains("FilterExpression")) {
    out->filter = ParseCondition(r["FilterExpression"], "FilterExpression", out->ctx, &error);
    if (!out->filter) return Validation(error);
  }
  if (r.contains("ProjectionExpression")) {
    if (r.contains("AttributesToGet")) {
      return Validation(
          "Can not use both expression and non-expression parameters in the same "
          "request: Non-expression parameters: {AttributesToGet} Expression "
          "parameters: {ProjectionExpression}");
    }
    if (!ParseProjection(r["ProjectionExpression"], out->ctx, &out->projection, &error)) {
      return Validation(error);
    }
    out->has_projection = true;
  } else if (r.contains("AttributesToGet")) {
    const Json& names = r["AttributesToGet"];
    if (!names.is_array() || names.empty()) {
      return Validation("AttributesToGet must be a non-empty list of attribute names.");
    }
    for (const Json& n : names) {
      if (!n.is_string()) return Validation("AttributesToGet must list strings.");
      out->projection.push_back({PathElement{n.get<std::string>(), -1}});
    }
    out->has_projection = true;
  }
  std::string unused = UnusedPlaceholders(out->ctx);
  if (!unused.empty()) return Validation(unused);
  return std::nullopt;
}

Json Shape(const Json& item, const ReadExpressions& e) {
  return e.has_projection ? Project(item, e.projection) : item;
}

void AddConsumedCapacity(const Json& request, const std::string& table, double units, Json& out) {
  if (request.contains("ReturnConsumedCapacity") && request["ReturnConsumedCapacity"] != "NONE") {
    out["ConsumedCapacity"] = {{"TableName", table}, {"CapacityUnits", units}};
  }
}

// The select mode, or the ValidationException.
AwsResult<std::string> SelectOf(const Json& r, bool has_projection) {
  std::string select = "ALL_ATTRIBUTES";
  if (r.contains("Select")) {
    if (!r["Select"].is_string()) return Validation("Select must be a string.");
    select = r["Select"];
  }
  if (select != "ALL_ATTRIBUTES" && select != "COUNT" && select != "SPECIFIC_ATTRIBUTES") {
    return Validation("1 validation error detected: Value '" + select +
                      "' at 'select' failed to satisfy constraint: Member must satisfy enum value "
                      "set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES] (imagemill's table has "
                      "no index, so no ALL_PROJECTED_ATTRIBUTES)");
  }
  if (select == "ALL_ATTRIBUTES" && has_projection && r.contains("Select")) {
    return Validation(
        "Cannot specify the AttributesToGet or ProjectionExpression when choosing "
        "to get ALL_ATTRIBUTES");
  }
  if (select == "COUNT" && has_projection) {
    return Validation(
        "Cannot specify the AttributesToGet or ProjectionExpression when choosing "
        "to get COUNT");
  }
  return select;
}

}  // namespace

int64_t SegmentOf(const std::string& id, int64_t total) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a, 64 bits
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<int64_t>(h % static_cast<uint64_t>(total));
}

ServiceInfo DynamoDbApi::Service() {
  return {"DynamoDB_20120810", "dynamodb", "1.0", "ThrottlingException"};
}

DynamoDbApi::DynamoDbApi(TableConfig config, ItemSource& items)
    : config_(std::move(config)), items_(items) {}

std::optional<AwsError> DynamoDbApi::CheckTable(const Json& request, const char* member) const {
  if (!request.contains(member) || !request[member].is_string()) {
    return Validation(std::string("1 validation error detected: Value null at '") + member +
                      "' failed to satisfy constraint: Member must not be null");
  }
  const std::string& name = request[member].get_ref<const std::string&>();
  if (name == config_.name || name == TableArn(config_.arn, config_.name)) return std::nullopt;
  return AwsError::NotFound("Requested resource not found: Table: " + name +
                            " not found (this server has one table, '" + config_.name + "')");
}

AwsResult<std::string> DynamoDbApi::KeyId(const Json& key, const std::string& where) const {
  if (!key.is_object() || key.size() != 1 || !key.contains("id")) {
    return Validation("The provided key element does not match the schema: " + where +
                      " must be {\"id\": {\"S\": \"<object key>\"}}, the table's only key");
  }
  const Json& v = key["id"];
  if (AttributeType(v) != "S") {
    return Validation("The provided key element does not match the schema: " + where +
                      ".id must be a string ({\"S\": ...})");
  }
  return v["S"].get<std::string>();
}

AwsResult<Json> DynamoDbApi::DescribeTable(const Json& r) {
  if (auto e = CheckTable(r)) return *e;
  const int64_t count = items_.Count();
  Json table = {
      {"TableName", config_.name},
      {"TableArn", TableArn(config_.arn, config_.name)},
      {"TableId", "00000000-0000-4000-8000-000000000000"},
      {"TableStatus", "ACTIVE"},
      {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
      {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
      {"ItemCount", count},
      {"TableSizeBytes", 0},
      {"CreationDateTime", config_.created_unix},
      {"BillingModeSummary", {{"BillingMode", "PAY_PER_REQUEST"}}},
      {"ProvisionedThroughput",
       {{"NumberOfDecreasesToday", 0}, {"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}}}};
  return Json{{"Table", std::move(table)}};
}

AwsResult<Json> DynamoDbApi::ListTables(const Json& r) {
  if (auto e = OptionalString(r, "ExclusiveStartTableName")) return *e;
  if (r.contains("Limit") &&
      (!r["Limit"].is_number_integer() || r["Limit"] < 1 || r["Limit"] > 100)) {
    return Validation(
        "1 validation error detected: Value at 'limit' failed to satisfy "
        "constraint: Member must have value between 1 and 100");
  }
  Json names = Json::array();
  if (!r.contains("ExclusiveStartTableName") || r["ExclusiveStartTableName"] < config_.name) {
    names.push_back(config_.name);
  }
  return Json{{"TableNames", std::move(names)}};
}

AwsResult<Json> DynamoDbApi::GetItem(const Json& r) {
  if (auto e = CheckTable(r)) return *e;
  if (!r.contains("Key")) {
    return Validation(
        "1 validation error detected: Value null at 'key' failed to satisfy "
        "constraint: Member must not be null");
  }
  AwsResult<std::string> id = KeyId(r["Key"], "Key");
  if (!id.ok()) return id.error();
  ReadExpressions e;
  if (auto err = ParseExpressions(r, false, false, &e)) return *err;
  Json out = Json::object();
  std::optional<Json> item = items_.Get(*id);
  if (item) out["Item"] = Shape(*item, e);
  AddConsumedCapacity(r, config_.name, 0.5, out);
  return out;
}

AwsResult<Json> DynamoDbApi::BatchGetItem(const Json& r) {
  if (!r.contains("RequestItems") || !r["RequestItems"].is_object() || r["RequestItems"].empty()) {
    return Validation(
        "1 validation error detected: Value at 'requestItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1");
  }
  Json responses = Json::object();
  size_t total_keys = 0;
  for (const auto& [table, spec] : r["RequestItems"].items()) {
    Json probe = {{"TableName", table}};
    if (auto e = CheckTable(probe)) return *e;
    if (!spec.is_object() || !spec.contains("Keys") || !spec["Keys"].is_array() ||
        spec["Keys"].empty()) {
      return Validation("RequestItems." + table + ".Keys must be a non-empty list of keys.");
    }
    total_keys += spec["Keys"].size();
    if (total_keys > kMaxBatchKeys) {
      return Validation("Too many items requested for the BatchGetItem call: at most 100 keys.");
    }
    ReadExpressions e;
    if (auto err = ParseExpressions(spec, false, false, &e)) return *err;
    std::set<std::string> seen;
    Json items = Json::array();
    for (size_t i = 0; i < spec["Keys"].size(); ++i) {
      AwsResult<std::string> id =
          KeyId(spec["Keys"][i], "RequestItems." + table + ".Keys[" + std::to_string(i) + "]");
      if (!id.ok()) return id.error();
      if (!seen.insert(*id).second) {
        return Validation("Provided list of item keys contains duplicates: id '" + *id + "'");
      }
      std::optional<Json> item = items_.Get(*id);
      if (item) items.push_back(Shape(*item, e));
    }
    responses[table] = std::move(items);
  }
  return Json{{"Responses", std::move(responses)}, {"UnprocessedKeys", Json::object()}};
}

AwsResult<Json> DynamoDbApi::Query(const Json& r) {
  if (auto e = CheckTable(r)) return *e;
  if (r.contains("IndexName")) {
    return Validation("The table does not have the specified index: " + r["IndexName"].dump() +
                      " (imagemill's table has no index)");
  }
  if (!r.contains("KeyConditionExpression")) {
    return Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be "
        "specified in the request.");
  }
  ReadExpressions e;
  if (auto err = ParseExpressions(r, true, true, &e)) return *err;
  const Condition& k = *e.key_condition;
  const bool id_equals = k.kind == Condition::Kind::kCompare && k.op == "=" &&
                         k.operands[0].kind == Operand::Kind::kPath &&
                         k.operands[0].path.size() == 1 && k.operands[0].path[0].name == "id" &&
                         k.operands[1].kind == Operand::Kind::kValue;
  if (!id_equals) {
    return Validation(
        "Query key condition not supported: the table's only key is the hash key "
        "'id', so the condition must be \"id = :value\"");
  }
  if (AttributeType(k.operands[1].value) != "S") {
    return Validation(
        "One or more parameter values were invalid: Condition parameter type does "
        "not match schema type (id is a string)");
  }
  AwsResult<std::string> select = SelectOf(r, e.has_projection);
  if (!select.ok()) return select.error();
  std::optional<Json> item = items_.Get(k.operands[1].value["S"].get<std::string>());
  Json items = Json::array();
  int64_t count = 0;
  if (item && (!e.filter || Evaluate(*e.filter, *item))) {
    ++count;
    if (*select != "COUNT") items.push_back(Shape(*item, e));
  }
  Json out = {{"Count", count}, {"ScannedCount", item ? 1 : 0}};
  if (*select != "COUNT") out["Items"] = std::move(items);
  AddConsumedCapacity(r, config_.name, 0.5, out);
  return out;
}

AwsResult<Json> DynamoDbApi::Scan(const Json& r) {
  if (auto e = CheckTable(r)) return *e;
  if (r.contains("IndexName")) {
    return Validation("The table does not have the specified index: " + r["IndexName"].dump() +
                      " (imagemill's table has no index)");
  }
  int64_t limit = 0;
  if (r.contains("Limit")) {
    if (!r["Limit"].is_number_integer() || r["Limit"].get<int64_t>() < 1) {
      return Validation(
          "1 validation error detected: Value at 'limit' failed to satisfy "
          "constraint: Member must have value greater than or equal to 1");
    }
    limit = r["Limit"];
  }
  const bool has_segment = r.contains("Segment"), has_total = r.contains("TotalSegments");
  if (has_segment != has_total) {
    return Validation(
        "The TotalSegments parameter is required but was not present in the "
        "request when Segment parameter is present (and the other way round)");
  }
  int64_t segment = 0, total = 1;
  if (has_total) {
    if (!r["TotalSegments"].is_number_integer() || r["TotalSegments"] < 1 ||
        r["TotalSegments"] > 1000000) {
      return Validation(
          "1 validation error detected: Value at 'totalSegments' failed to "
          "satisfy constraint: Member must have value between 1 and 1000000");
    }
    total = r["TotalSegments"];
    if (!r["Segment"].is_number_integer() || r["Segment"] < 0 || r["Segment"] >= total) {
      return Validation(
          "The Segment parameter is zero-based and must be less than parameter "
          "TotalSegments: Segment: " +
          r["Segment"].dump() + " is not less than TotalSegments: " + std::to_string(total));
    }
    segment = r["Segment"];
  }
  const Json* start = nullptr;
  if (r.contains("ExclusiveStartKey")) {
    const Json& key = r["ExclusiveStartKey"];
    std::string problem = items_.CheckStartKey(key);
    if (!problem.empty()) return Validation(problem);
    if (has_total && SegmentOf(key["id"]["S"].get<std::string>(), total) != segment) {
      return Validation("The provided Exclusive start key does not map to the provided segment");
    }
    start = &key;
  }
  ReadExpressions e;
  if (auto err = ParseExpressions(r, true, false, &e)) return *err;
  AwsResult<std::string> select = SelectOf(r, e.has_projection);
  if (!select.ok()) return select.error();

  Json items = Json::array();
  int64_t count = 0, scanned = 0;
  size_t bytes = 0;
  std::optional<Json> last;
  items_.Scan(start, [&](const std::string& id, const Json& key, const Json& item) {
    if (total > 1 && SegmentOf(id, total) != segment) return true;
    ++scanned;
    bytes += ItemSize(item);
    if (!e.filter || Evaluate(*e.filter, item)) {
      ++count;
      if (*select != "COUNT") items.push_back(Shape(item, e));
    }
    if ((limit > 0 && scanned >= limit) || bytes >= kMaxPageBytes) {
      last = key;
      return false;
    }
    return true;
  });
  Json out = {{"Count", count}, {"ScannedCount", scanned}};
  if (*select != "COUNT") out["Items"] = std::move(items);
  if (last) out["LastEvaluatedKey"] = std::move(*last);
  AddConsumedCapacity(r, config_.name, 0.5 * static_cast<double>(1 + bytes / 4096), out);
  return out;
}

void DynamoDbApi::Register(ApiRouter& router) {
  router.AddService(Service());
  const std::string p = Service().target_prefix + ".";
  router.AddOperation(p + "ListTables", Lane::kInline,
                      [this](const Json& r) { return ListTables(r); });
  router.AddOperation(p + "DescribeTable", Lane::kPool,
                      [this](const Json& r) { return DescribeTable(r); });
  router.AddOperation(p + "GetItem", Lane::kPool, [this](const Json& r) { return GetItem(r); });
  router.AddOperation(p + "BatchGetItem", Lane::kPool,
                      [this](const Json& r) { return BatchGetItem(r); });
  router.AddOperation(p + "Query", Lane::kPool, [this](const Json& r) { return Query(r); });
  router.AddOperation(p + "Scan", Lane::kPool, [this](const Json& r) { return Scan(r); });
  for (const char* write : {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                            "TransactWriteItems", "CreateTable", "DeleteTable", "UpdateTable"}) {
    const std::string name = write;
    router.AddOperation(p + name, Lane::kInline, [name](const Json&) -> AwsResult<Json> {
      return AwsError{400, "AccessDeniedException",
                      name +
                          " is not allowed: imagemill's results table is written by "
                          "executions only (start one with StartExecution or PutEvents)."};
    });
  }
}

}  // namespace imagemill::server::dynamodb
