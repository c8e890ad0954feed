// ProcessorCache: the processors of a long-lived process (imagemill serve), each loaded once and
// shared by every execution and DetectLabels request that asks for it, instead of each execution
// loading its own model. Processors are keyed by their Name() and pixel limit; a labels processor
// is opened with `networks` shared sets of networks (LabelsProcessorOptions::shared_networks), so
// however many executions run at once they hold at most that many networks between them.
// Other processors keep a network per worker, as in a run.
//
// Thread-safe. Processors live as long as the cache or the last execution holding one.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "service/processors.h"

namespace imagemill::service {

class ProcessorCache {
 public:
  // REQUIRES: networks >= 1.
  explicit ProcessorCache(int networks) : networks_(networks) {}

  // The processor `settings` make: loaded by the first call, the same object for later calls with
  // settings of the same name and pixel limit. MakeProcessor's errors (a failed load is not kept:
  // the next call tries again).
  Result<std::shared_ptr<Processor>> Get(const ProcessorSettings& settings);

  // Processors loaded so far.
  size_t size() const;

 private:
  const int networks_;
  mutable std::mutex mu_;  // held while loading, so that two callers never load the same one
  std::map<std::string, std::shared_ptr<Processor>> loaded_;  // guarded by mu_
};

}  // namespace imagemill::service
