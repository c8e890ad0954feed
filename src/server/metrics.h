// Metrics: what /metrics answers, in Prometheus' text exposition format (version 0.0.4).
//
//   imagemill_requests_total{operation, code}        API requests answered, by HTTP status
//   imagemill_request_duration_seconds{operation}    their latency, a histogram
//   imagemill_items_total{outcome, error}            items an execution finished in this process
//   imagemill_images_per_second                      images labelled (runs and DetectLabels)
//                                                    per second over the last 10 s
//   plus gauges registered by the parts that own them (queue depths, open connections).
//
// Thread-safe: every method may be called from any thread at any time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imagemill::server {

class Metrics {
 public:
  Metrics();

  // One API request answered with HTTP `status` after `seconds`.
  void ObserveRequest(std::string_view operation, int status, double seconds);
  // `n` items finished with `outcome` ("succeeded", "failed", "skipped"), `error` the failure's
  // code ("" for success).
  void CountItems(std::string_view outcome, std::string_view error, int64_t n = 1);
  // `n` images labelled (counted into images/s).
  void CountImages(int64_t n, std::chrono::steady_clock::time_point now);

  // A gauge read (on the rendering thread, without the metrics lock) when /metrics is rendered.
  // `name` may carry labels: imagemill_queue_depth{pool="detect-labels"}.
  void AddGauge(std::string name, std::string help, std::function<double()> read);

  // The whole exposition at `now`.
  std::string Render(std::chrono::steady_clock::time_point now) const;

  // The histogram's upper bounds, in seconds.
  static const std::vector<double>& Buckets();

 private:
  struct Histogram {
    std::vector<int64_t> counts;  // per bucket, not cumulative
    int64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };

  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;       // guarded by mu_
  std::map<std::string, Histogram, std::less<>> durations_;       // guarded by mu_
  std::map<std::pair<std::string, std::string>, int64_t> items_;  // guarded by mu_
  int64_t images_total_ = 0;                                      // guarded by mu_
  mutable std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>>
      recent_images_;          // guarded by mu_
  std::vector<Gauge> gauges_;  // guarded by mu_
};

// `s` escaped as a Prometheus label value (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view s);

}  // namespace imagemill::server
