#include "db/batch_codec.h"

#include <charconv>

#include "db/database_error.h"

namespace imagemill {

namespace {

void PutField(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out += v;
}

// Reads "<decimal>:" at `pos`; false when there is none.
bool ReadNumber(std::string_view text, size_t& pos, uint64_t& value) {
  size_t end = text.find(':', pos);
  if (end == std::string_view::npos || end == pos || end - pos > 20) return false;
  auto [p, ec] = std::from_chars(text.data() + pos, text.data() + end, value);
  if (ec != std::errc() || p != text.data() + end) return false;
  pos = end + 1;
  return true;
}

bool ReadField(std::string_view text, size_t& pos, std::string& value) {
  uint64_t n = 0;
  if (!ReadNumber(text, pos, n) || n > text.size() - pos) return false;
  value.assign(text.substr(pos, n));
  pos += n;
  return true;
}

void PutNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
  out += ':';
}

void PutItem(std::string& out, const ObjectInfo& o) {
  PutField(out, o.key);
  PutNumber(out, o.size);
  PutField(out, o.etag);
  PutField(out, o.last_modified);
}

bool ReadItem(std::string_view text, size_t& pos, ObjectInfo& o) {
  return ReadField(text, pos, o.key) && ReadNumber(text, pos, o.size) &&
         ReadField(text, pos, o.etag) && ReadField(text, pos, o.last_modified);
}

DatabaseError Damaged(std::string_view what, size_t pos) {
  return DatabaseError("a stored batch's " + std::string(what) + " is damaged at byte " +
                       std::to_string(pos) + "; start the execution again under a new name");
}

}  // namespace

std::string EncodeBatchItems(const std::vector<ObjectInfo>& items) {
  std::string out;
  out.reserve(items.size() * 64);
  for (const ObjectInfo& o : items) PutItem(out, o);
  return out;
}

std::vector<ObjectInfo> DecodeBatchItems(std::string_view text) {
  std::vector<ObjectInfo> items;
  size_t pos = 0;
  while (pos < text.size()) {
    ObjectInfo o;
    if (!ReadItem(text, pos, o)) throw Damaged("item list", pos);
    items.push_back(std::move(o));
  }
  return items;
}

std::string EncodeSucceeded(const std::vector<ItemOutcome>& outcomes) {
  std::string out;
  out.reserve(outcomes.size() * 96);
  for (const ItemOutcome& o : outcomes) {
    if (o.status != ItemStatus::kSucceeded) continue;
    PutItem(out, o.item);
    PutNumber(out, static_cast<uint64_t>(o.start_ms));
    PutNumber(out, static_cast<uint64_t>(o.stop_ms));
    PutNumber(out, static_cast<uint64_t>(o.attempts));
  }
  return out;
}

std::vector<ItemOutcome> DecodeSucceeded(std::string_view text) {
  std::vector<ItemOutcome> outcomes;
  size_t pos = 0;
  while (pos < text.size()) {
    ItemOutcome o;
    uint64_t start = 0, stop = 0, attempts = 0;
    if (!ReadItem(text, pos, o.item) || !ReadNumber(text, pos, start) ||
        !ReadNumber(text, pos, stop) || !ReadNumber(text, pos, attempts)) {
      throw Damaged("outcome list", pos);
    }
    o.status = ItemStatus::kSucceeded;
    o.start_ms = static_cast<int64_t>(start);
    o.stop_ms = static_cast<int64_t>(stop);
    o.attempts = static_cast<int>(attempts);
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

}  // namespace imagemill
