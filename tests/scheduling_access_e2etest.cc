// Tenant isolation and roles for every SchedulingService RPC over real gRPC: no token is
// UNAUTHENTICATED; an analyst or a caseworker, or a coordinator of another municipality, gets
// PERMISSION_DENIED for every RPC, before anything is read or written; an instructor sees its own
// institution's sessions and calendar only.

#include <functional>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/support/scheduling_fixture.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
using identity::Role;

class SchedulingAccess : public SchedulingServiceTest {
 protected:
  using Call = std::function<grpc::Status(grpc::ClientContext*)>;

  // One call of every RPC about municipality 0165 (the cohort and session ids exist).
  std::vector<std::pair<std::string, Call>> EveryRpc(const std::string& cohort_id,
                                                     const v1::Session& session) {
    auto& s = *stub_;
    const std::string m = "0165";
    std::vector<std::pair<std::string, Call>> calls;
    auto add = [&](std::string name, Call call) {
      calls.emplace_back(std::move(name), std::move(call));
    };
    add("PutInstitution", [&s, this](grpc::ClientContext* c) {
      v1::PutInstitutionRequest r;
      *r.mutable_institution() = catalog_.institutions(0);
      v1::Institution o;
      return s.PutInstitution(c, r, &o);
    });
    add("ListInstitutions", [&s, m](grpc::ClientContext* c) {
      v1::ListInstitutionsRequest r;
      r.set_municipality(m);
      v1::ListInstitutionsResponse o;
      return s.ListInstitutions(c, r, &o);
    });
    add("PutInstructor", [&s, this](grpc::ClientContext* c) {
      v1::PutInstructorRequest r;
      *r.mutable_instructor() = catalog_.instructors(0);
      v1::Instructor o;
      return s.PutInstructor(c, r, &o);
    });
    add("ListInstructors", [&s, m](grpc::ClientContext* c) {
      v1::ListInstructorsRequest r;
      r.set_municipality(m);
      v1::ListInstructorsResponse o;
      return s.ListInstructors(c, r, &o);
    });
    add("PutCalendar", [&s, this](grpc::ClientContext* c) {
      v1::PutCalendarRequest r;
      *r.mutable_calendar() = catalog_.calendars(0);
      v1::MunicipalityCalendar o;
      return s.PutCalendar(c, r, &o);
    });
    add("GetCalendar", [&s, m](grpc::ClientContext* c) {
      v1::GetCalendarRequest r;
      r.set_municipality(m);
      v1::MunicipalityCalendar o;
      return s.GetCalendar(c, r, &o);
    });
    add("PutProgram", [&s, this](grpc::ClientContext* c) {
      v1::PutProgramRequest r;
      *r.mutable_program() = catalog_.programs(0);
      v1::ProgramTemplate o;
      return s.PutProgram(c, r, &o);
    });
    add("ListPrograms", [&s, m](grpc::ClientContext* c) {
      v1::ListProgramsRequest r;
      r.set_municipality(m);
      v1::ListProgramsResponse o;
      return s.ListPrograms(c, r, &o);
    });
    add("PlanCohort", [&s, m](grpc::ClientContext* c) {
      v1::PlanCohortRequest r;
      r.set_municipality(m);
      r.set_program_id("sund-med-kultur");
      r.set_start_iso_year(2027);
      r.set_start_iso_week(40);
      v1::PlanCohortResponse o;
      return s.PlanCohort(c, r, &o);
    });
    add("CreateCohort", [&s, m](grpc::ClientContext* c) {
      v1::CreateCohortRequest r;
      r.set_municipality(m);
      r.set_program_id("sund-med-kultur");
      r.set_start_iso_year(2027);
      r.set_start_iso_week(40);
      r.set_request_id("access");
      v1::CreateCohortResponse o;
      return s.CreateCohort(c, r, &o);
    });
    add("GetCohort", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::GetCohortRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      v1::Cohort o;
      return s.GetCohort(c, r, &o);
    });
    add("ListCohorts", [&s, m](grpc::ClientContext* c) {
      v1::ListCohortsRequest r;
      r.set_municipality(m);
      v1::ListCohortsResponse o;
      return s.ListCohorts(c, r, &o);
    });
    add("CancelCohort", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::CancelCohortRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      r.set_reason("x");
      v1::Cohort o;
      return s.CancelCohort(c, r, &o);
    });
    add("ListSessions", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::ListSessionsRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      v1::ListSessionsResponse o;
      return s.ListSessions(c, r, &o);
    });
    add("RescheduleSession", [&s, m, session](grpc::ClientContext* c) {
      v1::RescheduleSessionRequest r;
      r.set_municipality(m);
      r.set_session_id(session.session_id());
      r.set_expected_version(session.version());
      r.set_reason("x");
      v1::Session o;
      return s.RescheduleSession(c, r, &o);
    });
    add("CancelSession", [&s, m, session](grpc::ClientContext* c) {
      v1::CancelSessionRequest r;
      r.set_municipality(m);
      r.set_session_id(session.session_id());
      r.set_expected_version(session.version());
      r.set_reason("x");
      v1::Session o;
      return s.CancelSession(c, r, &o);
    });
    add("CloseVenue", [&s, m, session](grpc::ClientContext* c) {
      v1::CloseVenueRequest r;
      r.set_municipality(m);
      r.set_institution_id(session.institution_id());
      r.set_venue_id(session.venue_id());
      r.mutable_closure()->set_first_day(session.day());
      r.mutable_closure()->set_last_day(session.day());
      r.mutable_closure()->set_reason("x");
      v1::RepairResponse o;
      return s.CloseVenue(c, r, &o);
    });
    add("AddInstructorAbsence", [&s, m, session](grpc::ClientContext* c) {
      v1::AddInstructorAbsenceRequest r;
      r.set_municipality(m);
      r.set_instructor_id(session.instructor_id());
      r.mutable_absence()->set_first_day(session.day());
      r.mutable_absence()->set_last_day(session.day());
      r.mutable_absence()->set_reason("x");
      v1::RepairResponse o;
      return s.AddInstructorAbsence(c, r, &o);
    });
    add("Enroll", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::EnrollRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      r.set_referral_id("0165-x");
      r.set_citizen_id("c");
      v1::EnrollResponse o;
      return s.Enroll(c, r, &o);
    });
    add("Unenroll", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::UnenrollRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      r.set_referral_id("0165-x");
      v1::UnenrollResponse o;
      return s.Unenroll(c, r, &o);
    });
    add("GetWaitlist", [&s, m](grpc::ClientContext* c) {
      v1::GetWaitlistRequest r;
      r.set_municipality(m);
      r.set_program_id("sund-med-kultur");
      v1::GetWaitlistResponse o;
      return s.GetWaitlist(c, r, &o);
    });
    add("ListParticipants", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::ListParticipantsRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      v1::ListParticipantsResponse o;
      return s.ListParticipants(c, r, &o);
    });
    add("ExportCalendar", [&s, m, cohort_id](grpc::ClientContext* c) {
      v1::ExportCalendarRequest r;
      r.set_municipality(m);
      r.set_cohort_id(cohort_id);
      v1::ExportCalendarResponse o;
      return s.ExportCalendar(c, r, &o);
    });
    return calls;
  }
};

