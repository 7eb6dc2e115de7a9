// Every period or date range in a request is checked and capped, at the service's edge, before
// any loop over it: reports and the funnel at 5 years, session lists and calendar export at a
// year. A violation is INVALID_ARGUMENT naming the field. Before, GetProgramReport with
// to = 10^15 s grew kpr-outcomes to 2 GB in 15 s, and the process then ignored SIGTERM; so this
// test also sends it and then stops the service, which must exit promptly.

#include <sys/wait.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"
#include "libs/rpc/auth.h"
#include "tests/harness/servers.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

using identity::Role;
using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

constexpr int64_t k2027 = 1'798'761'600;  // 2027-01-01T00:00:00Z
constexpr int64_t kYear = 365 * 86400;

TEST(PeriodCaps, EveryPeriodIsCheckedAndCappedAndTheServiceStillStops) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  ServiceProcess referral("referral", secrets);
  ServiceProcess scheduling("scheduling", secrets);
  ServiceProcess outcomes("outcomes", secrets);
  for (ServiceProcess* s : {&referral, &scheduling, &outcomes}) {
    ASSERT_TRUE(s->Start().ok());
    ASSERT_TRUE(s->WaitServing().ok()) << s->Log();
  }
  const std::string analyst = MakeToken(secrets.jwt_secret, Role::kAnalyst, {"0165"});
  const std::string coordinator = MakeToken(secrets.jwt_secret, Role::kCoordinator, {"0165"});

  // Outcomes: a program report over 5 years is fine, over 10^15 seconds is not.
  auto out = outcomes::v1::OutcomesService::NewStub(
      grpc::CreateChannel(outcomes.grpc_address(), grpc::InsecureChannelCredentials()));
  outcomes::v1::GetProgramReportRequest report;
  report.set_municipality("0165");
  report.set_program_id("sund-med-kultur");
  *report.mutable_from() = Ts(k2027);
  *report.mutable_to() = Ts(k2027 + 5 * kYear);
  outcomes::v1::OutcomeReport r;
  {
    CallAs c(analyst);
    grpc::Status st = out->GetProgramReport(&c.ctx, report, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
  *report.mutable_to() = Ts(1'000'000'000'000'000);
  {
    CallAs c(analyst);
    grpc::Status st = out->GetProgramReport(&c.ctx, report, &r);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("to: "));
  }
  *report.mutable_to() = Ts(k2027 + 6 * kYear);
  {
    CallAs c(analyst);
    EXPECT_EQ(out->GetProgramReport(&c.ctx, report, &r).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  // Referral: the funnel, the same cap; to before from names the field too.
  auto ref = referral::v1::ReferralService::NewStub(
      grpc::CreateChannel(referral.grpc_address(), grpc::InsecureChannelCredentials()));
  referral::v1::GetFunnelRequest funnel;
  funnel.set_municipality("0165");
  *funnel.mutable_from() = Ts(k2027);
  *funnel.mutable_to() = Ts(k2027 + 6 * kYear);
  referral::v1::Funnel f;
  {
    CallAs c(analyst);
    grpc::Status st = ref->GetFunnel(&c.ctx, funnel, &f);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("to: at most"));
  }
  *funnel.mutable_to() = Ts(k2027 - 1);
  {
    CallAs c(analyst);
    grpc::Status st = ref->GetFunnel(&c.ctx, funnel, &f);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("to: must be after from"));
  }
  funnel.mutable_from()->set_nanos(-5);
  {
    CallAs c(analyst);
    grpc::Status st = ref->GetFunnel(&c.ctx, funnel, &f);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("from: not a valid timestamp"));
  }

  // Scheduling: session lists and calendar export, at most a year.
  auto sched = scheduling::v1::SchedulingService::NewStub(
      grpc::CreateChannel(scheduling.grpc_address(), grpc::InsecureChannelCredentials()));
  scheduling::v1::ExportCalendarRequest ics;
  ics.set_municipality("0165");
  ics.set_institution_id("musikskolen");
  ics.set_from_day("2027-01-01");
  ics.set_to_day("2029-01-01");
  scheduling::v1::ExportCalendarResponse calendar;
  {
    CallAs c(coordinator);
    grpc::Status st = sched->ExportCalendar(&c.ctx, ics, &calendar);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("to_day: at most 366 days"));
  }
  scheduling::v1::ListSessionsRequest sessions;
  sessions.set_municipality("0165");
  sessions.set_institution_id("musikskolen");
  sessions.set_from_day("2027-01-01");
  sessions.set_to_day("2028-06-01");
  scheduling::v1::ListSessionsResponse listed;
  {
    CallAs c(coordinator);
    grpc::Status st = sched->ListSessions(&c.ctx, sessions, &listed);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), HasSubstr("to_day"));
  }

  // After all that, each service stops on SIGTERM with a clean exit, well within its drain.
  for (ServiceProcess* s : {&referral, &scheduling, &outcomes}) {
    const absl::Time asked = absl::Now();
    const int status = s->Terminate();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << s->Log();
    EXPECT_LT(absl::Now() - asked, absl::Seconds(15));
  }
}

}  // namespace
}  // namespace kpr::testing
