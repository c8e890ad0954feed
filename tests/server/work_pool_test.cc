#include "server/work_pool.h"

#include <gtest/gtest.h>

#include <future>
#include <set>

namespace imagemill::server {
namespace {

TEST(WorkPoolTest, RunsTasksOnItsThreadsAndRefusesBeyondTheQueue) {
  WorkPool pool("t", 2, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::mutex mu;
  std::set<int> threads;
  std::atomic<int> done{0};
  auto task = [&](int thread) {
    gate.wait();
    std::lock_guard<std::mutex> lock(mu);
    threads.insert(thread);
    ++done;
  };
  ASSERT_TRUE(pool.TrySubmit(task));
  while (pool.running() < 1) std::this_thread::yield();
  ASSERT_TRUE(pool.TrySubmit(task));
  while (pool.running() < 2) std::this_thread::yield();
  EXPECT_TRUE(pool.TrySubmit(task)) << "one may wait";
  EXPECT_FALSE(pool.TrySubmit(task)) << "the second to wait is refused";
  EXPECT_EQ(pool.rejected(), 1);
  release.set_value();
  pool.Shutdown();
  EXPECT_EQ(done.load(), 3);
  EXPECT_EQ(threads, (std::set<int>{0, 1}));
  EXPECT_FALSE(pool.TrySubmit(task)) << "nothing after Shutdown";
}

}  // namespace
}  // namespace imagemill::server
