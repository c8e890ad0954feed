#include "util/borrow_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace imagemill {
namespace {

TEST(BorrowPoolTest, MakesAnObjectOnlyWhenNoneIsIdleAndReusesWhatComesBack) {
  int made = 0;
  BorrowPool<int> pool(3, [&]() -> Result<std::unique_ptr<int>> {
    return std::make_unique<int>(++made);
  });
  {
    auto a = pool.Borrow();
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(**a, 1);
  }
  auto b = pool.Borrow();
  auto c = pool.Borrow();
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_EQ(**b, 1);  // the first one, given back
  EXPECT_EQ(**c, 2);
  EXPECT_EQ(pool.made(), 2);
}

TEST(BorrowPoolTest, ManyThreadsNeverHoldMoreThanTheCapacityAtOnce) {
  std::atomic<int> out{0}, most{0};
  BorrowPool<int> pool(2, [] { return Result<std::unique_ptr<int>>(std::make_unique<int>(0)); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto lease = pool.Borrow();
        ASSERT_TRUE(lease.ok());
        const int now = ++out;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        ++**lease;  // one thread at a time on an object
        --out;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), 2);
  EXPECT_LE(pool.made(), 2);
}

TEST(BorrowPoolTest, AFailedMakeIsReportedAndTriedAgainOnTheNextBorrow) {
  int calls = 0;
  BorrowPool<int> pool(1, [&]() -> Result<std::unique_ptr<int>> {
    if (++calls == 1) return Status::NotFound("model.onnx is missing");
    return std::make_unique<int>(7);
  });
  auto first = pool.Borrow();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "model.onnx is missing");
  EXPECT_EQ(pool.made(), 0);
  auto second = pool.Borrow();  // does not wait for a slot the failure would have held
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(**second, 7);
}

}  // namespace
}  // namespace imagemill
