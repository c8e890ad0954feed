#include "server/metrics.h"

#include <gtest/gtest.h>

namespace imagemill::server {
namespace {

using namespace std::chrono_literals;

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Metrics m;
  m.ObserveRequest("Op", 200, 0.0007);
  m.ObserveRequest("Op", 200, 0.003);
  m.ObserveRequest("Op", 400, 20);
  const std::string t = m.Render(std::chrono::steady_clock::now());
  EXPECT_NE(t.find("imagemill_request_duration_seconds_bucket{operation=\"Op\",le=\"0.0005\"} 0"),
            std::string::npos);
  EXPECT_NE(t.find("imagemill_request_duration_seconds_bucket{operation=\"Op\",le=\"0.001\"} 1"),
            std::string::npos);
  EXPECT_NE(t.find("imagemill_request_duration_seconds_bucket{operation=\"Op\",le=\"0.005\"} 2"),
            std::string::npos);
  EXPECT_NE(t.find("imagemill_request_duration_seconds_bucket{operation=\"Op\",le=\"10\"} 2"),
            std::string::npos);
  EXPECT_NE(t.find("imagemill_request_duration_seconds_bucket{operation=\"Op\",le=\"+Inf\"} 3"),
            std::string::npos);
  EXPECT_NE(t.find("imagemill_request_duration_seconds_count{operation=\"Op\"} 3"),
            std::string::npos);
  EXPECT_NE(t.find("imagemill_requests_total{operation=\"Op\",code=\"400\"} 1"), std::string::npos);
}

TEST(MetricsTest, ImagesPerSecondCoversTheLastTenSeconds) {
  Metrics m;
  const auto t0 = std::chrono::steady_clock::now();
  m.CountImages(50, t0);
  m.CountImages(30, t0 + 8s);
  EXPECT_NE(m.Render(t0 + 9s).find("imagemill_images_per_second 8\n"), std::string::npos);
  EXPECT_NE(m.Render(t0 + 12s).find("imagemill_images_per_second 3\n"), std::string::npos);
  EXPECT_NE(m.Render(t0 + 12s).find("imagemill_images_total 80\n"), std::string::npos);
}

TEST(MetricsTest, ItemsByOutcomeAndErrorWithEscapedLabels) {
  Metrics m;
  m.CountItems("failed", "Corrupt", 2);
  m.CountItems("failed", "say \"hi\"\n");
  const std::string t = m.Render(std::chrono::steady_clock::now());
  EXPECT_NE(t.find("imagemill_items_total{outcome=\"failed\",error=\"Corrupt\"} 2"),
            std::string::npos);
  EXPECT_NE(t.find("error=\"say \\\"hi\\\"\\n\"} 1"), std::string::npos);
}

TEST(MetricsTest, GaugesOfOneFamilyShareOneHelpLine) {
  Metrics m;
  m.AddGauge("q{pool=\"a\"}", "Queue depth.", [] { return 1.0; });
  m.AddGauge("q{pool=\"b\"}", "Queue depth.", [] { return 2.0; });
  const std::string t = m.Render(std::chrono::steady_clock::now());
  EXPECT_NE(t.find("# TYPE q gauge\nq{pool=\"a\"} 1\nq{pool=\"b\"} 2\n"), std::string::npos);
  EXPECT_EQ(t.find("# HELP q"), t.rfind("# HELP q"));
}

}  // namespace
}  // namespace imagemill::server
