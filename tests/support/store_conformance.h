// The ObjectStore contract as a reusable test suite: any backend instantiates it with a factory
// that returns an empty store, e.g.
//   INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreConformance, ::testing::Values(&MakeMemoryStore));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "storage/object_store.h"

namespace imagemill::testing {

// Returns a new, empty store; the test writes into it with Put.
using StoreFactory = std::unique_ptr<ObjectStore> (*)();

class ObjectStoreConformance : public ::testing::TestWithParam<StoreFactory> {};

}  // namespace imagemill::testing
