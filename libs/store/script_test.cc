#include "libs/store/script.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/store/redis_reply.h"
#include "libs/store/resp_for_test.h"

namespace kpr::store {
namespace {

TEST(ScriptTest, Sha1IsLowercaseHexOfSourceWithShebang) {
  Script s("one", "return 1");
  EXPECT_EQ(s.name(), "one");
  EXPECT_EQ(s.lua(), "#!lua\nreturn 1");
  // What `redis-cli SCRIPT LOAD "$(printf '#!lua\nreturn 1')"` answers.
  EXPECT_EQ(s.sha1(), "cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0");
  EXPECT_EQ(Script("empty", "").sha1(), "64616d1afc6bd9a88e024da2594914a4f6cfbb40");
  // A script with its own shebang (and flags) keeps it.
  EXPECT_EQ(Script("ro", "#!lua flags=no-writes\nreturn 1").lua(),
            "#!lua flags=no-writes\nreturn 1");
}

TEST(RedisReplyTest, Types) {
  RedisReply nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_EQ(nil.str(), "");
  EXPECT_EQ(nil.size(), 0u);

  EXPECT_TRUE(ParseResp("$-1\r\n").is_nil());
  RedisReply status = ParseResp("+OK\r\n");
  EXPECT_TRUE(status.is_string());
  EXPECT_TRUE(status.is_status());
  EXPECT_EQ(status.str(), "OK");
  RedisReply error = ParseResp("-ERR nope\r\n");
  EXPECT_TRUE(error.is_error());
  EXPECT_FALSE(error.is_string());
  EXPECT_EQ(error.str(), "ERR nope");
  RedisReply integer = ParseResp(":-42\r\n");
  EXPECT_TRUE(integer.is_integer());
  EXPECT_EQ(integer.integer(), -42);
  EXPECT_EQ(integer.str(), "");
  RedisReply bulk = ParseResp(std::string("$3\r\na\0b\r\n", 9));
  EXPECT_TRUE(bulk.is_string());
  EXPECT_FALSE(bulk.is_status());
  EXPECT_EQ(bulk.string(), std::string("a\0b", 3));
}

TEST(RedisReplyTest, ArrayElementsAreViewsAndMoveLeavesNil) {
  RedisReply array = ParseResp("*3\r\n$1\r\nx\r\n:7\r\n*1\r\n$-1\r\n");
  ASSERT_TRUE(array.is_array());
  ASSERT_EQ(array.size(), 3u);
  EXPECT_EQ(array.element(0).str(), "x");
  EXPECT_EQ(array.element(1).integer(), 7);
  EXPECT_TRUE(array.element(2).is_array());
  EXPECT_TRUE(array.element(2).element(0).is_nil());
  EXPECT_TRUE(array.element(3).is_nil());  // out of range

  RedisReply moved = std::move(array);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_TRUE(array.is_nil());  // NOLINT(bugprone-use-after-move): documented behaviour
}

}  // namespace
}  // namespace kpr::store
