#include "libs/store/cluster_slot.h"

#include "gtest/gtest.h"

namespace kpr::store {
namespace {

TEST(Crc16Test, SpecificationTestVector) {
  // Redis Cluster spec, appendix A: the output of CRC16("123456789") is 0x31C3.
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  EXPECT_EQ(Crc16(""), 0);
}

TEST(KeySlotTest, KnownSlots) {
  // Values as `CLUSTER KEYSLOT` answers them.
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("123456789"), 0x31C3);
  EXPECT_EQ(KeySlot("kpr:outboxes:referral"), KeySlot("kpr:outboxes:referral"));
}

TEST(KeySlotTest, HashTags) {
  // The tag is what is hashed.
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(KeySlot("{user1000}.followers"), KeySlot("{user1000}.following"));
  // First '{' then the first '}' after it.
  EXPECT_EQ(KeySlot("foo{bar}{zap}"), KeySlot("bar"));
  // "{{bar}}": the tag is "{bar".
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
  // "{}" is an empty tag: the whole key is hashed.
  EXPECT_EQ(KeySlot("foo{}{bar}"), Crc16("foo{}{bar}") & 16383);
  EXPECT_NE(KeySlot("foo{}{bar}"), KeySlot("bar"));
  // An unclosed '{' hashes the whole key.
  EXPECT_EQ(KeySlot("foo{bar"), Crc16("foo{bar") & 16383);
  // Every kpr key of one municipality shares a slot.
  EXPECT_EQ(KeySlot("kpr:{0165}:referral:r:1"), KeySlot("kpr:{0165}:scheduling:outbox"));
  EXPECT_NE(KeySlot("kpr:{0165}:x"), KeySlot("kpr:{0183}:x"));
}

TEST(ParseRedirectTest, MovedAndAsk) {
  auto moved = ParseRedirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->kind, Redirect::Kind::kMoved);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->node, (NodeAddress{"127.0.0.1", 6381}));

  auto ask = ParseRedirect("ASK 16383 redis-2.redis-headless.kpr.svc:6379");
  ASSERT_TRUE(ask.has_value());
  EXPECT_EQ(ask->kind, Redirect::Kind::kAsk);
  EXPECT_EQ(ask->slot, 16383);
  EXPECT_EQ(ask->node, (NodeAddress{"redis-2.redis-headless.kpr.svc", 6379}));
}

TEST(ParseRedirectTest, Ipv6LastColonSplitsThePort) {
  auto moved = ParseRedirect("MOVED 0 ::1:7000");
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->node, (NodeAddress{"::1", 7000}));
  auto bracketed = ParseRedirect("ASK 1 [fe80::1]:7001");
  ASSERT_TRUE(bracketed.has_value());
  EXPECT_EQ(bracketed->node, (NodeAddress{"fe80::1", 7001}));
  EXPECT_EQ(NodeName(bracketed->node), "[fe80::1]:7001");
  EXPECT_EQ(NodeName({"localhost", 7000}), "localhost:7000");
}

TEST(ParseRedirectTest, RejectsOtherErrors) {
  EXPECT_FALSE(ParseRedirect("ERR unknown command").has_value());
  EXPECT_FALSE(
      ParseRedirect("TRYAGAIN Multiple keys request during rehashing of slot").has_value());
  EXPECT_FALSE(ParseRedirect("MOVED 16384 127.0.0.1:1").has_value());
  EXPECT_FALSE(ParseRedirect("MOVED x 127.0.0.1:1").has_value());
  EXPECT_FALSE(ParseRedirect("MOVED 1 127.0.0.1").has_value());
  EXPECT_FALSE(ParseRedirect("MOVED 1 :7000").has_value());
  EXPECT_FALSE(ParseRedirect("MOVED 1 h:0").has_value());
  EXPECT_FALSE(ParseRedirect("MOVED 1").has_value());
}

}  // namespace
}  // namespace kpr::store
