// The rules a new database starts with, so that the seed's own event starts a run unchanged and
// new uploads get labelled:
//
//   bus "default" and bus "ServerlessDataProcessingBus" (the seed's custom bus), each with
//     rule "ServerlessDataProcessingRule": {"source": ["serverless-data-processing"],
//                                           "detail-type": ["ServerlessDataProcessing"]}
//       target "Target0": the state machine, InputPath "$.detail"
//   bus "default":
//     rule "S3ObjectCreatedRule": {"source": ["aws.s3"], "detail-type": ["Object Created"]}
//       target "Target0": the state machine, InputTransformer giving
//         {"myStateInput": {"Bucket": <detail.bucket.name>, "Key": <detail.object.key>}}
//
// They are made once, when the database has no default bus; after that they are the user's to
// change or delete.
#pragma once

#include <string>
#include <string_view>

#include "events/arns.h"
#include "events/rule_store.h"

namespace imagemill::events {

inline constexpr std::string_view kSeedBus = "ServerlessDataProcessingBus";
inline constexpr std::string_view kSeedRule = "ServerlessDataProcessingRule";
inline constexpr std::string_view kS3ObjectCreatedRule = "S3ObjectCreatedRule";

struct SeedConfig {
  Account account;
  // The ARN of the state machine the seed's targets start (the seed's CDK stack calls it
  // DMapStateMachine).
  std::string state_machine_arn;
  int64_t now_ms = 0;
};

// "arn:aws:states:<region>:<account>:stateMachine:<name>"
std::string StateMachineArn(const Account& account, std::string_view name);

// Creates the rules above when `store` has no default bus. True when it did. Thread-safe and
// safe to race (several servers starting on one database): what exists is left alone.
bool SeedEventRules(EventRuleStore& store, const SeedConfig& config);

}  // namespace imagemill::events
