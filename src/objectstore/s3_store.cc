#include "objectstore/s3_store.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "objectstore/s3_request.h"
#include "objectstore/s3_xml.h"
#include "util/digest.h"

namespace imagemill {
namespace {

constexpr char kUnsignedPayload[] = "x-amz-content-sha256: UNSIGNED-PAYLOAD";
// A listing page of 1,000 keys is a few hundred KiB; anything near this is not a listing.
constexpr uint64_t kMaxListingBytes = 32 << 20;

// "Wed, 12 Oct 2009 17:50:00 GMT" -> "2009-10-12T17:50:00.000Z"; unparseable dates kept as sent.
std::string HttpDateToIso(const std::string& date) {
  time_t t = curl_getdate(date.c_str(), nullptr);
  if (t == -1) return date;
  return FormatIso8601(FromUnixMillis(static_cast<int64_t>(t) * 1000));
}

bool RetryableTransport(int curl_code) {
  switch (curl_code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return false;
    default:
      return true;
  }
}

bool ThrottledStatus(long status, const std::string& code) {
  return status == 429 || status == 503 || code == "SlowDown";
}

}  // namespace

Result<std::unique_ptr<S3Store>> S3Store::Open(std::string_view bucket, const StoreOptions& options,
                                               Clock& clock) {
  if (bucket.empty()) return Status::InvalidArgument("s3://: no bucket name");
  Result<S3ClientConfig> client = ResolveS3Config(bucket, options);
  if (!client.ok()) {
    return Status(client.status().code(),
                  "s3://" + std::string(bucket) + ": " + client.status().message());
  }
  Config config;
  config.bucket = std::string(bucket);
  config.client = std::move(*client);
  config.limits.connect_timeout_ms = options.connect_timeout_ms;
  config.limits.request_timeout_ms = options.request_timeout_ms;
  config.limits.max_body_bytes = options.max_object_bytes;
  return std::make_unique<S3Store>(std::move(config), clock);
}

S3Store::S3Store(Config config, Clock& clock) : config_(std::move(config)), clock_(clock) {
  const AwsCredentials& creds = config_.client.credentials;
  signing_ = {creds.access_key_id, creds.secret_access_key, config_.client.region};
}

std::string S3Store::Describe(std::string_view key) const {
  return key.empty() ? Uri() : Uri() + "/" + std::string(key);
}

Status S3Store::Check(std::string_view prefix) {
  Result<ListPage> page = List(prefix, "", 1);
  if (page.ok()) return Status::Ok();
  return page.status();
}

Result<HttpResponse> S3Store::Execute(const Call& call) {
  HttpRequest request;
  request.method = call.method;
  request.url = S3Url(config_.client.endpoint, config_.bucket, call.key, call.query);
  request.headers = call.headers;
  if (!config_.client.credentials.session_token.empty()) {
    request.headers.push_back("x-amz-security-token: " + config_.client.credentials.session_token);
  }
  request.body = call.body;
  HttpLimits limits = config_.limits;
  limits.max_body_bytes = call.max_body_bytes;
  // One attempt: a transient failure (a network error, 500, 502, 503 SlowDown, 504, 429) comes
  // back as Io or Throttled with any Retry-After, and the caller's RetryPolicy decides when to try
  // again — the map run without a thread sleeping, a listing or a result file where it stands.
  HttpResponse r = http_.Perform(request, signing_, limits);
  if (r.curl_code == CURLE_OK && r.status / 100 == 2) return r;
  if (r.curl_code == CURLE_OK && r.status == 416 && call.method == "GET") return r;
  Status failure = ErrorStatus(call, r);
  if (failure.retryable()) {
    if (std::string h = r.Header("retry-after"); !h.empty()) {
      if (std::optional<Clock::Duration> after = ParseRetryAfter(h, clock_.Now())) {
        failure = std::move(failure).WithRetryAfter(
            std::chrono::duration_cast<std::chrono::milliseconds>(*after));
      }
    }
  }
  return failure;
}

Status S3Store::ErrorStatus(const Call& call, const HttpResponse& r) const {
  const std::string what = Describe(call.key);
  const std::string& endpoint = config_.client.endpoint_url;
  if (r.body_too_large) {
    return Status::TooLarge(what + ": larger than the limit of " +
                            std::to_string(call.max_body_bytes) +
                            " bytes per object (raise max_object_bytes to read it)");
  }
  if (r.curl_code != CURLE_OK) {
    if (!RetryableTransport(r.curl_code)) {
      return Status::InvalidArgument(what + ": cannot talk to " + endpoint + ": " + r.curl_error +
                                     " (check --endpoint-url and the server's certificate)");
    }
    if (r.curl_code == CURLE_OPERATION_TIMEDOUT) {
      return Status::Io(what + ": no answer from " + endpoint + " in time: " + r.curl_error +
                        " (check that the endpoint is reachable, or raise the timeouts)");
    }
    return Status::Io(what + ": cannot reach the endpoint " + endpoint + ": " + r.curl_error +
                      " (check --endpoint-url / AWS_ENDPOINT_URL and that the server is "
                      "running)");
  }
  const S3ErrorInfo e = ParseS3Error(r.body);
  std::string server = " (HTTP " + std::to_string(r.status);
  if (!e.code.empty()) server += " " + e.code;
  if (!e.message.empty()) server += ": " + e.message;
  server += ")";
  const AwsCredentials& creds = config_.client.credentials;
  const std::string key_id =
      "access key id '" + creds.access_key_id + "' (from " + creds.source + ")";

  if (e.code == "NoSuchBucket") {
    return Status::NotFound(Uri() + ": no such bucket at " + endpoint + server +
                            "; check the bucket name and --endpoint-url");
  }
  if (e.code == "NoSuchKey" || (r.status == 404 && e.code.empty() && !call.key.empty())) {
    return Status::NotFound(what + ": no such key");
  }
  if (r.status == 404) return Status::NotFound(what + ": not found at " + endpoint + server);
  if (e.code == "InvalidAccessKeyId") {
    return Status::PermissionDenied(Uri() + ": " + endpoint + " does not know the " + key_id +
                                    "; check AWS_ACCESS_KEY_ID or the profile" + server);
  }
  if (e.code == "SignatureDoesNotMatch") {
    return Status::PermissionDenied(Uri() + ": " + endpoint +
                                    " refused the signature: the "
                                    "secret key of the " +
                                    key_id +
                                    " is wrong; check "
                                    "AWS_SECRET_ACCESS_KEY or the profile" +
                                    server);
  }
  if (e.code == "ExpiredToken" || e.code == "InvalidToken" || e.code == "TokenRefreshRequired") {
    return Status::PermissionDenied(Uri() + ": the session token of the " + key_id +
                                    " is expired or invalid; refresh the credentials" + server);
  }
  if (r.status == 301 || e.code == "PermanentRedirect" ||
      e.code == "AuthorizationHeaderMalformed" || e.code == "IllegalLocationConstraintException") {
    std::string region = !e.region.empty() ? e.region : r.Header("x-amz-bucket-region");
    return Status::InvalidArgument(
        Uri() + ": the bucket is not in region " + config_.client.region +
        (region.empty() ? std::string() : " but in " + region) + "; set --region / AWS_REGION" +
        (region.empty() ? std::string() : "=" + region) + server);
  }
  if (r.status == 403) {
    if (creds.anonymous()) {
      return Status::PermissionDenied(what + ": access denied to an anonymous request" + server +
                                      "; no AWS credentials were found: set AWS_ACCESS_KEY_ID and "
                                      "AWS_SECRET_ACCESS_KEY, or --profile");
    }
    const char* verb = call.method == "PUT" ? "write" : call.key.empty() ? "list" : "read";
    return Status::PermissionDenied(what + ": access denied" + server + "; check that the " +
                                    key_id + " may " + verb + " this bucket");
  }
  if (ThrottledStatus(r.status, e.code)) {
    return Status::Throttled(what + ": " + endpoint + " asks to slow down" + server +
                             "; lower the fetch concurrency");
  }
  if (r.status >= 500 || e.code == "InternalError" || e.code == "RequestTimeout") {
    return Status::Io(what + ": server error from " + endpoint + server);
  }
  return Status::InvalidArgument(what + ": " + endpoint + " refused the request" + server);
}

Result<ListPage> S3Store::List(std::string_view prefix, std::string_view start_after,
                               size_t max_keys) {
  if (max_keys == 0 || max_keys > 1000) {
    return Status::InvalidArgument("list: max_keys must be between 1 and 1000");
  }
  std::string token;
  if (!start_after.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Cursor& c : cursors_) {
      if (c.prefix == prefix && c.last_key == start_after) {
        token = c.token;
        break;
      }
    }
  }
  Result<ListPage> page = ListOnce(prefix, start_after, max_keys, token);
  if (!page.ok() && !token.empty() && page.status().code() == Code::kInvalidArgument) {
    // The server no longer takes the token (expired, or the server restarted): start-after
    // names the same place.
    page = ListOnce(prefix, start_after, max_keys, "");
  }
  return page;
}

