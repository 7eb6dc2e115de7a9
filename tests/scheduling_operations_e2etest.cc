// What coordinators and institutions do to a booked timetable, through the real gRPC service on
// the harness's Redis and NATS: a venue closure and an instructor absence move only the affected
// sessions (and tell the participants' calendars via events); a manual reschedule and a
// cancellation; cancelling a cohort frees its venues; the iCalendar export; a withdrawn referral
// frees its seat for the first on the waitlist.

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "tests/support/scheduling_fixture.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
using identity::Role;

class SchedulingOperations : public SchedulingServiceTest {
 protected:
  v1::CreateCohortResponse Create(const std::string& m, const std::string& program, int week,
                                  const std::string& id) {
    v1::CreateCohortRequest req;
    req.set_municipality(m);
    req.set_program_id(program);
    req.set_start_iso_year(2027);
    req.set_start_iso_week(week);
    req.set_request_id(id);
    v1::CreateCohortResponse resp;
    Ctx c(Token(Role::kCoordinator));
    grpc::Status st = stub_->CreateCohort(&c.ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }
  std::vector<v1::Session> Sessions(const std::string& m, const std::string& cohort_id) {
    v1::ListSessionsRequest req;
    req.set_municipality(m);
    req.set_cohort_id(cohort_id);
    req.set_include_cancelled(true);
    v1::ListSessionsResponse resp;
    Ctx c(Token(Role::kCoordinator));
    EXPECT_TRUE(stub_->ListSessions(&c.ctx, req, &resp).ok());
    return {resp.sessions().begin(), resp.sessions().end()};
  }
  static bool SameSlot(const v1::Session& a, const v1::Session& b) {
    return a.day() == b.day() && a.start_minute() == b.start_minute() &&
           a.venue_id() == b.venue_id() && a.instructor_id() == b.instructor_id() &&
           a.status() == b.status();
  }
};

TEST_F(SchedulingOperations, VenueClosureMovesOnlyTheSessionsInThatVenueAndThoseDays) {
  v1::CreateCohortResponse a = Create("0183", "kultur-paa-recept", 33, "a");
  v1::CreateCohortResponse b = Create("0183", "kultur-paa-recept", 33, "b");
  std::vector<v1::Session> before_a = Sessions("0183", a.cohort().cohort_id());
  std::vector<v1::Session> before_b = Sessions("0183", b.cohort().cohort_id());
  // Close the venue of cohort a's fourth session for that session's whole week.
  const v1::Session target = before_a[3];
  absl::CivilDay day;
  ASSERT_TRUE(absl::ParseCivilTime(target.day(), &day));
  absl::CivilDay monday =
      day - (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday));
  v1::CloseVenueRequest close;
  close.set_municipality("0183");
  close.set_institution_id(target.institution_id());
  close.set_venue_id(target.venue_id());
  close.mutable_closure()->set_first_day(absl::FormatCivilTime(monday));
  close.mutable_closure()->set_last_day(absl::FormatCivilTime(monday + 4));
  close.mutable_closure()->set_reason("Vandskade");
  v1::RepairResponse repaired;
  {
    Ctx c(Token(Role::kCoordinator));
    grpc::Status st = stub_->CloseVenue(&c.ctx, close, &repaired);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_GE(repaired.moved_size() + repaired.cancelled_size(), 1);
  std::set<std::string> changed;
  for (const auto& s : repaired.moved()) {
    changed.insert(s.session_id());
    EXPECT_FALSE(s.venue_id() == target.venue_id() && s.day() >= close.closure().first_day() &&
                 s.day() <= close.closure().last_day())
        << s.session_id() << " still in the closed venue";
    EXPECT_TRUE(absl::StrContains(s.change_reason(), "Vandskade"));
  }
  for (const auto& s : repaired.cancelled()) changed.insert(s.session_id());
  EXPECT_TRUE(changed.count(target.session_id()));
  // Every changed session was in the closed venue that week; everything else is untouched.
  for (const auto& [before, cohort] : {std::pair{&before_a, a.cohort().cohort_id()},
                                       std::pair{&before_b, b.cohort().cohort_id()}}) {
    std::vector<v1::Session> after = Sessions("0183", cohort);
    ASSERT_EQ(after.size(), before->size());
    for (size_t i = 0; i < after.size(); ++i) {
      const v1::Session& was = (*before)[i];
      if (changed.count(was.session_id())) {
        EXPECT_EQ(was.venue_id(), target.venue_id());
        EXPECT_GE(was.day(), close.closure().first_day());
        EXPECT_LE(was.day(), close.closure().last_day());
        EXPECT_EQ(after[i].version(), was.version() + 1);
      } else {
        EXPECT_TRUE(SameSlot(was, after[i])) << was.session_id() << " moved though not affected";
        EXPECT_EQ(after[i].version(), was.version());
      }
    }
  }
  // The checker reads the catalog as loaded, so add the closure to it first.
  v1::CatalogBundle with_closure = catalog_;
  for (auto& i : *with_closure.mutable_institutions()) {
    for (auto& v : *i.mutable_venues()) {
      if (i.municipality() == "0183" && v.venue_id() == target.venue_id())
        *v.add_closures() = close.closure();
    }
  }
  std::vector<CohortTimetable> now = Timetables("0183");
  for (auto& t : now) {
    std::vector<v1::Session> scheduled;
    for (auto& s : t.sessions) {
      if (s.status() == v1::SESSION_STATUS_SCHEDULED) scheduled.push_back(s);
    }
    t.sessions = scheduled;
  }
  // Sessions cancelled for want of a slot leave their week short; only the closure matters here.
  for (const auto& v : HardViolations(with_closure, "0183", now)) {
    EXPECT_TRUE(repaired.cancelled_size() > 0 && absl::StrContains(v, "sessions in the week")) << v;
  }

  // Repeating the call finds nothing left to move.
  v1::RepairResponse again;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->CloseVenue(&c.ctx, close, &again).ok());
  }
  EXPECT_EQ(again.moved_size() + again.cancelled_size(), 0);
}

