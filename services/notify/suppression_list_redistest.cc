// The STOP list against a real Redis: a number is held only as its keyed hash, in the one
// global key, and every spelling of a number that said STOP is suppressed.

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/privacy/pseudonym.h"
#include "services/notify/suppression_list.h"
#include "tests/harness/servers.h"
#include "tests/support/redis_testing.h"

namespace kpr::notify {
namespace {

const std::string kKey(32, 'k');

class SuppressionListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    pool_ = kpr::testing::HarnessRedisPool();
    list_ = std::make_unique<SuppressionList>(*pool_, kKey);
  }

  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<SuppressionList> list_;
};

TEST_F(SuppressionListTest, TheListHoldsAKeyedHashNeverTheNumber) {
  ASSERT_TRUE(list_->Suppress("+45 20 00 00 01").ok());
  const std::string hash = privacy::Pseudonymizer(kKey).Keyed("msisdn", "4520000001");
  EXPECT_EQ(list_->HashOf("20000001"), hash);
  EXPECT_EQ(hash.size(), 32u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
  auto members = pool_->Command({"SMEMBERS", "kpr:notify:stop"});
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ(members->element(0).str(), hash);
  EXPECT_EQ(pool_->Command({"DBSIZE"})->integer(), 1) << "one global key, nothing else";
}

TEST_F(SuppressionListTest, EverySpellingOfAStoppedNumberIsSuppressed) {
  ASSERT_TRUE(list_->Suppress("004520000001").ok());
  ASSERT_TRUE(list_->Suppress("20000001").ok());  // again: idempotent
  auto flags = list_->AreSuppressed(
      {"+45 20 00 00 01", "20000002", "not a number", "4520000001", "", "+46 70 123 45 67"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(*flags, (std::vector<bool>{true, false, false, true, false, false}));
  EXPECT_EQ(pool_->Command({"SCARD", "kpr:notify:stop"})->integer(), 1);
}

TEST_F(SuppressionListTest, AnotherKeyGivesAnotherHash) {
  ASSERT_TRUE(list_->Suppress("20000001").ok());
  SuppressionList other(*pool_, std::string(32, 'x'));
  EXPECT_NE(other.HashOf("20000001"), list_->HashOf("20000001"));
  EXPECT_EQ(*other.AreSuppressed({"20000001"}), std::vector<bool>{false});
}

TEST_F(SuppressionListTest, WhatIsNoNumberIsRefusedWithoutEchoingIt) {
  absl::Status s = list_->Suppress("ring til Anna");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().find("Anna"), absl::string_view::npos) << s.message();
  EXPECT_EQ(list_->HashOf("ring til Anna"), "");
  EXPECT_EQ(pool_->Command({"EXISTS", "kpr:notify:stop"})->integer(), 0);
}

TEST_F(SuppressionListTest, NoWellFormedNumberAsksNothing) {
  auto none = list_->AreSuppressed({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // A dead server would fail any command: answered without one.
  store::RedisOptions dead;
  dead.port = 1;
  store::RedisPool nowhere(dead);
  SuppressionList offline(nowhere, kKey);
  auto bad = offline.AreSuppressed({"x", ""});
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(*bad, (std::vector<bool>{false, false}));
  EXPECT_EQ(offline.AreSuppressed({"20000001"}).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kpr::notify
