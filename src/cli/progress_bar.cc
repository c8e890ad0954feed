#include "cli/progress_bar.h"

#include <unistd.h>

#include <string>

namespace imagemill::cli {
namespace {

std::string Counts(const ProgressSnapshot& s) {
  const ItemCounts& c = s.counts;
  int64_t done = c.succeeded + c.failed + c.skipped;
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%lld/%lld%s done, %lld failed, %lld skipped, %.1f items/s",
                static_cast<long long>(done), static_cast<long long>(c.total),
                s.listing_done ? "" : "+ (listing)", static_cast<long long>(c.failed),
                static_cast<long long>(c.skipped), s.items_per_second);
  return buf;
}

class TerminalBar final : public ProgressSink {
 public:
  void Update(const ProgressSnapshot& s) override { Draw(s, false); }
  void Finish(const ProgressSnapshot& s) override { Draw(s, true); }

 private:
  void Draw(const ProgressSnapshot& s, bool final) {
    const ItemCounts& c = s.counts;
    int64_t done = c.succeeded + c.failed + c.skipped;
    constexpr int kWidth = 24;
    int filled = c.total > 0 ? static_cast<int>(kWidth * done / c.total) : 0;
    if (!s.listing_done) filled = std::min(filled, kWidth - 1);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::string eta = s.eta_seconds >= 0 ? " ETA " + FormatDuration(s.eta_seconds) : "";
    std::fprintf(stderr, "\r\033[K[%s] %s%s", bar.c_str(), Counts(s).c_str(), eta.c_str());
    if (final) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }
};

class PlainLines final : public ProgressSink {
 public:
  void Update(const ProgressSnapshot& s) override {
    if (s.elapsed_seconds < next_) return;
    next_ = s.elapsed_seconds + 5;
    Print(s);
  }
  void Finish(const ProgressSnapshot& s) override { Print(s); }

 private:
  void Print(const ProgressSnapshot& s) {
    std::string eta = s.eta_seconds >= 0 ? ", ETA " + FormatDuration(s.eta_seconds) : "";
    std::fprintf(stderr, "imagemill: %s [%s] %s%s\n", s.execution.c_str(),
                 FormatDuration(s.elapsed_seconds).c_str(), Counts(s).c_str(), eta.c_str());
    std::fflush(stderr);
  }
  double next_ = 5;
};

class Silent final : public ProgressSink {
 public:
  void Update(const ProgressSnapshot&) override {}
  void Finish(const ProgressSnapshot&) override {}
};

}  // namespace

std::string FormatDuration(double seconds) {
  long long s = static_cast<long long>(seconds + 0.5);
  char buf[64];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1fs", seconds);
  }
  return buf;
}

std::unique_ptr<ProgressSink> MakeProgressSink(bool quiet) {
  if (quiet) return std::make_unique<Silent>();
  if (::isatty(STDERR_FILENO)) return std::make_unique<TerminalBar>();
  return std::make_unique<PlainLines>();
}

}  // namespace imagemill::cli
