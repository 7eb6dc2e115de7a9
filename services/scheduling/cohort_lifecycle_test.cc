#include "services/scheduling/cohort_lifecycle.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/calendar/danish_time.h"
#include "services/scheduling/outbox_event_testing.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using testing::Envelope;
using testing::Payload;
using testing::TestStamp;

v1::Cohort Cohort(v1::CohortStatus status, int64_t version = 4) {
  v1::Cohort c;
  c.set_municipality("0165");
  c.set_cohort_id("c1");
  c.set_program_id("smk");
  c.set_status(status);
  c.set_version(version);
  c.set_first_day("2027-03-01");
  c.set_last_day("2027-04-09");
  c.set_session_count(12);
  return c;
}

v1::Session Session(const std::string& day, int start, int end,
                    v1::SessionStatus status = v1::SESSION_STATUS_SCHEDULED) {
  v1::Session s;
  s.set_day(day);
  s.set_start_minute(start);
  s.set_end_minute(end);
  s.set_status(status);
  return s;
}

std::vector<v1::Enrollment> Participants() {
  v1::Enrollment a, b;
  a.set_referral_id("0165-A");
  b.set_referral_id("0165-B");
  return {a, b};
}

absl::Time Danish(int y, int m, int d, int minute) {
  return calendar::LocalToAbsolute(absl::CivilMinute(y, m, d) + minute);
}

TEST(LifecycleTimersTest, StartAtTheFirstSessionAndCompleteAtTheEndOfTheLast) {
  std::vector<v1::Session> sessions = {
      Session("2027-03-02", 9 * 60, 11 * 60),
      Session("2027-03-01", 10 * 60, 12 * 60, v1::SESSION_STATUS_CANCELLED),  // not held
      Session("2027-04-08", 13 * 60, 15 * 60 + 30),
      Session("2027-03-04", 9 * 60, 11 * 60),
  };
  auto timers = LifecycleTimers(Cohort(v1::COHORT_STATUS_OPEN), sessions);
  ASSERT_EQ(timers.size(), 2u);
  EXPECT_EQ(timers[0].municipality, "0165");
  EXPECT_EQ(timers[0].id, StartTimerId("c1"));
  EXPECT_EQ(timers[0].due, Danish(2027, 3, 2, 9 * 60));
  EXPECT_EQ(timers[1].id, CompleteTimerId("c1"));
  EXPECT_EQ(timers[1].due, Danish(2027, 4, 8, 15 * 60 + 30));
}

TEST(LifecycleTimersTest, ARunningCohortOnlyCompletesAndNoSessionsMeanNoTimers) {
  std::vector<v1::Session> sessions = {Session("2027-03-02", 540, 660)};
  auto timers = LifecycleTimers(Cohort(v1::COHORT_STATUS_RUNNING), sessions);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].id, CompleteTimerId("c1"));
  EXPECT_TRUE(LifecycleTimers(Cohort(v1::COHORT_STATUS_OPEN),
                              {Session("2027-03-02", 540, 660, v1::SESSION_STATUS_CANCELLED)})
                  .empty());
}

TEST(CohortOpeningTest, OpensAPlannedCohortAndFillsItFromTheWaitlist) {
  WaitlistSeat seat;
  seat.referral_id = "0165-W";
  auto t = CohortOpening(Cohort(v1::COHORT_STATUS_PLANNED), {seat}, TestStamp());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::COHORT_STATUS_OPEN);
  EXPECT_THAT(t->allowed_from, ElementsAre(v1::COHORT_STATUS_PLANNED));
  EXPECT_EQ(t->expected_version, 0);
  ASSERT_EQ(t->fill_from_waitlist.size(), 1u);
  EXPECT_EQ(t->fill_from_waitlist[0].referral_id, "0165-W");
  ASSERT_EQ(t->events.size(), 1u);
  EXPECT_EQ(t->events[0].id, "c1:opened");
  EXPECT_EQ(t->events[0].subject, "kpr.scheduling.v1.cohort_opened.0165");
  EXPECT_EQ(Payload<v1::CohortOpened>(t->events[0]).program_id(), "smk");
  EXPECT_EQ(Envelope(t->events[0]).correlation_id(), "corr-1");

  EXPECT_FALSE(CohortOpening(Cohort(v1::COHORT_STATUS_OPEN), {}, TestStamp()).has_value());
  EXPECT_FALSE(CohortOpening(Cohort(v1::COHORT_STATUS_CANCELLED), {}, TestStamp()).has_value());
}

