#include "server/sigv4_verifier.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include "objectstore/s3_request.h"
#include "util/digest.h"
#include "util/percent_decode.h"

namespace imagemill::server {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

AwsError Incomplete(std::string message) {
  return {403, "IncompleteSignatureException", std::move(message)};
}
AwsError Invalid(std::string message) {
  return {403, "InvalidSignatureException", std::move(message)};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Trimmed, inner runs of spaces and tabs made one space.
std::string CanonicalValue(std::string_view v) {
  v = Trim(v);
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 3986 remove_dot_segments, keeping a trailing slash, as botocore normalises paths.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string result = "/";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (!out.empty() && path.size() > 1 && path.back() == '/') result += '/';
  return result;
}

// "20240101T120000Z" -> seconds since the epoch; false when malformed.
bool ParseAmzDate(std::string_view s, time_t* out) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return false;
  auto num = [&](size_t pos, size_t len, int* v) {
    *v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      *v = *v * 10 + (s[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int y, mo, d, h, mi, se;
  if (!num(0, 4, &y) || !num(4, 2, &mo) || !num(6, 2, &d) || !num(9, 2, &h) || !num(11, 2, &mi) ||
      !num(13, 2, &se)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  *out = timegm(&tm);
  return true;
}

std::string AmzDateOf(time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

std::string AmzDate(Clock::TimePoint t) {
  return AmzDateOf(std::chrono::system_clock::to_time_t(t));
}

AwsResult<SigV4Authorization> ParseAuthorization(std::string_view header) {
  header = Trim(header);
  if (!header.starts_with(kAlgorithm) ||
      (header.size() > kAlgorithm.size() && header[kAlgorithm.size()] != ' ')) {
    return Incomplete(
        "Authorization header must use the AWS4-HMAC-SHA256 algorithm (AWS Signature "
        "Version 4); sign requests with an AWS SDK or the AWS CLI.");
  }
  header.remove_prefix(kAlgorithm.size());
  std::string credential, signed_headers, signature;
  bool have_credential = false, have_signed = false, have_signature = false;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Incomplete("Authorization header requires each component as name=value; '" +
                        std::string(part) + "' is not.");
    }
    std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "Credential") {
      credential = value;
      have_credential = true;
    } else if (name == "SignedHeaders") {
      signed_headers = value;
      have_signed = true;
    } else if (name == "Signature") {
      signature = value;
      have_signature = true;
    }
  }
  if (!have_credential || !have_signed || !have_signature) {
    std::string missing;
    if (!have_credential) missing += " 'Credential'";
    if (!have_signed) missing += " 'SignedHeaders'";
    if (!have_signature) missing += " 'Signature'";
    return Incomplete("Authorization header requires" + missing + " parameter(s).");
  }
  SigV4Authorization a;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = credential.find('/', start);
    parts.push_back(
        credential.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[0].empty()) {
    return Incomplete(
        "Credential must have the form <access key id>/<yyyymmdd>/<region>/"
        "<service>/aws4_request, not '" +
        credential + "'.");
  }
  a.access_key_id = parts[0];
  a.date = parts[1];
  a.region = parts[2];
  a.service = parts[3];
  a.terminator = parts[4];
  a.signed_headers = signed_headers;
  a.signature = signature;
  if (a.signed_headers.empty()) return Incomplete("SignedHeaders must not be empty.");
  return a;
}

std::string CanonicalRequest(const Request& request, std::string_view signed_headers,
                             std::string_view payload_hash) {
  std::string cr = request.method;
  cr += '\n';
  cr += UriEncode(NormalizePath(request.Path()), true);
  cr += '\n';
  QueryParams params;
  std::string_view q = request.Query();
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    params.emplace_back(PercentDecode(pair.substr(0, eq)),
                        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1)));
  }
  cr += CanonicalQuery(std::move(params));
  cr += '\n';
  std::string_view names = signed_headers;
  while (!names.empty()) {
    size_t semi = names.find(';');
    std::string_view name = names.substr(0, semi);
    names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
    std::string value;
    bool first = true;
    for (const auto& [n, v] : request.headers) {
      if (!EqualsIgnoreCase(n, name)) continue;
      if (!first) value += ',';
      value += CanonicalValue(v);
      first = false;
    }
    cr += Lower(name);
    cr += ':';
    cr += value;
    cr += '\n';
  }
  cr += '\n';
  cr += signed_headers;
  cr += '\n';
  cr += payload_hash;
  return cr;
}

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

namespace {

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         const std::string& canonical_request) {
  std::string sts(kAlgorithm);
  sts += '\n';
  sts += amz_date;
  sts += '\n';
  sts += scope;
  sts += '\n';
  sts += Sha256Hex(canonical_request);
  return sts;
}

}  // namespace

std::string SignRequest(const Request& request, const AccessKey& key, std::string_view region,
                        std::string_view service, std::string_view amz_date,
                        std::string_view signed_headers) {
  const std::string date(amz_date.substr(0, 8));
  const std::string scope =
      date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  const std::string cr = CanonicalRequest(request, signed_headers, Sha256Hex(request.body));
  const std::string signature = HexLower(
      HmacSha256(SigningKey(key.secret, date, region, service), StringToSign(amz_date, scope, cr)));
  return std::string(kAlgorithm) + " Credential=" + key.id + "/" + scope +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + signature;
}

