#include "workflow/noop_processor.h"

namespace imagemill {
namespace {

class NoopWorker final : public ProcessorWorker {
 public:
  Result<nlohmann::json> Process(const ObjectInfo&, PreparedItem&) override {
    return nlohmann::json{{"Labels", nlohmann::json::array()}};
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
