#include "util/status.h"

namespace imagemill {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "Ok";
    case Code::kNotFound: return "NotFound";
    case Code::kCorrupt: return "Corrupt";
    case Code::kUnsupported: return "Unsupported";
    case Code::kTooLarge: return "TooLarge";
    case Code::kThrottled: return "Throttled";
    case Code::kIo: return "Io";
    case Code::kPermissionDenied: return "PermissionDenied";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kInternal: return "Internal";
    case Code::kNotAnImage: return "NotAnImage";
  }
  return "Internal";
}

std::optional<Code> ParseCodeName(std::string_view name) {
  for (int c = 0; c <= static_cast<int>(Code::kNotAnImage); ++c) {
    if (CodeName(static_cast<Code>(c)) == name) return static_cast<Code>(c);
  }
  return std::nullopt;
}

bool IsRetryable(Code code) { return code == Code::kThrottled || code == Code::kIo; }

std::string Status::ToString() const {
  if (ok()) return "Ok";
  std::string s(CodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace imagemill
