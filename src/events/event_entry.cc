#include "events/event_entry.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "util/ids.h"

namespace imagemill::events {
namespace {

EntryFailure InvalidArgument(const std::string& field, const std::string& reason) {
  return {"InvalidArgument", "Parameter " + field + " is not valid. Reason: " + reason};
}

// A required, non-empty string member; nullptr when absent or empty (`failure` says why).
const std::string* RequiredString(const nlohmann::json& entry, const char* field,
                                  EntryFailure& failure) {
  auto it = entry.find(field);
  if (it == entry.end() || it->is_null() ||
      (it->is_string() && it->get_ref<const std::string&>().empty())) {
    failure = InvalidArgument(field, std::string(field) + " is a required argument.");
    return nullptr;
  }
  if (!it->is_string()) {
    failure = InvalidArgument(field, std::string(field) + " must be a string.");
    return nullptr;
  }
  return &it->get_ref<const std::string&>();
}

// Parses "2024-05-01T12:00:00Z", with optional fractions of a second and a "+hh:mm" offset.
bool ParseIsoTime(const std::string& s, Clock::TimePoint& out) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return false;
  }
  size_t i = static_cast<size_t>(consumed);
  double fraction = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = i++;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    fraction = std::strtod(s.substr(start, i - start).c_str(), nullptr);
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int hh = 0, mm = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2) return false;
    offset = (s[i] == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size() || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t seconds = timegm(&tm) - offset;
  out = Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(
      std::chrono::duration<double>(static_cast<double>(seconds) + fraction)));
  return true;
}

}  // namespace

std::string FormatEventTime(Clock::TimePoint t) {
  time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::variant<AcceptedEvent, EntryFailure> AcceptEntry(const nlohmann::json& entry,
                                                      const Account& account,
                                                      Clock::TimePoint now) {
  EntryFailure failure;
  if (!entry.is_object()) return EntryFailure{"InvalidArgument", "An entry must be a JSON object."};
  const std::string* source = RequiredString(entry, "Source", failure);
  if (source == nullptr) return failure;
  const std::string* detail_type = RequiredString(entry, "DetailType", failure);
  if (detail_type == nullptr) return failure;
  const std::string* detail_text = RequiredString(entry, "Detail", failure);
  if (detail_text == nullptr) return failure;
  Result<JsonValue> detail = ParseJson(*detail_text);
  if (!detail.ok()) {
    return EntryFailure{"MalformedDetail", "Detail is malformed: " + detail.status().message()};
  }
  if (!detail->is_object()) {
    return EntryFailure{"MalformedDetail", "Detail is malformed: it must be a JSON object ({...})"};
  }

  Clock::TimePoint time = now;
  if (auto it = entry.find("Time"); it != entry.end() && !it->is_null()) {
    if (it->is_number()) {
      double seconds = it->get<double>();
      if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0) {
        return InvalidArgument("Time", "Time must be a date between 1970 and 9999.");
      }
      time = Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(
          std::chrono::duration<double>(seconds)));
    } else if (!it->is_string() || !ParseIsoTime(it->get<std::string>(), time)) {
      return InvalidArgument("Time",
                             "Time must be seconds since 1970 or an ISO 8601 date such "
                             "as 2024-05-01T12:00:00Z.");
    }
  }

  JsonValue resources = JsonValue::Array();
  if (auto it = entry.find("Resources"); it != entry.end() && !it->is_null()) {
    if (!it->is_array())
      return InvalidArgument("Resources", "Resources must be a list of strings.");
    for (const nlohmann::json& r : *it) {
      if (!r.is_string() || r.get_ref<const std::string&>().size() > 2048) {
        return InvalidArgument("Resources",
                               "each resource must be a string of at most 2048 characters.");
      }
      resources.Append(JsonValue::String(r.get<std::string>()));
    }
  }

  std::string bus(kDefaultBus);
  if (auto it = entry.find("EventBusName"); it != entry.end() && !it->is_null()) {
    if (!it->is_string()) return InvalidArgument("EventBusName", "EventBusName must be a string.");
    bus = BusName(it->get<std::string>());
    if (!IsValidBusName(bus)) {
      return InvalidArgument("EventBusName", "\"" + it->get<std::string>() +
                                                 "\" is neither an event bus name nor its ARN.");
    }
  }

  AcceptedEvent accepted;
  accepted.bus = std::move(bus);
  accepted.id = NewUuid();
  JsonValue& e = accepted.event;
  e = JsonValue::Object();
  e.Set("version", JsonValue::String("0"));
  e.Set("id", JsonValue::String(accepted.id));
  e.Set("detail-type", JsonValue::String(*detail_type));
  e.Set("source", JsonValue::String(*source));
  e.Set("account", JsonValue::String(account.id));
  e.Set("time", JsonValue::String(FormatEventTime(time)));
  e.Set("region", JsonValue::String(account.region));
  e.Set("resources", std::move(resources));
  e.Set("detail", std::move(detail).value());
  return accepted;
}

size_t EntrySize(const nlohmann::json& entry) {
  if (!entry.is_object()) return 0;
  size_t size = 0;
  auto string_size = [&](const char* field) -> size_t {
    auto it = entry.find(field);
    return it != entry.end() && it->is_string() ? it->get_ref<const std::string&>().size() : 0;
  };
  if (auto it = entry.find("Time"); it != entry.end() && !it->is_null()) size += 14;
  size += string_size("Source") + string_size("DetailType") + string_size("Detail");
  if (auto it = entry.find("Resources"); it != entry.end() && it->is_array()) {
    for (const nlohmann::json& r : *it) {
      if (r.is_string()) size += r.get_ref<const std::string&>().size();
    }
  }
  return size;
}

}  // namespace imagemill::events
