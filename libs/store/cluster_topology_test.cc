#include "libs/store/cluster_topology.h"

#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/store/resp_for_test.h"

namespace kpr::store {
namespace {

// RESP2 builders for replies as redis-server 7.0 writes them.
std::string B(absl::string_view s) { return absl::StrCat("$", s.size(), "\r\n", s, "\r\n"); }
std::string I(long long n) { return absl::StrCat(":", n, "\r\n"); }
std::string A(std::initializer_list<std::string> items) {
  std::string out = absl::StrCat("*", items.size(), "\r\n");
  for (const std::string& i : items) out += i;
  return out;
}

std::string ShardNode(int port, absl::string_view role, absl::string_view health,
                      absl::string_view hostname = "") {
  std::string fields = B("id") + B(absl::StrCat("id", port)) + B("port") + I(port) + B("ip") +
                       B("127.0.0.1") + B("endpoint") +
                       B(hostname.empty() ? "127.0.0.1" : hostname);
  int n = 14;  // fields above and below, names and values
  if (!hostname.empty()) {
    fields += B("hostname") + B(hostname);
    n += 2;
  }
  fields += B("role") + B(role) + B("replication-offset") + I(42) + B("health") + B(health);
  return absl::StrCat("*", n, "\r\n", fields);
}

TEST(ParseClusterShardsTest, IntegerSlotsPrimariesAndReplicas) {
  RedisReply reply = ParseResp(A({
      A({B("slots"), A({I(0), I(5460)}), B("nodes"),
         A({ShardNode(7000, "master", "online"), ShardNode(7003, "replica", "online")})}),
      A({B("slots"), A({I(5461), I(10922)}), B("nodes"),
         A({ShardNode(7004, "replica", "online"), ShardNode(7001, "master", "online")})}),
      // Two ranges for one shard.
      A({B("slots"), A({I(10923), I(16000), I(16001), I(16383)}), B("nodes"),
         A({ShardNode(7002, "master", "online"), ShardNode(7005, "replica", "failed")})}),
  }));
  auto map = ParseClusterShards(reply);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->covered(), kClusterSlots);
  ASSERT_EQ(map->shards.size(), 3u);
  EXPECT_EQ(*map->PrimaryOf(0), (NodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(*map->PrimaryOf(5460), (NodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(*map->PrimaryOf(5461), (NodeAddress{"127.0.0.1", 7001}));
  EXPECT_EQ(*map->PrimaryOf(16383), (NodeAddress{"127.0.0.1", 7002}));
  ASSERT_EQ(map->shards[0].replicas.size(), 1u);
  EXPECT_EQ(map->shards[0].replicas[0].port, 7003);
  EXPECT_EQ(map->shards[1].replicas[0].port, 7004);
  EXPECT_TRUE(map->shards[2].replicas.empty());  // the failed replica is left out
}

TEST(ParseClusterShardsTest, StringSlotsAndHostnames) {
  RedisReply reply = ParseResp(A({
      A({B("slots"), A({B("0"), B("16383")}), B("nodes"),
         A({ShardNode(7000, "master", "online", "redis-0.redis"),
            ShardNode(7001, "replica", "online", "redis-1.redis")})}),
  }));
  auto map = ParseClusterShards(reply);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->covered(), kClusterSlots);
  EXPECT_EQ(*map->PrimaryOf(100), (NodeAddress{"redis-0.redis", 7000}));
  EXPECT_EQ(map->shards[0].replicas[0], (NodeAddress{"redis-1.redis", 7001}));
}

TEST(ParseClusterShardsTest, FailedPrimaryOwnsNothing) {
  RedisReply reply = ParseResp(A({
      A({B("slots"), A({I(0), I(99)}), B("nodes"), A({ShardNode(7000, "master", "failed")})}),
      A({B("slots"), A({I(100), I(16383)}), B("nodes"), A({ShardNode(7001, "master", "online")})}),
      // A shard without slots (a fresh primary) owns nothing.
      A({B("slots"), A({}), B("nodes"), A({ShardNode(7002, "master", "online")})}),
  }));
  auto map = ParseClusterShards(reply);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->PrimaryOf(0), nullptr);
  EXPECT_EQ(map->PrimaryOf(99), nullptr);
  EXPECT_EQ(map->PrimaryOf(100)->port, 7001);
  EXPECT_EQ(map->covered(), kClusterSlots - 100);
}

TEST(ParseClusterShardsTest, MalformedReplies) {
  EXPECT_FALSE(ParseClusterShards(ParseResp("-ERR unknown command\r\n")).ok());
  EXPECT_FALSE(ParseClusterShards(ParseResp(A({A({B("slots"), A({I(0), I(16384)}), B("nodes"),
                                                  A({ShardNode(7000, "master", "online")})})})))
                   .ok());
  EXPECT_FALSE(ParseClusterShards(ParseResp(A({A({B("slots"), A({B("x"), I(5)}), B("nodes"),
                                                  A({ShardNode(7000, "master", "online")})})})))
                   .ok());
}

std::string SlotsNode(absl::string_view host, int port, absl::string_view hostname = "") {
  std::string meta = hostname.empty() ? A({}) : A({B("hostname"), B(hostname)});
  return A({B(host), I(port), B(absl::StrCat("id", port)), meta});
}

TEST(ParseClusterSlotsTest, RangesPrimariesReplicasAndHostnames) {
  RedisReply reply = ParseResp(A({
      A({I(0), I(5460), SlotsNode("127.0.0.1", 7000), SlotsNode("127.0.0.1", 7003)}),
      A({I(5461), I(10922), SlotsNode("::1", 7001)}),
      A({B("10923"), B("16000"), SlotsNode("?", 7002, "localhost")}),
      A({I(16001), I(16383), SlotsNode("?", 7002, "localhost")}),
  }));
  auto map = ParseClusterSlots(reply);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->covered(), kClusterSlots);
  ASSERT_EQ(map->shards.size(), 3u);
  EXPECT_EQ(*map->PrimaryOf(5460), (NodeAddress{"127.0.0.1", 7000}));
  EXPECT_EQ(map->shards[0].replicas[0].port, 7003);
  EXPECT_EQ(*map->PrimaryOf(5461), (NodeAddress{"::1", 7001}));
  EXPECT_EQ(*map->PrimaryOf(16383), (NodeAddress{"localhost", 7002}));
  EXPECT_EQ(map->PrimaryOf(10923), map->PrimaryOf(16383));
}

TEST(ParseClusterSlotsTest, MalformedReplies) {
  EXPECT_FALSE(ParseClusterSlots(ParseResp(":1\r\n")).ok());
  EXPECT_FALSE(ParseClusterSlots(ParseResp(A({A({I(0)})}))).ok());
  EXPECT_FALSE(ParseClusterSlots(ParseResp(A({A({I(5), I(1), SlotsNode("h", 1)})}))).ok());
}

}  // namespace
}  // namespace kpr::store
