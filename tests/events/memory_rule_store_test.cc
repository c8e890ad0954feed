#include "events/memory_rule_store.h"

#include "support/event_rules_conformance.h"

namespace imagemill::events {
namespace {

using testing::EventRuleStoreConformance;

std::unique_ptr<EventRuleStore> MakeMemory() { return std::make_unique<MemoryEventRuleStore>(); }

INSTANTIATE_TEST_SUITE_P(Memory, EventRuleStoreConformance, ::testing::Values(&MakeMemory));

}  // namespace
}  // namespace imagemill::events