Result<ListPage> S3Store::ListOnce(std::string_view prefix, std::string_view start_after,
                                   size_t max_keys, const std::string& token) {
  ListPage page;
  std::string next = token;
  // A server may answer a truncated page with no keys; follow its token until keys come.
  for (int round = 0; round < 100; ++round) {
    QueryParams params = {{"list-type", "2"},
                          {"max-keys", std::to_string(max_keys)},
                          {"prefix", std::string(prefix)}};
    if (!next.empty()) {
      params.emplace_back("continuation-token", next);
    } else if (!start_after.empty()) {
      params.emplace_back("start-after", std::string(start_after));
    }
    Call call;
    call.method = "GET";
    call.query = CanonicalQuery(std::move(params));
    call.headers = {kUnsignedPayload};
    call.max_body_bytes = kMaxListingBytes;
    Result<HttpResponse> r = Execute(call);
    if (!r.ok()) return r.status();
    Result<ListBucketResult> parsed = ParseListBucketResult(r->body);
    if (!parsed.ok()) {
      return Status::Io(Uri() + ": unreadable listing from " + config_.client.endpoint_url + ": " +
                        parsed.status().message());
    }
    for (ObjectInfo& o : parsed->objects) {
      // Whatever the server does: only keys after start_after, under prefix, each once.
      if (o.key <= start_after || !o.key.starts_with(prefix)) continue;
      if (!page.objects.empty() && o.key <= page.objects.back().key) {
        if (o.key == page.objects.back().key) continue;
        // Kept, not dropped: losing a key is worse than an unordered page.
        if (!warned_unordered_.exchange(true)) {
          spdlog::warn(
              "{}: {} lists keys out of UTF-8 byte order ('{}' after '{}'); "
              "S3 does not, and a listing resumed from a key may miss some",
              Uri(), config_.client.endpoint_url, o.key, page.objects.back().key);
        }
      }
      page.objects.push_back(std::move(o));
    }
    if (!parsed->truncated) return page;
    if (parsed->next_continuation_token.empty()) {
      return Status::Io(Uri() + ": " + config_.client.endpoint_url +
                        " sent a truncated listing without a continuation token");
    }
    if (!page.objects.empty()) {
      page.truncated = true;
      std::lock_guard<std::mutex> lock(mu_);
      cursors_.push_front(
          {std::string(prefix), page.objects.back().key, parsed->next_continuation_token});
      if (cursors_.size() > kMaxCursors) cursors_.pop_back();
      return page;
    }
    next = parsed->next_continuation_token;
  }
  return Status::Io(Uri() + ": " + config_.client.endpoint_url +
                    " kept answering empty truncated listing pages");
}

