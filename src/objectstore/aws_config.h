// Where an s3:// store's requests go and who signs them, resolved the way the AWS CLI and SDKs do,
// so a user's existing set-up works unchanged:
//   endpoint    StoreOptions::endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
//               endpoint_url, else AWS itself (https://s3.<region>.amazonaws.com)
//   region      StoreOptions::region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1
//   profile     StoreOptions::profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"
//   credentials an explicit StoreOptions::profile's keys; else AWS_ACCESS_KEY_ID +
//               AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); else the profile's keys in
//               AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), then AWS_CONFIG_FILE
//               (~/.aws/config); else none (anonymous requests, for public buckets)
//   addressing  StoreOptions::addressing, the profile's s3.addressing_style, else path-style for
//               a custom endpoint and virtual-hosted for AWS (path-style when the bucket name
//               cannot be a host name)
// Roles, SSO, credential_process and instance metadata are not read (yet): a profile that only
// has those is refused with a message saying so.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "objectstore/object_store.h"
#include "objectstore/s3_request.h"
#include "util/status.h"

namespace imagemill {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
  std::string source;         // where they came from, for messages: "AWS_ACCESS_KEY_ID", a file
  bool anonymous() const { return access_key_id.empty(); }
};

struct S3ClientConfig {
  S3Endpoint endpoint;
  std::string endpoint_url;  // as the user would write it, for messages
  bool custom_endpoint = false;
  std::string region;
  std::string profile;
  AwsCredentials credentials;
};

// Looks up an environment variable; nullopt when unset. Injected by tests.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> ProcessEnv(const char* name);

// Resolves the configuration for `bucket` in the order above. InvalidArgument, saying what to fix,
// for a malformed endpoint URL, a profile that does not exist, or half a key pair.
Result<S3ClientConfig> ResolveS3Config(std::string_view bucket, const StoreOptions& options,
                                       const EnvLookup& env = ProcessEnv);

// The sections of an AWS-style INI file: {"default": {"region": "eu-west-1"},
// "profile dev": {"s3.addressing_style": "path"}}. A nested block ("s3 =" followed by indented
// "key = value" lines) becomes "s3.key". Comments start with '#' or ';'.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

}  // namespace imagemill
