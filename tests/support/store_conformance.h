// The ObjectStore contract as a reusable test suite: any backend instantiates it with a factory
// that returns an empty store, e.g.
//   INSTANTIATE_TEST_SUITE_P(Memory, ObjectStoreConformance, ::testing::Values(&MakeMemoryStore));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "objectstore/object_store.h"

namespace imagemill::testing {

// Returns a new, empty store; the test writes into it with Put.
using StoreFactory = std::unique_ptr<ObjectStore> (*)();

class ObjectStoreConformance : public ::testing::TestWithParam<StoreFactory> {};

// Declares that the server behind `factory` is known to get the behaviour `test` checks wrong
// (a test peer's bug, not the backend's): that case then reports itself skipped with `reason`.
// Call before the tests run (e.g. from a namespace-scope initializer beside the instantiation).
bool DeclareKnownDeviation(StoreFactory factory, const std::string& test,
                           const std::string& reason);

}  // namespace imagemill::testing
