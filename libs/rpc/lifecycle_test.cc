#include "libs/rpc/lifecycle.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Records on_change calls; lets the test wait for the n-th one.
class Recorder {
 public:
  void Record(bool healthy) {
    absl::MutexLock lock(&mu_);
    calls_.push_back(healthy);
  }
  std::vector<bool> WaitFor(size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (Calls().size() < n && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(2));
    return Calls();
  }
  std::vector<bool> Calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::vector<bool> calls_ ABSL_GUARDED_BY(mu_);
};

TEST(HealthMonitorTest, ReportsAtStartAndOnEveryChange) {
  std::atomic<bool> redis_up{true};
  std::atomic<int> nats_calls{0};
  Recorder recorder;
  HealthMonitor monitor({{"redis", [&] { return redis_up.load(); }},
                         {"nats",
                          [&] {
                            ++nats_calls;
                            return true;
                          }}},
                        absl::Milliseconds(10), [&](bool healthy) { recorder.Record(healthy); });
  monitor.Start();
  // The first report happens inside Start().
  EXPECT_THAT(recorder.Calls(), ElementsAre(true));
  EXPECT_TRUE(monitor.healthy());
  EXPECT_THAT(monitor.FailingChecks(), IsEmpty());

  redis_up = false;
  EXPECT_THAT(recorder.WaitFor(2), ElementsAre(true, false));
  EXPECT_FALSE(monitor.healthy());
  EXPECT_THAT(monitor.FailingChecks(), ElementsAre("redis"));

  // Unchanged state is not reported again.
  const int before = nats_calls.load();
  while (nats_calls.load() < before + 5) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_THAT(recorder.Calls(), ElementsAre(true, false));

  redis_up = true;
  EXPECT_THAT(recorder.WaitFor(3), ElementsAre(true, false, true));
  EXPECT_TRUE(monitor.healthy());

  monitor.Stop();
  monitor.Stop();  // idempotent
  redis_up = false;
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_THAT(recorder.Calls(), ElementsAre(true, false, true));
}

TEST(HealthMonitorTest, StartsUnhealthyWhenACheckFails) {
  Recorder recorder;
  HealthMonitor monitor({{"nats", [] { return false; }}, {"redis", [] { return false; }}},
                        absl::Hours(1), [&](bool healthy) { recorder.Record(healthy); });
  monitor.Start();
  EXPECT_THAT(recorder.Calls(), ElementsAre(false));
  EXPECT_THAT(monitor.FailingChecks(), ElementsAre("nats", "redis"));
  // Stop() must not wait for the hour-long interval.
  const absl::Time start = absl::Now();
  monitor.Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(ShutdownSignalTest, SigtermSetsRequested) {
  ShutdownSignal::Install();
  EXPECT_FALSE(ShutdownSignal::Requested());
  std::thread waiter([] { ShutdownSignal::WaitForShutdown(); });
  // Blocked in every thread, so the sigwait thread is the one that takes it.
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  waiter.join();
  EXPECT_TRUE(ShutdownSignal::Requested());
}

}  // namespace
}  // namespace kpr::rpc
