// DynamoDB's attribute-value JSON, the form items travel in over the DynamoDB API:
//   {"S": "text"}  {"N": "12.5"}  {"B": "<base64>"}  {"BOOL": true}  {"NULL": true}
//   {"M": {"name": <value>, ...}}  {"L": [<value>, ...]}  {"SS": [...]}  {"NS": [...]}  {"BS":
//   [...]}
// An item is a JSON object of attribute name -> attribute value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace imagemill::server::dynamodb {

using Json = nlohmann::json;

// Plain JSON to an attribute value: strings S, numbers N, booleans BOOL, null NULL, arrays L,
// objects M.
Json ToAttributeValue(const Json& value);

// The type tag of a well-formed attribute value ("S", "N", "M", ...), or "" when `value` is not
// one: a JSON object with exactly one member among the ten types, of the right JSON type (S, N,
// B strings; BOOL a boolean; NULL true; M an object of attribute values; L an array of them;
// SS, NS, BS non-empty arrays of strings; N and NS numbers as text that parses as a number).
std::string_view AttributeType(const Json& value);

// A message naming the first problem in `value` ("" when it is a well-formed attribute value),
// `where` naming it for the message ("ExpressionAttributeValues[:v]").
std::string ValidateAttributeValue(const Json& value, std::string_view where);

// The number an N attribute holds, or nullopt when the text is not a number. Numbers are
// compared as long double: exact to 18 significant digits, where DynamoDB keeps 38.
std::optional<long double> ParseNumber(std::string_view text);

// Equality as DynamoDB defines it: same type and value; numbers by value ("1.0" = "1"), sets
// regardless of order.
bool AttributeEquals(const Json& a, const Json& b);

// The item's size in bytes as DynamoDB counts it, approximately (names plus values), for the
// 1 MB page limit of Query and Scan.
size_t ItemSize(const Json& item);

}  // namespace imagemill::server::dynamodb
