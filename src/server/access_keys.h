// The access keys `imagemill serve` accepts signatures from, read the way the AWS CLI reads its
// own: an AWS credentials file (every profile's aws_access_key_id and aws_secret_access_key
// pair) and the environment's AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY.
#pragma once

#include <map>
#include <string>

#include "objectstore/aws_config.h"
#include "util/status.h"

namespace imagemill::server {

// Access key id -> secret. `credentials_file` "" reads no file. InvalidArgument naming the file
// for one that cannot be read or holds half a key pair; the keys may be empty (the caller
// decides whether that is allowed).
Result<std::map<std::string, std::string>> LoadAccessKeys(const std::string& credentials_file,
                                                          const EnvLookup& env = ProcessEnv);

}  // namespace imagemill::server
