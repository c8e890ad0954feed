// NoopProcessor: answers every object with its listing entry (Key, Size, ETag, LastModified), an
// answer of kind "inventory". It measures the engine alone (listing, batching, state, results) in
// benchmarks, and `imagemill run --processor none` uses it to inventory a bucket into the table
// beside, never over, its labels. It does not read the objects, unless made with
// `read_objects` (benchmarks: the engine plus reading every object).
#pragma once

#include "workflow/processor.h"

namespace imagemill {

class NoopProcessor final : public Processor {
 public:
  explicit NoopProcessor(bool read_objects = false) : read_objects_(read_objects) {}
  std::string Name() const override { return "none"; }
  std::string Kind() const override { return "inventory"; }
  bool ReadsObjects() const override { return read_objects_; }
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

 private:
  bool read_objects_;
};

}  // namespace imagemill
