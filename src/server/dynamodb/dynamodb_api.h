// DynamoDbApi: DynamoDB's JSON API (DynamoDB_20120810, JSON 1.0) over imagemill's results
// table, read-only, under one table name (the seed's DYNAMODB_TABLE_NAME,
// "serverless-data-processing-table" by default). The table's key is the seed's: `id`, a string
// hash key, no sort key, no indexes.
//
//   DescribeTable, ListTables        the one table
//   GetItem, BatchGetItem            by id (at most 100 keys), ProjectionExpression
//   Query                            KeyConditionExpression "id = :v" (the only key), filters
//   Scan                             Limit, ExclusiveStartKey/LastEvaluatedKey, Segment and
//                                    TotalSegments, FilterExpression, ProjectionExpression,
//                                    Select, pages of at most 1 MB as DynamoDB's
//   PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, CreateTable,
//   DeleteTable, UpdateTable         AccessDeniedException: executions write the table
//
// Every operation is a function from the request JSON to the response JSON or an AwsError
// shaped as DynamoDB's (ResourceNotFoundException for another table, ValidationException with
// DynamoDB's wording). Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "server/api_router.h"
#include "server/arn.h"
#include "server/aws_error.h"
#include "server/dynamodb/item_source.h"

namespace imagemill::server::dynamodb {

struct TableConfig {
  std::string name = "serverless-data-processing-table";
  ArnContext arn;
  int64_t created_unix = 0;  // CreationDateTime
};

class DynamoDbApi {
 public:
  // `items` must outlive the API.
  DynamoDbApi(TableConfig config, ItemSource& items);

  AwsResult<Json> DescribeTable(const Json& request);
  AwsResult<Json> ListTables(const Json& request);
  AwsResult<Json> GetItem(const Json& request);
  AwsResult<Json> BatchGetItem(const Json& request);
  AwsResult<Json> Query(const Json& request);
  AwsResult<Json> Scan(const Json& request);

  // Adds the service and its operations (reads on the request pool) to `router`.
  void Register(ApiRouter& router);

  static ServiceInfo Service();

 private:
  // ResourceNotFoundException unless `request`'s TableName (or ARN) is the table.
  std::optional<AwsError> CheckTable(const Json& request, const char* member = "TableName") const;
  // The id of a Key ({"id": {"S": ...}}), or the ValidationException.
  AwsResult<std::string> KeyId(const Json& key, const std::string& where) const;

  const TableConfig config_;
  ItemSource& items_;
};

// Which of `total` segments `id` belongs to (a stable hash of the id).
int64_t SegmentOf(const std::string& id, int64_t total);

}  // namespace imagemill::server::dynamodb