SigV4Verifier::SigV4Verifier(std::map<std::string, std::string> keys, std::string region,
                             std::chrono::seconds max_skew)
    : keys_(std::move(keys)), region_(std::move(region)), max_skew_(max_skew) {}

AwsResult<Caller> SigV4Verifier::Verify(const Request& request, std::string_view service,
                                        Clock::TimePoint now) const {
  std::string_view header = request.Header("Authorization");
  if (header.empty()) {
    if (request.Query().find("X-Amz-Signature=") != std::string_view::npos) {
      return Incomplete(
          "Presigned URLs are not accepted by this API: sign the request with an "
          "Authorization header (the AWS CLI and SDKs do).");
    }
    return AwsError{403, "MissingAuthenticationToken",
                    "Request is missing Authentication Token: sign it with AWS Signature "
                    "Version 4 and one of the server's access keys."};
  }
  AwsResult<SigV4Authorization> parsed = ParseAuthorization(header);
  if (!parsed.ok()) return parsed.error();
  const SigV4Authorization& a = *parsed;

  auto key = keys_.find(a.access_key_id);
  if (key == keys_.end()) {
    return AwsError{403, "UnrecognizedClientException",
                    "The security token included in the request is invalid: access key '" +
                        a.access_key_id + "' is not one of this server's keys."};
  }
  if (request.HasHeader("X-Amz-Security-Token")) {
    return AwsError{403, "UnrecognizedClientException",
                    "The security token included in the request is invalid: this server has no "
                    "session tokens; sign with the access key alone (unset AWS_SESSION_TOKEN)."};
  }
  std::string_view amz_date = request.Header("X-Amz-Date");
  if (amz_date.empty()) {
    return Incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  time_t request_time = 0;
  if (!ParseAmzDate(amz_date, &request_time)) {
    return Incomplete("X-Amz-Date '" + std::string(amz_date) +
                      "' must be an ISO 8601 basic date such as 20240101T120000Z.");
  }
  if (a.date != amz_date.substr(0, 8)) {
    return Invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        "from HTTP: '" +
        a.date + "' != '" + std::string(amz_date.substr(0, 8)) + "', from '" +
        std::string(amz_date) + "'.");
  }
  if (a.region != region_) {
    return Invalid("Credential should be scoped to a valid region, not '" + a.region +
                   "'. This server answers for region '" + region_ +
                   "': set AWS_REGION or --region to it.");
  }
  if (a.service != service) {
    return Invalid("Credential should be scoped to correct service: '" + std::string(service) +
                   "'.");
  }
  if (a.terminator != "aws4_request") {
    return Invalid("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                   a.terminator + "'.");
  }
  const time_t server_time = std::chrono::system_clock::to_time_t(now);
  const time_t skew = static_cast<time_t>(max_skew_.count());
  if (request_time < server_time - skew) {
    return Invalid("Signature expired: " + std::string(amz_date) + " is now earlier than " +
                   AmzDateOf(server_time - skew) + " (" + AmzDateOf(server_time) + " - " +
                   std::to_string(skew / 60) + " min.)");
  }
  if (request_time > server_time + skew) {
    return Invalid("Signature not yet current: " + std::string(amz_date) + " is still later than " +
                   AmzDateOf(server_time + skew) + " (" + AmzDateOf(server_time) + " + " +
                   std::to_string(skew / 60) + " min.)");
  }
  // Every signed header must be present, host among them.
  bool signs_host = false;
  std::string_view names = a.signed_headers;
  while (!names.empty()) {
    size_t semi = names.find(';');
    std::string_view name = names.substr(0, semi);
    names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
    if (EqualsIgnoreCase(name, "host")) signs_host = true;
    if (!request.HasHeader(name)) {
      return Invalid("Signed header '" + std::string(name) + "' is not in the request.");
    }
  }
  if (!signs_host) return Invalid("SignedHeaders must include 'host'.");

  const std::string payload_hash = Sha256Hex(request.body);
  std::string_view declared = request.Header("X-Amz-Content-Sha256");
  if (!declared.empty() && declared != payload_hash) {
    return Invalid(
        "The provided 'x-amz-content-sha256' header does not match what was computed "
        "from the request body.");
  }
  const std::string scope = a.date + "/" + a.region + "/" + a.service + "/aws4_request";
  const std::string cr = CanonicalRequest(request, a.signed_headers, payload_hash);
  const std::string expected = HexLower(HmacSha256(
      SigningKey(key->second, a.date, a.region, a.service), StringToSign(amz_date, scope, cr)));
  if (!ConstantTimeEquals(expected, a.signature)) {
    return Invalid(
        "The request signature we calculated does not match the signature you "
        "provided. Check your AWS Secret Access Key and signing method.");
  }
  return Caller{a.access_key_id};
}

}  // namespace imagemill::server
