#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"
#include "libs/timer/timer_test_support.h"
#include "libs/timer/timer_worker.h"
#include "tests/harness/redis_stats.h"
#include "tests/harness/servers.h"

namespace kpr::timer {
namespace {

using ::testing::ElementsAre;

const char kService[] = "sched";

// Thread-safe record of handler calls.
class Recorder {
 public:
  TimerWorker::Handler Handler() {
    return [this](const Timer& t) {
      absl::MutexLock lock(&mu_);
      calls_.push_back(t);
      ++count_[absl::StrCat(t.municipality, "/", t.id)];
      return absl::OkStatus();
    };
  }
  std::vector<Timer> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::map<std::string, int> counts() {
    absl::MutexLock lock(&mu_);
    return count_;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return calls_.size();
  }
  // Waits until at least n calls were recorded.
  bool WaitFor(size_t n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

 private:
  absl::Mutex mu_;
  std::vector<Timer> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> count_ ABSL_GUARDED_BY(mu_);
};

TimerWorker::Options FastOptions() {
  TimerWorker::Options o;
  o.poll_interval = absl::Milliseconds(20);
  return o;
}

class TimerWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kpr::testing::FlushRedis().ok()); }

  // Timers (pending or held) left in Redis for municipality m.
  long long Remaining(absl::string_view m) {
    auto r = pool_.Command({"ZCARD", TimersKey(m, kService)});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->integer() : -1;
  }

  store::RedisPool pool_{TestOptions()};
  TimerStore timers_{pool_, kService};
};

TEST_F(TimerWorkerTest, DueTimersFireWithPayloadAndAttempt) {
  ASSERT_TRUE(timers_.Schedule({"0165", "a", kT0 - absl::Seconds(1), "pa"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0165", "b", kT0, "pb"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0165", "c", kT0 + absl::Seconds(1), "pc"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0187", "d", kT0, "pd"}).ok());
  Recorder rec;
  TimerWorker worker(pool_, kService, rec.Handler(), FastOptions());

  auto n = worker.PollOnce(kT0 - absl::Seconds(2));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0);

  n = worker.PollOnce(kT0);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
  std::map<std::string, Timer> by_id;
  for (const Timer& t : rec.calls()) by_id[t.id] = t;
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["a"].municipality, "0165");
  EXPECT_EQ(by_id["a"].payload, "pa");
  EXPECT_EQ(by_id["a"].due, kT0 - absl::Seconds(1));
  EXPECT_EQ(by_id["a"].attempt, 0);
  EXPECT_EQ(by_id["b"].payload, "pb");
  EXPECT_EQ(by_id["d"].municipality, "0187");
  EXPECT_EQ(by_id["d"].payload, "pd");
  EXPECT_EQ(by_id.count("c"), 0u);

  // Completed timers are gone; the pending one is untouched.
  auto a = timers_.Get("0165", "a");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->has_value());
  auto c = timers_.Get("0165", "c");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_EQ((*c)->attempt, 0);

  n = worker.PollOnce(kT0 + absl::Milliseconds(999));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  n = worker.PollOnce(kT0 + absl::Seconds(1));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(rec.calls().back().id, "c");
  EXPECT_EQ(Remaining("0165"), 0);
  EXPECT_EQ(Remaining("0187"), 0);
}

