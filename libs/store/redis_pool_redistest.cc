#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "tests/harness/servers.h"

namespace kpr::store {
namespace {

using ::kpr::testing::Servers;

RedisOptions TestOptions(int pool_size = 4) {
  auto o = RedisOptionsFromUrl(Servers::Redis().url());
  EXPECT_TRUE(o.ok()) << o.status();
  o->pool_size = pool_size;
  o->command_timeout = absl::Milliseconds(500);
  return *o;
}

class RedisPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kpr::testing::FlushRedis().ok()); }
};

TEST_F(RedisPoolTest, StartsWithoutRedisAndConnectsLazily) {
  RedisOptions o = TestOptions();
  o.port = kpr::testing::FreePort();  // nothing listens here
  RedisPool nowhere(o);
  auto r = nowhere.Command({"PING"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(nowhere.Ping().ok());
  EXPECT_FALSE(nowhere.last_ping_ok());

  RedisPool pool(TestOptions());
  EXPECT_TRUE(pool.Ping().ok());
  EXPECT_TRUE(pool.last_ping_ok());
}

TEST_F(RedisPoolTest, BinarySafeKeysAndValues) {
  RedisPool pool(TestOptions());
  const std::string key("k\0ey\r\n", 6);
  std::string value("a\0b\0\xff\r\n$3\r\n", 12);
  value += std::string(100000, '\0');
  auto set = pool.Command({"SET", key, value});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->is_status());
  EXPECT_EQ(set->str(), "OK");

  auto get = pool.Command({"GET", key});
  ASSERT_TRUE(get.ok()) << get.status();
  ASSERT_TRUE(get->is_string());
  EXPECT_EQ(get->str().size(), value.size());
  EXPECT_EQ(get->string(), value);

  auto missing = pool.Command({"GET", std::string("k\0", 2)});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisPoolTest, ErrorReplyIsInternalWithMessage) {
  RedisPool pool(TestOptions());
  ASSERT_TRUE(pool.Command({"SET", "s", "x"}).ok());
  auto r = pool.Command({"INCR", "s"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "ERR value is not an integer")) << r.status();
  EXPECT_EQ(pool.Command({}).status().code(), absl::StatusCode::kInvalidArgument);
  // The connection is still good after an error reply.
  EXPECT_TRUE(pool.Command({"GET", "s"}).ok());
}

TEST_F(RedisPoolTest, Pipeline10000InOrderWithErrorRepliesInPlace) {
  RedisPool pool(TestOptions());
  ASSERT_TRUE(pool.Command({"SET", "str", "x"}).ok());
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 10000; ++i) {
    if (i == 5000) {
      commands.push_back({"INCR", "str"});  // error reply in the middle
    } else {
      commands.push_back({"RPUSH", "list", absl::StrCat(i)});
    }
  }
  auto replies = pool.Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 10000u);
  for (int i = 0; i < 10000; ++i) {
    const RedisReply& r = (*replies)[i];
    if (i == 5000) {
      EXPECT_TRUE(r.is_error());
    } else {
      ASSERT_TRUE(r.is_integer()) << i;
      ASSERT_EQ(r.integer(), i < 5000 ? i + 1 : i) << i;
    }
  }
  auto list = pool.Command({"LRANGE", "list", "0", "-1"});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 9999u);
  EXPECT_EQ(list->element(0).str(), "0");
  EXPECT_EQ(list->element(4999).str(), "4999");
  EXPECT_EQ(list->element(5000).str(), "5001");
  EXPECT_EQ(list->element(9998).str(), "9999");
}

