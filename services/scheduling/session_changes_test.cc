#include "services/scheduling/session_changes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/calendar/danish_time.h"
#include "services/scheduling/outbox_event_testing.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using testing::Ids;
using testing::Payload;
using testing::TestStamp;

v1::Cohort Cohort() {
  v1::Cohort c;
  c.set_municipality("0165");
  c.set_cohort_id("c1");
  c.set_status(v1::COHORT_STATUS_OPEN);
  return c;
}

v1::Session Session(int index, const std::string& day, int64_t version = 3) {
  v1::Session s;
  s.set_municipality("0165");
  s.set_cohort_id("c1");
  s.set_session_id(absl::StrCat("c1-s0", index + 1));
  s.set_index(index);
  s.set_day(day);
  s.set_start_minute(9 * 60);
  s.set_end_minute(11 * 60);
  s.set_institution_id("musik");
  s.set_venue_id("musik-v1");
  s.set_instructor_id("musik-i1");
  s.set_status(v1::SESSION_STATUS_SCHEDULED);
  s.set_version(version);
  s.set_change_reason("moved before: the choir needed the hall");
  return s;
}

std::vector<v1::Session> Timetable() {
  return {Session(0, "2027-03-02"), Session(1, "2027-03-09"), Session(2, "2027-03-16")};
}

absl::Time Danish(absl::CivilDay day, int minute) {
  return calendar::LocalToAbsolute(absl::CivilMinute(day) + minute);
}

TEST(CoordinatorSessionChangeTest, AMoveIsAnnouncedAtTheNextVersionWithoutTheStaffsWords) {
  const v1::Session current = Session(2, "2027-03-16");
  v1::Session moved = current;
  moved.set_day("2027-03-18");
  moved.set_change_reason("the instructor is at a funeral");
  SessionsUpdate u = CoordinatorSessionChange(Cohort(), current, moved, Timetable(), TestStamp());
  EXPECT_EQ(u.municipality, "0165");
  EXPECT_EQ(u.cohort_id, "c1");
  ASSERT_EQ(u.sessions.size(), 1u);
  EXPECT_EQ(u.sessions[0].version(), 3);  // the version read: the store checks it
  EXPECT_EQ(u.sessions[0].change_reason(), "the instructor is at a funeral");
  EXPECT_THAT(Ids(u.events), ElementsAre("c1-s03:v4:rescheduled"));
  EXPECT_EQ(u.events[0].subject, "kpr.scheduling.v1.session_rescheduled.0165");
  auto e = Payload<v1::SessionRescheduled>(u.events[0]);
  EXPECT_EQ(e.session().version(), 4);
  EXPECT_EQ(e.session().day(), "2027-03-18");
  EXPECT_EQ(e.previous().day(), "2027-03-16");
  EXPECT_TRUE(e.session().change_reason().empty());
  EXPECT_TRUE(e.previous().change_reason().empty());
  EXPECT_EQ(e.reason_code(), v1::CHANGE_REASON_COORDINATOR_DECISION);
  EXPECT_EQ(u.events[0].data.find("funeral"), std::string::npos);
  // The cohort now ends with the moved session.
  ASSERT_EQ(u.timers.size(), 2u);
  EXPECT_EQ(u.timers[1].id, CompleteTimerId("c1"));
  EXPECT_EQ(u.timers[1].due, Danish(absl::CivilDay(2027, 3, 18), 11 * 60));
}

TEST(CoordinatorSessionChangeTest, ACancellationIsAnnouncedAsSuchAndMovesTheStart) {
  const v1::Session current = Session(0, "2027-03-02");
  v1::Session cancelled = current;
  cancelled.set_status(v1::SESSION_STATUS_CANCELLED);
  cancelled.set_change_reason("nobody can come");
  SessionsUpdate u =
      CoordinatorSessionChange(Cohort(), current, cancelled, Timetable(), TestStamp());
  EXPECT_THAT(Ids(u.events), ElementsAre("c1-s01:v4:cancelled"));
  auto e = Payload<v1::SessionCancelled>(u.events[0]);
  EXPECT_EQ(e.session().status(), v1::SESSION_STATUS_CANCELLED);
  EXPECT_EQ(e.session().version(), 4);
  EXPECT_TRUE(e.session().change_reason().empty());
  EXPECT_EQ(e.reason_code(), v1::CHANGE_REASON_COORDINATOR_DECISION);
  ASSERT_EQ(u.timers.size(), 2u);
  EXPECT_EQ(u.timers[0].id, StartTimerId("c1"));
  EXPECT_EQ(u.timers[0].due, Danish(absl::CivilDay(2027, 3, 9), 9 * 60));
}

TEST(RepairedTimetableTest, MovedAreRescheduledAndUnplaceableCancelledWithTheCode) {
  RepairOutcome repaired;
  for (int i = 0; i < 3; ++i) {
    PlannedSession p;
    p.index = i;
    p.activity_id = "act";
    p.day = absl::CivilDay(2027, 3, 2) + 7 * i;
    p.time = MinuteSpan{9 * 60, 11 * 60};
    p.institution_id = "musik";
    p.venue_id = "musik-v1";
    p.instructor_id = "musik-i1";
    repaired.sessions.push_back(p);
  }
  repaired.sessions[1].venue_id = "musik-v2";
  repaired.moved = {1};
  Obstacle full;
  full.message = "every hall is booked that week";
  repaired.unplaceable = {{2, full}};
  SessionsUpdate u = RepairedTimetable(Cohort(), Timetable(), repaired, "venue closed: water",
                                       v1::CHANGE_REASON_VENUE_CLOSED, TestStamp());
  EXPECT_THAT(Ids(u.events), ElementsAre("c1-s02:v4:rescheduled", "c1-s03:v4:cancelled"));
  ASSERT_EQ(u.sessions.size(), 2u);
  EXPECT_EQ(u.sessions[0].venue_id(), "musik-v2");
  EXPECT_EQ(u.sessions[0].version(), 3);
  EXPECT_EQ(u.sessions[0].change_reason(), "venue closed: water");
  EXPECT_EQ(u.sessions[1].status(), v1::SESSION_STATUS_CANCELLED);
  EXPECT_EQ(u.sessions[1].change_reason(), "venue closed: water: every hall is booked that week");
  auto moved = Payload<v1::SessionRescheduled>(u.events[0]);
  EXPECT_EQ(moved.reason_code(), v1::CHANGE_REASON_VENUE_CLOSED);
  EXPECT_EQ(moved.previous().venue_id(), "musik-v1");
  EXPECT_TRUE(moved.session().change_reason().empty());
  auto gone = Payload<v1::SessionCancelled>(u.events[1]);
  EXPECT_EQ(gone.reason_code(), v1::CHANGE_REASON_VENUE_CLOSED);
  EXPECT_TRUE(gone.session().change_reason().empty());
  // The last session held is now the second.
  ASSERT_EQ(u.timers.size(), 2u);
  EXPECT_EQ(u.timers[1].due, Danish(absl::CivilDay(2027, 3, 9), 11 * 60));
}

TEST(RepairedTimetableTest, NothingToChangeWritesNothing) {
  RepairOutcome repaired;
  repaired.past_untouched = 1;
  SessionsUpdate u = RepairedTimetable(Cohort(), Timetable(), repaired, "x",
                                       v1::CHANGE_REASON_INSTRUCTOR_ABSENT, TestStamp());
  EXPECT_TRUE(u.sessions.empty());
  EXPECT_TRUE(u.events.empty());
  EXPECT_TRUE(u.timers.empty());
}

}  // namespace
}  // namespace kpr::scheduling
