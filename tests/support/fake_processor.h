// FakeProcessor: a processor for engine tests. Objects whose bytes start with "corrupt" fail as
// Corrupt, "text" are NotAnImage (skipped), anything else succeeds with one label named after the
// bytes' first word ("cat 93.5" -> label "cat" at 93.5), indexed with the parent "Thing". An object
// whose bytes start with "wait" is held in Process until Open() is called. Counts its calls.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "workflow/processor.h"

namespace imagemill::testing {

class FakeProcessor final : public Processor {
 public:
  std::string Name() const override { return name_; }
  std::string Kind() const override { return "labels"; }
  void set_name(std::string name) { name_ = std::move(name); }
  // Lets the "wait" objects through (and every later one).
  void Open();
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

  // How many times each key reached Process (successful or not).
  int ProcessedCount(const std::string& key) const;
  int64_t total_processed() const { return total_.load(); }

 private:
  friend class FakeWorker;
  void Note(const std::string& key) const;

  std::string name_ = "fake";
  mutable std::mutex mu_;
  mutable std::condition_variable opened_cv_;
  bool opened_ = false;  // guarded by mu_
  mutable std::map<std::string, int> processed_;  // guarded by mu_
  mutable std::atomic<int64_t> total_{0};
};

}  // namespace imagemill::testing
