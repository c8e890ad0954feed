#include "workflow/batcher.h"

namespace imagemill {

std::optional<BatchRecord> Batcher::Add(ObjectInfo item) {
  std::optional<BatchRecord> done;
  bool over_bytes = max_bytes_ > 0 && current_.bytes + item.size > max_bytes_;
  if (!current_.items.empty() && over_bytes) done = Flush();
  current_.bytes += item.size;
  current_.items.push_back(std::move(item));
  if (static_cast<int>(current_.items.size()) >= max_items_ ||
      (max_bytes_ > 0 && current_.bytes >= max_bytes_)) {
    // A byte-limit flush above already completed a batch; then this item, full on its own,
    // completes the next one on the next call.
    if (!done) done = Flush();
  }
  return done;
}

std::optional<BatchRecord> Batcher::Flush() {
  if (current_.items.empty()) return std::nullopt;
  BatchRecord out = std::move(current_);
  current_ = BatchRecord();
  return out;
}

std::vector<BatchRecord> Batcher::Cut(std::vector<ObjectInfo> items) {
  std::vector<BatchRecord> out;
  for (ObjectInfo& item : items) {
    if (std::optional<BatchRecord> b = Add(std::move(item))) out.push_back(std::move(*b));
  }
  if (std::optional<BatchRecord> b = Flush()) out.push_back(std::move(*b));
  return out;
}

}  // namespace imagemill
