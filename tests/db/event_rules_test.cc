#include "db/event_rules.h"

#include <gtest/gtest.h>

#include "support/forwarding_database.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

TEST(EventRulesTest, KeptInTheSqliteFileAcrossOpenings) {
  testing::TempDir dir;
  const std::string uri = "sqlite:" + dir.path() + "/t.db";
  {
    Result<std::unique_ptr<Database>> db = OpenDatabase(uri, OpenMode::kCreate);
    ASSERT_TRUE(db.ok()) << db.status().message();
    Result<std::unique_ptr<events::EventRuleStore>> rules = OpenEventRules(**db);
    ASSERT_TRUE(rules.ok()) << rules.status().message();
    (*rules)->CreateBus({"my-bus", "", 1});
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(uri, OpenMode::kExisting);
  ASSERT_TRUE(db.ok()) << db.status().message();  // the rules' tables do not upset the schema check
  Result<std::unique_ptr<events::EventRuleStore>> rules = OpenEventRules(**db);
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE((*rules)->GetBus("my-bus").has_value());
}

TEST(EventRulesTest, InMemoryForAMemoryDatabase) {
  Result<std::unique_ptr<Database>> db = OpenDatabase("mem:", OpenMode::kCreate);
  ASSERT_TRUE(db.ok());
  Result<std::unique_ptr<events::EventRuleStore>> rules = OpenEventRules(**db);
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ((*rules)->CreateBus({"b", "", 1}), events::StoreOutcome::kOk);
}

TEST(EventRulesTest, ABackendWithoutRulesIsUnsupportedByName) {
  Result<std::unique_ptr<Database>> mem = OpenDatabase("mem:", OpenMode::kCreate);
  ASSERT_TRUE(mem.ok());
  class Elsewhere : public testing::ForwardingDatabase {
   public:
    using ForwardingDatabase::ForwardingDatabase;
    std::string Describe() const override { return "other://db.example/imagemill"; }
  } elsewhere(**mem);
  Result<std::unique_ptr<events::EventRuleStore>> rules = OpenEventRules(elsewhere);
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), Code::kUnsupported);
  EXPECT_NE(rules.status().message().find("other://db.example/imagemill"), std::string::npos);
}

}  // namespace
}  // namespace imagemill
