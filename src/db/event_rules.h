// The event rules (EventBridge's buses, rules and targets) of a database: kept beside its state
// store and results table, so that a server restarted on the same --db finds the rules users
// made.
//
//   sqlite:PATH   tables event_buses, event_rules, event_targets in the same file
//   mem:          in this process's memory
//   postgresql:   tables event_buses, event_rules, event_targets in the same database, over a
//                 connection of the store's own: every server on the database shares them
#pragma once

#include <memory>

#include "db/database.h"
#include "events/rule_store.h"
#include "util/status.h"

namespace imagemill {

// The rule store of `db`. Unsupported (naming the database) for a backend that keeps no rules;
// Io or InvalidArgument when the rules cannot be opened (naming the database and why).
Result<std::unique_ptr<events::EventRuleStore>> OpenEventRules(const Database& db);

}  // namespace imagemill
