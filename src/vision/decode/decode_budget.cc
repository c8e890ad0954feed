#include "vision/decode/decode_budget.h"

#include <algorithm>
#include <cstdlib>

namespace imagemill::vision {

DecodeBudget& DecodeBudget::Default() {
  static DecodeBudget budget([] {
    const char* mb = std::getenv("IMAGEMILL_DECODE_BUDGET_MB");
    if (mb == nullptr || *mb == '\0') return kDefaultDecodeBudgetBytes;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(mb, &end, 10);
    return *end == '\0' && v > 0 ? uint64_t{v} << 20 : kDefaultDecodeBudgetBytes;
  }());
  return budget;
}

std::shared_ptr<const void> DecodeBudget::Acquire(uint64_t bytes) {
  const std::thread::id self = std::this_thread::get_id();
  {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [&] {
      return in_use_ == 0 || in_use_ + bytes <= limit_ || holders_.count(self) > 0;
    });
    in_use_ += bytes;
    peak_ = std::max(peak_, in_use_);
    ++holders_[self];
  }
  return std::make_shared<const Lease>(*this, bytes, self);
}

DecodeBudget::Lease::~Lease() { budget_.Release(bytes_, owner_); }

void DecodeBudget::Release(uint64_t bytes, std::thread::id owner) {
  {
    std::lock_guard lock(mu_);
    in_use_ -= bytes;
    auto it = holders_.find(owner);
    if (it != holders_.end() && --it->second == 0) holders_.erase(it);
  }
  returned_.notify_all();
}

uint64_t DecodeBudget::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

uint64_t DecodeBudget::peak() const {
  std::lock_guard lock(mu_);
  return peak_;
}

uint64_t LeaseBytes(uint64_t pixels) { return pixels * 6; }

}  // namespace imagemill::vision
