#include "server/rekognition/s3_object_name.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "util/percent_decode.h"

namespace imagemill::server {
namespace {

constexpr size_t kMaxBucket = 255, kMaxName = 1024;

AwsError Validation(const std::string& value, const std::string& member,
                    const std::string& constraint) {
  std::string shown = value.size() > 64 ? value.substr(0, 64) + "..." : value;
  return {400, "InvalidParameterException",
          "1 validation error detected: Value '" + shown + "' at 'image.s3Object." + member +
              "' failed to satisfy constraint: Member must " + constraint};
}

AwsError Unreadable(const std::string& bucket, const std::string& name, const std::string& why) {
  std::string key = name.size() > 200 ? name.substr(0, 200) + "..." : name;
  return {400, "InvalidS3ObjectException",
          "Unable to get object metadata from S3. Check object key, region and/or access "
          "permissions: s3://" +
              bucket + "/" + key + ": " + why};
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Why S3 would refuse `bucket` as a bucket name, or "" when it would not.
std::string S3BucketProblem(std::string_view bucket) {
  if (bucket.size() > 63) return "an S3 bucket name has at most 63 characters";
  for (char c : bucket) {
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return "an S3 bucket name has lower-case letters, digits, '.' and '-' only";
    }
  }
  if (!IsLowerAlnum(bucket.front()) || !IsLowerAlnum(bucket.back())) {
    return "an S3 bucket name starts and ends with a letter or digit";
  }
  if (bucket.find("..") != std::string_view::npos) return "an S3 bucket name has no \"..\"";
  if (std::all_of(bucket.begin(), bucket.end(),
                  [](char c) { return c == '.' || (c >= '0' && c <= '9'); })) {
    return "an S3 bucket name is not an IP address";
  }
  return "";
}

// Why `key` could leave its bucket, or "" when it cannot.
std::string KeyProblem(std::string_view key) {
  if (key.find('\0') != std::string_view::npos) return "a key may not hold a NUL character";
  if (key.front() == '/' || key.front() == '\\') {
    return "a key may not start with '/' (name the object from its bucket's top)";
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = key.size();
    const std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return "a key may not have an empty segment (\"//\")";
    if (seg == "." || seg == "..") {
      return "a key may not have a \".\" or \"..\" segment (it would leave its folder or bucket)";
    }
    start = end + 1;
  }
  return "";
}

}  // namespace

std::optional<AwsError> CheckS3Object(const std::string& bucket, const std::string& name) {
  if (bucket.size() < 3) {
    return Validation(bucket, "bucket", "have length greater than or equal to 3");
  }
  if (bucket.size() > kMaxBucket) {
    return Validation(bucket, "bucket", "have length less than or equal to 255");
  }
  for (char c : bucket) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return Validation(bucket, "bucket",
                        "satisfy regular expression pattern: [0-9A-Za-z\\.\\-_]*");
    }
  }
  if (name.empty()) return Validation(name, "name", "have length greater than or equal to 1");
  if (name.size() > kMaxName) {
    return Validation(name, "name", "have length less than or equal to 1024");
  }
  if (std::string why = S3BucketProblem(bucket); !why.empty()) {
    return Unreadable(bucket, name, why + " (bucket '" + bucket + "')");
  }
  std::string why = KeyProblem(name);
  if (why.empty()) {
    const std::string decoded = PercentDecode(name);
    if (decoded != name && !decoded.empty()) {
      why = KeyProblem(decoded);
      if (!why.empty()) why += ", once its %-escapes are decoded";
    }
  }
  if (!why.empty()) return Unreadable(bucket, name, why);
  return std::nullopt;
}

}  // namespace imagemill::server
