#include "support/event_rules_conformance.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace imagemill::testing {
namespace {

using events::EventBus;
using events::EventRule;
using events::EventRuleStore;
using events::EventTarget;
using events::StoreOutcome;

EventRule Rule(const std::string& bus, const std::string& name, int64_t created_ms = 1) {
  EventRule r;
  r.bus = bus;
  r.name = name;
  r.event_pattern = R"({"source": [")" + name + R"("]})";
  r.description = "rule " + name;
  r.role_arn = "arn:aws:iam::123456789012:role/r";
  r.created_ms = created_ms;
  return r;
}

std::vector<std::string> BusNames(EventRuleStore& store, const std::string& prefix,
                                  const std::string& after, int limit) {
  std::vector<std::string> names;
  for (const EventBus& b : store.ListBuses(prefix, after, limit)) names.push_back(b.name);
  return names;
}

std::vector<std::string> RuleNames(EventRuleStore& store, const std::string& bus,
                                   const std::string& prefix, const std::string& after, int limit) {
  std::vector<std::string> names;
  for (const EventRule& r : store.ListRules(bus, prefix, after, limit)) names.push_back(r.name);
  return names;
}

std::vector<std::string> TargetIds(EventRuleStore& store, const std::string& bus,
                                   const std::string& rule) {
  std::vector<std::string> ids;
  for (const EventTarget& t : store.ListTargets(bus, rule, "", 100)) ids.push_back(t.id);
  return ids;
}

TEST_P(EventRuleStoreConformance, BusesAreUniqueAndListInByteOrderByPrefixAndPage) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  for (const char* name : {"orders", "default", "orders-eu", "orders/eu", "orders.eu", "audit"}) {
    EXPECT_EQ(store->CreateBus(EventBus{name, "", 5}), StoreOutcome::kOk) << name;
  }
  EXPECT_EQ(store->CreateBus(EventBus{"orders", "{}", 6}), StoreOutcome::kExists);
  std::optional<EventBus> got = store->GetBus("orders");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->policy, "");
  EXPECT_EQ(got->created_ms, 5);
  EXPECT_FALSE(store->GetBus("order").has_value());
  // '-' (0x2d) < '.' (0x2e) < '/' (0x2f): byte order.
  EXPECT_EQ(BusNames(*store, "", "", 100),
            (std::vector<std::string>{"audit", "default", "orders", "orders-eu", "orders.eu",
                                      "orders/eu"}));
  EXPECT_EQ(BusNames(*store, "orders", "", 100),
            (std::vector<std::string>{"orders", "orders-eu", "orders.eu", "orders/eu"}));
  EXPECT_EQ(BusNames(*store, "orders", "orders", 2),
            (std::vector<std::string>{"orders-eu", "orders.eu"}));
  EXPECT_EQ(BusNames(*store, "orders", "orders.eu", 2), (std::vector<std::string>{"orders/eu"}));
  EXPECT_TRUE(BusNames(*store, "zzz", "", 100).empty());
}

TEST_P(EventRuleStoreConformance, DeletingABusDeletesItsRulesAndTheirTargets) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->CreateBus(EventBus{"c", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->PutRule(Rule("b", "r")), StoreOutcome::kOk);
  ASSERT_EQ(store->PutRule(Rule("c", "r")), StoreOutcome::kOk);
  ASSERT_EQ(store->PutTargets("b", "r", {{"t", "{}"}}, 5), StoreOutcome::kOk);
  ASSERT_EQ(store->PutTargets("c", "r", {{"t", "{}"}}, 5), StoreOutcome::kOk);
  EXPECT_EQ(store->DeleteBus("b"), StoreOutcome::kOk);
  EXPECT_EQ(store->DeleteBus("b"), StoreOutcome::kNotFound);
  EXPECT_FALSE(store->GetRule("b", "r").has_value());
  EXPECT_TRUE(TargetIds(*store, "b", "r").empty());
  // A bus of the same name starts empty.
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 2}), StoreOutcome::kOk);
  EXPECT_TRUE(RuleNames(*store, "b", "", "", 100).empty());
  // The other bus keeps its own.
  EXPECT_TRUE(store->GetRule("c", "r").has_value());
  EXPECT_EQ(TargetIds(*store, "c", "r"), std::vector<std::string>{"t"});
}

