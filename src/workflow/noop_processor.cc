#include "workflow/noop_processor.h"

#include <algorithm>

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

// Answers {"ETag","Key","LastModified","Size"} (the key order nlohmann gives an object) from the
// listing, written directly: the inventory's whole cost is this string.
class NoopWorker final : public ProcessorWorker {
 public:
  Result<Answer> Process(const ObjectInfo& item, PreparedItem&) override {
    Answer a;
    std::string& t = a.response_text;
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
    return a;
  }
};

}  // namespace

Result<std::unique_ptr<PreparedItem>> NoopProcessor::Prepare(const ObjectInfo&,
                                                             std::string) const {
  return std::make_unique<PreparedItem>();
}

Result<std::unique_ptr<ProcessorWorker>> NoopProcessor::NewWorker() const {
  return std::unique_ptr<ProcessorWorker>(std::make_unique<NoopWorker>());
}

}  // namespace imagemill