TEST_F(SchedulingOperations, InstructorAbsenceRescheduleCancelAndExport) {
  v1::CreateCohortResponse a = Create("0165", "sund-med-kultur", 9, "a");
  std::vector<v1::Session> before = Sessions("0165", a.cohort().cohort_id());
  const v1::Session target = before[1];
  v1::AddInstructorAbsenceRequest absence;
  absence.set_municipality("0165");
  absence.set_instructor_id(target.instructor_id());
  absence.mutable_absence()->set_first_day(target.day());
  absence.mutable_absence()->set_last_day(target.day());
  absence.mutable_absence()->set_reason("Syg");
  v1::RepairResponse repaired;
  {
    Ctx c(Token(Role::kCoordinator));
    grpc::Status st = stub_->AddInstructorAbsence(&c.ctx, absence, &repaired);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_EQ(repaired.moved_size() + repaired.cancelled_size(), 1);
  std::vector<v1::Session> after = Sessions("0165", a.cohort().cohort_id());
  for (size_t i = 0; i < after.size(); ++i) {
    if (after[i].session_id() == target.session_id()) {
      EXPECT_FALSE(after[i].instructor_id() == target.instructor_id() &&
                   after[i].day() == target.day());
    } else {
      EXPECT_TRUE(SameSlot(before[i], after[i])) << before[i].session_id();
    }
  }

  // A coordinator moves the third session to the best free slot of its week, then cancels the
  // fourth; stale versions are refused.
  v1::RescheduleSessionRequest move;
  move.set_municipality("0165");
  move.set_session_id(after[2].session_id());
  move.set_expected_version(after[2].version());
  move.set_reason("Koncert i salen");
  v1::Session moved;
  {
    Ctx c(Token(Role::kCoordinator));
    grpc::Status st = stub_->RescheduleSession(&c.ctx, move, &moved);
    if (!st.ok()) {
      EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
    } else {
      EXPECT_EQ(moved.version(), after[2].version() + 1);
      EXPECT_EQ(moved.change_reason(), "Koncert i salen");
    }
  }
  if (moved.version() > 0) {  // moved: the version the coordinator read is stale now
    Ctx c(Token(Role::kCoordinator));
    v1::Session stale;
    EXPECT_EQ(stub_->RescheduleSession(&c.ctx, move, &stale).error_code(),
              grpc::StatusCode::ABORTED);
  }
  v1::CancelSessionRequest cancel;
  cancel.set_municipality("0165");
  cancel.set_session_id(after[3].session_id());
  cancel.set_expected_version(after[3].version());
  cancel.set_reason("Instruktøren er syg");
  v1::Session cancelled;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->CancelSession(&c.ctx, cancel, &cancelled).ok());
  }
  EXPECT_EQ(cancelled.status(), v1::SESSION_STATUS_CANCELLED);

  v1::ExportCalendarRequest ics_req;
  ics_req.set_municipality("0165");
  ics_req.set_cohort_id(a.cohort().cohort_id());
  v1::ExportCalendarResponse ics;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->ExportCalendar(&c.ctx, ics_req, &ics).ok());
  }
  size_t events = 0;
  for (size_t p = 0; (p = ics.ics().find("BEGIN:VEVENT", p)) != std::string::npos; ++p) ++events;
  EXPECT_EQ(events, before.size());
  EXPECT_TRUE(absl::StrContains(ics.ics(), "STATUS:CANCELLED"));
  EXPECT_TRUE(absl::StrContains(ics.ics(), absl::StrCat("UID:", after[3].session_id(), "@kpr")));

  // Cancelling the cohort frees everything it held: another cohort can take the same week.
  v1::CancelCohortRequest cancel_cohort;
  cancel_cohort.set_municipality("0165");
  cancel_cohort.set_cohort_id(a.cohort().cohort_id());
  cancel_cohort.set_reason("For få tilmeldte");
  v1::Cohort gone;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->CancelCohort(&c.ctx, cancel_cohort, &gone).ok());
  }
  EXPECT_EQ(gone.status(), v1::COHORT_STATUS_CANCELLED);
  for (const auto& s : Sessions("0165", a.cohort().cohort_id()))
    EXPECT_EQ(s.status(), v1::SESSION_STATUS_CANCELLED);
}