TEST_F(TimerWorkerTest, PrefetchSeesEachMunicipalitysClaimedTimersBeforeTheirHandlers) {
  ASSERT_TRUE(timers_.Schedule({"0165", "a", kT0, "pa"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0165", "b", kT0, "pb"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0187", "c", kT0, "pc"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0165", "later", kT0 + absl::Seconds(5), ""}).ok());
  Recorder rec;
  std::vector<std::string> events;  // the worker's thread is the caller's here: no lock needed
  TimerWorker::Options opts = FastOptions();
  opts.prefetch = [&](const std::vector<Timer>& batch) {
    std::string ids;
    for (const Timer& t : batch) absl::StrAppend(&ids, t.municipality, "/", t.id, " ");
    events.push_back(absl::StrCat("prefetch ", ids));
  };
  TimerWorker worker(
      pool_, kService,
      [&](const Timer& t) {
        events.push_back(absl::StrCat("handle ", t.municipality, "/", t.id));
        return absl::OkStatus();
      },
      opts);
  auto n = worker.PollOnce(kT0);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 3);
  // Per municipality (in the index's order): one prefetch with all its claimed timers, then
  // their handlers.
  const std::vector<std::string> m0165 = {"prefetch 0165/a 0165/b ", "handle 0165/a",
                                          "handle 0165/b"};
  const std::vector<std::string> m0187 = {"prefetch 0187/c ", "handle 0187/c"};
  std::vector<std::string> expected = m0165;
  expected.insert(events.front() == m0187.front() ? expected.begin() : expected.end(),
                  m0187.begin(), m0187.end());
  EXPECT_EQ(events, expected);
  // Nothing claimed, nothing prefetched.
  events.clear();
  n = worker.PollOnce(kT0 + absl::Seconds(1));
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(events.empty());
}

TEST_F(TimerWorkerTest, FourReplicasHandleEachTimerExactlyOnce) {
  constexpr int kTimers = 2000;
  const std::vector<std::string> ms = {"0101", "0147", "0165", "0187"};
  Recorder rec;
  std::vector<std::unique_ptr<store::RedisPool>> pools;
  std::vector<std::unique_ptr<TimerWorker>> workers;
  std::atomic<int> per_worker[4] = {0, 0, 0, 0};
  TimerWorker::Options opts = FastOptions();
  opts.batch = 25;  // small claims: many more passes compete for the same timers
  for (int w = 0; w < 4; ++w) {
    pools.push_back(std::make_unique<store::RedisPool>(TestOptions()));
    TimerWorker::Handler record = rec.Handler();
    workers.push_back(std::make_unique<TimerWorker>(
        *pools.back(), kService,
        [record, &per_worker, w](const Timer& t) {
          ++per_worker[w];
          return record(t);
        },
        opts));
  }
  for (auto& w : workers) w->Start();

  std::vector<Timer> batch;
  const absl::Time now = absl::Now();
  for (int i = 0; i < kTimers; ++i) {
    batch.push_back({ms[i % ms.size()], absl::StrCat("t", i), now - absl::Milliseconds(i),
                     absl::StrCat("p", i)});
  }
  ASSERT_TRUE(timers_.ScheduleMany(batch).ok());
  for (auto& w : workers) w->Notify();

  ASSERT_TRUE(rec.WaitFor(kTimers, absl::Seconds(60))) << rec.size();
  // Let any duplicate show up before judging.
  absl::SleepFor(absl::Milliseconds(300));
  for (auto& w : workers) w->Stop();

  auto counts = rec.counts();
  EXPECT_EQ(rec.size(), static_cast<size_t>(kTimers));
  ASSERT_EQ(counts.size(), static_cast<size_t>(kTimers));
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id;
  for (const Timer& t : rec.calls()) {
    EXPECT_EQ(t.payload, absl::StrCat("p", t.id.substr(1)));
    EXPECT_EQ(t.attempt, 0);
  }
  for (const auto& m : ms) EXPECT_EQ(Remaining(m), 0) << m;
  int sum = 0;
  for (auto& n : per_worker) sum += n.load();
  EXPECT_EQ(sum, kTimers);
  std::cout << "handled per worker: " << per_worker[0] << " " << per_worker[1] << " "
            << per_worker[2] << " " << per_worker[3] << "\n";
}

// A worker whose handler hangs (a stalled or dead replica) holds its timers only for the lease;
// then another replica fires them. The stale holder's late result changes nothing.
TEST_F(TimerWorkerTest, ExpiredLeaseIsReclaimedAndStaleResultIgnored) {
  for (absl::Status late : {absl::OkStatus(), absl::UnavailableError("late failure")}) {
    SCOPED_TRACE(late.ToString());
    ASSERT_TRUE(kpr::testing::FlushRedis().ok());
    // A fresh store: the flush dropped the index this store's cache thinks it wrote.
    TimerStore timers(pool_, kService);
    ASSERT_TRUE(timers.Schedule({"0165", "x", kT0, "px"}).ok());
    TimerWorker::Options opts = FastOptions();
    opts.lease = absl::Milliseconds(200);

    absl::Notification entered, release;
    std::atomic<int> stuck_calls{0};
    store::RedisPool pool_a(TestOptions());
    TimerWorker stuck(
        pool_a, kService,
        [&](const Timer&) {
          ++stuck_calls;
          entered.Notify();
          release.WaitForNotification();
          return late;
        },
        opts);
    absl::StatusOr<int> stuck_result;
    std::thread holder([&] { stuck_result = stuck.PollOnce(kT0); });
    absl::Cleanup join = [&] {
      release.Notify();
      holder.join();
    };
    ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));

    Recorder rec;
    store::RedisPool pool_b(TestOptions());
    TimerWorker other(pool_b, kService, rec.Handler(), opts);
    auto n = other.PollOnce(kT0 + absl::Milliseconds(199));  // lease still held
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(*n, 0);
    absl::SleepFor(absl::Milliseconds(250));  // the lease runs out in real time too
    n = other.PollOnce(kT0 + absl::Milliseconds(201));
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(*n, 1);
    ASSERT_EQ(rec.size(), 1u);
    EXPECT_EQ(rec.calls()[0].payload, "px");
    EXPECT_EQ(rec.calls()[0].attempt, 1);  // the stalled delivery counts

    std::move(join).Invoke();
    ASSERT_TRUE(stuck_result.ok()) << stuck_result.status();
    EXPECT_EQ(*stuck_result, 1);
    auto got = timers.Get("0165", "x");
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
    EXPECT_EQ(Remaining("0165"), 0);
    n = other.PollOnce(kT0 + absl::Hours(1));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 0);
    EXPECT_EQ(stuck_calls.load(), 1);
  }
}