TEST_F(SchedulingAccess, EveryRpcRefusesStrangersAndOtherMunicipalities) {
  v1::CreateCohortRequest req;
  req.set_municipality("0165");
  req.set_program_id("sund-med-kultur");
  req.set_start_iso_year(2027);
  req.set_start_iso_week(9);
  req.set_request_id("access-cohort");
  v1::CreateCohortResponse cohort;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->CreateCohort(&c.ctx, req, &cohort).ok());
  }
  auto calls = EveryRpc(cohort.cohort().cohort_id(), cohort.sessions(1));
  ASSERT_EQ(calls.size(), 23u);  // every RPC of the service
  const std::vector<std::pair<std::string, std::string>> strangers = {
      {"analyst", MakeToken(secrets_.jwt_secret, Role::kAnalyst, {"0165"}, "analyst-1")},
      {"caseworker", MakeToken(secrets_.jwt_secret, Role::kCaseworker, {"0165"}, "cw-1")},
      {"coordinator of 0183",
       MakeToken(secrets_.jwt_secret, Role::kCoordinator, {"0183"}, "coordinator-2")},
      {"admin of 0183", MakeToken(secrets_.jwt_secret, Role::kAdmin, {"0183"}, "admin-2")},
      {"instructor of 0183",
       MakeToken(secrets_.jwt_secret, Role::kInstructor, {"0183"}, "musikskolen-instruktoer-1")},
  };
  for (const auto& [name, call] : calls) {
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      EXPECT_EQ(call(&ctx).error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << name << " without a token";
    }
    for (const auto& [who, token] : strangers) {
      Ctx c(token);
      EXPECT_EQ(call(&c.ctx).error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << name << " as " << who;
    }
  }
  // Nothing changed: the cohort is as it was.
  v1::GetCohortRequest get;
  get.set_municipality("0165");
  get.set_cohort_id(cohort.cohort().cohort_id());
  v1::Cohort now;
  Ctx c(Token(Role::kCoordinator));
  ASSERT_TRUE(stub_->GetCohort(&c.ctx, get, &now).ok());
  EXPECT_EQ(now.version(), cohort.cohort().version());
  EXPECT_EQ(now.status(), v1::COHORT_STATUS_OPEN);
}

