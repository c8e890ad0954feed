#include "server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace imagemill::server {
namespace {

constexpr auto kRateWindow = std::chrono::seconds(10);

// The shortest text without an exponent that reads back as `v` ("0.0005", "10").
std::string Number(double v) {
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string EscapeLabelValue(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const std::vector<double>& Metrics::Buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics() = default;

void Metrics::ObserveRequest(std::string_view operation, int status, double seconds) {
  const auto& buckets = Buckets();
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(operation), status}];
  auto it = durations_.find(operation);
  if (it == durations_.end()) {
    it = durations_.emplace(std::string(operation), Histogram{}).first;
    it->second.counts.assign(buckets.size(), 0);
  }
  Histogram& h = it->second;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (seconds <= buckets[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountItems(std::string_view outcome, std::string_view error, int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  items_[{std::string(outcome), std::string(error)}] += n;
}

void Metrics::CountImages(int64_t n, std::chrono::steady_clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  images_total_ += n;
  recent_images_.emplace_back(now, n);
  while (!recent_images_.empty() && recent_images_.front().first < now - kRateWindow) {
    recent_images_.pop_front();
  }
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::Render(std::chrono::steady_clock::time_point now) const {
  std::vector<Gauge> gauges;
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gauges = gauges_;
    out += "# HELP imagemill_requests_total API requests answered, by operation and HTTP status.\n";
    out += "# TYPE imagemill_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out += "imagemill_requests_total{operation=\"" + EscapeLabelValue(key.first) + "\",code=\"" +
             std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    }
    out +=
        "# HELP imagemill_request_duration_seconds Time from a request's last byte to its "
        "answer, by operation.\n";
    out += "# TYPE imagemill_request_duration_seconds histogram\n";
    const auto& buckets = Buckets();
    for (const auto& [op, h] : durations_) {
      const std::string label = "operation=\"" + EscapeLabelValue(op) + "\"";
      int64_t cumulative = 0;
      for (size_t i = 0; i < buckets.size(); ++i) {
        cumulative += h.counts[i];
        out += "imagemill_request_duration_seconds_bucket{" + label + ",le=\"" +
               Number(buckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
      }
      out += "imagemill_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
             std::to_string(h.count) + "\n";
      out += "imagemill_request_duration_seconds_sum{" + label + "} " + Number(h.sum) + "\n";
      out += "imagemill_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) +
             "\n";
    }
    out +=
        "# HELP imagemill_items_total Items finished by executions in this process, by "
        "outcome and error.\n";
    out += "# TYPE imagemill_items_total counter\n";
    for (const auto& [key, n] : items_) {
      out += "imagemill_items_total{outcome=\"" + EscapeLabelValue(key.first) + "\",error=\"" +
             EscapeLabelValue(key.second) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP imagemill_images_total Images labelled (executions and DetectLabels).\n";
    out += "# TYPE imagemill_images_total counter\n";
    out += "imagemill_images_total " + std::to_string(images_total_) + "\n";
    while (!recent_images_.empty() && recent_images_.front().first < now - kRateWindow) {
      recent_images_.pop_front();
    }
    int64_t recent = 0;
    for (const auto& [t, n] : recent_images_) recent += n;
    out += "# HELP imagemill_images_per_second Images labelled per second over the last 10 s.\n";
    out += "# TYPE imagemill_images_per_second gauge\n";
    out +=
        "imagemill_images_per_second " +
        Number(static_cast<double>(recent) / std::chrono::duration<double>(kRateWindow).count()) +
        "\n";
  }
  // Gauges of one family (the name before any labels) share one HELP and TYPE line.
  std::vector<std::string> families;
  for (const Gauge& g : gauges) {
    const std::string family = g.name.substr(0, g.name.find('{'));
    if (std::find(families.begin(), families.end(), family) == families.end()) {
      families.push_back(family);
      out += "# HELP " + family + " " + g.help + "\n";
      out += "# TYPE " + family + " gauge\n";
      for (const Gauge& same : gauges) {
        if (same.name.substr(0, same.name.find('{')) == family) {
          out += same.name + " " + Number(same.read()) + "\n";
        }
      }
    }
  }
  return out;
}

}  // namespace imagemill::server
