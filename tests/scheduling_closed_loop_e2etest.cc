// The loop between the services over real NATS and Redis, in-process: a coordinator accepts a
// referral in kpr-referral; kpr-scheduling hears `accepted`, places the citizen in the open cohort
// of the municipality's default program and says `enrolled`; kpr-referral hears that and the
// referral is ENROLLED, with its placement, for the referrer to see. An instructor who teaches a
// session of the cohort gets each participant's referral id and first name from
// ListParticipants, and records attendance in kpr-outcomes with exactly those ids once the
// session has begun (outcomes runs on a test clock); a coordinator sees the ids.

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "libs/rpc/auth.h"
#include "services/outcomes/outcomes_server.h"
#include "services/referral/referral_server.h"
#include "services/scheduling/scheduling_server.h"
#include "tests/support/referral_testing.h"
#include "tests/support/scheduling_testing.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
namespace rv1 = ::kpr::referral::v1;
using identity::Role;

TEST(SchedulingClosedLoop, AcceptedReferralIsPlacedAndTheReferrerSeesEnrolled) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  auto referral_server = referral::ReferralServer::Start(HarnessServiceConfig(secrets), {});
  ASSERT_TRUE(referral_server.ok()) << referral_server.status();
  scheduling::SchedulingServer::Options options;
  options.referral_addr = absl::StrCat("127.0.0.1:", (*referral_server)->grpc_port());
  options.clock = [] {
    return absl::FromCivil(absl::CivilMinute(2026, 12, 1, 9, 0), absl::UTCTimeZone());
  };
  options.timer_poll_interval = absl::Milliseconds(200);
  auto scheduling_server =
      scheduling::SchedulingServer::Start(HarnessServiceConfig(secrets), options);
  ASSERT_TRUE(scheduling_server.ok()) << scheduling_server.status();
  ASSERT_TRUE(
      Eventually([&] { return (*referral_server)->healthy() && (*scheduling_server)->healthy(); },
                 absl::Seconds(15)));
  ASSERT_TRUE(
      Eventually([&] { return (*scheduling_server)->consumers_ready(); }, absl::Seconds(15)));

  auto scheduling = v1::SchedulingService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*scheduling_server)->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  auto referrals = rv1::ReferralService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*referral_server)->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  const std::string coordinator =
      MakeToken(secrets.jwt_secret, Role::kCoordinator, {"0165"}, "coordinator-1");
  auto catalog = LoadDemoCatalog();
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE(PutCatalog(*scheduling, MakeToken(secrets.jwt_secret, Role::kAdmin, {"0165", "0183"}),
                         *catalog)
                  .ok());

  v1::CreateCohortRequest create;
  create.set_municipality("0165");
  create.set_program_id("sund-med-kultur");  // 0165's default program
  create.set_start_iso_year(2027);
  create.set_start_iso_week(9);
  create.set_request_id("closed-loop");
  v1::CreateCohortResponse cohort;
  {
    CallAs c(coordinator);
    grpc::Status st = scheduling->CreateCohort(&c.ctx, create, &cohort);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // A referral with a preferred program the municipality does not run: the default is used.
  intake::v1::ReferralSubmitted submission = SyntheticSubmission(7, "0165");
  submission.set_preferred_program("no-such-program");
  auto accepted = SubmitAndAccept(*referrals, coordinator, submission);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  const rv1::Referral r = *accepted;

  rv1::Referral enrolled;
  EXPECT_TRUE(Eventually(
      [&] {
        CallAs c(coordinator);
        rv1::GetReferralRequest req;
        req.set_id(r.id());
        return referrals->GetReferral(&c.ctx, req, &enrolled).ok() &&
               enrolled.status() == rv1::REFERRAL_STATUS_ENROLLED;
      },
      absl::Seconds(30)));
  // The coordinator sees where it is placed.
  EXPECT_EQ(enrolled.placement().cohort_id(), cohort.cohort().cohort_id());
  EXPECT_EQ(enrolled.placement().program_id(), "sund-med-kultur");
  EXPECT_EQ(enrolled.placement().first_day(), cohort.cohort().first_day());

  v1::ListParticipantsRequest participants_req;
  participants_req.set_municipality("0165");
  participants_req.set_cohort_id(cohort.cohort().cohort_id());
  v1::ListParticipantsResponse participants;
  {
    CallAs c(coordinator);
    ASSERT_TRUE(scheduling->ListParticipants(&c.ctx, participants_req, &participants).ok());
  }
  ASSERT_EQ(participants.participants_size(), 1);
  EXPECT_EQ(participants.participants(0).referral_id(), r.id());
  EXPECT_EQ(participants.participants(0).citizen_id(), r.citizen_id());
  EXPECT_TRUE(participants.participants(0).first_name().empty());

  // The health house hosts the cohort's first session: its instructor sees a first name, no ids.
  const std::string instructor =
      MakeToken(secrets.jwt_secret, Role::kInstructor, {"0165"}, "sundhedshuset-instruktoer-1");
  {
    CallAs c(instructor);
    grpc::Status st = scheduling->ListParticipants(&c.ctx, participants_req, &participants);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_EQ(participants.participants_size(), 1);
  EXPECT_EQ(participants.participants(0).first_name(), submission.citizen().given_name());
  EXPECT_EQ(participants.participants(0).referral_id(), r.id());  // what RecordAttendance takes
  EXPECT_TRUE(participants.participants(0).citizen_id().empty());
  const v1::ListParticipantsResponse instructor_view = participants;

  // An instructor of an institution the cohort does not use sees nothing.
  const std::string theatre =
      MakeToken(secrets.jwt_secret, Role::kInstructor, {"0165"}, "teatret-instruktoer-1");
  {
    CallAs c(theatre);
    EXPECT_EQ(scheduling->ListParticipants(&c.ctx, participants_req, &participants).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // The instructor's first session of the cohort, and kpr-outcomes an hour after it began.
  v1::ListSessionsRequest sessions_req;
  sessions_req.set_municipality("0165");
  sessions_req.set_cohort_id(cohort.cohort().cohort_id());
  v1::ListSessionsResponse sessions;
  {
    CallAs c(coordinator);
    ASSERT_TRUE(scheduling->ListSessions(&c.ctx, sessions_req, &sessions).ok());
  }
  const v1::Session* taught = nullptr;
  for (const v1::Session& session : sessions.sessions()) {
    if (session.instructor_id() != "sundhedshuset-instruktoer-1") continue;
    const auto when = [](const v1::Session& x) {
      return std::make_pair(x.day(), x.start_minute());
    };
    if (taught == nullptr || when(session) < when(*taught)) taught = &session;
  }
  ASSERT_NE(taught, nullptr);
  absl::CivilDay day;
  ASSERT_TRUE(absl::ParseCivilTime(taught->day(), &day));
  const absl::Time began =
      absl::FromCivil(absl::CivilMinute(day) + taught->start_minute(), calendar::DanishTimeZone());
  outcomes::OutcomesServer::Options outcomes_options;
  outcomes_options.desks.clock = [began] { return began + absl::Hours(1); };
  auto outcomes_server =
      outcomes::OutcomesServer::Start(HarnessServiceConfig(secrets), outcomes_options);
  ASSERT_TRUE(outcomes_server.ok()) << outcomes_server.status();
  ASSERT_TRUE(Eventually([&] { return (*outcomes_server)->healthy(); }, absl::Seconds(15)));
  auto outcomes = outcomes::v1::OutcomesService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*outcomes_server)->grpc_port()),
                          grpc::InsecureChannelCredentials()));
  outcomes::v1::RecordAttendanceRequest record;
  record.set_municipality("0165");
  record.set_session_id(taught->session_id());
  for (const v1::Participant& p : instructor_view.participants()) {
    outcomes::v1::AttendanceEntry* entry = record.add_entries();
    entry->set_referral_id(p.referral_id());
    entry->set_mark(outcomes::v1::ATTENDANCE_MARK_PRESENT);
  }
  // Outcomes learns the cohort and its participant from scheduling's events: retry until then.
  grpc::Status recorded;
  EXPECT_TRUE(Eventually(
      [&] {
        CallAs c(instructor);
        outcomes::v1::SessionAttendance out;
        recorded = outcomes->RecordAttendance(&c.ctx, record, &out);
        return recorded.ok();
      },
      absl::Seconds(30)))
      << recorded.error_message();
  outcomes::v1::GetAttendanceRequest get;
  get.set_municipality("0165");
  get.set_cohort_id(cohort.cohort().cohort_id());
  outcomes::v1::GetAttendanceResponse attendance;
  {
    CallAs c(instructor);
    grpc::Status st = outcomes->GetAttendance(&c.ctx, get, &attendance);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_EQ(attendance.sessions_size(), 1);
  ASSERT_EQ(attendance.sessions(0).entries_size(), 1);
  EXPECT_EQ(attendance.sessions(0).entries(0).referral_id(), r.id());
  EXPECT_EQ(attendance.sessions(0).entries(0).mark(), outcomes::v1::ATTENDANCE_MARK_PRESENT);

  (*outcomes_server)->Shutdown(absl::Seconds(2));
  (*scheduling_server)->Shutdown(absl::Seconds(2));
  (*referral_server)->Shutdown(absl::Seconds(2));
}

}  // namespace
}  // namespace kpr::testing
