// kpr-referral's HTTP endpoints as a probe and a scraper see them, and /readyz still answering
// within a second while slow clients hold connections (issue 11: before, six clients trickling a
// byte every 1.5 s kept it from answering for 10 s).

#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/observe/http_test_client.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

using ::kpr::observe::testing::Body;
using ::kpr::observe::testing::Get;
using ::kpr::observe::testing::SlowClients;
using ::kpr::observe::testing::StatusOf;
using ::testing::HasSubstr;

TEST(ServiceHttp, ReadyzAnswersWithinASecondWhileSlowClientsHoldConnections) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  ReferralProcess service(secrets);
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitServing().ok()) << service.Log();
  const int port = service.http_port();

  ASSERT_TRUE(Eventually([&] { return StatusOf(Get(port, "/readyz")) == 200; }, absl::Seconds(10)))
      << service.Log();
  EXPECT_EQ(Body(Get(port, "/readyz")), "ready");
  EXPECT_EQ(Body(Get(port, "/healthz")), "ok");
  std::string metrics = Get(port, "/metrics");
  EXPECT_EQ(StatusOf(metrics), 200);
  EXPECT_THAT(metrics, HasSubstr("Content-Type: text/plain; version=0.0.4\r\n"));
  EXPECT_THAT(metrics, HasSubstr("# TYPE "));

  SlowClients slow(port, 8, absl::Milliseconds(1500));
  int probes = 0;
  for (absl::Time end = absl::Now() + absl::Seconds(3); absl::Now() < end; ++probes) {
    absl::Time start = absl::Now();
    std::string response = Get(port, "/readyz");
    EXPECT_EQ(StatusOf(response), 200) << "probe " << probes << ": " << response;
    EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "probe " << probes;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_GE(probes, 10);
  EXPECT_EQ(slow.closed(), 0) << "the slow clients should still hold their connections";

  // Draining on SIGTERM: the process exits cleanly with the slow clients still connected.
  EXPECT_EQ(service.Terminate(), 0) << service.Log();
}

}  // namespace
}  // namespace kpr::testing
