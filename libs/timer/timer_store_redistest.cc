#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/store/keys.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "libs/timer/timer_store.h"
#include "libs/timer/timer_test_support.h"
#include "libs/timer/timer_worker.h"
#include "tests/harness/servers.h"

namespace kpr::timer {
namespace {

using ::testing::ElementsAre;

class TimerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kpr::testing::FlushRedis().ok()); }

  std::vector<std::string> Index() {
    auto r = pool_.Command({"SMEMBERS", TimerIndexKey("sched")});
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    for (size_t i = 0; r.ok() && i < r->size(); ++i) out.push_back(r->element(i).string());
    return out;
  }

  store::RedisPool pool_{TestOptions()};
  TimerStore timers_{pool_, "sched"};
};

TEST_F(TimerStoreTest, ScheduleGetRescheduleCancel) {
  const std::string payload(
      "\x01\x00\xff"
      "cohort-7",
      11);  // binary-safe
  ASSERT_TRUE(timers_.Schedule({"0165", "cohort-7:start", kT0, payload}).ok());

  auto got = timers_.Get("0165", "cohort-7:start");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->municipality, "0165");
  EXPECT_EQ((*got)->id, "cohort-7:start");
  EXPECT_EQ((*got)->due, kT0);
  EXPECT_EQ((*got)->payload, payload);
  EXPECT_EQ((*got)->attempt, 0);
  EXPECT_THAT(Index(), ElementsAre("0165"));

  // Same id again replaces due and payload: one timer, not two.
  ASSERT_TRUE(timers_.Schedule({"0165", "cohort-7:start", kT0 + absl::Hours(1), "v2"}).ok());
  got = timers_.Get("0165", "cohort-7:start");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->due, kT0 + absl::Hours(1));
  EXPECT_EQ((*got)->payload, "v2");
  auto card = pool_.Command({"ZCARD", TimersKey("0165", "sched")});
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->integer(), 1);

  // Another municipality is independent.
  ASSERT_TRUE(timers_.Schedule({"0187", "cohort-7:start", kT0, "other"}).ok());
  EXPECT_THAT(Index(), ::testing::UnorderedElementsAre("0165", "0187"));

  ASSERT_TRUE(timers_.Cancel("0165", "cohort-7:start").ok());
  got = timers_.Get("0165", "cohort-7:start");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  // Cancel leaves nothing behind and is idempotent.
  auto zset = pool_.Command({"EXISTS", TimersKey("0165", "sched"), TimerDataKey("0165", "sched")});
  ASSERT_TRUE(zset.ok());
  EXPECT_EQ(zset->integer(), 0);
  EXPECT_TRUE(timers_.Cancel("0165", "cohort-7:start").ok());

  got = timers_.Get("0187", "cohort-7:start");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->payload, "other");
}

TEST_F(TimerStoreTest, ScheduleManyInOneCall) {
  std::vector<Timer> batch;
  for (int i = 0; i < 300; ++i) {
    batch.push_back({i % 2 ? "0165" : "0187", absl::StrCat("t", i), kT0 + absl::Seconds(i),
                     absl::StrCat("p", i)});
  }
  ASSERT_TRUE(timers_.ScheduleMany(batch).ok());
  for (int i : {0, 1, 150, 299}) {
    auto got = timers_.Get(i % 2 ? "0165" : "0187", absl::StrCat("t", i));
    ASSERT_TRUE(got.ok() && got->has_value()) << i;
    EXPECT_EQ((*got)->due, kT0 + absl::Seconds(i));
    EXPECT_EQ((*got)->payload, absl::StrCat("p", i));
  }
  EXPECT_TRUE(timers_.ScheduleMany({}).ok());
}

TEST_F(TimerStoreTest, RejectsBadInput) {
  EXPECT_EQ(timers_.Schedule({"165", "a", kT0, ""}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(timers_.Schedule({"0165", "", kT0, ""}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(timers_.Schedule({"0165", "a", absl::InfiniteFuture(), ""}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(timers_.Cancel("x", "a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(timers_.Get("0165", "").status().code(), absl::StatusCode::kInvalidArgument);
  // A bad timer in a batch stores none of it.
  EXPECT_EQ(timers_.ScheduleMany({{"0165", "ok", kT0, ""}, {"0165", "", kT0, ""}}).code(),
            absl::StatusCode::kInvalidArgument);
  auto got = timers_.Get("0165", "ok");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

// The shape a service script has: check the entity's version, change it, schedule the timer
// that drives its next step, all in one script.
// KEYS[1] entity, KEYS[2] timers zset, KEYS[3] timers data; ARGV expected version, state,
// timer id, due ms, payload.
const store::Script& OpenCohortScript() {
  static const store::Script* s =
      new store::Script("open_cohort", absl::StrCat(kTimerScheduleLua, R"lua(
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then
  return redis.error_reply('CONFLICT version ' .. version)
end
redis.call('HSET', KEYS[1], 'version', version + 1, 'state', ARGV[2])
timer_schedule(KEYS[2], KEYS[3], ARGV[3], ARGV[4], ARGV[5])
return version + 1
)lua"));
  return *s;
}

TEST_F(TimerStoreTest, LuaSnippetSchedulesAtomicallyWithTheStateChange) {
  const std::string entity = store::Key("0165", "sched", "cohort:7");
  auto run = [&](int expected, const std::string& state, absl::Time due,
                 const std::string& payload) {
    return pool_.Eval(OpenCohortScript(),
                      {entity, TimersKey("0165", "sched"), TimerDataKey("0165", "sched")},
                      {absl::StrCat(expected), state, "cohort:7:start",
                       absl::StrCat(absl::ToUnixMillis(due)), payload});
  };
  ASSERT_TRUE(timers_.Register("0165").ok());
  auto r = run(0, "OPEN", kT0, "start");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer(), 1);
  auto got = timers_.Get("0165", "cohort:7:start");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->due, kT0);
  EXPECT_EQ((*got)->payload, "start");

  // A conflicting change neither changes the entity nor the timer.
  r = run(0, "CANCELLED", kT0 + absl::Hours(5), "stale");
  EXPECT_FALSE(r.ok());
  got = timers_.Get("0165", "cohort:7:start");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->due, kT0);
  EXPECT_EQ((*got)->payload, "start");

  // The next version reschedules it in the same script.
  ASSERT_TRUE(run(1, "RUNNING", kT0 + absl::Hours(2), "moved").ok());
  got = timers_.Get("0165", "cohort:7:start");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->due, kT0 + absl::Hours(2));
  EXPECT_EQ((*got)->payload, "moved");

  // And a worker fires what the script scheduled.
  std::vector<Timer> fired;
  TimerWorker worker(pool_, "sched", [&](const Timer& t) {
    fired.push_back(t);
    return absl::OkStatus();
  });
  auto n = worker.PollOnce(kT0 + absl::Hours(1));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);
  n = worker.PollOnce(kT0 + absl::Hours(2));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].id, "cohort:7:start");
  EXPECT_EQ(fired[0].payload, "moved");
}

}  // namespace
}  // namespace kpr::timer
