#include "libs/rpc/config.h"

#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::rpc {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr const char* kEnvVars[] = {
    "KPR_NATS_URL",        "KPR_REDIS_URL",          "KPR_GRPC_ADDR",       "KPR_HTTP_ADDR",
    "KPR_JWT_SECRET_FILE", "KPR_DATA_KEY_FILE",      "KPR_STREAM_REPLICAS", "KPR_LOG_LEVEL",
    "KPR_REDIS_USER",      "KPR_REDIS_PASSWORD_FILE"};

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { Reset(); }
  void TearDown() override { Reset(); }

  static void Reset() {
    for (const char* name : kEnvVars) unsetenv(name);
    absl::SetFlag(&FLAGS_nats_url, "");
    absl::SetFlag(&FLAGS_redis_url, "");
    absl::SetFlag(&FLAGS_redis_user, "");
    absl::SetFlag(&FLAGS_redis_password_file, "");
    absl::SetFlag(&FLAGS_grpc_addr, "");
    absl::SetFlag(&FLAGS_http_addr, "");
    absl::SetFlag(&FLAGS_jwt_secret_file, "");
    absl::SetFlag(&FLAGS_data_key_file, "");
    absl::SetFlag(&FLAGS_stream_replicas, -1);
    absl::SetFlag(&FLAGS_log_level, "");
  }

  static void SetRequired() {
    setenv("KPR_JWT_SECRET_FILE", "/run/secrets/jwt", 1);
    setenv("KPR_DATA_KEY_FILE", "/run/secrets/data", 1);
  }
};

TEST_F(ConfigTest, DefaultsApplyWhenNothingIsGiven) {
  SetRequired();
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->nats_url, "nats://127.0.0.1:4222");
  EXPECT_EQ(config->redis_url, "redis://127.0.0.1:6379");
  EXPECT_EQ(config->grpc_addr, "127.0.0.1:50051");
  EXPECT_EQ(config->http_addr, "127.0.0.1:8081");
  EXPECT_EQ(config->jwt_secret_file, "/run/secrets/jwt");
  EXPECT_EQ(config->data_key_file, "/run/secrets/data");
  EXPECT_EQ(config->stream_replicas, 1);
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->redis_user, "");
  EXPECT_EQ(config->redis_password_file, "");
}

TEST_F(ConfigTest, EnvOverridesDefaultAndFlagOverridesEnv) {
  SetRequired();
  setenv("KPR_NATS_URL", "nats://env-nats:4222", 1);
  setenv("KPR_REDIS_URL", "redis://env-redis:6380", 1);
  setenv("KPR_GRPC_ADDR", "0.0.0.0:9000", 1);
  setenv("KPR_STREAM_REPLICAS", "3", 1);
  setenv("KPR_LOG_LEVEL", "DEBUG", 1);
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->nats_url, "nats://env-nats:4222");
  EXPECT_EQ(config->redis_url, "redis://env-redis:6380");
  EXPECT_EQ(config->grpc_addr, "0.0.0.0:9000");
  EXPECT_EQ(config->http_addr, "127.0.0.1:8081");  // default still
  EXPECT_EQ(config->stream_replicas, 3);
  EXPECT_EQ(config->log_level, "debug");

  absl::SetFlag(&FLAGS_nats_url, "nats://flag-nats:1");
  absl::SetFlag(&FLAGS_grpc_addr, "[::1]:0");
  absl::SetFlag(&FLAGS_stream_replicas, 5);
  absl::SetFlag(&FLAGS_jwt_secret_file, "/flag/jwt");
  config = LoadServiceConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->nats_url, "nats://flag-nats:1");
  EXPECT_EQ(config->redis_url, "redis://env-redis:6380");  // env still
  EXPECT_EQ(config->grpc_addr, "[::1]:0");
  EXPECT_EQ(config->stream_replicas, 5);
  EXPECT_EQ(config->jwt_secret_file, "/flag/jwt");
}

