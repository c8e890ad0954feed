#include "events/events_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "events/event_entry.h"

namespace imagemill::events {
namespace {

constexpr const char* kBusNamePattern = "[/\\.\\-_A-Za-z0-9]+";
constexpr const char* kBusNameOrArnPattern =
    "(arn:aws[\\w-]*:events:[a-z]{2}-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+";
constexpr size_t kMaxCached = 1024;

bool ValidBusNameOrArn(std::string_view s) { return IsValidBusName(BusName(s)); }
bool ValidBusName(std::string_view s) { return IsValidBusName(s); }
bool ValidRuleName(std::string_view s) { return IsValidRuleName(s); }

void LogDelivery(const Delivery& d) {
  if (d.status.ok()) {
    spdlog::info("event {} on bus {} matched rule {}: target {} started {}", d.event_id, d.bus,
                 d.rule, d.target_id, d.execution_arn);
  } else {
    spdlog::warn(
        "event {} on bus {} matched rule {}, but target {} could not start an execution "
        "of {}: {}",
        d.event_id, d.bus, d.rule, d.target_id, d.state_machine_arn, d.status.message());
  }
}

}  // namespace

std::string NoSuchBus(std::string_view bus) {
  return "Event bus " + std::string(bus) + " does not exist.";
}

std::string NoSuchRule(std::string_view rule, std::string_view bus) {
  return "Rule " + std::string(rule) + " does not exist on EventBus " + std::string(bus) + ".";
}

EventsApi::EventsApi(EventRuleStore& store, ExecutionStarter& starter, Clock& clock,
                     EventsConfig config)
    : store_(store), starter_(starter), clock_(clock), config_(std::move(config)) {
  if (!config_.on_delivery) config_.on_delivery = LogDelivery;
}

const std::vector<std::string>& EventsApi::Operations() {
  static const auto* ops = new std::vector<std::string>{
      "CreateEventBus", "DescribeEventBus",      "ListEventBuses", "DeleteEventBus",
      "PutRule",        "DescribeRule",          "ListRules",      "DeleteRule",
      "EnableRule",     "DisableRule",           "PutTargets",     "ListTargetsByRule",
      "RemoveTargets",  "ListRuleNamesByTarget", "PutEvents",      "TestEventPattern"};
  return *ops;
}

ApiResult EventsApi::Handle(std::string_view operation, const nlohmann::json& request) {
  using Op = ApiResult (EventsApi::*)(const nlohmann::json&);
  static const std::unordered_map<std::string_view, Op> kOps = {
      {"CreateEventBus", &EventsApi::CreateEventBus},
      {"DescribeEventBus", &EventsApi::DescribeEventBus},
      {"ListEventBuses", &EventsApi::ListEventBuses},
      {"DeleteEventBus", &EventsApi::DeleteEventBus},
      {"PutRule", &EventsApi::PutRule},
      {"DescribeRule", &EventsApi::DescribeRule},
      {"ListRules", &EventsApi::ListRules},
      {"DeleteRule", &EventsApi::DeleteRule},
      {"EnableRule", &EventsApi::EnableRule},
      {"DisableRule", &EventsApi::DisableRule},
      {"PutTargets", &EventsApi::PutTargets},
      {"ListTargetsByRule", &EventsApi::ListTargetsByRule},
      {"RemoveTargets", &EventsApi::RemoveTargets},
      {"ListRuleNamesByTarget", &EventsApi::ListRuleNamesByTarget},
      {"PutEvents", &EventsApi::PutEvents},
      {"TestEventPattern", &EventsApi::TestEventPattern},
  };
  auto it = kOps.find(operation);
  if (it == kOps.end()) {
    return AwsError{"UnknownOperationException",
                    "AWSEvents." + std::string(operation) +
                        " is not an operation imagemill "
                        "serves; it serves " +
                        std::to_string(kOps.size()) +
                        " (CreateEventBus, PutRule, PutTargets, PutEvents, ...).",
                    400};
  }
  return (this->*(it->second))(request);
}

std::optional<std::string> EventsApi::ReadRuleName(RequestReader& reader, const char* member,
                                                   bool required) {
  return reader.String(member, required, 1, 64, ValidRuleName, "[\\.\\-_A-Za-z0-9]+");
}

std::optional<std::string> EventsApi::ExistingBus(RequestReader& reader, AwsError& error) {
  std::optional<std::string> given =
      reader.String("EventBusName", false, 1, 1600, ValidBusNameOrArn, kBusNameOrArnPattern);
  if (std::optional<AwsError> e = reader.Error()) {
    error = *e;
    return std::nullopt;
  }
  std::string bus = BusName(given.value_or(""));
  if (!store_.GetBus(bus)) {
    error = ResourceNotFound(NoSuchBus(bus));
    return std::nullopt;
  }
  return bus;
}

std::shared_ptr<const EventPattern> EventsApi::Compiled(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = patterns_.find(text);
    if (it != patterns_.end()) return it->second;
  }
  Result<EventPattern> parsed = EventPattern::Parse(text);
  std::shared_ptr<const EventPattern> compiled =
      parsed.ok() ? std::make_shared<const EventPattern>(std::move(parsed).value()) : nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (patterns_.size() >= kMaxCached) patterns_.clear();
  patterns_.emplace(text, compiled);
  return compiled;
}