// The simulated clock jumps weeks ahead while a handler runs: the timer stays with its live
// holder (its lease is real time), and fires once.
TEST_F(TimerWorkerTest, AClockJumpDoesNotTakeATimerFromALiveHolder) {
  ASSERT_TRUE(timers_.Schedule({"0165", "x", kT0, "px"}).ok());
  TimerWorker::Options opts = FastOptions();
  opts.lease = absl::Seconds(2);
  absl::Notification entered, release;
  std::atomic<int> calls{0};
  store::RedisPool pool_a(TestOptions());
  TimerWorker holder(
      pool_a, kService,
      [&](const Timer&) {
        ++calls;
        entered.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      },
      opts);
  absl::StatusOr<int> held;
  std::thread thread([&] { held = holder.PollOnce(kT0); });
  absl::Cleanup join = [&] {
    release.Notify();
    thread.join();
  };
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));

  store::RedisPool pool_b(TestOptions());
  TimerWorker other(
      pool_b, kService,
      [&](const Timer&) {
        ++calls;
        return absl::OkStatus();
      },
      opts);
  const absl::Time jumped = kT0 + absl::Hours(24 * 7 * 3);
  for (int i = 0; i < 3; ++i) {
    auto n = other.PollOnce(jumped + absl::Milliseconds(i));
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(*n, 0) << "taken from its live holder";
  }
  // Set aside until its real lease would end, by the jumped clock.
  auto score = pool_.Command({"ZSCORE", TimersKey("0165", kService), "x"});
  ASSERT_TRUE(score.ok());
  int64_t until_ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(score->str(), &until_ms)) << score->str();
  EXPECT_GT(absl::FromUnixMillis(until_ms), jumped);
  EXPECT_LE(absl::FromUnixMillis(until_ms), jumped + absl::Seconds(2));

  std::move(join).Invoke();
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(*held, 1);
  EXPECT_EQ(Remaining("0165"), 0);
  auto n = other.PollOnce(jumped + absl::Hours(1));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(calls.load(), 1);
}

// Rescheduling or cancelling a timer while a handler holds it: the holder's completion must
// not delete the new version, nor its failure revive the cancelled one.
TEST_F(TimerWorkerTest, StaleCompletionDoesNotTouchRescheduledOrCancelledTimer) {
  ASSERT_TRUE(timers_.Schedule({"0165", "x", kT0, "v1"}).ok());
  ASSERT_TRUE(timers_.Schedule({"0165", "y", kT0, "y1"}).ok());
  absl::Notification entered, release;
  TimerWorker holder_worker(
      pool_, kService,
      [&](const Timer& t) -> absl::Status {
        if (!entered.HasBeenNotified()) entered.Notify();  // handlers run one at a time
        release.WaitForNotification();
        if (t.id == "x") return absl::OkStatus();
        return absl::InternalError("fails");
      },
      FastOptions());
  absl::StatusOr<int> result;
  std::thread holder([&] { result = holder_worker.PollOnce(kT0); });
  absl::Cleanup join = [&] {
    release.Notify();
    holder.join();
  };
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(timers_.Schedule({"0165", "x", kT0 + absl::Seconds(10), "v2"}).ok());
  ASSERT_TRUE(timers_.Cancel("0165", "y").ok());
  std::move(join).Invoke();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, 2);

  auto x = timers_.Get("0165", "x");
  ASSERT_TRUE(x.ok() && x->has_value());
  EXPECT_EQ((*x)->payload, "v2");
  EXPECT_EQ((*x)->due, kT0 + absl::Seconds(10));
  EXPECT_EQ((*x)->attempt, 0);
  auto y = timers_.Get("0165", "y");
  ASSERT_TRUE(y.ok());
  EXPECT_FALSE(y->has_value());

  Recorder rec;
  TimerWorker worker(pool_, kService, rec.Handler(), FastOptions());
  auto n = worker.PollOnce(kT0 + absl::Seconds(9));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  n = worker.PollOnce(kT0 + absl::Seconds(10));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(rec.calls()[0].payload, "v2");
  EXPECT_EQ(Remaining("0165"), 0);
}

