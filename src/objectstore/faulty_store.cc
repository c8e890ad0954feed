#include "objectstore/faulty_store.h"

namespace imagemill {

FaultyStore::FaultyStore(ObjectStore& base, FaultFn fault, Clock& clock, Clock::Duration latency)
    : base_(base), fault_(std::move(fault)), clock_(clock), latency_(latency) {}

Status FaultyStore::Before(Op op, std::string_view key) {
  calls_[static_cast<int>(op)].fetch_add(1);
  if (latency_ > Clock::Duration::zero()) clock_.SleepFor(latency_);
  return fault_ ? fault_(op, key) : Status::Ok();
}

Result<ListPage> FaultyStore::List(std::string_view prefix, std::string_view start_after,
                                   size_t max_keys) {
  if (Status s = Before(Op::kList, start_after); !s.ok()) return s;
  return base_.List(prefix, start_after, max_keys);
}

Result<std::string> FaultyStore::Get(std::string_view key, std::optional<ByteRange> range) {
  if (Status s = Before(Op::kGet, key); !s.ok()) return s;
  return base_.Get(key, range);
}

Result<ObjectInfo> FaultyStore::Head(std::string_view key) {
  if (Status s = Before(Op::kHead, key); !s.ok()) return s;
  return base_.Head(key);
}

Status FaultyStore::Put(std::string_view key, std::string_view bytes,
                        std::string_view content_type) {
  if (Status s = Before(Op::kPut, key); !s.ok()) return s;
  return base_.Put(key, bytes, content_type);
}

}  // namespace imagemill