TEST_F(SchedulingOperations, WithdrawnReferralFreesTheSeatForTheFirstOnTheWaitlist) {
  ASSERT_TRUE(Eventually([&] { return server_->consumers_ready(); }, absl::Seconds(15)));
  v1::CreateCohortRequest req;
  req.set_municipality("0165");
  req.set_program_id("sund-med-kultur");
  req.set_start_iso_year(2027);
  req.set_start_iso_week(14);
  req.set_capacity(2);
  req.set_request_id("small");
  v1::CreateCohortResponse cohort;
  {
    Ctx c(Token(Role::kCoordinator));
    ASSERT_TRUE(stub_->CreateCohort(&c.ctx, req, &cohort).ok());
  }
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());
  // Three referrals accepted (as kpr-referral would publish them): two seats, one waitlisted.
  for (int i = 1; i <= 3; ++i) {
    referral::v1::ReferralAccepted e;
    e.set_referral_id(absl::StrCat("0165-r", i));
    e.set_citizen_id(absl::StrCat("citizen-", i));
    common::v1::Event env =
        bus::MakeEvent(absl::StrCat("accepted-", i), "0165", e, absl::Now(), "", "");
    ASSERT_TRUE(
        (*nats)
            ->PublishAsync("kpr.referral.v1.accepted.0165", env.SerializeAsString(), env.id())
            .ok());
    ASSERT_TRUE((*nats)->WaitPublished().ok());
  }
  v1::GetWaitlistRequest wl;
  wl.set_municipality("0165");
  wl.set_program_id("sund-med-kultur");
  v1::GetWaitlistResponse waitlist;
  ASSERT_TRUE(Eventually(
      [&] {
        Ctx c(Token(Role::kCoordinator));
        return stub_->GetWaitlist(&c.ctx, wl, &waitlist).ok() && waitlist.entries_size() == 1;
      },
      absl::Seconds(20)));
  EXPECT_EQ(waitlist.entries(0).referral_id(), "0165-r3");

  referral::v1::ReferralWithdrawn w;
  w.set_referral_id("0165-r1");
  common::v1::Event env = bus::MakeEvent("withdrawn-1", "0165", w, absl::Now(), "", "");
  ASSERT_TRUE(
      (*nats)
          ->PublishAsync("kpr.referral.v1.withdrawn.0165", env.SerializeAsString(), env.id())
          .ok());
  ASSERT_TRUE((*nats)->WaitPublished().ok());
  v1::ListParticipantsRequest pr;
  pr.set_municipality("0165");
  pr.set_cohort_id(cohort.cohort().cohort_id());
  v1::ListParticipantsResponse participants;
  ASSERT_TRUE(Eventually(
      [&] {
        Ctx c(Token(Role::kCoordinator));
        if (!stub_->ListParticipants(&c.ctx, pr, &participants).ok()) return false;
        std::set<std::string> ids;
        for (const auto& p : participants.participants()) ids.insert(p.referral_id());
        return ids == std::set<std::string>{"0165-r2", "0165-r3"};
      },
      absl::Seconds(20)));
}

}  // namespace
}  // namespace kpr::testing
