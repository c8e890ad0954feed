#include "events/seed_rules.h"

#include <nlohmann/json.hpp>

namespace imagemill::events {

std::string StateMachineArn(const Account& account, std::string_view name) {
  return "arn:aws:states:" + account.region + ":" + account.id +
         ":stateMachine:" + std::string(name);
}

bool SeedEventRules(EventRuleStore& store, const SeedConfig& config) {
  if (store.GetBus(kDefaultBus)) return false;
  store.CreateBus(EventBus{std::string(kDefaultBus), "", config.now_ms});
  store.CreateBus(EventBus{std::string(kSeedBus), "", config.now_ms});

  EventRule seed;
  seed.name = std::string(kSeedRule);
  seed.event_pattern =
      R"({"source":["serverless-data-processing"],"detail-type":["ServerlessDataProcessing"]})";
  seed.description = "The seed's rule: an event with the bucket and prefix starts a run over them";
  seed.created_ms = config.now_ms;
  nlohmann::json detail_target = {
      {"Id", "Target0"}, {"Arn", config.state_machine_arn}, {"InputPath", "$.detail"}};
  for (std::string_view bus : {kDefaultBus, kSeedBus}) {
    seed.bus = std::string(bus);
    store.PutRule(seed);
    store.PutTargets(bus, kSeedRule, {EventTarget{"Target0", detail_target.dump()}}, 5);
  }

  EventRule s3;
  s3.bus = std::string(kDefaultBus);
  s3.name = std::string(kS3ObjectCreatedRule);
  s3.event_pattern = R"({"source":["aws.s3"],"detail-type":["Object Created"]})";
  s3.description = "An object created in a bucket is labelled";
  s3.created_ms = config.now_ms;
  store.PutRule(s3);
  nlohmann::json object_target = {
      {"Id", "Target0"},
      {"Arn", config.state_machine_arn},
      {"InputTransformer",
       {{"InputPathsMap", {{"bucket", "$.detail.bucket.name"}, {"key", "$.detail.object.key"}}},
        {"InputTemplate", R"({"myStateInput": {"Bucket": <bucket>, "Key": <key>}})"}}}};
  store.PutTargets(kDefaultBus, kS3ObjectCreatedRule,
                   {EventTarget{"Target0", object_target.dump()}}, 5);
  return true;
}

}  // namespace imagemill::events
