// FaultyStore: wraps another store and injects errors and latency, for tests of retries,
// tolerance and crash recovery (the idea of LevelDB's EnvWrapper).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "objectstore/object_store.h"
#include "util/clock.h"

namespace imagemill {

class FaultyStore final : public ObjectStore {
 public:
  enum class Op { kList, kGet, kHead, kPut };
  // Decides, per call, whether to fail it: return a non-ok Status to inject it. Called from any
  // thread; must be thread-safe.
  using FaultFn = std::function<Status(Op op, std::string_view key)>;

  // Forwards to `base`, which must outlive this store.
  FaultyStore(ObjectStore& base, FaultFn fault, Clock& clock = Clock::Real(),
              Clock::Duration latency = Clock::Duration::zero());

  Result<ListPage> List(std::string_view prefix, std::string_view start_after,
                        size_t max_keys) override;
  Result<std::string> Get(std::string_view key, std::optional<ByteRange> range) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  std::string Uri() const override { return base_.Uri(); }
  std::string Bucket() const override { return base_.Bucket(); }

  // Calls forwarded or failed so far, for assertions.
  int64_t calls(Op op) const { return calls_[static_cast<int>(op)].load(); }

 private:
  Status Before(Op op, std::string_view key);

  ObjectStore& base_;
  FaultFn fault_;
  Clock& clock_;
  Clock::Duration latency_;
  std::atomic<int64_t> calls_[4] = {0, 0, 0, 0};
};

}  // namespace imagemill
