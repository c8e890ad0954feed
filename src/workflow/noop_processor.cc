#include "workflow/noop_processor.h"

namespace imagemill {
namespace {

class NoopWorker final : public ProcessorWorker {
 public:
  Result<Answer> Process(const ObjectInfo& item, PreparedItem&) override {
    return Answer{nlohmann::json{{"Key", item.key},
                                 {"Size", item.size},
                                 {"ETag", item.etag},
                                 {"LastModified", item.last_modified}},
                  {}};
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
