// PostgresEventRules against a real PostgreSQL server that the test starts (support/
// postgres_cluster.h): the conformance suite every rule store passes, and what only a shared
// database has — two servers' stores on one database seeing each other's changes, and
// OpenEventRules finding the rules of a PostgreSQL --db. Every store is a schema of its own.
#include "db/postgres_event_rules.h"

#include <gtest/gtest.h>

#include <memory>

#include "db/event_rules.h"
#include "support/event_rules_conformance.h"
#include "support/postgres_cluster.h"

namespace imagemill {
namespace {

using events::StoreOutcome;
using testing::EventRuleStoreConformance;
using testing::NewSchemaUri;

std::unique_ptr<events::EventRuleStore> MakePostgres() {
  return std::make_unique<PostgresEventRules>(NewSchemaUri(), Clock::Real());
}

INSTANTIATE_TEST_SUITE_P(Postgres, EventRuleStoreConformance, ::testing::Values(&MakePostgres));

TEST(PostgresEventRulesTest, TwoServersOnOneDatabaseShareTheirRules) {
  const std::string uri = NewSchemaUri();
  PostgresEventRules one(uri, Clock::Real());
  PostgresEventRules two(uri, Clock::Real());  // another process's connection
  ASSERT_EQ(one.CreateBus({"b", "", 7}), StoreOutcome::kOk);
  EXPECT_EQ(two.CreateBus({"b", "", 8}), StoreOutcome::kExists);
  events::EventRule rule;
  rule.bus = "b";
  rule.name = "r";
  rule.event_pattern = R"({"source": ["x"]})";
  ASSERT_EQ(two.PutRule(rule), StoreOutcome::kOk);
  ASSERT_EQ(one.PutTargets("b", "r", {{"t", R"({"Id":"t"})"}}, 5), StoreOutcome::kOk);
  std::vector<events::RuleWithTargets> enabled = two.EnabledRules("b");
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(enabled[0].rule.event_pattern, R"({"source": ["x"]})");
  ASSERT_EQ(enabled[0].targets.size(), 1u);
  EXPECT_EQ(enabled[0].targets[0].definition, R"({"Id":"t"})");
  ASSERT_EQ(one.SetRuleState("b", "r", "DISABLED"), StoreOutcome::kOk);
  EXPECT_TRUE(two.EnabledRules("b").empty());
  EXPECT_EQ(two.DeleteRule("b", "r"), StoreOutcome::kHasTargets);
  ASSERT_EQ(two.DeleteBus("b"), StoreOutcome::kOk);
  EXPECT_FALSE(one.GetRule("b", "r").has_value());
  EXPECT_TRUE(one.ListTargets("b", "r", "", 10).empty());
}

TEST(PostgresEventRulesTest, OpenEventRulesKeepsAPostgresDatabasesRulesInIt) {
  const std::string uri = NewSchemaUri();
  {
    Result<std::unique_ptr<Database>> db = OpenDatabase(uri, OpenMode::kCreate);
    ASSERT_TRUE(db.ok()) << db.status().message();
    Result<std::unique_ptr<events::EventRuleStore>> rules = OpenEventRules(**db);
    ASSERT_TRUE(rules.ok()) << rules.status().message();
    ASSERT_EQ((*rules)->CreateBus({"my-bus", "", 1}), StoreOutcome::kOk);
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(uri, OpenMode::kExisting);
  ASSERT_TRUE(db.ok()) << db.status().message();
  Result<std::unique_ptr<events::EventRuleStore>> rules = OpenEventRules(**db);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_TRUE((*rules)->GetBus("my-bus").has_value());
  EXPECT_NE(testing::SharedCluster().Psql("SELECT count(*) FROM " +
                                          uri.substr(uri.rfind("%3D") + 3) + ".event_buses"),
            "0");
}

}  // namespace
}  // namespace imagemill