TEST_F(TimerWorkerTest, HandlerFailureRetriesWithBackoff) {
  ASSERT_TRUE(timers_.Schedule({"0165", "r", kT0, "pr"}).ok());
  std::vector<int> attempts;
  TimerWorker::Options opts = FastOptions();
  opts.min_backoff = absl::Seconds(1);
  opts.max_backoff = absl::Seconds(3);
  TimerWorker worker(
      pool_, kService,
      [&](const Timer& t) -> absl::Status {
        EXPECT_EQ(t.payload, "pr");
        attempts.push_back(t.attempt);
        if (t.attempt < 3) return absl::UnavailableError("downstream down");
        return absl::OkStatus();
      },
      opts);

  auto poll = [&](absl::Time now) {
    auto n = worker.PollOnce(now);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  };
  auto due = [&]() -> absl::Time {
    auto t = timers_.Get("0165", "r");
    EXPECT_TRUE(t.ok() && t->has_value());
    return t.ok() && t->has_value() ? (*t)->due : absl::InfinitePast();
  };

  EXPECT_EQ(poll(kT0), 1);  // attempt 0 fails: back off 1 s
  EXPECT_EQ(due(), kT0 + absl::Seconds(1));
  EXPECT_EQ((*timers_.Get("0165", "r"))->attempt, 1);
  EXPECT_EQ(poll(kT0 + absl::Milliseconds(999)), 0);
  EXPECT_EQ(poll(kT0 + absl::Seconds(1)), 1);  // attempt 1 fails: 2 s
  EXPECT_EQ(due(), kT0 + absl::Seconds(3));
  EXPECT_EQ(poll(kT0 + absl::Seconds(3)), 1);  // attempt 2 fails: 4 s capped at 3 s
  EXPECT_EQ(due(), kT0 + absl::Seconds(6));
  EXPECT_EQ(poll(kT0 + absl::Seconds(5)), 0);
  EXPECT_EQ(poll(kT0 + absl::Seconds(6)), 1);  // attempt 3 succeeds
  EXPECT_THAT(attempts, ElementsAre(0, 1, 2, 3));
  auto gone = timers_.Get("0165", "r");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(poll(kT0 + absl::Hours(1)), 0);
}

