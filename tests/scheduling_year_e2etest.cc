// Plans the two seed programs (Sund med Kultur, 6 weeks; Kultur på Recept, 10 weeks x 3) in both
// example municipalities for the whole of 2027 over each municipality's shared institutions,
// through the real gRPC service on the harness's Redis and NATS, and checks every booked
// session with a hard-constraint checker that does not use the planner (support/
// scheduling_testing.h). Also: a start week with no timetable is explained, not refused blindly.

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/auth.h"
#include "tests/support/scheduling_fixture.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
using identity::Role;

class SchedulingYear : public SchedulingServiceTest {};

TEST_F(SchedulingYear, BothSeedProgramsInBothMunicipalitiesForAYearBreakNoHardConstraint) {
  // Start weeks of 2027: Sund med Kultur back to back and overlapping (two cohorts at a time in
  // spring and autumn), Kultur på Recept four times a year; all over the same institutions.
  const std::vector<std::pair<std::string, std::vector<int>>> plan = {
      {"sund-med-kultur", {2, 5, 9, 14, 17, 21, 33, 36, 40, 44}},
      {"kultur-paa-recept", {3, 14, 33, 43}},
  };
  int expected_cohorts = 0;
  for (const std::string m : {"0165", "0183"}) {
    for (const auto& [program, weeks] : plan) {
      for (int week : weeks) {
        v1::CreateCohortRequest req;
        req.set_municipality(m);
        req.set_program_id(program);
        req.set_start_iso_year(2027);
        req.set_start_iso_week(week);
        req.set_request_id(absl::StrCat(m, "-", program, "-", week));
        v1::CreateCohortResponse resp;
        Ctx c(Token(Role::kCoordinator));
        grpc::Status st = stub_->CreateCohort(&c.ctx, req, &resp);
        ASSERT_TRUE(st.ok()) << m << " " << program << " 2027-W" << week << ": "
                             << st.error_message();
        EXPECT_TRUE(resp.created());
        EXPECT_EQ(resp.cohort().status(), v1::COHORT_STATUS_OPEN);
        EXPECT_GE(resp.cohort().score(), 0);
        ++expected_cohorts;
      }
    }
  }

  EXPECT_EQ(expected_cohorts, 28);

  int total_sessions = 0;
  for (const std::string m : {"0165", "0183"}) {
    std::vector<CohortTimetable> timetables = Timetables(m);
    ASSERT_EQ(timetables.size(), 14u);
    for (const auto& t : timetables) {
      EXPECT_EQ(static_cast<int>(t.sessions.size()), t.cohort.session_count())
          << t.cohort.cohort_id();
      total_sessions += static_cast<int>(t.sessions.size());
    }
    std::vector<std::string> violations = HardViolations(catalog_, m, timetables);
    EXPECT_TRUE(violations.empty()) << violations.size() << " hard violations in " << m << ":\n"
                                    << absl::StrJoin(violations, "\n");

    // The checker is not blind: a session moved onto Good Friday, or into another cohort's
    // slot at the same venue, is caught.
    std::vector<CohortTimetable> on_holiday = timetables;
    on_holiday[0].sessions[1].set_day("2027-03-26");
    EXPECT_FALSE(HardViolations(catalog_, m, on_holiday).empty());
    std::vector<CohortTimetable> double_booked = timetables;
    scheduling::v1::Session copy = double_booked[0].sessions[2];
    copy.set_session_id("intruder");
    double_booked[1].sessions.push_back(copy);
    std::vector<std::string> found = HardViolations(catalog_, m, double_booked);
    EXPECT_TRUE(absl::StrContains(absl::StrJoin(found, "\n"), "double-booked"))
        << absl::StrJoin(found, "\n");

    // The institution week view shows the same bookings as the cohorts do.
    int by_institution = 0;
    for (const auto& inst : catalog_.institutions()) {
      if (inst.municipality() != m) continue;
      v1::ListSessionsRequest ireq;
      ireq.set_municipality(m);
      ireq.set_institution_id(inst.institution_id());
      ireq.set_from_day("2027-01-01");
      ireq.set_to_day("2027-12-31");
      v1::ListSessionsResponse sessions;
      Ctx ic(Token(Role::kCoordinator));
      ASSERT_TRUE(stub_->ListSessions(&ic.ctx, ireq, &sessions).ok());
      by_institution += sessions.sessions_size();
    }
    int in_2027 = 0;
    for (const auto& t : timetables) {
      for (const auto& s : t.sessions) in_2027 += s.day() <= "2027-12-31" ? 1 : 0;
    }
    EXPECT_EQ(by_institution, in_2027) << m;
  }
  // 2 municipalities x (10 cohorts of 6 weeks x 1-2 + 4 cohorts of 10 weeks x 3).
  EXPECT_GE(total_sessions, 2 * (10 * 6 + 4 * 30));
  EXPECT_LE(total_sessions, 2 * (10 * 12 + 4 * 30));
}

TEST_F(SchedulingYear, AStartWeekWithoutATimetableSaysWhyAndWhichWeeks) {
  // From week 26 the six weeks run into the summer closure (weeks 27-30): more than two pauses.
  v1::PlanCohortRequest req;
  req.set_municipality("0165");
  req.set_program_id("sund-med-kultur");
  req.set_start_iso_year(2027);
  req.set_start_iso_week(26);
  v1::PlanCohortResponse resp;
  Ctx c(Token(Role::kCoordinator));
  ASSERT_TRUE(stub_->PlanCohort(&c.ctx, req, &resp).ok());
  EXPECT_FALSE(resp.feasible());
  ASSERT_GT(resp.obstacles_size(), 0);
  std::string all;
  for (const auto& o : resp.obstacles())
    all += absl::StrCat(o.constraint(), " ", absl::StrJoin(o.weeks(), ","), " ", o.message(), "\n");
  EXPECT_NE(all.find("2027-W2"), std::string::npos) << all;  // names the closed weeks
  EXPECT_NE(all.find("Sommerlukket"), std::string::npos) << all;

  // CreateCohort refuses with the same explanation, and books nothing.
  v1::CreateCohortRequest create;
  create.set_municipality("0165");
  create.set_program_id("sund-med-kultur");
  create.set_start_iso_year(2027);
  create.set_start_iso_week(26);
  v1::CreateCohortResponse created;
  Ctx cc(Token(Role::kCoordinator));
  grpc::Status st = stub_->CreateCohort(&cc.ctx, create, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("Sommerlukket"), std::string::npos) << st.error_message();
  v1::ListCohortsRequest list;
  list.set_municipality("0165");
  v1::ListCohortsResponse cohorts;
  Ctx lc(Token(Role::kCoordinator));
  ASSERT_TRUE(stub_->ListCohorts(&lc.ctx, list, &cohorts).ok());
  EXPECT_EQ(cohorts.cohorts_size(), 0);
}

}  // namespace
}  // namespace kpr::testing