TEST_F(ConfigTest, RequiredSettingsAreNamed) {
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("KPR_JWT_SECRET_FILE (--jwt_secret_file) is required"),
                    HasSubstr("KPR_DATA_KEY_FILE (--data_key_file) is required")));
}

TEST_F(ConfigTest, MalformedSettingsAreNamedTogether) {
  SetRequired();
  setenv("KPR_NATS_URL", "http://nats:4222", 1);
  setenv("KPR_REDIS_URL", "redis://redis:notaport", 1);
  setenv("KPR_HTTP_ADDR", "8081", 1);
  setenv("KPR_STREAM_REPLICAS", "three", 1);
  absl::SetFlag(&FLAGS_log_level, "chatty");
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("KPR_NATS_URL (--nats_url)"), HasSubstr("KPR_REDIS_URL"),
                    HasSubstr("KPR_HTTP_ADDR"), HasSubstr("KPR_STREAM_REPLICAS"),
                    HasSubstr("KPR_LOG_LEVEL")));
  EXPECT_THAT(config.status().message(), ::testing::Not(HasSubstr("KPR_GRPC_ADDR")));
}

TEST_F(ConfigTest, StreamReplicasOutOfRange) {
  SetRequired();
  absl::SetFlag(&FLAGS_stream_replicas, 0);
  EXPECT_FALSE(LoadServiceConfig().ok());
  absl::SetFlag(&FLAGS_stream_replicas, 6);
  EXPECT_FALSE(LoadServiceConfig().ok());
}

TEST_F(ConfigTest, NatsUrlListIsValidatedPerEntry) {
  SetRequired();
  setenv("KPR_NATS_URL", "nats://a:4222, nats://b:4223", 1);
  EXPECT_TRUE(LoadServiceConfig().ok());
  setenv("KPR_NATS_URL", "nats://a:4222,redis://b:1", 1);
  EXPECT_FALSE(LoadServiceConfig().ok());
}

TEST_F(ConfigTest, RedisClusterUrlAndCredentials) {
  SetRequired();
  setenv("KPR_REDIS_URL", "redis+cluster://redis-0.redis:6379,10.0.0.2:7001,[::1]:7002", 1);
  setenv("KPR_REDIS_USER", "kpr-referral", 1);
  setenv("KPR_REDIS_PASSWORD_FILE", "/run/secrets/redis", 1);
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_url, "redis+cluster://redis-0.redis:6379,10.0.0.2:7001,[::1]:7002");
  EXPECT_EQ(config->redis_user, "kpr-referral");
  EXPECT_EQ(config->redis_password_file, "/run/secrets/redis");

  absl::SetFlag(&FLAGS_redis_user, "flag-user");
  absl::SetFlag(&FLAGS_redis_password_file, "/flag/redis");
  config = LoadServiceConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->redis_user, "flag-user");
  EXPECT_EQ(config->redis_password_file, "/flag/redis");

  for (const char* bad : {"redis+cluster://", "redis+cluster://a:1,b:x",
                          "redis+cluster://a:1,redis://b:2", "redis+cluster://u:p@a:1"}) {
    setenv("KPR_REDIS_URL", bad, 1);
    config = LoadServiceConfig();
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(config.status().message(), HasSubstr("KPR_REDIS_URL")) << bad;
  }
}

TEST_F(ConfigTest, RedisUserNeedsAPasswordFile) {
  SetRequired();
  setenv("KPR_REDIS_USER", "kpr", 1);
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(),
              HasSubstr("KPR_REDIS_USER (--redis_user) needs KPR_REDIS_PASSWORD_FILE"));
}

