// AUTH after every connect: an ACL user, or the default user's password, on one redis-server and
// on a Redis Cluster (which also announces "localhost", so MOVED names a hostname). A wrong
// password is a clear UNAUTHENTICATED that never shows the password.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/store/cluster_slot.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "tests/harness/redis_cluster.h"
#include "tests/harness/servers.h"

namespace kpr::store {
namespace {

using ::kpr::testing::RedisCluster;
using ::kpr::testing::Servers;

constexpr char kUser[] = "kpr-svc";
constexpr char kPassword[] = "correct-horse";  // no space: it goes on the redis-server command line
constexpr char kWrongPassword[] = "wrong-battery-staple";

RedisOptions Single(absl::string_view user, absl::string_view password) {
  auto o = RedisOptionsFromUrl(Servers::Redis().url());
  EXPECT_TRUE(o.ok());
  o->user = std::string(user);
  o->password = std::string(password);
  return *o;
}

void ExpectClearAuthFailure(RedisPool& pool) {
  auto r = pool.Command({"GET", "kpr:{0165}:x"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "AUTH")) << r.status();
  EXPECT_FALSE(absl::StrContains(r.status().message(), kWrongPassword)) << r.status();
  EXPECT_FALSE(absl::StrContains(r.status().message(), kPassword)) << r.status();
  EXPECT_FALSE(pool.Ping().ok());
  EXPECT_FALSE(pool.last_ping_ok());
}

TEST(RedisAuthTest, AclUserOnOneServer) {
  RedisPool admin(Single("", ""));
  ASSERT_TRUE(admin
                  .Command({"ACL", "SETUSER", kUser, "reset", "on", absl::StrCat(">", kPassword),
                            "~kpr:*", "&*", "+@all"})
                  .ok());
  RedisPool pool(Single(kUser, kPassword));
  ASSERT_TRUE(pool.Ping().ok());
  ASSERT_TRUE(pool.Command({"SET", "kpr:{0165}:x", "1"}).ok());
  static const Script get("get", "#!lua\nreturn redis.call('GET', KEYS[1])");
  auto r = pool.Eval(get, {"kpr:{0165}:x"}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->str(), "1");
  auto who = pool.Command({"ACL", "WHOAMI"});
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->str(), kUser);
  // The user's key pattern is enforced: the pool really is that user.
  EXPECT_FALSE(pool.Command({"SET", "other", "1"}).ok());

  RedisPool wrong(Single(kUser, kWrongPassword));
  ExpectClearAuthFailure(wrong);
  ASSERT_TRUE(admin.Command({"ACL", "DELUSER", kUser}).ok());
}

TEST(RedisAuthTest, DefaultUserPasswordOnOneServer) {
  RedisPool admin(Single("", ""));
  ASSERT_TRUE(admin.Command({"CONFIG", "SET", "requirepass", kPassword}).ok());
  RedisPool pool(Single("", kPassword));
  EXPECT_TRUE(pool.Ping().ok());
  RedisPool none(Single("", ""));
  EXPECT_FALSE(none.Command({"GET", "x"}).ok());  // NOAUTH
  RedisPool wrong(Single("", kWrongPassword));
  ExpectClearAuthFailure(wrong);
  ASSERT_TRUE(pool.Command({"CONFIG", "SET", "requirepass", ""}).ok());
}

TEST(RedisAuthTest, AclUserOnAClusterThatAnnouncesHostnames) {
  RedisCluster::Options options;
  options.announce_localhost = true;
  options.user = kUser;
  options.password = kPassword;
  RedisCluster cluster(Servers::Dir() + "/auth-cluster", options);
  absl::Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started;
  auto o = RedisOptionsFromUrl(cluster.url());
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(absl::StrContains(cluster.url(), "localhost"));
  o->user = kUser;
  o->password = kPassword;
  RedisPool pool(*o);

  for (int i = 0; i < 30; ++i) {
    const std::string key = absl::StrCat("kpr:{", 2000 + i, "}:k");
    ASSERT_TRUE(pool.Command({"SET", key, "v"}).ok()) << key;
  }
  const std::string key = "kpr:{0165}:k";
  ASSERT_TRUE(pool.Command({"SET", key, "before"}).ok());
  auto from = cluster.PrimaryOfSlot(KeySlot(key));
  ASSERT_TRUE(from.ok());
  int to = -1;
  for (int p : cluster.Primaries()) {
    if (p != *from) to = p;
  }
  ASSERT_TRUE(cluster.MoveSlot(KeySlot(key), to).ok());
  // The old owner now redirects by hostname.
  auto moved = cluster.Command(*from, {"GET", key});
  EXPECT_TRUE(absl::StrContains(moved.status().message(),
                                absl::StrCat("MOVED ", KeySlot(key), " localhost:")))
      << moved.status();
  auto get = pool.Command({"GET", key});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->str(), "before");
  EXPECT_GE(pool.cluster_stats().moved, 1u);

  o->password = kWrongPassword;
  RedisPool wrong(*o);
  ExpectClearAuthFailure(wrong);
}

}  // namespace
}  // namespace kpr::store
