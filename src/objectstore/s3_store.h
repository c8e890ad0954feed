// S3Store: a bucket on AWS S3 or any S3-compatible store (MinIO, Ceph, R2, s3rver) as an
// ObjectStore. ListObjectsV2 page by page, GetObject (whole and ranged), HeadObject, PutObject;
// requests signed with SigV4 by libcurl; connections pooled. Each call makes one attempt: a
// transient failure comes back as a value (with the server's Retry-After) for the caller's
// RetryPolicy. Endpoint, region and credentials are resolved as the AWS tools do (aws_config.h).
//
// Every error names the bucket or key and says what to do. Codes: NotFound (NoSuchKey,
// NoSuchBucket), PermissionDenied (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch,
// expired tokens), Throttled (503 SlowDown, 429), Io (network, 5xx, timeouts),
// TooLarge (over max_object_bytes), InvalidArgument (wrong region, malformed requests).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "objectstore/aws_config.h"
#include "objectstore/object_store.h"
#include "objectstore/s3_http.h"
#include "objectstore/s3_retry.h"
#include "util/clock.h"

namespace imagemill {

class S3Store final : public ObjectStore {
 public:
  struct Config {
    std::string bucket;
    S3ClientConfig client;
    HttpLimits limits;  // max_body_bytes: Get refuses bigger objects with TooLarge (0: no limit)
  };

  // Resolves endpoint, region and credentials for `bucket` (see aws_config.h). Makes no request:
  // call Check() to learn at start-up whether the bucket is usable. `clock` must outlive the store.
  static Result<std::unique_ptr<S3Store>> Open(std::string_view bucket, const StoreOptions& options,
                                               Clock& clock = Clock::Real());

  S3Store(Config config, Clock& clock);

  // Lists one key under `prefix`: Ok when the endpoint answers, the bucket exists and the
  // credentials may list it; otherwise the error a user must fix before a run can start
  // (unreachable endpoint, no such bucket, unknown key id, wrong secret, access denied).
  Status Check(std::string_view prefix = "");

  Result<ListPage> List(std::string_view prefix, std::string_view start_after,
                        size_t max_keys) override;
  // Defaults as in ObjectStore, so they apply when called on an S3Store too.
  Result<std::string> Get(std::string_view key,
                          std::optional<ByteRange> range = std::nullopt) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Put(std::string_view key, std::string_view bytes,
             std::string_view content_type = "application/octet-stream") override;
  std::string Uri() const override { return "s3://" + config_.bucket; }
  std::string Bucket() const override { return config_.bucket; }

  const Config& config() const { return config_; }

 private:
  // A request and what its errors should name ("s3://bucket" or "s3://bucket/key").
  struct Call {
    std::string method;
    std::string key;  // empty for bucket-level requests
    std::string query;
    std::vector<std::string> headers;
    std::string_view body;
    uint64_t max_body_bytes = 0;
  };
  // Sends `call` once. Ok responses are 2xx (and 416 for ranged GETs); everything else becomes a
  // Status naming the object: Io or Throttled (with the server's Retry-After) for what may work
  // when tried again, which the caller's RetryPolicy decides (util/retry.h).
  Result<HttpResponse> Execute(const Call& call);
  Status ErrorStatus(const Call& call, const HttpResponse& response) const;
  std::string Describe(std::string_view key) const;
  Result<ListPage> ListOnce(std::string_view prefix, std::string_view start_after, size_t max_keys,
                            const std::string& token);

  const Config config_;
  HttpSigning signing_;
  Clock& clock_;
  HttpClient http_;

  // Continuation tokens of recent listings, so that a List whose start_after is the last key of
  // a previous page continues with that page's token.
  struct Cursor {
    std::string prefix;
    std::string last_key;
    std::string token;
  };
  std::atomic<bool> warned_unordered_{false};
  std::mutex mu_;
  std::deque<Cursor> cursors_;  // guarded by mu_; most recent first, at most kMaxCursors
  static constexpr size_t kMaxCursors = 16;
};

}  // namespace imagemill
