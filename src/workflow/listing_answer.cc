#include "workflow/listing_answer.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace imagemill {
namespace {

// Appends `s` as a JSON string, as the engine's dump writes it: printable ASCII here, anything
// else (control characters, UTF-8, bytes that are not UTF-8 and become U+FFFD) by nlohmann.
void AppendJsonString(std::string& out, const std::string& s) {
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
    out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string ListingAnswer(const ObjectInfo& item) {
  std::string t;
  t.reserve(64 + item.key.size() + item.etag.size() + item.last_modified.size());
  t += "{\"ETag\":";
  AppendJsonString(t, item.etag);
  t += ",\"Key\":";
  AppendJsonString(t, item.key);
  t += ",\"LastModified\":";
  AppendJsonString(t, item.last_modified);
  t += ",\"Size\":";
  t += std::to_string(item.size);
  t += '}';
  return t;
}

std::string StoredAnswerText(std::string stored, const ObjectInfo& item) {
  return stored.empty() ? ListingAnswer(item) : std::move(stored);
}

}  // namespace imagemill
