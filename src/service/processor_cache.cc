#include "service/processor_cache.h"

namespace imagemill::service {

Result<std::shared_ptr<Processor>> ProcessorCache::Get(const ProcessorSettings& settings) {
  Result<std::string> name = ProcessorName(settings);
  if (!name.ok()) return name.status();
  const std::string key = *name + "@" + std::to_string(settings.max_pixels);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = loaded_.find(key); it != loaded_.end()) return it->second;
  ProcessorSettings shared = settings;
  shared.shared_networks = networks_;
  Result<std::unique_ptr<Processor>> made = MakeProcessor(shared);
  if (!made.ok()) return made.status();
  std::shared_ptr<Processor> processor = std::move(made).value();
  loaded_[key] = processor;
  return processor;
}

size_t ProcessorCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loaded_.size();
}

}  // namespace imagemill::service
