#include "libs/runtime/pass_loop.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace kpr::runtime {
namespace {

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(5)) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return done();
}

TEST(PassLoop, RunsAgainAtOnceWhileThereIsWorkThenIdles) {
  std::atomic<int> passes{0};
  std::atomic<int> work{5};
  PassLoop loop(
      [&]() -> absl::StatusOr<int> {
        ++passes;
        return work > 0 ? work-- : 0;
      },
      {.idle_wait = absl::Hours(1)});
  loop.Start();
  ASSERT_TRUE(WaitFor([&] { return passes.load() >= 6; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(passes.load(), 6);  // five with work, one that found none, then it waits
  loop.Notify();
  EXPECT_TRUE(WaitFor([&] { return passes.load() == 7; }));  // Notify cuts the idle wait short
  loop.Stop();
}

TEST(PassLoop, BacksOffWhileFailingAndReportsFailingAndRecovery) {
  std::atomic<int> passes{0};
  std::atomic<int> failing_reports{0}, recovered_reports{0};
  std::vector<absl::Time> times;
  absl::Mutex mu;
  PassLoop loop(
      [&]() -> absl::StatusOr<int> {
        absl::MutexLock lock(&mu);
        times.push_back(absl::Now());
        if (++passes <= 4) return absl::UnavailableError("down");
        return 0;
      },
      {.idle_wait = absl::Hours(1),
       .min_backoff = absl::Milliseconds(20),
       .max_backoff = absl::Milliseconds(80),
       .on_failing = [&](const absl::Status&) { ++failing_reports; },
       .on_recovered = [&] { ++recovered_reports; }});
  loop.Start();
  ASSERT_TRUE(WaitFor([&] { return passes.load() >= 5; }));
  loop.Notify();  // does not matter any more: it is idle now
  loop.Stop();
  EXPECT_EQ(failing_reports.load(), 1);
  EXPECT_EQ(recovered_reports.load(), 1);
  absl::MutexLock lock(&mu);
  ASSERT_GE(times.size(), 5u);
  EXPECT_GE(times[1] - times[0], absl::Milliseconds(18));  // 20 ms
  EXPECT_GE(times[2] - times[1], absl::Milliseconds(38));  // 40 ms
  EXPECT_GE(times[3] - times[2], absl::Milliseconds(78));  // 80 ms (capped)
  EXPECT_GE(times[4] - times[3], absl::Milliseconds(78));  // still capped
}

TEST(PassLoop, StopWaitsForThePassInProgressAndIsIdempotent) {
  absl::Notification in_pass, release;
  std::atomic<bool> finished{false};
  PassLoop loop(
      [&]() -> absl::StatusOr<int> {
        if (!in_pass.HasBeenNotified()) in_pass.Notify();
        release.WaitForNotification();
        finished = true;
        return 0;
      },
      {});
  loop.Start();
  in_pass.WaitForNotification();
  std::thread stopper([&] { loop.Stop(); });
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_FALSE(finished.load());
  release.Notify();
  stopper.join();
  EXPECT_TRUE(finished.load());
  loop.Stop();
  loop.Start();  // a stopped loop does not start again
}

}  // namespace
}  // namespace kpr::runtime
