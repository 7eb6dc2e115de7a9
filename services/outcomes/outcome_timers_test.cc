#include "services/outcomes/outcome_timers.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "services/outcomes/decision_testing.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using namespace decision_testing;  // NOLINT: test vocabulary

const OutcomePolicy kPolicy;
const absl::Time kOpens = Local(absl::CivilMinute(2027, 3, 1, 10, 0));

TEST(TimerIds, StoredFormatRoundTrips) {
  EXPECT_EQ(TimePointTimerId("0165-r-1", v1::TIME_POINT_FOLLOWUP_1M), "tp:0165-r-1:3");
  EXPECT_EQ(SettleTimerId("c-1"), "settle:c-1");

  const TimerTarget tp = ParseTimerId("tp:0165-r-1:3");
  EXPECT_EQ(tp.kind, TimerTarget::kTimePoint);
  EXPECT_EQ(tp.id, "0165-r-1");
  EXPECT_EQ(tp.time_point, v1::TIME_POINT_FOLLOWUP_1M);
  // A referral id may hold colons: the time point is after the last one.
  EXPECT_EQ(ParseTimerId("tp:a:b:2").id, "a:b");
  const TimerTarget settle = ParseTimerId("settle:c:1");
  EXPECT_EQ(settle.kind, TimerTarget::kSettle);
  EXPECT_EQ(settle.id, "c:1");
}

TEST(TimerIds, NotOursIsNone) {
  for (const std::string id : {"", "settle", "tp:r-1", "tp:r-1:x", "tp:r-1:99", "reminder:r-1"})
    EXPECT_EQ(ParseTimerId(id).kind, TimerTarget::kNone) << id;
}

// 0165-r-1, started, with a BASELINE time point opening at kOpens (overdue a week later,
// closing four weeks after it opens).
Participant WithBaseline() {
  Participant p = StoredParticipant("0165-r-1");
  *p.record.add_schedule() =
      MakeTimePoint("0165-r-1", "c-1", v1::TIME_POINT_BASELINE, kOpens, DefaultScheduleOptions());
  return p;
}

v1::TimePointSchedule BaselineOf(const Draft& d) {
  return Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-1")))->schedule(0);
}

TEST(AdvanceTimePoint, NothingForAMissingParticipantOrTimePoint) {
  EXPECT_EQ(AdvanceTimePoint(kM, Participant(), v1::TIME_POINT_BASELINE, kPolicy, kOpens),
            std::nullopt);
  EXPECT_EQ(AdvanceTimePoint(kM, WithBaseline(), v1::TIME_POINT_END, kPolicy, kOpens),
            std::nullopt);
  Participant closed = WithBaseline();
  closed.record.mutable_schedule(0)->set_state(v1::TIME_POINT_STATE_CLOSED);
  EXPECT_EQ(AdvanceTimePoint(kM, closed, v1::TIME_POINT_BASELINE, kPolicy, kOpens + absl::Hours(1)),
            std::nullopt);
}

TEST(AdvanceTimePoint, EarlyOnlyRearmsTheTimer) {
  auto d = AdvanceTimePoint(kM, WithBaseline(), v1::TIME_POINT_BASELINE, kPolicy,
                            kOpens - absl::Hours(1));
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->change.writes.empty());
  EXPECT_THAT(TimerIds(*d), ElementsAre("tp:0165-r-1:1"));
  EXPECT_EQ(d->change.timers[0].due, kOpens);
}

TEST(AdvanceTimePoint, OpensAsDueAndWakesForOverdue) {
  auto d = AdvanceTimePoint(kM, WithBaseline(), v1::TIME_POINT_BASELINE, kPolicy, kOpens);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(BaselineOf(*d).state(), v1::TIME_POINT_STATE_DUE);
  EXPECT_THAT(EventIds(*d), ElementsAre("outcomes:0165:0165-r-1:TIME_POINT_BASELINE:due"));
  const auto due = Payload<v1::QuestionnaireDue>(d->change.events[0]);
  EXPECT_EQ(due.citizen_id(), "z-0165-r-1");
  EXPECT_EQ(due.instruments_size(), BaselineOf(*d).instruments_size());
  EXPECT_EQ(d->change.timers[0].due, kOpens + absl::Hours(24 * 7));
}

TEST(AdvanceTimePoint, ALateTimerCatchesUpEveryStep) {
  auto d = AdvanceTimePoint(kM, WithBaseline(), v1::TIME_POINT_BASELINE, kPolicy,
                            kOpens + absl::Hours(24 * 60));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(BaselineOf(*d).state(), v1::TIME_POINT_STATE_CLOSED);
  EXPECT_THAT(EventIds(*d), ElementsAre("outcomes:0165:0165-r-1:TIME_POINT_BASELINE:due",
                                        "outcomes:0165:0165-r-1:TIME_POINT_BASELINE:overdue",
                                        "outcomes:0165:0165-r-1:TIME_POINT_BASELINE:closed"));
  EXPECT_THAT(TimerIds(*d), IsEmpty()) << "closed: nothing more to wake for";
}

