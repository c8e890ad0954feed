#include "events/memory_rule_store.h"

namespace imagemill::events {
namespace {

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

StoreOutcome MemoryEventRuleStore::CreateBus(const EventBus& bus) {
  std::lock_guard<std::mutex> lock(mu_);
  return buses_.emplace(bus.name, bus).second ? StoreOutcome::kOk : StoreOutcome::kExists;
}

std::optional<EventBus> MemoryEventRuleStore::GetBus(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buses_.find(std::string(name));
  if (it == buses_.end()) return std::nullopt;
  return it->second;
}

std::vector<EventBus> MemoryEventRuleStore::ListBuses(std::string_view prefix,
                                                      std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EventBus> out;
  for (auto it = buses_.upper_bound(std::string(after));
       it != buses_.end() && static_cast<int>(out.size()) < limit; ++it) {
    if (HasPrefix(it->first, prefix)) out.push_back(it->second);
  }
  return out;
}

StoreOutcome MemoryEventRuleStore::DeleteBus(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (buses_.erase(std::string(name)) == 0) return StoreOutcome::kNotFound;
  for (auto it = rules_.begin(); it != rules_.end();) {
    it = it->first.first == name ? rules_.erase(it) : std::next(it);
  }
  return StoreOutcome::kOk;
}

StoreOutcome MemoryEventRuleStore::PutRule(const EventRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  if (buses_.count(rule.bus) == 0) return StoreOutcome::kNotFound;
  StoredRule& stored = rules_[{rule.bus, rule.name}];
  int64_t created = stored.rule.name.empty() ? rule.created_ms : stored.rule.created_ms;
  stored.rule = rule;
  stored.rule.created_ms = created;
  return StoreOutcome::kOk;
}

std::optional<EventRule> MemoryEventRuleStore::GetRule(std::string_view bus,
                                                       std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find({std::string(bus), std::string(name)});
  if (it == rules_.end()) return std::nullopt;
  return it->second.rule;
}

std::vector<EventRule> MemoryEventRuleStore::ListRules(std::string_view bus,
                                                       std::string_view prefix,
                                                       std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EventRule> out;
  for (auto it = rules_.upper_bound({std::string(bus), std::string(after)});
       it != rules_.end() && it->first.first == bus && static_cast<int>(out.size()) < limit; ++it) {
    if (HasPrefix(it->first.second, prefix)) out.push_back(it->second.rule);
  }
  return out;
}

StoreOutcome MemoryEventRuleStore::DeleteRule(std::string_view bus, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find({std::string(bus), std::string(name)});
  if (it == rules_.end()) return StoreOutcome::kNotFound;
  if (!it->second.targets.empty()) return StoreOutcome::kHasTargets;
  rules_.erase(it);
  return StoreOutcome::kOk;
}

StoreOutcome MemoryEventRuleStore::SetRuleState(std::string_view bus, std::string_view name,
                                                std::string_view state) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find({std::string(bus), std::string(name)});
  if (it == rules_.end()) return StoreOutcome::kNotFound;
  it->second.rule.state = std::string(state);
  return StoreOutcome::kOk;
}

StoreOutcome MemoryEventRuleStore::PutTargets(std::string_view bus, std::string_view rule,
                                              const std::vector<EventTarget>& targets,
                                              int max_targets) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find({std::string(bus), std::string(rule)});
  if (it == rules_.end()) return StoreOutcome::kNotFound;
  std::map<std::string, std::string> after = it->second.targets;
  for (const EventTarget& t : targets) after[t.id] = t.definition;
  if (static_cast<int>(after.size()) > max_targets) return StoreOutcome::kTooManyTargets;
  it->second.targets = std::move(after);
  return StoreOutcome::kOk;
}

std::vector<EventTarget> MemoryEventRuleStore::ListTargets(std::string_view bus,
                                                           std::string_view rule,
                                                           std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EventTarget> out;
  auto it = rules_.find({std::string(bus), std::string(rule)});
  if (it == rules_.end()) return out;
  for (auto t = it->second.targets.upper_bound(std::string(after));
       t != it->second.targets.end() && static_cast<int>(out.size()) < limit; ++t) {
    out.push_back(EventTarget{t->first, t->second});
  }
  return out;
}

StoreOutcome MemoryEventRuleStore::RemoveTargets(std::string_view bus, std::string_view rule,
                                                 const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find({std::string(bus), std::string(rule)});
  if (it == rules_.end()) return StoreOutcome::kNotFound;
  for (const std::string& id : ids) it->second.targets.erase(id);
  return StoreOutcome::kOk;
}

std::vector<RuleWithTargets> MemoryEventRuleStore::EnabledRules(std::string_view bus) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RuleWithTargets> out;
  for (auto it = rules_.lower_bound({std::string(bus), ""});
       it != rules_.end() && it->first.first == bus; ++it) {
    if (it->second.rule.state != "ENABLED") continue;
    RuleWithTargets r{it->second.rule, {}};
    for (const auto& [id, definition] : it->second.targets) r.targets.push_back({id, definition});
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace imagemill::events
