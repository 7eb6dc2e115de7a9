#ifndef KPR_LIBS_STORE_REDIS_CLUSTER_TEST_SUPPORT_H_
#define KPR_LIBS_STORE_REDIS_CLUSTER_TEST_SUPPORT_H_

// Tests only: a fixture with one Redis Cluster (3 primaries + 3 replicas) for the whole suite,
// in the harness's scratch directory, and RedisOptions pointing at it.

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/store/redis_pool.h"
#include "tests/harness/redis_cluster.h"
#include "tests/harness/servers.h"

namespace kpr::store {

class RedisClusterSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new kpr::testing::RedisCluster(kpr::testing::Servers::Dir() + "/cluster", {});
    absl::Status s = cluster_->Start();
    ASSERT_TRUE(s.ok()) << s;
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(cluster_, nullptr); }

  static RedisOptions ClusterOptions() {
    auto o = RedisOptionsFromUrl(cluster_->url());
    EXPECT_TRUE(o.ok()) << o.status();
    o->pool_size = 4;
    o->command_timeout = absl::Seconds(1);
    return *o;
  }

  static inline kpr::testing::RedisCluster* cluster_ = nullptr;
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_REDIS_CLUSTER_TEST_SUPPORT_H_
