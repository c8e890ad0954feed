#include "objectstore/s3_request.h"

#include <algorithm>

namespace imagemill {

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                            c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out += c;
    } else {
      unsigned char u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

std::string CanonicalQuery(QueryParams params) {
  for (auto& [name, value] : params) {
    name = UriEncode(name, false);
    value = UriEncode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

Result<S3Endpoint> ParseEndpointUrl(std::string_view url) {
  S3Endpoint ep;
  std::string_view rest;
  if (url.starts_with("http://")) {
    ep.scheme = "http";
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    ep.scheme = "https";
    rest = url.substr(8);
  } else {
    return Status::InvalidArgument("endpoint URL '" + std::string(url) +
                                   "' must start with http:// or https://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument("endpoint URL '" + std::string(url) +
                                   "' must not have a query or fragment");
  }
  size_t slash = rest.find('/');
  ep.authority = std::string(rest.substr(0, slash));
  if (ep.authority.empty() || ep.authority.find('@') != std::string::npos) {
    return Status::InvalidArgument("endpoint URL '" + std::string(url) +
                                   "' needs a host (and no user name): http://host:port");
  }
  if (slash != std::string_view::npos) {
    ep.base_path = std::string(rest.substr(slash));
    while (!ep.base_path.empty() && ep.base_path.back() == '/') ep.base_path.pop_back();
  }
  return ep;
}

S3Endpoint AwsEndpoint(std::string_view region) {
  S3Endpoint ep;
  ep.scheme = "https";
  ep.authority = "s3." + std::string(region) + ".amazonaws.com";
  ep.path_style = false;
  return ep;
}

bool IsVirtualHostable(std::string_view bucket, bool https) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.front() == '-' || bucket.back() == '-' || bucket.front() == '.') return false;
  for (char c : bucket) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (!https && c == '.');
    if (!ok) return false;
  }
  return bucket.find("..") == std::string_view::npos;
}

std::string S3Url(const S3Endpoint& endpoint, std::string_view bucket, std::string_view key,
                  std::string_view query) {
  std::string url = endpoint.scheme + "://";
  if (endpoint.path_style) {
    url += endpoint.authority;
    url += endpoint.base_path;
    url += '/';
    url += UriEncode(bucket, false);
    if (!key.empty()) {
      url += '/';
      url += UriEncode(key, true);
    }
  } else {
    url += bucket;
    url += '.';
    url += endpoint.authority;
    url += endpoint.base_path;
    url += '/';
    url += UriEncode(key, true);
  }
  if (!query.empty()) {
    url += '?';
    url += query;
  }
  return url;
}

}  // namespace imagemill
