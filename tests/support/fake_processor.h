// FakeProcessor: a processor for engine tests. Objects whose bytes start with "corrupt" fail as
// Corrupt, "text" are NotAnImage (skipped), anything else succeeds with one label named after the
// bytes' first word ("cat 93.5" -> label "cat" at 93.5). Counts its calls.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "workflow/processor.h"

namespace imagemill::testing {

class FakeProcessor final : public Processor {
 public:
  std::string Name() const override { return "fake"; }
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

  // How many times each key reached Process (successful or not).
  int ProcessedCount(const std::string& key) const;
  int64_t total_processed() const { return total_.load(); }

 private:
  friend class FakeWorker;
  void Note(const std::string& key) const;

  mutable std::mutex mu_;
  mutable std::map<std::string, int> processed_;  // guarded by mu_
  mutable std::atomic<int64_t> total_{0};
};

}  // namespace imagemill::testing
