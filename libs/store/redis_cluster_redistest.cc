// RedisPool against a real Redis Cluster (3 primaries + 3 replicas, tests/harness/redis_cluster.h):
// routing by slot, pipelines split per node, MOVED after a slot moved behind the pool's back,
// ASK + TRYAGAIN + NOSCRIPT during a migration, and the outbox and timers unchanged on a cluster.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/store/cluster_slot.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_cluster_test_support.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "libs/timer/timer_store.h"
#include "libs/timer/timer_worker.h"
#include "tests/harness/redis_cluster.h"

namespace kpr::store {
namespace {

using ::kpr::testing::RedisCluster;

// "0101".."0101+n-1": municipality codes whose slots spread over every primary.
std::vector<std::string> Municipalities(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(absl::StrCat(101 + i).insert(0, "0"));
  return out;
}

std::string TestKey(absl::string_view m, absl::string_view name = "k") {
  return absl::StrCat("kpr:{", m, "}:test:", name);
}

class RedisClusterTest : public RedisClusterSuite {
 protected:
  void SetUp() override {
    RedisClusterSuite::SetUp();
    for (int p : cluster_->Primaries()) ASSERT_TRUE(cluster_->Command(p, {"FLUSHALL"}).ok());
  }
  static RedisOptions Options() { return ClusterOptions(); }
  // The node that owns the municipality's slot now.
  static int Owner(absl::string_view m) {
    auto owner = cluster_->PrimaryOfSlot(KeySlot(TestKey(m)));
    EXPECT_TRUE(owner.ok()) << owner.status();
    return owner.ok() ? *owner : -1;
  }
};

const Script& AddScript() {
  static const Script s("add", "#!lua\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])");
  return s;
}

TEST_F(RedisClusterTest, CommandsPipelinesAndScriptsReachTheOwnerOfEachSlot) {
  RedisPool pool(Options());
  ASSERT_TRUE(pool.Ping().ok());
  const std::vector<std::string> ms = Municipalities(60);
  std::set<int> owners;
  for (const std::string& m : ms) {
    auto set = pool.Command({"SET", TestKey(m), absl::StrCat("v", m)});
    ASSERT_TRUE(set.ok()) << m << ": " << set.status();
    const int owner = Owner(m);
    owners.insert(owner);
    // It is on the slot's primary, not merely somewhere.
    EXPECT_EQ(*cluster_->Command(owner, {"GET", TestKey(m)}), absl::StrCat("v", m));
  }
  EXPECT_EQ(owners.size(), 3u) << "the keys should spread over every primary";

  std::vector<std::vector<std::string>> gets;
  for (const std::string& m : ms) gets.push_back({"GET", TestKey(m)});
  gets.insert(gets.begin() + 7,
              std::vector<std::string>{"INCR", TestKey(ms[3])});  // an error reply, in its place
  auto replies = pool.Pipeline(gets);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), gets.size());
  for (size_t i = 0; i < gets.size(); ++i) {
    if (i == 7) {
      EXPECT_TRUE((*replies)[i].is_error());
      continue;
    }
    EXPECT_EQ((*replies)[i].str(), absl::StrCat("v", gets[i][1].substr(5, 4))) << i;
  }

  std::vector<RedisPool::ScriptCall> calls;
  for (size_t i = 0; i < ms.size(); ++i) {
    calls.push_back({&AddScript(), {TestKey(ms[i], "n")}, {absl::StrCat(i + 1)}});
  }
  calls.push_back({&AddScript(), {TestKey(ms[0], "n")}, {"1000"}});  // the same key again, after
  auto results = pool.EvalPipeline(calls);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), calls.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    ASSERT_TRUE((*results)[i].ok()) << (*results)[i].status();
    EXPECT_EQ((*results)[i]->integer(), static_cast<long long>(i + 1));
  }
  EXPECT_EQ(results->back()->integer(), 1001);  // ran after the first call on that key
  EXPECT_EQ(pool.cluster_stats().moved, 0u);
}

TEST_F(RedisClusterTest, DeadSeedsAreSkippedAndNoLiveSeedIsUnavailable) {
  RedisOptions o = Options();
  const NodeAddress dead{"127.0.0.1", kpr::testing::FreePort()};  // nothing listens here
  o.seeds.insert(o.seeds.begin(), dead);
  RedisPool pool(o);
  EXPECT_TRUE(pool.Command({"SET", TestKey("0165"), "x"}).ok());
  EXPECT_TRUE(pool.Ping().ok());

  o.seeds = {dead};
  o.cluster_retry_window = absl::Milliseconds(300);
  RedisPool nowhere(o);
  const absl::Time start = absl::Now();
  EXPECT_EQ(nowhere.Command({"GET", TestKey("0165")}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));  // bounded by the retry window
  EXPECT_FALSE(nowhere.Ping().ok());
}

