#include "events/text_match.h"

#include <cstdint>

#include "util/utf8.h"

namespace imagemill::events {
namespace {

// The lower case of `cp` among the scripts named in the header; `cp` itself otherwise.
uint32_t Lower(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x178) return 0xFF;
    if (cp == 0x130) return 'i';
    bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    bool even_upper = (cp <= 0x137) || (cp >= 0x14A && cp <= 0x177);
    if (odd_upper && (cp % 2) == 1) return cp + 1;
    if (even_upper && (cp % 2) == 0) return cp + 1;
    if (cp == 0x17F) return 's';  // long s
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
  if (cp == 0x3C2) return 0x3C3;  // final sigma
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF)) && cp % 2 == 0) {
    return cp + 1;
  }
  return cp;
}

}  // namespace

std::string FoldCase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(s, i, cp);
    if (len == 0) {
      out += s[i++];
      continue;
    }
    AppendUtf8(Lower(cp), out);
    i += len;
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<Wildcard> Wildcard::Parse(std::string_view pattern) {
  Wildcard w;
  std::string run;
  bool star_pending = false;  // a star was read and the run after it not yet started
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        return Status::InvalidArgument("Consecutive wildcard characters at pos " +
                                       std::to_string(i));
      }
      if (w.runs_.empty() && run.empty() && !star_pending) {
        w.leading_star_ = true;
      } else {
        w.runs_.push_back(std::move(run));
        run.clear();
      }
      star_pending = true;
      continue;
    }
    if (c == '\\') {
      if (i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
        run += pattern[++i];
        star_pending = false;
        continue;
      }
      return Status::InvalidArgument("Invalid escape character at pos " + std::to_string(i));
    }
    run += c;
    star_pending = false;
  }
  if (star_pending) {
    w.trailing_star_ = true;
  } else {
    w.runs_.push_back(std::move(run));
  }
  return w;
}

bool Wildcard::Matches(std::string_view s) const {
  if (runs_.empty()) return true;  // "*"
  size_t first = 0, last = runs_.size();
  size_t pos = 0, end = s.size();
  if (!leading_star_) {
    if (!StartsWith(s, runs_[0])) return false;
    pos = runs_[0].size();
    first = 1;
  }
  if (!trailing_star_ && last > first) {
    const std::string& tail = runs_[last - 1];
    if (end - pos < tail.size() || !EndsWith(s, tail)) return false;
    end -= tail.size();
    --last;
  } else if (!trailing_star_ && !leading_star_ && runs_.size() == 1) {
    return s.size() == runs_[0].size();  // no star at all: an exact comparison
  }
  // The runs between stars, each at its leftmost place after the one before: taking the
  // leftmost place never loses a match.
  for (size_t k = first; k < last; ++k) {
    size_t at = s.substr(0, end).find(runs_[k], pos);
    if (at == std::string_view::npos) return false;
    pos = at + runs_[k].size();
  }
  return pos <= end;
}

}  // namespace imagemill::events
