// ValueMatcher: one entry of the array an event pattern gives a field, the test one value of the
// event must pass: a literal (string, number, true, false, null: an exact match) or a match
// expression, an object with one key:
//
//   {"prefix": "us-"}          {"prefix": {"equals-ignore-case": "US-"}}
//   {"suffix": ".png"}         {"suffix": {"equals-ignore-case": ".PNG"}}
//   {"equals-ignore-case": "alice"}                 {"wildcard": "dir/*.png"}
//   {"anything-but": "x" | 5 | ["x", "y"] | [1, 2] | {"prefix" | "suffix" | "equals-ignore-case"
//                    | "wildcard": "x" | ["x", "y"]}}
//   {"numeric": ["=", 5]}  {"numeric": [">", 0, "<=", 5]}  {"numeric": ["<", 10]}
//   {"exists": true | false}   {"cidr": "10.0.0.0/24"}
//
// As in EventBridge: string matches see strings only; numeric sees numbers only; an exact match
// of a number compares the number's text; anything-but matches every value its inner match does
// not (so {"anything-but": {"prefix": "a"}} matches a number). Immutable once parsed; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "events/cidr.h"
#include "events/json_value.h"
#include "events/text_match.h"
#include "util/status.h"

namespace imagemill::events {

class ValueMatcher {
 public:
  // The exact match of `literal`. REQUIRES: a string, number, boolean or null.
  static ValueMatcher Literal(const JsonValue& literal);
  // A match expression. InvalidArgument with the reason EventBridge gives for a bad one ("prefix
  // match pattern must be a string", "Unrecognized match type pre-fix", ...).
  static Result<ValueMatcher> ParseExpression(const JsonValue& expression);

  // {"exists": ...}: decided by the presence of the field, not by a value.
  bool is_exists() const { return op_ == Op::kExists; }
  bool exists() const { return exists_; }

  // True when `value` (a string, number, boolean or null) passes. REQUIRES: !is_exists().
  bool Matches(const JsonValue& value) const;

 private:
  enum class Op {
    kExact,
    kEqualsIgnoreCase,
    kPrefix,
    kPrefixIgnoreCase,
    kSuffix,
    kSuffixIgnoreCase,
    kWildcard,
    kNumeric,
    kCidr,
    kExists,
    kAnythingBut,  // strings_ or numbers_
    kAnythingButPrefix,
    kAnythingButSuffix,
    kAnythingButIgnoreCase,
    kAnythingButWildcard,
  };

  static Result<ValueMatcher> ParseAnythingBut(const JsonValue& operand);
  static Result<ValueMatcher> ParseNumeric(const JsonValue& operand);
  bool StringMatches(const std::string& s) const;

  Op op_ = Op::kExact;
  JsonValue literal_;                 // kExact
  std::vector<std::string> strings_;  // folded for the ignore-case kinds
  std::vector<double> numbers_;       // kAnythingBut of numbers
  std::vector<Wildcard> wildcards_;
  IpRange range_;
  bool exists_ = false;
  // kNumeric: the bounds that apply, each open (strict) or closed.
  bool has_low_ = false, low_open_ = false, has_high_ = false, high_open_ = false;
  double low_ = 0, high_ = 0;
};

}  // namespace imagemill::events
