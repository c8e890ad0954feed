// Evaluating parsed expressions (expression.h) against an item in attribute-value JSON, as
// DynamoDB does:
//   - a path that is not in the item makes every comparison with it false (<> too);
//   - <, <=, >, >= and BETWEEN compare S with S and B with B by bytes, N with N by value, and
//     are false across types; = and <> compare any two values (attribute_value.h's equality);
//   - begins_with takes S or B; contains(path, v) is a substring for S, membership for SS, NS,
//     BS and L; size() is a string's bytes, a binary's decoded bytes, a set's, list's or map's
//     elements;
//   - attribute_type(path, :t) compares the type tag with the S value :t.
#pragma once

#include <vector>

#include "server/dynamodb/expression.h"

namespace imagemill::server::dynamodb {

// True when `item` (attribute name -> attribute value) satisfies `condition`.
bool Evaluate(const Condition& condition, const Json& item);

// The value at `path` in `item`, or null when there is none.
const Json* Resolve(const Path& path, const Json& item);

// `item` reduced to `paths` (ProjectionExpression): nested maps keep only the projected
// members, lists only the projected elements (in index order, compacted, as DynamoDB answers).
Json Project(const Json& item, const std::vector<Path>& paths);

}  // namespace imagemill::server::dynamodb
