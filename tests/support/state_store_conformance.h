// The StateStore and ResultsTable contract as a reusable test suite: every database backend
// instantiates it with a factory that returns an empty database, e.g.
//   INSTANTIATE_TEST_SUITE_P(Memory, DatabaseConformance, ::testing::Values(&MakeMemoryDatabase));
// Time comes from a FakeClock: leases expire because the test moves the clock, never by waiting.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "db/database.h"

namespace imagemill::testing {

// Returns a new, empty database, kept until the test ends.
using DatabaseFactory = std::unique_ptr<Database> (*)();

class DatabaseConformance : public ::testing::TestWithParam<DatabaseFactory> {};

}  // namespace imagemill::testing
