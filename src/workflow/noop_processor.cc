#include "workflow/noop_processor.h"

namespace imagemill {
namespace {

// Answers the listing entry itself (workflow/listing_answer.h): nothing to build or store here.
class NoopWorker final : public ProcessorWorker {
 public:
  Result<Answer> Process(const ObjectInfo&, PreparedItem&) override {
    Answer a;
    a.listing = true;
    return a;
  }
};

}  // namespace

Result<std::unique_ptr<PreparedItem>> NoopProcessor::Prepare(const ObjectInfo&,
                                                             std::string) const {
  return std::make_unique<PreparedItem>();
}

Result<std::unique_ptr<ProcessorWorker>> NoopProcessor::NewWorker() const {
  return std::unique_ptr<ProcessorWorker>(std::make_unique<NoopWorker>());
}

}  // namespace imagemill
