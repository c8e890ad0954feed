// DynamoDB's expression language, the subset imagemill's read-only table needs:
//
//   condition  := or
//   or         := and { OR and }
//   and        := not { AND not }
//   not        := NOT not | primary
//   primary    := ( condition )
//               | function ( path [, operand] )        attribute_exists, attribute_not_exists,
//                                                       attribute_type, begins_with, contains
//               | operand comparator operand            = <> < <= > >=
//               | operand BETWEEN operand AND operand
//               | operand IN ( operand {, operand} )
//   operand    := path | :value | size ( path )
//   path       := name { . name | [ index ] }          name: a plain name or a #placeholder
//   projection := path {, path}
//
// Keywords and function names are case-insensitive. #names resolve through
// ExpressionAttributeNames and :values through ExpressionAttributeValues while parsing, so a
// parsed expression holds real names and values; every error is a ValidationException message
// in DynamoDB's words ("Invalid FilterExpression: Syntax error; token: ...", "An expression
// attribute name used in the document path is not defined; attribute name: #x"). Not supported:
// update expressions (the table is read-only) and the reserved-word check.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace imagemill::server::dynamodb {

using Json = nlohmann::json;

struct PathElement {
  std::string name;  // a map member; empty for a list index
  int index = -1;    // a list index, when name is empty
};
using Path = std::vector<PathElement>;

struct Operand {
  enum class Kind { kPath, kValue, kSize };
  Kind kind = Kind::kPath;
  Path path;   // kPath, kSize
  Json value;  // kValue: an attribute value
};

struct Condition {
  enum class Kind { kCompare, kBetween, kIn, kAnd, kOr, kNot, kFunction };
  Kind kind = Kind::kCompare;
  std::string op;                 // kCompare: "=", "<>", "<", "<=", ">", ">="; kFunction: its name
  std::vector<Operand> operands;  // kCompare 2, kBetween 3, kIn 2+, kFunction 1-2
  std::vector<std::unique_ptr<Condition>> children;  // kAnd, kOr 2; kNot 1
};

// The placeholders of one request and which of them its expressions used.
struct ExpressionContext {
  const Json* names = nullptr;   // ExpressionAttributeNames, or null
  const Json* values = nullptr;  // ExpressionAttributeValues, or null
  std::set<std::string> used_names;
  std::set<std::string> used_values;
};

// Parses a condition (FilterExpression, KeyConditionExpression). `what` names the parameter for
// messages. On failure returns null and sets `*error`.
std::unique_ptr<Condition> ParseCondition(const std::string& text, const std::string& what,
                                          ExpressionContext& ctx, std::string* error);

// Parses a ProjectionExpression. On failure returns false and sets `*error`.
bool ParseProjection(const std::string& text, ExpressionContext& ctx, std::vector<Path>* paths,
                     std::string* error);

// After every expression of a request is parsed: a message naming placeholders that were
// given but not used ("Value provided in ExpressionAttributeValues unused in expressions:
// keys: {:x}"), as DynamoDB refuses them, or "".
std::string UnusedPlaceholders(const ExpressionContext& ctx);

// "labels[0].Name" for messages.
std::string PathToString(const Path& path);

}  // namespace imagemill::server::dynamodb
