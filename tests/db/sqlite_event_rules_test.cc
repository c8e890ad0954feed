#include "db/sqlite_event_rules.h"

#include <gtest/gtest.h>

#include <memory>

#include "support/event_rules_conformance.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

using testing::EventRuleStoreConformance;

using events::StoreOutcome;
using testing::TempDir;

// A SqliteEventRules over a fresh file that is removed with the store.
class OwnedSqliteEventRules final : public SqliteEventRules {
 public:
  OwnedSqliteEventRules() : OwnedSqliteEventRules(std::make_unique<TempDir>()) {}

 private:
  explicit OwnedSqliteEventRules(std::unique_ptr<TempDir> dir)
      : SqliteEventRules(dir->path() + "/imagemill.db"), dir_(std::move(dir)) {}
  std::unique_ptr<TempDir> dir_;
};

std::unique_ptr<events::EventRuleStore> MakeSqlite() {
  return std::make_unique<OwnedSqliteEventRules>();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, EventRuleStoreConformance, ::testing::Values(&MakeSqlite));

TEST(SqliteEventRulesTest, RulesOutliveTheConnectionAndShareTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/imagemill.db";
  {
    SqliteEventRules store(path);
    ASSERT_EQ(store.CreateBus({"b", "", 7}), StoreOutcome::kOk);
    events::EventRule rule;
    rule.bus = "b";
    rule.name = "r";
    rule.event_pattern = R"({"source": ["x"]})";
    ASSERT_EQ(store.PutRule(rule), StoreOutcome::kOk);
    ASSERT_EQ(store.PutTargets("b", "r", {{"t", R"({"Id":"t"})"}}, 5), StoreOutcome::kOk);
  }
  SqliteEventRules reopened(path);
  SqliteEventRules second(path);  // a second process on the same file
  std::optional<events::EventRule> rule = reopened.GetRule("b", "r");
  ASSERT_TRUE(rule.has_value());
  EXPECT_EQ(rule->event_pattern, R"({"source": ["x"]})");
  EXPECT_EQ(second.ListTargets("b", "r", "", 10).at(0).definition, R"({"Id":"t"})");
  ASSERT_EQ(second.SetRuleState("b", "r", "DISABLED"), StoreOutcome::kOk);
  EXPECT_EQ(reopened.GetRule("b", "r")->state, "DISABLED");
}

}  // namespace
}  // namespace imagemill
