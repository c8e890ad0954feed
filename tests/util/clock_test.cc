#include "util/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace imagemill {
namespace {

Clock::TimePoint AtMillis(int64_t ms) {
  return Clock::TimePoint(std::chrono::duration_cast<Clock::Duration>(std::chrono::milliseconds(ms)));
}

// The C library's formatting, for comparison.
std::string ViaGmtime(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms - secs * 1000));
  return buf;
}

TEST(FormatIso8601, KnownInstants) {
  EXPECT_EQ(FormatIso8601(AtMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(AtMillis(1'700'000'000'123)), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatIso8601(AtMillis(951'782'400'000)), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(AtMillis(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(FormatIso8601, AgreesWithGmtime) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int64_t> ms(-2'000'000'000'000, 4'000'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    int64_t m = ms(rng);
    ASSERT_EQ(FormatIso8601(AtMillis(m)), ViaGmtime(m)) << m;
  }
}

}  // namespace
}  // namespace imagemill
