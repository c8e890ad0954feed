// SigV4Verifier: checks that a request carries a valid AWS Signature Version 4 (the
// "Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." header that
// the AWS CLI and SDKs send) from one of the server's access keys, as AWS checks it:
//
//   - the header is well formed, and X-Amz-Date (or Date) is given as 20240101T120000Z;
//   - the access key is one the server was given (else UnrecognizedClientException);
//   - the credential scope is <date of X-Amz-Date>/<the server's region>/<the service the
//     target belongs to>/aws4_request;
//   - the request time is within 15 minutes of the server's clock;
//   - the payload hash is the body's (an X-Amz-Content-Sha256 header must match it);
//   - the signature over the canonical request (method, path, query, the signed headers, which
//     must include host, and the payload hash) matches, compared in constant time.
//
// Anything else is an AwsError with status 403 and AWS's name: MissingAuthenticationToken (no
// signature at all), IncompleteSignatureException (a malformed one), UnrecognizedClientException,
// InvalidSignatureException. The messages follow AWS's wording.
//
// Written here because no Debian library verifies SigV4 (libcurl and botocore only sign); the
// percent-encoding is the S3 client's (objectstore/s3_request.h). Thread-safe once constructed.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "server/aws_error.h"
#include "server/http_message.h"
#include "util/clock.h"

namespace imagemill::server {

struct AccessKey {
  std::string id;
  std::string secret;
};

// Who signed a request that passed.
struct Caller {
  std::string access_key_id;
};

class SigV4Verifier {
 public:
  // `keys` by access key id. `region` is the one region the server answers for.
  SigV4Verifier(std::map<std::string, std::string> keys, std::string region,
                std::chrono::seconds max_skew = std::chrono::minutes(15));

  // Checks `request`, signed for `service` ("dynamodb", "states", "events", "rekognition").
  AwsResult<Caller> Verify(const Request& request, std::string_view service,
                           Clock::TimePoint now) const;

  const std::string& region() const { return region_; }

 private:
  const std::map<std::string, std::string> keys_;  // id -> secret
  const std::string region_;
  const std::chrono::seconds max_skew_;
};

// The parts of an Authorization header, exposed for tests and the fuzz target.
struct SigV4Authorization {
  std::string access_key_id;
  std::string date;  // the scope's yyyymmdd
  std::string region;
  std::string service;
  std::string terminator;      // "aws4_request"
  std::string signed_headers;  // "host;x-amz-date;x-amz-target", as sent
  std::string signature;       // 64 lowercase hex digits
};

// Parses "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<hex>". IncompleteSignatureException naming what is
// missing or malformed.
AwsResult<SigV4Authorization> ParseAuthorization(std::string_view header);

// The canonical request SigV4 signs (exposed for tests): the method, the path normalised and
// percent-encoded again (as botocore does for every service but S3), the query decoded, sorted
// and encoded, each signed header as "name:value" (values trimmed, inner runs of spaces made
// one, repeated headers joined by ','), the signed header list, and `payload_hash`.
std::string CanonicalRequest(const Request& request, std::string_view signed_headers,
                             std::string_view payload_hash);

// The signing key: HMAC chain over "AWS4" + secret, date, region, service, "aws4_request".
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

// The Authorization header value for `request` (for tests and benchmarks that play a client;
// the verifier never uses it). `amz_date` is 20240101T120000Z; the request must already carry
// the X-Amz-Date and Host headers it signs, and `signed_headers` lists them.
std::string SignRequest(const Request& request, const AccessKey& key, std::string_view region,
                        std::string_view service, std::string_view amz_date,
                        std::string_view signed_headers);

// "20240101T120000Z" for `t`.
std::string AmzDate(Clock::TimePoint t);

}  // namespace imagemill::server
