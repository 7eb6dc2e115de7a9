// Durable timers survive the service: a cohort's opening falls due while kpr-scheduling is
// killed (SIGKILL, nothing flushed); after a restart — here with a second replica started beside
// it — the cohort opens, and its "opened" event is on KPR_SCHEDULING exactly once.

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/rpc/auth.h"
#include "tests/support/referral_testing.h"
#include "tests/support/scheduling_testing.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
using identity::Role;

TEST(SchedulingRestart, TimersDueWhileTheServiceWasDownFireOnceAfterItComesBack) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  const std::string token =
      MakeToken(secrets.jwt_secret, Role::kCoordinator, {"0165"}, "restart-test");
  const std::string admin =
      MakeToken(secrets.jwt_secret, Role::kAdmin, {"0165", "0183"}, "restart-test");

  ServiceProcess first("scheduling", secrets);
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(first.WaitServing().ok()) << first.Log();
  auto stub = v1::SchedulingService::NewStub(
      grpc::CreateChannel(first.grpc_address(), grpc::InsecureChannelCredentials()));
  auto catalog = LoadDemoCatalog();
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE(PutCatalog(*stub, admin, *catalog).ok());

  // A cohort ten weeks from now that opens for enrolment three seconds from now.
  absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  absl::CivilDay start = today + 70;
  v1::CreateCohortRequest req;
  req.set_municipality("0165");
  req.set_program_id("sund-med-kultur");
  // ISO week of `start` (Thursday rule).
  absl::CivilDay thursday =
      start +
      (3 - (static_cast<int>(absl::GetWeekday(start)) - static_cast<int>(absl::Weekday::monday)));
  req.set_start_iso_year(static_cast<int>(thursday.year()));
  req.set_start_iso_week(static_cast<int>((absl::GetYearDay(thursday) - 1) / 7 + 1));
  req.set_opens_at_unix_ms(absl::ToUnixMillis(absl::Now() + absl::Seconds(3)));
  req.set_request_id("restart-cohort");
  v1::CreateCohortResponse created;
  {
    grpc::ClientContext ctx;
    rpc::SetBearerToken(ctx, token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    grpc::Status st = stub->CreateCohort(&ctx, req, &created);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_EQ(created.cohort().status(), v1::COHORT_STATUS_PLANNED);
  const std::string cohort_id = created.cohort().cohort_id();
  first.Kill();

  absl::SleepFor(absl::Seconds(5));  // the opening falls due while nobody runs

  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());
  auto opened_events = [&]() -> int {
    auto messages = (*nats)->ReadStream("KPR_SCHEDULING");
    if (!messages.ok()) return -1;
    int n = 0;
    for (const auto& m : *messages) {
      common::v1::Event e;
      if (!e.ParseFromString(m.data) || e.type() != "kpr.scheduling.v1.CohortOpened") continue;
      v1::CohortOpened opened;
      if (e.payload().UnpackTo(&opened) && opened.cohort_id() == cohort_id) ++n;
    }
    return n;
  };
  EXPECT_LE(opened_events(), 0);

  ServiceProcess again("scheduling", secrets);
  ServiceProcess replica("scheduling", secrets);
  ASSERT_TRUE(again.Start().ok());
  ASSERT_TRUE(replica.Start().ok());
  ASSERT_TRUE(again.WaitServing().ok()) << again.Log();
  ASSERT_TRUE(replica.WaitServing().ok()) << replica.Log();
  auto stub2 = v1::SchedulingService::NewStub(
      grpc::CreateChannel(again.grpc_address(), grpc::InsecureChannelCredentials()));
  v1::Cohort cohort;
  EXPECT_TRUE(Eventually(
      [&] {
        grpc::ClientContext ctx;
        rpc::SetBearerToken(ctx, token);
        ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
        v1::GetCohortRequest get;
        get.set_municipality("0165");
        get.set_cohort_id(cohort_id);
        return stub2->GetCohort(&ctx, get, &cohort).ok() &&
               cohort.status() == v1::COHORT_STATUS_OPEN;
      },
      absl::Seconds(20)));
  EXPECT_TRUE(Eventually([&] { return opened_events() >= 1; }, absl::Seconds(10)));
  absl::SleepFor(absl::Seconds(3));  // give a second firing every chance to show up
  EXPECT_EQ(opened_events(), 1);
  EXPECT_EQ(again.Terminate(), 0);
  EXPECT_EQ(replica.Terminate(), 0);
}

}  // namespace
}  // namespace kpr::testing