TEST_F(SchedulingAccess, InstructorsSeeTheirOwnInstitutionOnly) {
  v1::CreateCohortRequest req;
  req.set_municipality("0165");
  req.set_program_id("sund-med-kultur");
  req.set_start_iso_year(2027);
  req.set_start_iso_week(9);
  req.set_request_id("instructor-cohort");
  v1::CreateCohortResponse cohort;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->CreateCohort(&c.ctx, req, &cohort).ok());
  }
  const std::string health_house =
      MakeToken(secrets_.jwt_secret, Role::kInstructor, {"0165"}, "sundhedshuset-instruktoer-1");
  const std::string theatre =
      MakeToken(secrets_.jwt_secret, Role::kInstructor, {"0165"}, "teatret-instruktoer-1");
  v1::ListSessionsRequest week;
  week.set_municipality("0165");
  week.set_institution_id("sundhedshuset");
  week.set_from_day("2027-01-01");
  week.set_to_day("2027-12-31");
  v1::ListSessionsResponse sessions;
  {
    Ctx c(health_house);
    ASSERT_TRUE(stub_->ListSessions(&c.ctx, week, &sessions).ok());
  }
  EXPECT_EQ(sessions.sessions_size(), 2);  // the introduction and the closing session
  {
    Ctx c(theatre);
    EXPECT_EQ(stub_->ListSessions(&c.ctx, week, &sessions).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // The cohort's timetable, seen by the health house: only its own sessions.
  v1::ListSessionsRequest by_cohort;
  by_cohort.set_municipality("0165");
  by_cohort.set_cohort_id(cohort.cohort().cohort_id());
  {
    Ctx c(health_house);
    ASSERT_TRUE(stub_->ListSessions(&c.ctx, by_cohort, &sessions).ok());
  }
  ASSERT_GT(sessions.sessions_size(), 0);
  for (const auto& s : sessions.sessions()) EXPECT_EQ(s.institution_id(), "sundhedshuset");
  v1::ExportCalendarRequest ics;
  ics.set_municipality("0165");
  ics.set_institution_id("teatret");
  v1::ExportCalendarResponse out;
  {
    Ctx c(health_house);
    EXPECT_EQ(stub_->ExportCalendar(&c.ctx, ics, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Instructors cannot plan, book or enrol.
  {
    Ctx c(health_house);
    v1::CreateCohortResponse o;
    EXPECT_EQ(stub_->CreateCohort(&c.ctx, req, &o).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
}

}  // namespace
}  // namespace kpr::testing
