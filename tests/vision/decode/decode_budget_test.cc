#include "vision/decode/decode_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace imagemill::vision {
namespace {

using std::chrono::milliseconds;

TEST(DecodeBudgetTest, ALeaseThatDoesNotFitWaitsUntilOneIsReturned) {
  DecodeBudget budget(100);
  std::shared_ptr<const void> first = budget.Acquire(70);
  std::atomic<bool> granted{false};
  std::thread other([&] {
    std::shared_ptr<const void> second = budget.Acquire(70);
    granted = true;
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(granted);  // 70 + 70 > 100
  first.reset();
  other.join();
  EXPECT_TRUE(granted);
  EXPECT_EQ(budget.in_use(), 0u);
  EXPECT_EQ(budget.peak(), 70u);
}

TEST(DecodeBudgetTest, LeasesThatFitTogetherDoNotWait) {
  DecodeBudget budget(100);
  std::shared_ptr<const void> a = budget.Acquire(40);
  std::thread other([&] { std::shared_ptr<const void> b = budget.Acquire(60); });
  other.join();
  EXPECT_EQ(budget.peak(), 100u);
}

TEST(DecodeBudgetTest, ALeaseLargerThanTheBudgetIsGrantedAlone) {
  DecodeBudget budget(100);
  std::shared_ptr<const void> small = budget.Acquire(10);
  std::atomic<bool> granted{false};
  std::thread big([&] {
    std::shared_ptr<const void> lease = budget.Acquire(500);
    granted = true;
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(granted);
  small.reset();
  big.join();
  EXPECT_TRUE(granted);
  EXPECT_EQ(budget.peak(), 500u);
}

TEST(DecodeBudgetTest, AThreadHoldingALeaseNeverWaitsOnItself) {
  DecodeBudget budget(100);
  std::shared_ptr<const void> a = budget.Acquire(80);
  std::shared_ptr<const void> b = budget.Acquire(80);  // would deadlock if it waited
  EXPECT_EQ(budget.in_use(), 160u);
  // Returned on another thread, the leases still count against the thread that took them.
  std::thread([a = std::move(a)]() mutable { a.reset(); }).join();
  b.reset();
  EXPECT_EQ(budget.in_use(), 0u);
  std::atomic<bool> granted{false};
  std::shared_ptr<const void> c = budget.Acquire(90);
  std::thread other([&] {
    std::shared_ptr<const void> d = budget.Acquire(20);
    granted = true;
  });
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(granted);  // the other thread holds nothing, so it waits
  c.reset();
  other.join();
}

}  // namespace
}  // namespace imagemill::vision
