#include "util/retry.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace imagemill {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RetryPolicyTest, BacksOffAsStepFunctionsDoesWithJitterAndACap) {
  testing::FakeClock clock;
  clock.set_uniform(1.0);  // the top of the jitter range: the whole delay
  RetryPolicy p;           // the seed's 2 s, x2
  EXPECT_EQ(p.Delay(1, clock), seconds(2));
  EXPECT_EQ(p.Delay(3, clock), seconds(8));
  p.max_delay_seconds = 5;
  EXPECT_EQ(p.Delay(3, clock), seconds(5));
  clock.set_uniform(0.0);  // the bottom: half of it
  EXPECT_EQ(p.Delay(3, clock), milliseconds(2500));
}

TEST(RetryPolicyTest, HonoursTheDelayAFailureAsksForUpToACap) {
  testing::FakeClock clock;
  RetryPolicy p;
  p.interval_seconds = 0.1;
  EXPECT_EQ(p.Delay(1, clock, Status::Throttled("x").WithRetryAfter(seconds(7))), seconds(7));
  EXPECT_EQ(p.Delay(1, clock, Status::Throttled("x").WithRetryAfter(std::chrono::hours(1))),
            seconds(60));
  EXPECT_LT(p.Delay(1, clock, Status::Throttled("x")), seconds(1));
}

TEST(RetryPolicyTest, CallWithRetryTriesTransientFailuresOnlyAndSleepsOnTheClock) {
  testing::FakeClock clock;
  RetryPolicy p;
  p.max_attempts = 3;
  int calls = 0;
  Result<int> flaky = CallWithRetry<int>(p, clock, [&]() -> Result<int> {
    return ++calls < 3 ? Result<int>(Status::Io("reset")) : Result<int>(42);
  });
  EXPECT_EQ(*flaky, 42);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(clock.sleeps().size(), 2u);

  calls = 0;
  Status gone = CallWithRetry(p, clock, [&] {
    ++calls;
    return Status::NotFound("a.jpg: no such key");
  });
  EXPECT_EQ(gone.code(), Code::kNotFound);
  EXPECT_EQ(calls, 1) << "a permanent failure is not tried again";

  calls = 0;
  Status busy = CallWithRetry(p, clock, [&] {
    ++calls;
    return Status::Throttled("slow down");
  });
  EXPECT_EQ(busy.code(), Code::kThrottled);
  EXPECT_EQ(calls, 4) << "the first try and MaxAttempts retries";
}

}  // namespace
}  // namespace imagemill