TEST(AdvanceTimePoint, AnsweredWakesOnlyToCloseWithoutOverdue) {
  Participant p = WithBaseline();
  v1::TimePointSchedule* s = p.record.mutable_schedule(0);
  s->set_state(v1::TIME_POINT_STATE_DUE);
  for (int i : s->instruments()) s->add_answered(static_cast<v1::Instrument>(i));
  auto d = AdvanceTimePoint(kM, p, v1::TIME_POINT_BASELINE, kPolicy, kOpens + absl::Hours(24 * 8));
  ASSERT_TRUE(d.has_value());
  EXPECT_THAT(EventIds(*d), IsEmpty());
  EXPECT_EQ(d->change.timers[0].due, kOpens + absl::Hours(24 * 28));

  d = AdvanceTimePoint(kM, p, v1::TIME_POINT_BASELINE, kPolicy, kOpens + absl::Hours(24 * 28));
  EXPECT_EQ(BaselineOf(*d).state(), v1::TIME_POINT_STATE_CLOSED);
  EXPECT_THAT(EventIds(*d), ElementsAre("outcomes:0165:0165-r-1:TIME_POINT_BASELINE:closed"));
}

TEST(AdvanceTimePoint, WhoLeftIsAskedNothingButTheTimePointCloses) {
  Participant p = WithBaseline();
  p.record.set_unenrolled(true);
  auto d = AdvanceTimePoint(kM, p, v1::TIME_POINT_BASELINE, kPolicy, kOpens + absl::Hours(24 * 60));
  ASSERT_TRUE(d.has_value());
  EXPECT_THAT(EventIds(*d), IsEmpty());
  EXPECT_EQ(BaselineOf(*d).state(), v1::TIME_POINT_STATE_CLOSED);
}

Participant Attended(const std::string& referral_id, int present) {
  Participant p = StoredParticipant(referral_id);
  for (int i = 0; i < present; ++i) {
    v1::SessionMark* mark = p.record.add_marks();
    mark->set_session_id("s-" + std::to_string(i + 1));
    mark->set_index(i);
    mark->set_mark(v1::ATTENDANCE_MARK_PRESENT);
  }
  return p;
}

TEST(SettleCohort, EveryStarterGetsAnOutcomeAndItIsTold) {
  Cohort c = PlannedCohort({"0165-r-1", "0165-r-2", "0165-r-3"});
  c.record.set_started(true);
  c.record.set_completed(true);
  c.record.set_sessions_held(2);
  EXPECT_THAT(ReferralsToSettle(c), Optional(ElementsAre("0165-r-1", "0165-r-2", "0165-r-3")));
  const absl::Time now = kOpens + absl::Hours(24 * 10);
  const Draft d = SettleCohort(
      kM, c, {Attended("0165-r-1", 2), Attended("0165-r-2", 0), StoredParticipant("x", false)},
      kPolicy, now);
  EXPECT_THAT(EventIds(d), ElementsAre("outcomes:0165:c-1:0165-r-1:outcome",
                                       "outcomes:0165:c-1:0165-r-2:outcome"));
  const auto first = Payload<v1::OutcomeRecorded>(d.change.events[0]);
  EXPECT_EQ(first.outcome(), v1::PARTICIPATION_OUTCOME_COMPLETED);
  EXPECT_EQ(first.sessions_attended(), 2);
  EXPECT_EQ(first.sessions_held(), 2);
  EXPECT_EQ(Payload<v1::OutcomeRecorded>(d.change.events[1]).outcome(),
            v1::PARTICIPATION_OUTCOME_DROPPED_OUT);
  EXPECT_EQ(Envelope(d.change.events[0]).occurred_at().seconds(), absl::ToUnixSeconds(now));
  EXPECT_EQ(TallyChange(d, CohortTallyKey(kM, "c-1"), "completed"), 1);
  EXPECT_EQ(TallyChange(d, CohortTallyKey(kM, "c-1"), "dropped_out"), 1);
  EXPECT_TRUE(Written<v1::CohortRecord>(*WriteOf(d, CohortKey(kM, "c-1")))->settled());
}

TEST(SettleCohort, NothingForACohortNeverPlannedSettledOrCancelled) {
  EXPECT_EQ(ReferralsToSettle(Cohort()), std::nullopt);
  Cohort settled = PlannedCohort();
  settled.record.set_settled(true);
  EXPECT_EQ(ReferralsToSettle(settled), std::nullopt);
  Cohort cancelled = PlannedCohort();
  cancelled.record.set_cancelled(true);
  EXPECT_EQ(ReferralsToSettle(cancelled), std::nullopt);
  EXPECT_TRUE(SettleCohort(kM, cancelled, {}, kPolicy, kOpens).empty());
}

}  // namespace
}  // namespace kpr::outcomes
