#include "server/console/query_params.h"

#include "objectstore/s3_xml.h"

namespace imagemill::server::console {

// The same decoding as S3's encoding-type=url: '+' is a space, malformed escapes kept.
std::string FormDecode(std::string_view s) { return UrlDecode(s); }

QueryParams::QueryParams(std::string_view query) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      values_.emplace(FormDecode(pair.substr(0, eq)),
                      eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

std::string QueryParams::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

}  // namespace imagemill::server::console
