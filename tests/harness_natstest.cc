// The harness itself: both servers answer, and survive a stop/start on the same port.
#include <hiredis/hiredis.h>

#include "gtest/gtest.h"
#include "tests/harness/servers.h"

namespace kpr::testing {
namespace {

TEST(Harness, RedisAnswersAndKeepsDataAcrossRestart) {
  auto& redis = Servers::Redis();
  redisContext* c = redisConnect("127.0.0.1", redis.port());
  ASSERT_TRUE(c != nullptr && c->err == 0);
  auto* r = static_cast<redisReply*>(redisCommand(c, "SET harness:k v"));
  ASSERT_NE(r, nullptr);
  freeReplyObject(r);
  redisFree(c);
  redis.Stop();
  EXPECT_FALSE(redis.running());
  ASSERT_TRUE(redis.Start().ok());
  c = redisConnect("127.0.0.1", redis.port());
  ASSERT_TRUE(c != nullptr && c->err == 0);
  r = static_cast<redisReply*>(redisCommand(c, "GET harness:k"));
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(r->str, r->len), "v");  // AOF on: data survives the restart
  freeReplyObject(r);
  redisFree(c);
}

TEST(Harness, NatsRestartsOnSamePort) {
  auto& nats = Servers::Nats();
  int port = nats.port();
  ASSERT_TRUE(WaitForPort(port, absl::Seconds(1)).ok());
  nats.Stop();
  EXPECT_FALSE(WaitForPort(port, absl::Milliseconds(100)).ok());
  ASSERT_TRUE(nats.Start().ok());
  EXPECT_EQ(nats.port(), port);
  EXPECT_TRUE(DeleteAllStreams().ok());
}

}  // namespace
}  // namespace kpr::testing
