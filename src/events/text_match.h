// The string comparisons of event patterns: case-insensitive equality, prefix and suffix, and
// wildcards ("*" for any run of characters, "\*" for a star, "\\" for a backslash).
//
// Case folding covers the letters of Latin (ASCII, Latin-1, Latin Extended-A), Greek and
// Cyrillic; other characters compare as they are. All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace imagemill::events {

// `s` with every letter folded to its lower case. Bytes that are not valid UTF-8 are kept.
std::string FoldCase(std::string_view s);

bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

// A wildcard pattern, compiled.
class Wildcard {
 public:
  // InvalidArgument naming the position of two stars in a row or of a backslash that escapes
  // something other than '*' or '\'.
  static Result<Wildcard> Parse(std::string_view pattern);

  // True when the whole of `s` matches. Linear in |s| times the number of stars at worst.
  bool Matches(std::string_view s) const;

 private:
  // The literal runs between stars; a star before the first run and after the last one are
  // recorded by the flags.
  std::vector<std::string> runs_;
  bool leading_star_ = false;
  bool trailing_star_ = false;
};

}  // namespace imagemill::events