Result<std::shared_ptr<const TargetInput>> EventsApi::Input(const std::string& definition) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = inputs_.find(definition);
    if (it != inputs_.end()) return it->second;
  }
  nlohmann::json target = nlohmann::json::parse(definition, nullptr, false);
  Result<TargetInput> input = TargetInput::FromTarget(target);
  if (!input.ok()) return input.status();
  auto shared = std::make_shared<const TargetInput>(std::move(input).value());
  std::lock_guard<std::mutex> lock(mu_);
  if (inputs_.size() >= kMaxCached) inputs_.clear();
  inputs_.emplace(definition, shared);
  return shared;
}

// ---- Buses

ApiResult EventsApi::CreateEventBus(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> name =
      reader.String("Name", true, 1, 256, ValidBusName, kBusNamePattern);
  std::optional<std::string> source = reader.String("EventSourceName", false, 1, 256);
  reader.List("Tags", false, 0, 50);
  if (std::optional<AwsError> e = reader.Error()) return *e;
  if (source) {
    return ValidationError(
        "imagemill has no partner event sources; create the bus without "
        "EventSourceName.");
  }
  if (name->find('/') != std::string::npos) {
    return ValidationError(
        "Event bus names with '/' belong to partner event sources, which "
        "imagemill does not have; choose a name without '/'.");
  }
  EventBus bus{*name, "", ToUnixMillis(clock_.Now())};
  if (store_.CreateBus(bus) == StoreOutcome::kExists) {
    return AwsError{"ResourceAlreadyExistsException", "Event bus " + *name + " already exists.",
                    400};
  }
  return nlohmann::json{{"EventBusArn", EventBusArn(config_.account, *name)}};
}

ApiResult EventsApi::DescribeEventBus(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> given =
      reader.String("Name", false, 1, 1600, ValidBusNameOrArn, kBusNameOrArnPattern);
  if (std::optional<AwsError> e = reader.Error()) return *e;
  std::string name = BusName(given.value_or(""));
  std::optional<EventBus> bus = store_.GetBus(name);
  if (!bus) return ResourceNotFound(NoSuchBus(name));
  nlohmann::json out = {{"Name", bus->name}, {"Arn", EventBusArn(config_.account, bus->name)}};
  if (!bus->policy.empty()) out["Policy"] = bus->policy;
  return out;
}

ApiResult EventsApi::ListEventBuses(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> prefix =
      reader.String("NamePrefix", false, 1, 256, ValidBusName, kBusNamePattern);
  RequestReader::Page page = reader.ReadPage();
  if (std::optional<AwsError> e = reader.Error()) return *e;
  std::vector<EventBus> buses = store_.ListBuses(prefix.value_or(""), page.after, page.limit + 1);
  return PagedAnswer(
      "EventBuses", buses, page.limit,
      [&](const EventBus& b) {
        nlohmann::json out = {{"Name", b.name}, {"Arn", EventBusArn(config_.account, b.name)}};
        if (!b.policy.empty()) out["Policy"] = b.policy;
        return out;
      },
      [](const EventBus& b) { return b.name; });
}

ApiResult EventsApi::DeleteEventBus(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> name =
      reader.String("Name", true, 1, 256, ValidBusName, kBusNamePattern);
  if (std::optional<AwsError> e = reader.Error()) return *e;
  if (*name == kDefaultBus) return ValidationError("Cannot delete event bus default.");
  store_.DeleteBus(*name);  // deleting a bus that is not there succeeds, as in EventBridge
  return nlohmann::json::object();
}

// ---- Testing a pattern

ApiResult EventsApi::TestEventPattern(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> pattern = reader.String("EventPattern", true, 0, 4096);
  std::optional<std::string> event_text = reader.String("Event", true, 0, 1 << 20);
  if (std::optional<AwsError> e = reader.Error()) return *e;
  Result<EventPattern> parsed = EventPattern::Parse(*pattern);
  if (!parsed.ok()) return AwsError{"InvalidEventPatternException", parsed.status().message(), 400};
  Result<JsonValue> event = ParseJson(*event_text);
  if (!event.ok() || !event->is_object()) {
    return ValidationError("Parameter Event is not valid: it must be an event as JSON ({...})" +
                           (event.ok() ? std::string() : ": " + event.status().message()));
  }
  for (const char* field :
       {"id", "account", "source", "time", "region", "resources", "detail-type"}) {
    if (event->Find(field) == nullptr) {
      return ValidationError(std::string("Parameter Event is not valid: it has no \"") + field +
                             "\" (an event needs id, account, source, time, region, resources "
                             "and detail-type).");
    }
  }
  return nlohmann::json{{"Result", parsed->Matches(*event)}};
}

}  // namespace imagemill::events
