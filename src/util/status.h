// Status and Result<T>: how an expected failure on one object travels as a value.
//
// What can go wrong with one image (not found, corrupt, unsupported, too large, throttled) is a
// Status with a code from a small closed set and a message that names the object and says what
// to do. It is recorded against that item and never stops a run. Exceptions are reserved for
// what aborts a whole run (bad configuration, an unreachable results database).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace imagemill {

enum class Code {
  kOk,
  kNotFound,          // the object (or bucket) does not exist
  kCorrupt,           // the bytes are not a valid image of their format
  kUnsupported,       // a format or feature imagemill does not read
  kTooLarge,          // over the byte or pixel limit
  kThrottled,         // the store asked us to slow down (429, 503 SlowDown)
  kIo,                // a transient read/write/network failure
  kPermissionDenied,  // credentials refused or access denied
  kInvalidArgument,   // the caller asked for something malformed
  kInternal,          // a bug or an unexpected library failure
  kNotAnImage,        // the object is not an image at all: counted as skipped, not failed
};

// Stable name of a code, used as the Error field of FAILED records ("NotFound", "Corrupt", ...).
std::string_view CodeName(Code code);

// The code a CodeName names; nullopt for any other text.
std::optional<Code> ParseCodeName(std::string_view name);

// True for codes where trying the same operation again may succeed.
bool IsRetryable(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Corrupt(std::string m) { return {Code::kCorrupt, std::move(m)}; }
  static Status Unsupported(std::string m) { return {Code::kUnsupported, std::move(m)}; }
  static Status TooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status Throttled(std::string m) { return {Code::kThrottled, std::move(m)}; }
  static Status Io(std::string m) { return {Code::kIo, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status NotAnImage(std::string m) { return {Code::kNotAnImage, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return IsRetryable(code_); }

  // "Corrupt: photos/a.jpg: ..." — for logs and error output.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that says why there is none. REQUIRES: the Status is not ok.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The failure, or Ok when there is a value.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace imagemill
