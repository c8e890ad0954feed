// Batcher: Distributed Map's ItemBatcher. Groups items, in listing order, into batches of at most
// MaxItemsPerBatch items and (when set) MaxInputBytesPerBatch bytes of object data; an object
// larger than the byte limit travels alone.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "workflow/records.h"

namespace imagemill {

class Batcher {
 public:
  Batcher(int max_items, uint64_t max_bytes) : max_items_(max_items), max_bytes_(max_bytes) {}

  // Adds an item; returns the batch it completed, if it completed one.
  std::optional<BatchRecord> Add(ObjectInfo item);
  // The partial batch, if any.
  std::optional<BatchRecord> Flush();
  bool empty() const { return current_.items.empty(); }

  // All of `items` cut into batches; the rule redrive uses.
  std::vector<BatchRecord> Cut(std::vector<ObjectInfo> items);

 private:
  int max_items_;
  uint64_t max_bytes_;
  BatchRecord current_;
};

}  // namespace imagemill