TEST_P(EventRuleStoreConformance, PutRuleNeedsItsBusAndReplacesTheRuleKeepingItsCreation) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  EXPECT_EQ(store->PutRule(Rule("nobus", "r")), StoreOutcome::kNotFound);
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  EventRule r = Rule("b", "r", 100);
  ASSERT_EQ(store->PutRule(r), StoreOutcome::kOk);
  std::optional<EventRule> got = store->GetRule("b", "r");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->event_pattern, r.event_pattern);
  EXPECT_EQ(got->state, "ENABLED");
  EXPECT_EQ(got->description, "rule r");
  EXPECT_EQ(got->role_arn, r.role_arn);
  EXPECT_EQ(got->created_ms, 100);
  r.event_pattern = R"({"detail": {"x": [1]}})";
  r.description = "";
  r.state = "DISABLED";
  r.created_ms = 200;
  ASSERT_EQ(store->PutRule(r), StoreOutcome::kOk);
  got = store->GetRule("b", "r");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->event_pattern, r.event_pattern);
  EXPECT_EQ(got->description, "");
  EXPECT_EQ(got->state, "DISABLED");
  EXPECT_EQ(got->created_ms, 100);
  EXPECT_FALSE(store->GetRule("b", "other").has_value());
  EXPECT_FALSE(store->GetRule("other", "r").has_value());
}

TEST_P(EventRuleStoreConformance, RulesListPerBusInByteOrder) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  ASSERT_EQ(store->CreateBus(EventBus{"a", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  for (const char* name : {"sdp-2", "sdp-10", "sdp_1", "other", "sdp.1"}) {
    ASSERT_EQ(store->PutRule(Rule("a", name)), StoreOutcome::kOk);
  }
  ASSERT_EQ(store->PutRule(Rule("b", "sdp-0")), StoreOutcome::kOk);
  EXPECT_EQ(RuleNames(*store, "a", "", "", 100),
            (std::vector<std::string>{"other", "sdp-10", "sdp-2", "sdp.1", "sdp_1"}));
  EXPECT_EQ(RuleNames(*store, "a", "sdp", "", 2), (std::vector<std::string>{"sdp-10", "sdp-2"}));
  EXPECT_EQ(RuleNames(*store, "a", "sdp", "sdp-2", 2),
            (std::vector<std::string>{"sdp.1", "sdp_1"}));
  EXPECT_EQ(RuleNames(*store, "b", "", "", 100), std::vector<std::string>{"sdp-0"});
  EXPECT_TRUE(RuleNames(*store, "none", "", "", 100).empty());
}

TEST_P(EventRuleStoreConformance, ARuleWithTargetsIsNotDeleted) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->PutRule(Rule("b", "r")), StoreOutcome::kOk);
  ASSERT_EQ(store->PutTargets("b", "r", {{"t1", "{}"}}, 5), StoreOutcome::kOk);
  EXPECT_EQ(store->DeleteRule("b", "r"), StoreOutcome::kHasTargets);
  EXPECT_TRUE(store->GetRule("b", "r").has_value());
  ASSERT_EQ(store->RemoveTargets("b", "r", {"t1"}), StoreOutcome::kOk);
  EXPECT_EQ(store->DeleteRule("b", "r"), StoreOutcome::kOk);
  EXPECT_FALSE(store->GetRule("b", "r").has_value());
  EXPECT_EQ(store->DeleteRule("b", "r"), StoreOutcome::kNotFound);
}