Result<std::string> S3Store::Get(std::string_view key, std::optional<ByteRange> range) {
  if (key.empty()) return Status::InvalidArgument(Uri() + ": empty key");
  if (range && range->length == 0) {
    Result<ObjectInfo> head = Head(key);
    if (!head.ok()) return head.status();
    return std::string();
  }
  Call call;
  call.method = "GET";
  call.key = std::string(key);
  call.headers = {kUnsignedPayload};
  call.max_body_bytes = config_.limits.max_body_bytes;
  if (range) {
    std::string spec = "range: bytes=" + std::to_string(range->offset) + "-";
    if (range->length <= UINT64_MAX - range->offset) {
      spec += std::to_string(range->offset + range->length - 1);
    }
    call.headers.push_back(std::move(spec));
  }
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (r->status == 416) return std::string();  // the range starts at or past the end
  if (range && r->status == 200) {
    // The server ignored the Range header: cut the range out of the whole object.
    const uint64_t size = r->body.size();
    const uint64_t offset = std::min(range->offset, size);
    return r->body.substr(offset, std::min(range->length, size - offset));
  }
  return std::move(r->body);
}

Result<ObjectInfo> S3Store::Head(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument(Uri() + ": empty key");
  Call call;
  call.method = "HEAD";
  call.key = std::string(key);
  call.headers = {kUnsignedPayload};
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  ObjectInfo info;
  info.key = std::string(key);
  const std::string length = r->Header("content-length");
  auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), info.size);
  if (length.empty() || ec != std::errc() || end != length.data() + length.size()) {
    return Status::Io(Describe(key) + ": the HEAD answer has no valid Content-Length");
  }
  info.etag = r->Header("etag");
  info.last_modified = HttpDateToIso(r->Header("last-modified"));
  return info;
}

Status S3Store::Put(std::string_view key, std::string_view bytes, std::string_view content_type) {
  if (key.empty()) return Status::InvalidArgument(Uri() + ": empty key");
  std::string type(content_type.empty() ? "application/octet-stream" : content_type);
  type.erase(
      std::remove_if(type.begin(), type.end(), [](char c) { return c == '\r' || c == '\n'; }),
      type.end());
  Call call;
  call.method = "PUT";
  call.key = std::string(key);
  call.headers = {"content-type: " + type, "x-amz-content-sha256: " + Sha256Hex(bytes)};
  call.body = bytes;
  call.max_body_bytes = 1 << 20;  // the answer: empty, or an error document
  Result<HttpResponse> r = Execute(call);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace imagemill
