// The simulated clock over a real redis-server: every process reading one key sees one time,
// an advance is seen within the refresh bound, and time never goes backwards.
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/clock/sim_clock.h"
#include "libs/clock/sim_clock_store.h"
#include "libs/clock/sim_time.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::clock {
namespace {

using testing::HarnessRedisPool;
using testing::Servers;

constexpr absl::Duration kDay = absl::Hours(24);
constexpr absl::Duration kRefresh = absl::Milliseconds(100);

store::RedisOptions HarnessRedis() {
  store::RedisOptions o;
  o.host = Servers::Redis().host();
  o.port = Servers::Redis().port();
  return o;
}

std::unique_ptr<SimulatedClock> StartClock() {
  auto c = SimulatedClock::Start(HarnessRedis(), {.refresh = kRefresh});
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

absl::Time Monday2027() {
  return absl::FromCivil(absl::CivilSecond(2027, 1, 4, 8, 0, 0), absl::UTCTimeZone());
}

// How long until `clock` shows at least `t`; InfiniteDuration if not within 5 s.
absl::Duration TimeUntilSeen(SimulatedClock& clock, absl::Time t) {
  const absl::Time start = absl::Now();
  while (absl::Now() - start < absl::Seconds(5)) {
    if (clock.Now() >= t) return absl::Now() - start;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::InfiniteDuration();
}

bool Within(const std::function<bool()>& done, absl::Duration timeout) {
  for (const absl::Time end = absl::Now() + timeout; absl::Now() < end;) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

class SimClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = HarnessRedisPool();
  }
  std::unique_ptr<store::RedisPool> pool_;
};

TEST_F(SimClockTest, WithoutTheKeySimulatedTimeIsRealTime) {
  auto clock = StartClock();
  ASSERT_NE(clock, nullptr);
  const absl::Time before = absl::Now();
  const absl::Time t = clock->Now();
  EXPECT_GE(t, before);
  EXPECT_LE(t, absl::Now());
  EXPECT_EQ(clock->kind(), "simulated");
}

TEST_F(SimClockTest, TwoSourcesOverOneRedisSeeTheSameTime) {
  ASSERT_TRUE(SetSimTime(*pool_, Monday2027(), absl::Now()).ok());
  auto a = StartClock();
  auto b = StartClock();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  for (int i = 0; i < 100; ++i) {
    // Read in turn, each should fall between its neighbours: one time, not two.
    const absl::Time t1 = a->Now(), t2 = b->Now(), t3 = a->Now();
    ASSERT_LE(t1, t2 + absl::Milliseconds(1));
    ASSERT_LE(t2, t3 + absl::Milliseconds(1));
  }
  EXPECT_GE(a->Now(), Monday2027());
  EXPECT_LT(a->Now(), Monday2027() + absl::Minutes(1));  // it flows at real speed

  // Moved by a third party (kprctl): both follow, to the same time.
  ASSERT_TRUE(AdvanceSimTime(*pool_, 3 * kDay).ok());
  EXPECT_LT(TimeUntilSeen(*a, Monday2027() + 3 * kDay), absl::Seconds(1));
  EXPECT_LT(TimeUntilSeen(*b, Monday2027() + 3 * kDay), absl::Seconds(1));
  const absl::Time t1 = a->Now(), t2 = b->Now(), t3 = a->Now();
  EXPECT_LE(t1, t2 + absl::Milliseconds(1));
  EXPECT_LE(t2, t3 + absl::Milliseconds(1));
}

TEST_F(SimClockTest, AnAdvanceIsSeenWithinTheRefreshBoundAndWakesTheListener) {
  ASSERT_TRUE(SetSimTime(*pool_, Monday2027(), absl::Now()).ok());
  auto clock = StartClock();
  ASSERT_NE(clock, nullptr);
  std::atomic<int> jumps{0};
  absl::Notification woke;
  clock->OnJump([&] {
    if (jumps.fetch_add(1) == 0) woke.Notify();
  });
  absl::SleepFor(3 * kRefresh);
  EXPECT_EQ(jumps.load(), 0) << "nothing moved, nobody is woken";

  for (int round = 0; round < 5; ++round) {
    const absl::Time target = clock->Now() + 10 * 7 * kDay;
    ASSERT_TRUE(AdvanceSimTime(*pool_, 10 * 7 * kDay).ok());
    const absl::Duration took = TimeUntilSeen(*clock, target);
    // One refresh plus scheduling slack on a busy machine.
    EXPECT_LT(took, kRefresh + absl::Milliseconds(400)) << "round " << round;
  }
  EXPECT_TRUE(woke.WaitForNotificationWithTimeout(absl::Seconds(1)));
  EXPECT_GE(jumps.load(), 1);

  // Removed: it no longer runs.
  clock->OnJump({});
  const int seen = jumps.load();
  ASSERT_TRUE(AdvanceSimTime(*pool_, kDay).ok());
  absl::SleepFor(5 * kRefresh);
  EXPECT_EQ(jumps.load(), seen);
}

TEST_F(SimClockTest, NeverGoesBackwardsEvenWhenTheKeyIsLoweredByHand) {
  ASSERT_TRUE(SetSimTime(*pool_, Monday2027() + 30 * kDay, absl::Now()).ok());
  auto clock = StartClock();
  ASSERT_NE(clock, nullptr);
  const absl::Time high = clock->Now();
  std::atomic<bool> stop{false};
  std::atomic<bool> went_back{false};
  std::vector<std::thread> readers;
  for (int k = 0; k < 3; ++k) {
    readers.emplace_back([&] {
      absl::Time last = absl::InfinitePast();
      while (!stop.load()) {
        absl::Time t = clock->Now();
        if (t < last) went_back = true;
        last = t;
      }
    });
  }
  // Not through SetSimTime, which refuses: straight into Redis.
  const int64_t lower = absl::ToInt64Milliseconds(Monday2027() - absl::Now());
  ASSERT_TRUE(pool_->Command({"SET", kSimClockKey, absl::StrCat(lower)}).ok());
  EXPECT_TRUE(Within([&] { return clock->offset_ms() == lower; }, absl::Seconds(2)));
  absl::SleepFor(3 * kRefresh);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_FALSE(went_back.load());
  EXPECT_GE(clock->Now(), high);
}

TEST_F(SimClockTest, SetRefusesToMoveBackAndAdvanceOnlyGoesForward) {
  // Never set: any instant, also one in the past.
  auto first = SetSimTime(*pool_, absl::Now() - 120 * kDay, absl::Now());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_LT(*first, 0);
  ASSERT_TRUE(SetSimTime(*pool_, Monday2027(), absl::Now()).ok());

  auto back = SetSimTime(*pool_, Monday2027() - kDay, absl::Now());
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(back.status().message().find("never moves back"), std::string::npos);
  EXPECT_EQ(AdvanceSimTime(*pool_, -kDay).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AdvanceSimTime(*pool_, absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto stored = ReadSimOffset(*pool_);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  const absl::Time now = SimulatedTime(absl::Now(), **stored);
  EXPECT_GE(now, Monday2027());
  EXPECT_LT(now, Monday2027() + absl::Minutes(1));

  // Concurrent advances add up.
  std::vector<std::thread> writers;
  for (int k = 0; k < 4; ++k) {
    writers.emplace_back([&] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(AdvanceSimTime(*pool_, absl::Hours(1)).ok());
    });
  }
  for (auto& t : writers) t.join();
  auto after = ReadSimOffset(*pool_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(**after - **stored, absl::ToInt64Milliseconds(absl::Hours(100)));

  ASSERT_TRUE(pool_->Command({"SET", kSimClockKey, "soon"}).ok());
  EXPECT_EQ(ReadSimOffset(*pool_).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SimClockTest, ReadsNeverWaitForRedisAndTimeFlowsOnWhileItIsDown) {
  ASSERT_TRUE(SetSimTime(*pool_, Monday2027(), absl::Now()).ok());
  auto clock = StartClock();
  ASSERT_NE(clock, nullptr);
  Servers::Redis().Stop();
  const absl::Time before = clock->Now();
  absl::Duration slowest;
  for (int i = 0; i < 30; ++i) {
    const absl::Time start = absl::Now();
    clock->Now();
    slowest = std::max(slowest, absl::Now() - start);
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_LT(slowest, absl::Milliseconds(5));
  EXPECT_GE(clock->Now() - before, absl::Milliseconds(250));  // at real speed
  EXPECT_LT(clock->Now(), Monday2027() + absl::Minutes(1));   // with the offset it had
  ASSERT_TRUE(Servers::Redis().Start().ok());
  auto pool = HarnessRedisPool();
  // Whether or not the restarted server kept the key, this moves the clock forward.
  ASSERT_TRUE(Within([&] { return SetSimTime(*pool, Monday2027() + 2 * kDay, absl::Now()).ok(); },
                     absl::Seconds(10)));
  EXPECT_LT(TimeUntilSeen(*clock, Monday2027() + 2 * kDay), absl::Seconds(3));
}

TEST(SimClockStart, FailsWhenRedisDoesNotAnswer) {
  store::RedisOptions nowhere;
  nowhere.host = "127.0.0.1";
  nowhere.port = testing::FreePort();
  const absl::Time start = absl::Now();
  auto c = SimulatedClock::Start(nowhere, {.first_read = absl::Milliseconds(300)});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find(kSimClockKey), std::string::npos);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

}  // namespace
}  // namespace kpr::clock
