// How an S3 request is written down: the URL of a bucket or key, percent-encoding and the query
// string. libcurl's SigV4 signer (CURLOPT_AWS_SIGV4, Debian's 7.88) signs the path and query
// exactly as written, so what is built here must already be SigV4's canonical form: keys
// encoded except '/', uppercase hex, query parameters sorted, valueless ones written "name=".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace imagemill {

// Percent-encodes every byte of `s` except A-Z a-z 0-9 '-' '_' '.' '~' (and '/' when
// `keep_slash`), as %XX with uppercase hex: RFC 3986 as SigV4 requires it.
std::string UriEncode(std::string_view s, bool keep_slash);

// Decoded name/value pairs of a query string.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "continuation-token=a%2Bb%3D&list-type=2&prefix=": each name and value UriEncode'd (slashes
// too), sorted by encoded name then value, an empty value written "name=".
std::string CanonicalQuery(QueryParams params);

// Where a bucket's requests go.
struct S3Endpoint {
  std::string scheme;      // "http" or "https"
  std::string authority;   // "127.0.0.1:4568", "s3.eu-west-1.amazonaws.com": host[:port]
  std::string base_path;   // a path the endpoint is mounted under ("" or "/s3"), no trailing '/'
  bool path_style = true;  // http://host/bucket/key rather than http://bucket.host/key
};

// Parses an endpoint URL such as "http://127.0.0.1:4568" or "https://minio.example.com/s3".
// InvalidArgument, naming the URL, when it has no http(s) scheme or host, or has a query.
Result<S3Endpoint> ParseEndpointUrl(std::string_view url);

// The AWS endpoint of a region: https://s3.<region>.amazonaws.com (virtual-hosted style).
S3Endpoint AwsEndpoint(std::string_view region);

// True when `bucket` can be a DNS label in front of the endpoint's host: lowercase letters,
// digits and '-', 3..63 long (dots only without TLS, where no certificate must match).
bool IsVirtualHostable(std::string_view bucket, bool https);

// The full URL of `key` in `bucket` (an empty key: the bucket itself) followed by `?query` when
// the query is not empty. REQUIRES: `query` comes from CanonicalQuery.
std::string S3Url(const S3Endpoint& endpoint, std::string_view bucket, std::string_view key,
                  std::string_view query = "");

}  // namespace imagemill
