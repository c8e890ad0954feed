// Rekognition's rules for the object an Image.S3Object names, checked before any store is opened:
//
//   Bucket   3-255 characters of [0-9A-Za-z._-] (the service model's S3Bucket): otherwise
//            InvalidParameterException with AWS's validation message; and a name S3 itself allows
//            (3-63 characters, lower-case letters, digits, '.' and '-', starting and ending with a
//            letter or digit, no "..", not an IP address): otherwise InvalidS3ObjectException, as
//            Rekognition answers for a bucket that cannot exist.
//   Name     1-1024 characters (S3ObjectName): otherwise InvalidParameterException; and a key that
//            stays inside its bucket on every store: no empty, "." or ".." segment between '/' or
//            '\' (also once %-escapes are decoded, so "%2e%2e%2f" counts), no leading '/', no NUL:
//            otherwise InvalidS3ObjectException.
//
// So a request can name only objects inside a bucket of the store the server reads: a folder of
// buckets cannot be left through the bucket's name, and no S3 server is sent a path with dot
// segments it might resolve into another bucket.
#pragma once

#include <optional>
#include <string>

#include "server/api_router.h"

namespace imagemill::server {

// nullopt when `bucket` and `name` may be read; else the error Rekognition answers.
std::optional<AwsError> CheckS3Object(const std::string& bucket, const std::string& name);

}  // namespace imagemill::server