TEST(ReadPasswordFileTest, DropsOneTrailingNewline) {
  const std::string path = ::testing::TempDir() + "/kpr_rpc_password";
  auto write = [&](const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  };
  write("pa ss\n");
  EXPECT_EQ(*ReadPasswordFile(path), "pa ss");
  write("pass\r\n");
  EXPECT_EQ(*ReadPasswordFile(path), "pass");
  write("pass\n\n");
  EXPECT_EQ(*ReadPasswordFile(path), "pass\n");  // only one: the rest is the password's
  write("pass");
  EXPECT_EQ(*ReadPasswordFile(path), "pass");
  write("\n");
  EXPECT_EQ(ReadPasswordFile(path).status().code(), absl::StatusCode::kFailedPrecondition);
  std::remove(path.c_str());
  EXPECT_EQ(ReadPasswordFile(path).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ConfigTest, NatsUrlListOfAClusterKeepsEveryServer) {
  SetRequired();
  const std::string three = "nats://n0.kpr-nats:4222,nats://n1.kpr-nats:4222,nats://10.0.0.3:4223";
  setenv("KPR_NATS_URL", three.c_str(), 1);
  absl::StatusOr<ServiceConfig> config = LoadServiceConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->nats_url, three);  // JetStream::Connect gives each to the client
  // Each entry names its scheme (unlike redis+cluster://, which names it once).
  setenv("KPR_NATS_URL", "nats://a:4222,b:4223", 1);
  config = LoadServiceConfig();
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("KPR_NATS_URL"));
  // An empty entry is a typo, not a server.
  setenv("KPR_NATS_URL", "nats://a:4222,,nats://b:4223", 1);
  EXPECT_FALSE(LoadServiceConfig().ok());
  setenv("KPR_NATS_URL", "nats://a:4222,nats://b:99999", 1);
  EXPECT_FALSE(LoadServiceConfig().ok());
}

TEST(ParseTest, HostPort) {
  absl::StatusOr<HostPort> hp = ParseHostPort("127.0.0.1:50051");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 50051);
  hp = ParseHostPort("[::1]:0");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 0);
  for (const char* bad : {"", "host", ":80", "host:", "host:65536", "host:-1", "host:8a", "::1:80",
                          "[::1]", "[::1]80", "a b:80", "host:+80"}) {
    EXPECT_EQ(ParseHostPort(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseTest, Url) {
  absl::StatusOr<HostPort> hp = ParseUrl("redis://redis.kpr.svc:6380", "redis");
  ASSERT_TRUE(hp.ok()) << hp.status();
  EXPECT_EQ(hp->host, "redis.kpr.svc");
  EXPECT_EQ(hp->port, 6380);
  hp = ParseUrl("redis://cache/", "redis");
  ASSERT_TRUE(hp.ok()) << hp.status();
  EXPECT_EQ(hp->port, 6379);
  hp = ParseUrl("nats://nats", "nats");
  ASSERT_TRUE(hp.ok()) << hp.status();
  EXPECT_EQ(hp->port, 4222);
  hp = ParseUrl("nats://[fd00::1]:4333", "nats");
  ASSERT_TRUE(hp.ok()) << hp.status();
  EXPECT_EQ(hp->host, "fd00::1");
  EXPECT_EQ(hp->port, 4333);
  for (const char* bad : {"redis://h:0", "rediss://h:1", "h:6379", "redis://:pw@h:6379",
                          "redis://h:6379/0", "redis://", "redis://h:99999"}) {
    EXPECT_FALSE(ParseUrl(bad, "redis").ok()) << bad;
  }
  EXPECT_FALSE(ParseUrl("redis://h:1", "nats").ok());
  EXPECT_FALSE(ParseUrl("http://h", "http").ok());  // no default port for other schemes
}

TEST(ReadSecretFileTest, ReadsBytesAndNamesPathOnError) {
  const std::string path = ::testing::TempDir() + "/kpr_rpc_secret";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string("s3cr\0t\n", 7);
  }
  absl::StatusOr<std::string> secret = ReadSecretFile(path);
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(*secret, std::string("s3cr\0t\n", 7));

  { std::ofstream out(path, std::ios::binary | std::ios::trunc); }
  secret = ReadSecretFile(path);
  EXPECT_FALSE(secret.ok());
  EXPECT_THAT(secret.status().message(), AllOf(HasSubstr(path), HasSubstr("empty")));
  std::remove(path.c_str());

  secret = ReadSecretFile(path);
  EXPECT_EQ(secret.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(secret.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace kpr::rpc
