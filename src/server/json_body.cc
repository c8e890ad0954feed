#include "server/json_body.h"

#include <cstring>
#include <string>
#include <vector>

namespace imagemill::server {
namespace {

constexpr size_t kBlobMin = 4096;
// What a cut-out string is replaced by: \u0001 cannot appear raw in JSON text, so a client can
// only produce this value by writing the escape itself, and then gets one of its own strings.
constexpr std::string_view kMarker = "\\u0001blob:";
constexpr std::string_view kMarkerValue =
    "\x01"
    "blob:";

bool PlainAscii(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

void PutBack(nlohmann::json& v, const std::vector<std::string>& blobs) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.size() > kMarkerValue.size() && s.compare(0, kMarkerValue.size(), kMarkerValue) == 0) {
      size_t index = std::strtoul(s.c_str() + kMarkerValue.size(), nullptr, 10);
      if (index < blobs.size()) v = blobs[index];
    }
  } else if (v.is_structured()) {
    for (auto& e : v) PutBack(e, blobs);
  }
}

}  // namespace

nlohmann::json ParseJsonBody(std::string_view body) {
  if (body.size() < kBlobMin) return nlohmann::json::parse(body, nullptr, false);
  std::string small;
  std::vector<std::string> blobs;
  const char* p = body.data();
  const char* end = p + body.size();
  const char* copied = p;
  while (true) {
    const char* open = static_cast<const char*>(std::memchr(p, '"', end - p));
    if (open == nullptr) break;
    // The string's end: the next quote not escaped by a backslash.
    const char* q = open + 1;
    const char* close = nullptr;
    bool escapes = false;
    while (q < end) {
      const char* quote = static_cast<const char*>(std::memchr(q, '"', end - q));
      if (quote == nullptr) break;
      const char* backslash = static_cast<const char*>(std::memchr(q, '\\', quote - q));
      if (backslash == nullptr) {
        close = quote;
        break;
      }
      escapes = true;
      q = backslash + 2;  // skip the escaped character, whatever it is
    }
    if (close == nullptr) break;  // unterminated: let the parser say so
    const size_t length = close - open - 1;
    if (!escapes && length >= kBlobMin && PlainAscii(open + 1, length)) {
      small.append(copied, open + 1);
      small.append(kMarker);
      small.append(std::to_string(blobs.size()));
      blobs.emplace_back(open + 1, length);
      copied = close;
    }
    p = close + 1;
  }
  if (blobs.empty()) return nlohmann::json::parse(body, nullptr, false);
  small.append(copied, end);
  nlohmann::json doc = nlohmann::json::parse(small, nullptr, false);
  if (!doc.is_discarded()) PutBack(doc, blobs);
  return doc;
}

}  // namespace imagemill::server
