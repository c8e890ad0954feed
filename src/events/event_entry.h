// A PutEvents request entry, checked as EventBridge checks it, and the event it becomes:
//
//   {"version": "0", "id": <uuid>, "detail-type": DetailType, "source": Source,
//    "account": <account>, "time": Time or now, "region": <region>, "resources": Resources,
//    "detail": Detail}
//
// Pure apart from the event id (a random UUID); thread-safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "events/arns.h"
#include "events/json_value.h"
#include "util/clock.h"

namespace imagemill::events {

// EventBridge's limit on the entries of one PutEvents request, counted by EntrySize.
inline constexpr size_t kMaxPutEventsBytes = 256 * 1024;

struct AcceptedEvent {
  std::string bus;  // the bus name (EventBusName as a name, "default" when absent)
  std::string id;
  JsonValue event;
};

// Why an entry was refused, as PutEvents reports it in Entries[i].
struct EntryFailure {
  std::string code;  // "InvalidArgument", "MalformedDetail"
  std::string message;
};

// Checks `entry` and builds its event: Source, DetailType and Detail are required, Detail must
// be a JSON object, Time (epoch seconds or ISO 8601) and Resources (strings) are optional.
std::variant<AcceptedEvent, EntryFailure> AcceptEntry(const nlohmann::json& entry,
                                                      const Account& account, Clock::TimePoint now);

// The size EventBridge counts for `entry` toward kMaxPutEventsBytes: 14 bytes for a Time, the
// UTF-8 bytes of Source, DetailType, Detail and each resource.
size_t EntrySize(const nlohmann::json& entry);

// "2017-12-22T18:43:48Z": the form of an event's time.
std::string FormatEventTime(Clock::TimePoint t);

}  // namespace imagemill::events
