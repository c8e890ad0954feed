#include "util/clock.h"

#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

namespace imagemill {
namespace {

class RealClock final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Steady() override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(Duration d) override { std::this_thread::sleep_for(d); }
  double Uniform() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_{std::random_device{}()};  // guarded by mu_
};

}  // namespace

Clock& Clock::Real() {
  static RealClock* clock = new RealClock();  // never destroyed: used by detached threads
  return *clock;
}

std::string FormatIso8601(Clock::TimePoint t) {
  // The civil calendar of <chrono>: no time-zone lock (gmtime_r takes one), no printf. The
  // results table formats one date per stored image.
  using namespace std::chrono;  // NOLINT
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{ms - day};
  char buf[32] = "0000-00-00T00:00:00.000Z";
  auto put = [&](int pos, int width, long long v) {
    for (int i = pos + width - 1; i >= pos; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  };
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return "0000-01-01T00:00:00.000Z";
  put(0, 4, y);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, hms.hours().count());
  put(14, 2, hms.minutes().count());
  put(17, 2, hms.seconds().count());
  put(20, 3, hms.subseconds().count());
  return std::string(buf, 24);
}

int64_t ToUnixMillis(Clock::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::TimePoint FromUnixMillis(int64_t ms) {
  return Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(
      std::chrono::milliseconds(ms)));
}

}  // namespace imagemill
