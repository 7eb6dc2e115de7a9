// ServiceHost's Redis credentials (KPR_REDIS_USER / KPR_REDIS_PASSWORD_FILE): wrong ones stop
// the start with a message that names the user and the setting, never the password; right ones
// (with the newline an editor leaves) reach both pools.
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/host/service_host.h"
#include "tests/harness/servers.h"

namespace kpr::host {
namespace {

using ::kpr::testing::Servers;

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = Servers::Dir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

rpc::ServiceConfig Config(const std::string& password) {
  rpc::ServiceConfig config;
  config.nats_url = Servers::Nats().url();
  config.redis_url = Servers::Redis().url();
  config.grpc_addr = "127.0.0.1:0";
  config.http_addr = "127.0.0.1:0";
  config.jwt_secret_file = WriteFile("jwt", "a-test-jwt-secret-of-enough-length");
  config.data_key_file = WriteFile("data.key", std::string(32, 'k'));
  config.redis_user = "kpr-host";
  config.redis_password_file = WriteFile("redis.password", password + "\n");
  return config;
}

TEST(ServiceHostRedisAuthTest, WrongPasswordStopsTheStartRightOneConnects) {
  store::RedisPool admin(*store::RedisOptionsFromUrl(Servers::Redis().url()));
  ASSERT_TRUE(
      admin.Command({"ACL", "SETUSER", "kpr-host", "reset", "on", ">right-pw", "~*", "&*", "+@all"})
          .ok());

  auto wrong = ServiceHost::Create(Config("wrong-pw"), {"test", "kpr.test.v1.Test"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated) << wrong.status();
  EXPECT_TRUE(absl::StrContains(wrong.status().message(), "kpr-host")) << wrong.status();
  EXPECT_TRUE(absl::StrContains(wrong.status().message(), "KPR_REDIS_PASSWORD_FILE"));
  EXPECT_FALSE(absl::StrContains(wrong.status().message(), "wrong-pw")) << wrong.status();

  auto right = ServiceHost::Create(Config("right-pw"), {"test", "kpr.test.v1.Test"});
  ASSERT_TRUE(right.ok()) << right.status();
  auto who = (*right)->pool().Command({"ACL", "WHOAMI"});
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->str(), "kpr-host");
  ASSERT_TRUE(admin.Command({"ACL", "DELUSER", "kpr-host"}).ok());
}

}  // namespace
}  // namespace kpr::host
