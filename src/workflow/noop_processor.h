// NoopProcessor: answers every object with an empty DetectLabels response without reading its
// pixels. It measures the engine alone (listing, batching, state, results) in benchmarks, and
// `imagemill run --processor none` uses it to inventory a bucket into the table.
#pragma once

#include "workflow/processor.h"

namespace imagemill {

class NoopProcessor final : public Processor {
 public:
  std::string Name() const override { return "none"; }
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;
};

}  // namespace imagemill