TEST_F(RedisPoolTest, EvalLoadsScriptOnNoscript) {
  RedisPool pool(TestOptions());
  Script echo("echo", "return KEYS[1] .. ':' .. ARGV[1]");
  auto r = pool.Eval(echo, {"k"}, {std::string("v\0w", 3)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->string(), std::string("k:v\0w", 5));

  // The pool believes the script is loaded; the server no longer has it.
  ASSERT_TRUE(pool.Command({"SCRIPT", "FLUSH"}).ok());
  r = pool.Eval(echo, {"a"}, {"b"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->string(), "a:b");
  auto exists = pool.Command({"SCRIPT", "EXISTS", echo.sha1()});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->element(0).integer(), 1);
}

TEST_F(RedisPoolTest, EvalErrors) {
  RedisPool pool(TestOptions());
  Script conflict("conflict", "return redis.error_reply('CONFLICT expected version ' .. ARGV[1])");
  auto r = pool.Eval(conflict, {}, {"3"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(r.status().message(), "CONFLICT expected version 3");

  Script broken("broken", "return (");
  r = pool.Eval(broken, {}, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "broken")) << r.status();
  // The pool still works.
  Script one("one", "return 1");
  r = pool.Eval(one, {}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->integer(), 1);
}

Script& CounterScript() {
  static Script* s = new Script("counter", R"lua(
if ARGV[1] == 'fail' then return redis.error_reply('BOOM call failed') end
return redis.call('INCR', KEYS[1])
)lua");
  return *s;
}

TEST_F(RedisPoolTest, EvalPipelineFailsOnlyTheFailingCall) {
  RedisPool pool(TestOptions());
  std::vector<RedisPool::ScriptCall> calls;
  for (int i = 0; i < 256; ++i) {
    calls.push_back({&CounterScript(), {"kpr:{0165}:test:n"}, {i == 100 ? "fail" : "ok"}});
  }
  auto results = pool.EvalPipeline(calls);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 256u);
  long long expected = 0;
  for (int i = 0; i < 256; ++i) {
    const auto& r = (*results)[i];
    if (i == 100) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
      EXPECT_EQ(r.status().message(), "BOOM call failed");
    } else {
      ASSERT_TRUE(r.ok()) << i << " " << r.status();
      EXPECT_EQ(r->integer(), ++expected) << i;  // ran in order
    }
  }
  auto n = pool.Command({"GET", "kpr:{0165}:test:n"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->string(), "255");

  // Throughput of the batch hot path (logged, not asserted).
  for (auto& c : calls) c.args = {"ok"};
  std::vector<double> ms;
  for (int round = 0; round < 21; ++round) {
    absl::Time start = absl::Now();
    auto again = pool.EvalPipeline(calls);
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    ASSERT_TRUE(again.ok());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("EvalPipeline of 256 small scripts: median %.2f ms, min %.2f ms, max %.2f ms\n",
              ms[ms.size() / 2], ms.front(), ms.back());
}

TEST_F(RedisPoolTest, EvalPipelineAfterScriptFlushRerunsNoscriptCalls) {
  RedisPool pool(TestOptions());
  Script other("other", "return 'o' .. ARGV[1]");
  ASSERT_TRUE(pool.Eval(CounterScript(), {"c"}, {"ok"}).ok());
  ASSERT_TRUE(pool.Eval(other, {}, {"0"}).ok());
  ASSERT_TRUE(pool.Command({"SCRIPT", "FLUSH"}).ok());
  std::vector<RedisPool::ScriptCall> calls;
  for (int i = 0; i < 10; ++i) {
    if (i % 2 == 0) {
      calls.push_back({&CounterScript(), {"c"}, {"ok"}});
    } else {
      calls.push_back({&other, {}, {absl::StrCat(i)}});
    }
  }
  auto results = pool.EvalPipeline(calls);
  ASSERT_TRUE(results.ok()) << results.status();
  for (int i = 0; i < 10; ++i) {
    const auto& r = (*results)[i];
    ASSERT_TRUE(r.ok()) << i << " " << r.status();
    if (i % 2 == 0) {
      EXPECT_EQ(r->integer(), 2 + i / 2);
    } else {
      EXPECT_EQ(r->string(), absl::StrCat("o", i));
    }
  }
}

TEST_F(RedisPoolTest, ConcurrentIncrementsThroughSmallPool) {
  RedisPool pool(TestOptions(/*pool_size=*/4));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&pool, &failures, t] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<RedisReply> r;
        switch (i % 3) {  // every entry point shares the pool
          case 0:
            r = pool.Command({"INCR", "counter"});
            break;
          case 1: {
            auto p = pool.Pipeline({{"INCR", "counter"}});
            if (p.ok()) {
              r = std::move((*p)[0]);
            } else {
              r = p.status();
            }
            break;
          }
          default:
            r = pool.Eval(CounterScript(), {"counter"}, {absl::StrCat(t)});
        }
        if (!r.ok() || !r->is_integer()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto n = pool.Command({"GET", "counter"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->string(), "16000");
  auto clients = pool.Command({"CLIENT", "LIST"});
  ASSERT_TRUE(clients.ok());
  int lines = 0;
  for (char c : clients->str()) lines += c == '\n';
  EXPECT_LE(lines, 4) << "pool opened more connections than pool_size";
}

TEST_F(RedisPoolTest, CommandTimeoutDropsTheConnection) {
  RedisPool pool(TestOptions(/*pool_size=*/1));
  absl::Time start = absl::Now();
  auto r = pool.Command({"BLPOP", "empty", "5"});  // blocks longer than the 500 ms timeout
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_GE(took, absl::Milliseconds(400));
  EXPECT_LT(took, absl::Milliseconds(1500));
  // A new connection replaces the timed-out one (whose late reply must not be read).
  ASSERT_TRUE(pool.Command({"SET", "after", "1"}).ok());
  auto get = pool.Command({"GET", "after"});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->string(), "1");
}

TEST_F(RedisPoolTest, OutageThenRecoversByItself) {
  RedisPool pool(TestOptions());
  Script one("one", "return ARGV[1]");
  ASSERT_TRUE(pool.Command({"SET", "kept", "v"}).ok());
  ASSERT_TRUE(pool.Eval(one, {}, {"x"}).ok());
  ASSERT_TRUE(pool.Ping().ok());

  Servers::Redis().Stop();
  absl::Cleanup restart = [] { (void)Servers::Redis().Start(); };
  for (int i = 0; i < 3; ++i) {
    absl::Time start = absl::Now();
    auto r = pool.Command({"GET", "kept"});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
    EXPECT_LT(absl::Now() - start, pool.options().command_timeout + absl::Milliseconds(500));
  }
  EXPECT_EQ(pool.Pipeline({{"PING"}}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.Eval(one, {}, {"x"}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(pool.Ping().ok());
  EXPECT_FALSE(pool.last_ping_ok());

  std::move(restart).Invoke();
  ASSERT_TRUE(Servers::Redis().running());
  // Recovers without help; allow for LOADING while the AOF is replayed.
  absl::StatusOr<RedisReply> r;
  int attempts = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  do {
    ++attempts;
    r = pool.Command({"GET", "kept"});
    if (!r.ok()) absl::SleepFor(absl::Milliseconds(50));
  } while (!r.ok() && absl::Now() < deadline);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->string(), "v");  // AOF kept it
  std::printf("recovered after %d attempt(s)\n", attempts);
  EXPECT_TRUE(pool.Ping().ok());
  EXPECT_TRUE(pool.last_ping_ok());
  // The restarted server lost its script cache; the pool reloads the script.
  auto e = pool.Eval(one, {}, {"y"});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->string(), "y");
}

}  // namespace
}  // namespace kpr::store