TEST(CohortStartTest, ListsTheParticipantsAsReadAndIsGuardedByTheVersionRead) {
  auto t = CohortStart(Cohort(v1::COHORT_STATUS_OPEN, 7), Participants(), TestStamp());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::COHORT_STATUS_RUNNING);
  EXPECT_THAT(t->allowed_from, ElementsAre(v1::COHORT_STATUS_PLANNED, v1::COHORT_STATUS_OPEN));
  EXPECT_EQ(t->expected_version, 7);
  EXPECT_THAT(t->cancel_timer_ids, ElementsAre(OpenTimerId("c1")));
  ASSERT_EQ(t->events.size(), 1u);
  EXPECT_EQ(t->events[0].id, "c1:started");
  auto e = Payload<v1::CohortStarted>(t->events[0]);
  EXPECT_EQ(e.first_day(), "2027-03-01");
  EXPECT_EQ(e.participants_size(), 2);

  EXPECT_TRUE(CohortStart(Cohort(v1::COHORT_STATUS_PLANNED), {}, TestStamp()).has_value());
  EXPECT_FALSE(CohortStart(Cohort(v1::COHORT_STATUS_RUNNING), {}, TestStamp()).has_value());
  EXPECT_FALSE(CohortStart(Cohort(v1::COHORT_STATUS_COMPLETED), {}, TestStamp()).has_value());
}

TEST(CohortCompletionTest, CompletesOnlyARunningCohort) {
  auto t = CohortCompletion(Cohort(v1::COHORT_STATUS_RUNNING, 9), Participants(), TestStamp());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, v1::COHORT_STATUS_COMPLETED);
  EXPECT_EQ(t->expected_version, 9);
  ASSERT_EQ(t->events.size(), 1u);
  EXPECT_EQ(t->events[0].id, "c1:completed");
  auto e = Payload<v1::CohortCompleted>(t->events[0]);
  EXPECT_EQ(e.last_day(), "2027-04-09");
  EXPECT_EQ(e.sessions_held(), 12);
  EXPECT_EQ(e.participants_size(), 2);

  EXPECT_FALSE(CohortCompletion(Cohort(v1::COHORT_STATUS_OPEN), {}, TestStamp()).has_value());
  EXPECT_FALSE(CohortCompletion(Cohort(v1::COHORT_STATUS_CANCELLED), {}, TestStamp()).has_value());
}

TEST(CohortCancellationTest, TheStaffsWordsStayAndTheEventCarriesACode) {
  CohortCancel c =
      CohortCancellation(Cohort(v1::COHORT_STATUS_OPEN, 5), Participants(),
                         "the music school burnt down", v1::CHANGE_REASON_UNSPECIFIED, TestStamp());
  EXPECT_EQ(c.municipality, "0165");
  EXPECT_EQ(c.cohort_id, "c1");
  EXPECT_EQ(c.reason, "the music school burnt down");
  EXPECT_EQ(c.expected_version, 5);
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].id, "c1:cancelled");
  EXPECT_EQ(c.events[0].subject, "kpr.scheduling.v1.cohort_cancelled.0165");
  auto e = Payload<v1::CohortCancelled>(c.events[0]);
  EXPECT_EQ(e.reason_code(), v1::CHANGE_REASON_COORDINATOR_DECISION);
  EXPECT_FALSE(e.had_started());
  EXPECT_EQ(e.participants_size(), 2);
  EXPECT_EQ(c.events[0].data.find("burnt"), std::string::npos);

  auto running = CohortCancellation(Cohort(v1::COHORT_STATUS_RUNNING), {}, "x",
                                    v1::CHANGE_REASON_VENUE_CLOSED, TestStamp());
  auto e2 = Payload<v1::CohortCancelled>(running.events[0]);
  EXPECT_EQ(e2.reason_code(), v1::CHANGE_REASON_VENUE_CLOSED);
  EXPECT_TRUE(e2.had_started());
}

}  // namespace
}  // namespace kpr::scheduling
