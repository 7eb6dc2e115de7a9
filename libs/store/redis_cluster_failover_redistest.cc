// RedisPool through Redis Cluster failovers (tests/harness/redis_cluster.h, cluster-node-timeout
// 2000 ms): a planned CLUSTER FAILOVER (the promoted replica has no scripts) and the unplanned
// loss of a primary (SIGKILL): calls fail as UNAVAILABLE, never wrongly, and succeed again once
// the replica has taken over.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/store/cluster_slot.h"
#include "libs/store/redis_cluster_test_support.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "tests/harness/redis_cluster.h"

namespace kpr::store {
namespace {

using ::kpr::testing::RedisCluster;

std::string TestKey(absl::string_view m) { return absl::StrCat("kpr:{", m, "}:test:k"); }

class RedisClusterFailoverTest : public RedisClusterSuite {
 protected:
  static RedisOptions Options() { return ClusterOptions(); }
};

TEST_F(RedisClusterFailoverTest, PromotedReplicaGetsTheScriptLoaded) {
  RedisPool pool(Options());
  static const Script add("add", "#!lua\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])");
  const std::string key = TestKey("0165");
  auto first = pool.Eval(add, {key}, {"1"});
  ASSERT_TRUE(first.ok()) << first.status();
  auto primary = cluster_->PrimaryOfSlot(KeySlot(key));
  ASSERT_TRUE(primary.ok());
  auto replica = cluster_->ReplicaOf(*primary);
  ASSERT_TRUE(replica.ok()) << replica.status();
  // SCRIPT LOAD is not replicated: the replica does not have it (the trap this guards against).
  EXPECT_EQ(*cluster_->Command(*replica, {"SCRIPT", "EXISTS", add.sha1()}), "0");

  auto promoted = cluster_->Failover(*primary);
  ASSERT_TRUE(promoted.ok()) << promoted.status();
  ASSERT_EQ(*promoted, *replica);
  auto second = pool.Eval(add, {key}, {"1"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->integer(), 2);  // the data came along, and the script ran once
  EXPECT_EQ(*cluster_->Command(*promoted, {"SCRIPT", "EXISTS", add.sha1()}), "1");
  EXPECT_GE(pool.cluster_stats().moved, 1u);
}

TEST_F(RedisClusterFailoverTest, UnplannedPrimaryLossRecoversWithinTheBound) {
  RedisPool pool(Options());
  std::vector<std::string> keys;
  for (int i = 0; i < 30; ++i) keys.push_back(TestKey(absl::StrCat(1000 + i)));
  for (const std::string& k : keys) ASSERT_TRUE(pool.Command({"SET", k, "kept"}).ok());
  auto victim = cluster_->PrimaryOfSlot(KeySlot(keys[0]));
  ASSERT_TRUE(victim.ok());
  // Let replication catch up (asynchronous): WAIT on the primary for its replica.
  ASSERT_TRUE(cluster_->Command(*victim, {"WAIT", "1", "2000"}).ok());

  cluster_->Kill(*victim);
  const absl::Time killed = absl::Now();
  absl::Duration recovered = absl::InfiniteDuration();
  while (absl::Now() - killed < absl::Seconds(20)) {
    const absl::Time start = absl::Now();
    auto get = pool.Command({"GET", keys[0]});
    const absl::Duration took = absl::Now() - start;
    // Each call is bounded by the retry window (plus a connect/command timeout), and fails as
    // UNAVAILABLE, the code callers retry on.
    EXPECT_LE(took, Options().cluster_retry_window + absl::Seconds(3));
    if (get.ok()) {
      EXPECT_EQ(get->str(), "kept");
      recovered = absl::Now() - killed;
      break;
    }
    EXPECT_EQ(get.status().code(), absl::StatusCode::kUnavailable) << get.status();
  }
  // cluster-node-timeout 2 s: detection plus election take ~3-5 s.
  EXPECT_LT(recovered, absl::Seconds(10)) << "no recovery after the primary was killed";
  std::printf("recovered %s after the primary was killed\n",
              absl::FormatDuration(recovered).c_str());
  for (const std::string& k : keys) {
    auto get = pool.Command({"GET", k});
    ASSERT_TRUE(get.ok()) << k << ": " << get.status();
    EXPECT_EQ(get->str(), "kept");
  }
  EXPECT_GE(pool.cluster_stats().map_refreshes, 2u);
  // The old primary comes back as a replica of the new one.
  ASSERT_TRUE(cluster_->Restart(*victim).ok());
  EXPECT_TRUE(cluster_->WaitStable().ok());
  EXPECT_TRUE(pool.Command({"GET", keys[0]}).ok());
}

}  // namespace
}  // namespace kpr::store
