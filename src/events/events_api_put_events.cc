// EventsApi: PutEvents, and the delivery of each event to the targets of the rules it matches.
#include <map>

#include "events/event_entry.h"
#include "events/events_api.h"

namespace imagemill::events {

ApiResult EventsApi::PutEvents(const nlohmann::json& request) {
  RequestReader reader(request);
  const nlohmann::json* entries = reader.List("Entries", true, 1, 10);
  reader.String("EndpointId", false, 1, 50);
  if (std::optional<AwsError> e = reader.Error()) return *e;
  size_t total = 0;
  for (const nlohmann::json& entry : *entries) total += EntrySize(entry);
  if (total > kMaxPutEventsBytes) {
    return ValidationError(
        "Total size of the entries in the request is over the limit: " + std::to_string(total) +
        " bytes, at most " + std::to_string(kMaxPutEventsBytes) +
        " (put large data in a bucket and send its key).");
  }

  Clock::TimePoint now = clock_.Now();
  std::string ingestion_time = FormatEventTime(now);
  nlohmann::json results = nlohmann::json::array();
  int failed = 0;
  std::map<std::string, bool> bus_exists;
  for (const nlohmann::json& entry : *entries) {
    std::variant<AcceptedEvent, EntryFailure> outcome = AcceptEntry(entry, config_.account, now);
    if (auto* accepted = std::get_if<AcceptedEvent>(&outcome)) {
      auto known = bus_exists.find(accepted->bus);
      if (known == bus_exists.end()) {
        known = bus_exists.emplace(accepted->bus, store_.GetBus(accepted->bus).has_value()).first;
      }
      if (!known->second) {
        // EventBridge itself accepts an event for a bus that does not exist and drops it; saying
        // so is kinder.
        outcome = EntryFailure{"ResourceNotFoundException", NoSuchBus(accepted->bus)};
      }
    }
    if (auto* failure = std::get_if<EntryFailure>(&outcome)) {
      ++failed;
      results.push_back({{"ErrorCode", failure->code}, {"ErrorMessage", failure->message}});
      continue;
    }
    const AcceptedEvent& accepted = std::get<AcceptedEvent>(outcome);
    results.push_back({{"EventId", accepted.id}});
    Deliver(accepted.bus, accepted.id, accepted.event, ingestion_time);
  }
  return nlohmann::json{{"FailedEntryCount", failed}, {"Entries", std::move(results)}};
}

void EventsApi::Deliver(const std::string& bus, const std::string& event_id, const JsonValue& event,
                        const std::string& ingestion_time) {
  for (const RuleWithTargets& r : store_.EnabledRules(bus)) {
    std::shared_ptr<const EventPattern> pattern = Compiled(r.rule.event_pattern);
    if (pattern == nullptr || !pattern->Matches(event)) continue;
    Invocation invocation{RuleArn(config_.account, bus, r.rule.name), r.rule.name, ingestion_time};
    for (const EventTarget& t : r.targets) {
      Delivery d;
      d.event_id = event_id;
      d.bus = bus;
      d.rule = r.rule.name;
      d.target_id = t.id;
      Result<std::shared_ptr<const TargetInput>> input = Input(t.definition);
      if (!input.ok()) {
        d.status = input.status();
        config_.on_delivery(d);
        continue;
      }
      d.state_machine_arn = (*input)->arn();
      d.input = (*input)->Render(event, invocation);
      if (!nlohmann::json::accept(d.input)) {
        // Possible with an InputTransformer that puts a string holding quotes between quotes.
        d.status = Status::InvalidArgument(
            "target " + t.id + " made an input that is not JSON (" + d.input.substr(0, 200) +
            "): a variable between quotes in its InputTemplate holds a value with quotes; put it "
            "outside quotes, where it is written as JSON");
        config_.on_delivery(d);
        continue;
      }
      Result<std::string> started = starter_.Start(
          StartRequest{d.state_machine_arn, d.input, event_id, invocation.rule_arn, t.id});
      if (started.ok()) {
        d.execution_arn = *started;
      } else {
        d.status = started.status();
      }
      config_.on_delivery(d);
    }
  }
}

}  // namespace imagemill::events
