// libFuzzer target for the AWSEvents operations (events/events_api.h): the request bodies come
// from the network. The first byte picks the operation, the rest is the JSON body; requests run
// against one in-memory store (new every 1,000 inputs), so sequences of operations build on each
// other. Built and run by `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "events/events_api.h"
#include "events/memory_rule_store.h"
#include "events/seed_rules.h"

namespace {

class NullStarter final : public imagemill::events::ExecutionStarter {
 public:
  imagemill::Result<std::string> Start(const imagemill::events::StartRequest& r) override {
    // What a starter is given is JSON.
    if (!nlohmann::json::accept(r.input)) __builtin_trap();
    return std::string("arn:aws:states:us-east-1:123456789012:execution:m:x");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imagemill::events;
  static NullStarter* starter = new NullStarter();
  static std::unique_ptr<MemoryEventRuleStore> store;
  static std::unique_ptr<EventsApi> api;
  static int calls = 0;
  if (calls++ % 1000 == 0) {
    api.reset();
    store = std::make_unique<MemoryEventRuleStore>();
    SeedEventRules(*store, SeedConfig{Account{}, StateMachineArn(Account{}, "m"), 0});
    EventsConfig config;
    config.on_delivery = [](const Delivery&) {};
    api = std::make_unique<EventsApi>(*store, *starter, imagemill::Clock::Real(), config);
  }
  if (size == 0) return 0;
  const std::vector<std::string>& ops = EventsApi::Operations();
  const std::string& op = ops[data[0] % ops.size()];
  nlohmann::json body = nlohmann::json::parse(
      std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), nullptr, false);
  if (body.is_discarded()) return 0;
  ApiResult result = api->Handle(op, body);
  if (!result.ok() && result.error().message.empty()) __builtin_trap();
  (void)result.ToJson().dump();
  return 0;
}
