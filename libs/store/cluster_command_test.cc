#include "libs/store/cluster_command.h"

#include "gtest/gtest.h"

namespace kpr::store {
namespace {

using Kind = CommandRoute::Kind;

CommandRoute R(std::vector<std::string> argv) { return RouteOf(argv); }

TEST(RouteOfTest, KeyAtFirstArgument) {
  for (const char* cmd : {"GET", "SET", "HGETALL", "HMGET", "SMEMBERS", "SADD", "XADD", "XRANGE",
                          "XDEL", "XLEN", "ZCARD", "MGET", "EXISTS", "del", "incr"}) {
    auto r = R({cmd, "kpr:{0165}:k", "x"});
    EXPECT_EQ(r.kind, Kind::kKey) << cmd;
    EXPECT_EQ(r.key_index, 1u) << cmd;
  }
}

TEST(RouteOfTest, ScriptsRouteByTheirFirstKey) {
  auto r = R({"EVALSHA", "abc", "2", "kpr:{0165}:a", "kpr:{0165}:b", "arg"});
  EXPECT_EQ(r.kind, Kind::kKey);
  EXPECT_EQ(r.key_index, 3u);
  EXPECT_EQ(R({"eval", "return 1", "1", "k"}).key_index, 3u);
  // No keys: a cluster cannot tell where the script's data lives.
  EXPECT_EQ(R({"EVALSHA", "abc", "0", "kpr:{0165}:"}).kind, Kind::kNoKey);
  EXPECT_EQ(R({"EVAL", "return 1", "x"}).kind, Kind::kNoKey);
  EXPECT_EQ(R({"EVAL", "return 1"}).kind, Kind::kNoKey);
}

TEST(RouteOfTest, StreamsReadsRouteByTheFirstStream) {
  auto r = R({"XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "kpr:{0165}:s", ">"});
  EXPECT_EQ(r.kind, Kind::kKey);
  EXPECT_EQ(r.key_index, 7u);
  EXPECT_EQ(R({"XREAD", "streams", "s", "0"}).key_index, 2u);
  EXPECT_EQ(R({"XREAD", "COUNT", "1"}).kind, Kind::kAnyNode);
}

TEST(RouteOfTest, KeylessCommandsGoAnywhere) {
  for (const char* cmd :
       {"PING", "SCRIPT", "TIME", "INFO", "CLUSTER", "AUTH", "DBSIZE", "config"}) {
    EXPECT_EQ(R({cmd, "x"}).kind, Kind::kAnyNode) << cmd;
  }
  EXPECT_EQ(R({"GET"}).kind, Kind::kAnyNode);  // malformed: the server will say so
  EXPECT_EQ(R({"MEMORY", "USAGE", "k"}).key_index, 2u);
  EXPECT_EQ(R({"MEMORY", "STATS"}).kind, Kind::kAnyNode);
}

}  // namespace
}  // namespace kpr::store
