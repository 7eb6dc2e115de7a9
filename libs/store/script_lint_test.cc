#include "libs/store/script_lint.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/store/outbox.h"
#include "libs/store/script.h"

namespace kpr::store {
namespace {

using ::testing::HasSubstr;

absl::Status Lint(const char* lua) { return LintScript(Script("s", lua)); }

TEST(ScriptLintTest, KeysFromKeysPass) {
  EXPECT_TRUE(Lint("redis.call('SET', KEYS[1], ARGV[1])\n"
                   "local a, b = KEYS[2], KEYS[3]\n"
                   "redis.call('HSET', a, 'f', ARGV[2]); return redis.call('GET', b)")
                  .ok());
  // A helper that hands out KEYS one by one, and values taken from a table of them.
  EXPECT_TRUE(Lint("local ki = 0\nlocal function key() ki = ki + 1; return KEYS[ki] end\n"
                   "local k = key()\nlocal w = {k}\nredis.call('DEL', w[1])")
                  .ok());
  // A function parameter: the caller passes a declared key.
  EXPECT_TRUE(Lint("local function f(key, v) redis.call('SET', key, v) end\nf(KEYS[1], 'x')").ok());
  EXPECT_TRUE(Lint("return redis.call('TIME')").ok());
  EXPECT_TRUE(Lint("-- redis.call('GET', 'in a comment')\nreturn 1").ok());
}

TEST(ScriptLintTest, KeysBuiltInTheScriptFail) {
  EXPECT_THAT(Lint("return redis.call('GET', 'kpr:{0165}:x')").message(),
              HasSubstr("GET 'kpr:{0165}:x': key built in the script"));
  EXPECT_THAT(
      Lint("local P = ARGV[1]\nreturn redis.call('HGET', P .. 'c:' .. ARGV[2], 'v')").message(),
      HasSubstr("HGET P .. 'c:' .. ARGV[2]"));
  EXPECT_THAT(Lint("return redis.call('GET', ARGV[1])").message(), HasSubstr("GET ARGV[1]"));
  EXPECT_THAT(Lint("local k = KEYS[1] .. ':x'\nreturn redis.call('GET', k)").message(),
              HasSubstr("k is assigned from"));
  // Keys found while the script runs (the members of an index) are undeclared keys.
  EXPECT_THAT(Lint("for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do\n"
                   "  redis.call('DEL', id)\nend")
                  .message(),
              HasSubstr("DEL id"));
  EXPECT_THAT(Lint("return redis.pcall('keys', '*')").message(), HasSubstr("runs KEYS"));
}

TEST(ScriptLintTest, MissingShebangFailsAndErrorsNameTheScript) {
  // Script adds the shebang itself; a hand-made source without one would not have it.
  EXPECT_TRUE(LintScript(Script("s", "return 1")).ok());
  Script bad("bad_one", "return redis.call('GET', 'x')");
  Script good("good_one", "return 1");
  absl::Status st = LintScripts({&good, &bad});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("script bad_one"));
  EXPECT_THAT(std::string(st.message()), ::testing::Not(HasSubstr("good_one")));
}

TEST(ScriptLintTest, OutboxHelperPasses) {
  EXPECT_TRUE(LintScript(Script("outbox", std::string(kOutboxAppendLua) +
                                              "outbox_append(KEYS[1], ARGV[1], ARGV[2], ARGV[3])"))
                  .ok());
}

}  // namespace
}  // namespace kpr::store
