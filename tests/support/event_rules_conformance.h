// The EventRuleStore contract as a reusable test suite: each backend instantiates it with a
// factory that returns an empty store, e.g.
//   INSTANTIATE_TEST_SUITE_P(Memory, EventRuleStoreConformance, ::testing::Values(&MakeMemory));
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "events/rule_store.h"

namespace imagemill::testing {

// Returns a new, empty store.
using EventRuleStoreFactory = std::unique_ptr<events::EventRuleStore> (*)();

class EventRuleStoreConformance : public ::testing::TestWithParam<EventRuleStoreFactory> {};

}  // namespace imagemill::testing