// All replicas stopped while timers come due: the next worker, in a new process (new pool and
// store), fires every overdue timer once.
TEST_F(TimerWorkerTest, TimersDueWhileDownFireOnceAfterRestart) {
  std::vector<Timer> batch;
  for (int i = 1; i <= 50; ++i) {
    batch.push_back({i % 2 ? "0165" : "0187", absl::StrCat("t", i), kT0 + absl::Minutes(i),
                     absl::StrCat("p", i)});
  }
  ASSERT_TRUE(timers_.ScheduleMany(batch).ok());
  {
    Recorder rec;
    TimerWorker::Options opts = FastOptions();
    opts.clock = [] { return kT0; };
    TimerWorker before(pool_, kService, rec.Handler(), opts);
    before.Start();
    absl::SleepFor(absl::Milliseconds(100));
    before.Stop();
    EXPECT_EQ(rec.size(), 0u);  // nothing was due yet
  }

  store::RedisPool new_pool(TestOptions());
  Recorder rec;
  TimerWorker::Options opts = FastOptions();
  opts.clock = [] { return kT0 + absl::Hours(2); };
  TimerWorker after(new_pool, kService, rec.Handler(), opts);
  after.Start();
  ASSERT_TRUE(rec.WaitFor(50, absl::Seconds(10))) << rec.size();
  absl::SleepFor(absl::Milliseconds(100));
  after.Stop();
  auto counts = rec.counts();
  ASSERT_EQ(counts.size(), 50u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id;
  auto n = after.PollOnce(kT0 + absl::Hours(3));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(Remaining("0165"), 0);
  EXPECT_EQ(Remaining("0187"), 0);
}

// Starts Redis again at scope exit, so a failed assertion does not break later tests.
struct RedisRestarter {
  ~RedisRestarter() {
    if (!kpr::testing::Servers::Redis().running()) {
      EXPECT_TRUE(kpr::testing::Servers::Redis().Start().ok());
    }
  }
};

TEST_F(TimerWorkerTest, RedisOutageLosesNothing) {
  std::vector<Timer> batch;
  for (int i = 0; i < 20; ++i) batch.push_back({"0165", absl::StrCat("t", i), kT0, "p"});
  ASSERT_TRUE(timers_.ScheduleMany(batch).ok());

  Recorder rec;
  TimerWorker::Options opts = FastOptions();
  opts.clock = [] { return kT0 + absl::Seconds(1); };
  TimerWorker worker(pool_, kService, rec.Handler(), opts);
  RedisRestarter restarter;
  kpr::testing::Servers::Redis().Stop();

  auto n = worker.PollOnce(kT0);
  EXPECT_EQ(n.status().code(), absl::StatusCode::kUnavailable) << n.status();
  EXPECT_EQ(timers_.Schedule({"0165", "late", kT0, "p"}).code(), absl::StatusCode::kUnavailable);
  worker.Start();  // keeps failing, backing off
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(rec.size(), 0u);

  ASSERT_TRUE(kpr::testing::Servers::Redis().Start().ok());
  ASSERT_TRUE(rec.WaitFor(20, absl::Seconds(15))) << rec.size();
  absl::SleepFor(absl::Milliseconds(100));
  worker.Stop();
  auto counts = rec.counts();
  ASSERT_EQ(counts.size(), 20u);
  for (const auto& [id, c] : counts) EXPECT_EQ(c, 1) << id;
  EXPECT_EQ(Remaining("0165"), 0);
}

TEST_F(TimerWorkerTest, NotifyWakesAnIdleWorker) {
  Recorder rec;
  TimerWorker::Options opts;
  opts.poll_interval = absl::Seconds(30);
  TimerWorker worker(pool_, kService, rec.Handler(), opts);
  worker.Start();
  absl::SleepFor(absl::Milliseconds(100));  // first pass done, now idle for 30 s
  ASSERT_TRUE(timers_.Schedule({"0165", "now", absl::Now() - absl::Seconds(1), "p"}).ok());
  worker.Notify();
  EXPECT_TRUE(rec.WaitFor(1, absl::Seconds(5)));
  worker.Stop();
}

// A backlog in one municipality drains in back-to-back passes that claim only there; the nine
// idle municipalities are claimed in by the full passes (one per poll_interval), not by every
// pass. Claiming everywhere on every pass would take 50 passes * 10 claims + 50 settles.
TEST_F(TimerWorkerTest, ABacklogDoesNotMakeEveryPassClaimInEveryMunicipality) {
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(timers_.Register(absl::StrCat("0", 101 + i)).ok());
  std::vector<Timer> backlog;
  for (int i = 0; i < 500; ++i) backlog.push_back({"0165", absl::StrCat("t", i), kT0, "p"});
  ASSERT_TRUE(timers_.ScheduleMany(backlog).ok());
  Recorder rec;
  TimerWorker::Options opts;
  opts.poll_interval = absl::Seconds(5);
  opts.batch = 10;
  opts.clock = [] { return kT0 + absl::Seconds(1); };
  TimerWorker worker(pool_, kService, rec.Handler(), opts);
  auto before = kpr::testing::RedisCommandCalls("evalsha");
  ASSERT_TRUE(before.ok()) << before.status();
  worker.Start();
  ASSERT_TRUE(rec.WaitFor(500, absl::Seconds(20))) << rec.size();
  absl::SleepFor(absl::Milliseconds(200));
  worker.Stop();
  auto after = kpr::testing::RedisCommandCalls("evalsha");
  ASSERT_TRUE(after.ok()) << after.status();
  // The first pass claims in all 10 municipalities, the 49 after it in 0165 only (one claim and
  // one settle each), the last finds 0165 drained: about 110.
  EXPECT_LE(*after - *before, 150);
  auto counts = rec.counts();
  EXPECT_EQ(counts.size(), 500u);
  for (const auto& [id, c] : counts) EXPECT_EQ(c, 1) << id;
  EXPECT_EQ(Remaining("0165"), 0);
}

}  // namespace
}  // namespace kpr::timer
