#include "gtest/gtest.h"
#include "libs/observe/log.h"
#include "libs/privacy/audit_trail.h"
#include "tests/harness/servers.h"

namespace kpr::privacy {
namespace {

TEST(AuditTrail, RecordsWhoReadWhatInTheMunicipalityStreamAndLogsIt) {
  ASSERT_TRUE(testing::FlushRedis().ok());
  store::RedisOptions options;
  options.port = testing::Servers::Redis().port();
  store::RedisPool pool(options);
  std::string logged;
  observe::SetLogSink([&](absl::string_view line) { logged.append(line.data(), line.size()); });
  AuditTrail audit(pool);
  AuditRecord r{"0165", "coord-1", "coordinator", "referral.GetContact", "0165-ABC", "00-x"};
  ASSERT_TRUE(audit.Record(r).ok());
  ASSERT_TRUE(audit.Record(r).ok());
  observe::SetLogSink(nullptr);
  auto len = pool.Command({"XLEN", "kpr:{0165}:audit"});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(len->integer(), 2);
  auto other = pool.Command({"XLEN", "kpr:{0183}:audit"});
  EXPECT_EQ(other->integer(), 0);
  auto last = pool.Command({"XREVRANGE", "kpr:{0165}:audit", "+", "-", "COUNT", "1"});
  ASSERT_TRUE(last.ok());
  std::string fields;
  auto entry = last->element(0).element(1);
  for (size_t i = 0; i < entry.size(); ++i) fields += entry.element(i).string() + "|";
  EXPECT_NE(fields.find("actor|coord-1|"), std::string::npos);
  EXPECT_NE(fields.find("subject|0165-ABC|"), std::string::npos);
  EXPECT_NE(logged.find("\"audit\":true"), std::string::npos);
}

TEST(AuditTrail, FailsWhenRedisIsDownSoCallersWithholdData) {
  store::RedisOptions options;
  options.port = testing::Servers::Redis().port();
  options.command_timeout = absl::Milliseconds(300);
  store::RedisPool pool(options);
  AuditTrail audit(pool);
  testing::Servers::Redis().Stop();
  absl::Status s = audit.Record({"0165", "a", "coordinator", "x", "0165-ABC", ""});
  ASSERT_TRUE(testing::Servers::Redis().Start().ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace kpr::privacy