TEST_F(RedisClusterTest, ScriptWithoutKeysIsRefusedByName) {
  RedisPool pool(Options());
  Script keyless("prefix_walker", "#!lua\nreturn redis.call('GET', ARGV[1])");
  auto r = pool.Eval(keyless, {}, {"kpr:{0165}:x"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "prefix_walker")) << r.status();
  auto results = pool.EvalPipeline(
      {{&AddScript(), {TestKey("0165")}, {"1"}}, {&keyless, {}, {"kpr:{0165}:x"}}});
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_EQ((*results)[1].status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RedisClusterTest, MovedAfterTheSlotMovedBehindThePoolsBack) {
  RedisPool pool(Options());
  const std::string m = "0165";
  ASSERT_TRUE(pool.Command({"SET", TestKey(m), "before"}).ok());
  ASSERT_TRUE(pool.Eval(AddScript(), {TestKey(m, "n")}, {"5"}).ok());
  const int from = Owner(m);
  int to = -1;
  for (int p : cluster_->Primaries()) {
    if (p != from) to = p;
  }
  ASSERT_TRUE(cluster_->MoveSlot(KeySlot(TestKey(m)), to).ok());
  ASSERT_EQ(Owner(m), to);

  auto get = pool.Command({"GET", TestKey(m)});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->str(), "before");
  EXPECT_GE(pool.cluster_stats().moved, 1u);
  // The map was refreshed: no more redirections for this slot; the script is loaded on the
  // new owner by itself.
  const uint64_t moved = pool.cluster_stats().moved;
  auto replies = pool.Pipeline({{"SET", TestKey(m), "after"}, {"GET", TestKey(m)}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ((*replies)[1].str(), "after");
  auto added = pool.Eval(AddScript(), {TestKey(m, "n")}, {"1"});
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->integer(), 6);
  EXPECT_EQ(pool.cluster_stats().moved, moved);
}

TEST_F(RedisClusterTest, AskTryAgainAndNoscriptDuringAMigrationRunTheScriptOnce) {
  RedisPool pool(Options());
  const std::string m = "0183";
  const int slot = KeySlot(TestKey(m));
  const int from = Owner(m);
  int to = -1;
  std::string on_target;  // a municipality the target already owns
  for (const std::string& other : Municipalities(60)) {
    if (Owner(other) != from) {
      to = Owner(other);
      on_target = other;
      break;
    }
  }
  ASSERT_GE(to, 0);
  static const Script sum_of_incr("sum_of_incr", R"(#!lua
local sum = 0
for i = 1, #KEYS do sum = sum + redis.call('INCR', KEYS[i]) end
return sum)");
  const std::vector<std::string> keys = {TestKey(m, "a"), TestKey(m, "b"), TestKey(m, "c")};
  for (const std::string& k : keys) ASSERT_TRUE(pool.Command({"SET", k, "10"}).ok());
  // The pool loads the script on the target, then the target loses it behind the pool's back:
  // the call that lands there after ASK gets NOSCRIPT, and its retry needs ASKING again.
  ASSERT_TRUE(pool.Eval(sum_of_incr, {TestKey(on_target)}, {}).ok());
  ASSERT_TRUE(cluster_->Command(to, {"SCRIPT", "FLUSH"}).ok());

  ASSERT_TRUE(cluster_->BeginMigration(slot, to).ok());
  ASSERT_TRUE(cluster_->MigrateKeys(slot, {keys[0]}).ok());  // a moved, b and c not yet
  absl::StatusOr<RedisReply> result;
  std::thread call([&] { result = pool.Eval(sum_of_incr, keys, {}); });
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE(cluster_->MigrateKeys(slot).ok());  // the rest
  call.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->integer(), 33);  // ran once, with every key in one place
  ASSERT_TRUE(cluster_->FinishMigration(slot).ok());
  for (const std::string& k : keys) EXPECT_EQ(*cluster_->Command(to, {"GET", k}), "11") << k;

  const RedisClusterStats stats = pool.cluster_stats();
  EXPECT_GE(stats.ask, 1u);
  EXPECT_GE(stats.tryagain, 1u);
  EXPECT_GE(stats.noscript, 1u);
}

TEST_F(RedisClusterTest, OutboxAndTimersWorkUnchangedAcrossNodes) {
  RedisPool pool(Options());
  Outbox outbox(pool, "clustertest");
  const std::vector<std::string> ms = Municipalities(10);
  std::set<int> owners;
  for (size_t i = 0; i < ms.size(); ++i) {
    owners.insert(Owner(ms[i]));
    ASSERT_TRUE(outbox.Register(ms[i]).ok());
    for (size_t e = 0; e <= i % 3; ++e) {
      ASSERT_TRUE(pool.Command({"XADD", OutboxKey(ms[i], "clustertest"), "*", "id",
                                absl::StrCat(ms[i], "-", e), "subject", "s", "data", "d"})
                      .ok());
    }
  }
  ASSERT_GE(owners.size(), 2u);
  auto listed = outbox.Municipalities();
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(*listed, ms);
  auto read = outbox.ReadMany(ms, 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), ms.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    ASSERT_EQ((*read)[i].size(), i % 3 + 1) << ms[i];
    for (size_t e = 0; e < (*read)[i].size(); ++e) {
      EXPECT_EQ((*read)[i][e].event_id, absl::StrCat(ms[i], "-", e));
    }
  }
  ASSERT_TRUE(outbox.RemoveMany(ms, *read).ok());
  for (const std::string& m : ms) EXPECT_EQ(*outbox.Length(m), 0) << m;

  timer::TimerStore timers(pool, "clustertest");
  std::vector<timer::Timer> many;
  for (const std::string& m : ms) many.push_back({m, "t1", absl::FromUnixMillis(1000), m});
  ASSERT_TRUE(timers.ScheduleMany(many).ok());
  for (const std::string& m : ms) {
    auto t = timers.Get(m, "t1");
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_TRUE(t->has_value()) << m;
    EXPECT_EQ((*t)->payload, m);
  }
  // The worker claims and settles with one script pipeline per pass, split per node.
  std::set<std::string> fired;
  timer::TimerWorker worker(pool, "clustertest", [&](const timer::Timer& t) {
    fired.insert(t.municipality);
    return absl::OkStatus();
  });
  auto delivered = worker.PollOnce(absl::FromUnixMillis(2000));
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(*delivered, static_cast<int>(ms.size()));
  EXPECT_EQ(fired, std::set<std::string>(ms.begin(), ms.end()));
  for (const std::string& m : ms) EXPECT_FALSE(timers.Get(m, "t1")->has_value()) << m;
}

}  // namespace
}  // namespace kpr::store
