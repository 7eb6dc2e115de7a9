#include "libs/store/keys.h"

#include "gtest/gtest.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"

namespace kpr::store {
namespace {

TEST(KeysTest, KeyHasMunicipalityHashTag) {
  EXPECT_EQ(Key("0165", "referral", "r:42"), "kpr:{0165}:referral:r:42");
  EXPECT_EQ(Key("0101", "notify", ""), "kpr:{0101}:notify:");
}

TEST(KeysTest, OutboxKeys) {
  EXPECT_EQ(OutboxKey("0165", "referral"), "kpr:{0165}:referral:outbox");
  EXPECT_EQ(OutboxIndexKey("referral"), "kpr:outboxes:referral");
}

TEST(RedisOptionsTest, FromUrl) {
  auto o = RedisOptionsFromUrl("redis://10.0.0.5:6380");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "10.0.0.5");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->pool_size, RedisOptions().pool_size);

  o = RedisOptionsFromUrl("redis://redis.kpr.svc/");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "redis.kpr.svc");
  EXPECT_EQ(o->port, 6379);

  o = RedisOptionsFromUrl("redis://[::1]:7000");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 7000);
}

TEST(RedisOptionsTest, ClusterUrlNamesSeedsWithTheSchemeOnce) {
  auto o = RedisOptionsFromUrl("redis+cluster://10.0.0.1:7000,redis-1.redis:7001, [::1]:7002,h3");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->cluster);
  ASSERT_EQ(o->seeds.size(), 4u);
  EXPECT_EQ(o->seeds[0], (NodeAddress{"10.0.0.1", 7000}));
  EXPECT_EQ(o->seeds[1], (NodeAddress{"redis-1.redis", 7001}));
  EXPECT_EQ(o->seeds[2], (NodeAddress{"::1", 7002}));
  EXPECT_EQ(o->seeds[3], (NodeAddress{"h3", 6379}));
  EXPECT_FALSE(RedisOptionsFromUrl("redis://h:1")->cluster);
  for (const char* url : {"redis+cluster://", "redis+cluster://h:1,", "redis+cluster://h:1,h:x",
                          "redis+cluster://h:1,redis+cluster://h:2", "redis+cluster://u:p@h:1"}) {
    EXPECT_EQ(RedisOptionsFromUrl(url).status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
}

TEST(RedisOptionsTest, FromUrlRejectsBadUrls) {
  for (const char* url :
       {"", "127.0.0.1:6379", "http://h:1", "redis://", "redis://:6379", "redis://h:0",
        "redis://h:70000", "redis://h:x", "redis://h:1/2", "redis://user:pw@h:1", "redis://[::1"}) {
    auto o = RedisOptionsFromUrl(url);
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
}

TEST(RedisErrorStatusTest, MapsTransientErrorsToUnavailable) {
  EXPECT_EQ(RedisErrorStatus("LOADING Redis is loading the dataset in memory").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(RedisErrorStatus("BUSY Redis is busy running a script").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(RedisErrorStatus("MASTERDOWN Link with MASTER is down").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(RedisErrorStatus("TRYAGAIN Multiple keys request during rehashing").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(RedisErrorStatus("CLUSTERDOWN The cluster is down").code(),
            absl::StatusCode::kUnavailable);
  // BUSYKEY is a real error (RESTORE target exists), not the BUSY state.
  absl::Status s = RedisErrorStatus("BUSYKEY Target key name already exists.");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  s = RedisErrorStatus("WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "WRONGTYPE Operation against a key holding the wrong kind of value");
}

}  // namespace
}  // namespace kpr::store