TEST_P(EventRuleStoreConformance, OnlyEnabledRulesAreMatchedWithTheirTargets) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->CreateBus(EventBus{"c", "", 1}), StoreOutcome::kOk);
  for (const char* name : {"r1", "r2", "r3"})
    ASSERT_EQ(store->PutRule(Rule("b", name)), StoreOutcome::kOk);
  ASSERT_EQ(store->PutRule(Rule("c", "r1")), StoreOutcome::kOk);
  ASSERT_EQ(store->PutTargets("b", "r1", {{"x", "{\"Id\":\"x\"}"}, {"a", "{\"Id\":\"a\"}"}}, 5),
            StoreOutcome::kOk);
  ASSERT_EQ(store->PutTargets("b", "r2", {{"y", "{}"}}, 5), StoreOutcome::kOk);
  ASSERT_EQ(store->PutTargets("c", "r1", {{"z", "{}"}}, 5), StoreOutcome::kOk);
  EXPECT_EQ(store->SetRuleState("b", "r2", "DISABLED"), StoreOutcome::kOk);
  EXPECT_EQ(store->SetRuleState("b", "nope", "DISABLED"), StoreOutcome::kNotFound);
  std::vector<events::RuleWithTargets> enabled = store->EnabledRules("b");
  ASSERT_EQ(enabled.size(), 2u);
  EXPECT_EQ(enabled[0].rule.name, "r1");
  ASSERT_EQ(enabled[0].targets.size(), 2u);
  EXPECT_EQ(enabled[0].targets[0].id, "a");
  EXPECT_EQ(enabled[0].targets[0].definition, "{\"Id\":\"a\"}");
  EXPECT_EQ(enabled[0].targets[1].id, "x");
  EXPECT_EQ(enabled[1].rule.name, "r3");
  EXPECT_TRUE(enabled[1].targets.empty());
  EXPECT_EQ(store->SetRuleState("b", "r2", "ENABLED"), StoreOutcome::kOk);
  EXPECT_EQ(store->EnabledRules("b").size(), 3u);
  EXPECT_EQ(store->GetRule("b", "r2")->state, "ENABLED");
  EXPECT_TRUE(store->EnabledRules("none").empty());
}

TEST_P(EventRuleStoreConformance, TargetsAreReplacedByIdWithinTheLimit) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  EXPECT_EQ(store->PutTargets("b", "r", {{"t", "{}"}}, 5), StoreOutcome::kNotFound);
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->PutRule(Rule("b", "r")), StoreOutcome::kOk);
  EXPECT_EQ(store->PutTargets("b", "r", {{"t1", "1"}, {"t2", "2"}, {"t3", "3"}}, 3),
            StoreOutcome::kOk);
  EXPECT_EQ(store->PutTargets("b", "r", {{"t2", "2b"}}, 3), StoreOutcome::kOk);  // a replacement
  // One more would make four: nothing changes, not even the replacement in the same call.
  EXPECT_EQ(store->PutTargets("b", "r", {{"t1", "1b"}, {"t4", "4"}}, 3),
            StoreOutcome::kTooManyTargets);
  std::vector<EventTarget> targets = store->ListTargets("b", "r", "", 100);
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].definition, "1");
  EXPECT_EQ(targets[1].definition, "2b");
  EXPECT_EQ(store->ListTargets("b", "r", "t1", 1).size(), 1u);
  EXPECT_EQ(store->ListTargets("b", "r", "t1", 1)[0].id, "t2");
  EXPECT_EQ(store->RemoveTargets("b", "r", {"t1", "unknown"}), StoreOutcome::kOk);
  EXPECT_EQ(TargetIds(*store, "b", "r"), (std::vector<std::string>{"t2", "t3"}));
  EXPECT_EQ(store->RemoveTargets("b", "nope", {"t2"}), StoreOutcome::kNotFound);
}

TEST_P(EventRuleStoreConformance, RacingPutTargetsNeverExceedTheLimit) {
  std::unique_ptr<EventRuleStore> store = GetParam()();
  ASSERT_EQ(store->CreateBus(EventBus{"b", "", 1}), StoreOutcome::kOk);
  ASSERT_EQ(store->PutRule(Rule("b", "r")), StoreOutcome::kOk);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      StoreOutcome o = store->PutTargets("b", "r", {{"t" + std::to_string(i), "{}"}}, 5);
      if (o == StoreOutcome::kOk) ++accepted;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 5);
  EXPECT_EQ(TargetIds(*store, "b", "r").size(), 5u);
}

}  // namespace
}  // namespace imagemill::testing
