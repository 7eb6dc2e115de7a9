#include "services/outcomes/draft.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "services/outcomes/decision_testing.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using namespace decision_testing;  // NOLINT: test vocabulary

TEST(Draft, EmptyUntilItWritesOrTells) {
  Draft d;
  EXPECT_TRUE(d.empty());
  d.change.timers.push_back({kM, "tp:r-1:1", absl::UnixEpoch(), ""});
  EXPECT_TRUE(d.empty()) << "a timer alone is no change of record";
  WriteCohort(d, kM, PlannedCohort(), PlannedCohort().record);
  EXPECT_FALSE(d.empty());
}

TEST(WriteParticipant, NewParticipantAddsTheirWholeContribution) {
  Draft d;
  Participant none;  // version 0: never seen
  v1::ParticipantRecord p = StoredParticipant("0165-r-1").record;
  WriteParticipant(d, kM, none, p, OutcomePolicy());
  ASSERT_EQ(d.change.writes.size(), 1u);
  EXPECT_EQ(d.sealed, 1u);
  const RecordWrite& w = d.change.writes[0];
  EXPECT_EQ(w.key, ParticipantKey(kM, "0165-r-1"));
  EXPECT_EQ(w.expected_version, 0);
  auto written = Written<v1::ParticipantRecord>(w);
  ASSERT_TRUE(written.has_value());
  EXPECT_EQ(written->version(), 1);
  EXPECT_EQ(TallyChange(d, CohortTallyKey(kM, "c-1"), "participants"), 1);
}

TEST(WriteParticipant, ChangeAddsOnlyTheDifference) {
  Draft d;
  Participant before = StoredParticipant("0165-r-1");
  before.version = 4;
  v1::ParticipantRecord after = before.record;
  after.set_outcome(v1::PARTICIPATION_OUTCOME_COMPLETED);
  WriteParticipant(d, kM, before, after, OutcomePolicy());
  EXPECT_EQ(d.change.writes[0].expected_version, 4);
  EXPECT_EQ(Written<v1::ParticipantRecord>(d.change.writes[0])->version(), 5);
  ASSERT_EQ(d.change.tallies.size(), 1u);
  EXPECT_THAT(d.change.tallies[0].fields, ElementsAre(Pair("completed", 1.0)));
}

TEST(WriteParticipant, NoTallyWithoutDifferenceOrCohort) {
  Draft same;
  const Participant before = StoredParticipant("0165-r-1");
  WriteParticipant(same, kM, before, before.record, OutcomePolicy());
  EXPECT_EQ(same.change.writes.size(), 1u) << "the record is still written (its version moves)";
  EXPECT_TRUE(same.change.tallies.empty());

  Draft no_cohort;
  v1::ParticipantRecord p = before.record;
  p.clear_cohort_id();
  WriteParticipant(no_cohort, kM, Participant(), p, OutcomePolicy());
  EXPECT_TRUE(no_cohort.change.tallies.empty()) << "no cohort: no tally to count it in";
}

TEST(WriteSealed, SealedWritesComeFirstInTheOrderWritten) {
  Draft d;
  WriteCohort(d, kM, PlannedCohort(), PlannedCohort().record);
  WriteParticipant(d, kM, Participant(), StoredParticipant("0165-r-1").record, OutcomePolicy());
  WriteSealed(d, AttendanceKey(kM, "s-1"), 2, "marks");
  ASSERT_EQ(d.change.writes.size(), 3u);
  EXPECT_EQ(d.sealed, 2u);
  EXPECT_EQ(d.change.writes[0].key, ParticipantKey(kM, "0165-r-1"));
  EXPECT_EQ(d.change.writes[1].key, AttendanceKey(kM, "s-1"));
  EXPECT_EQ(d.change.writes[1].expected_version, 2);
  EXPECT_EQ(d.change.writes[1].data, "marks");
  EXPECT_EQ(d.change.writes[2].key, CohortKey(kM, "c-1"));
}

TEST(WriteCohort, NextVersionOverTheOneRead) {
  Draft d;
  Cohort before = PlannedCohort();
  before.version = 7;
  WriteCohort(d, kM, before, before.record);
  ASSERT_EQ(d.change.writes.size(), 1u);
  EXPECT_EQ(d.sealed, 0u);
  EXPECT_EQ(d.change.writes[0].key, CohortKey(kM, "c-1"));
  EXPECT_EQ(d.change.writes[0].expected_version, 7);
  EXPECT_EQ(Written<v1::CohortRecord>(d.change.writes[0])->version(), 8);
}

TEST(AddEvent, SubjectIdTimeAndCause) {
  Draft d;
  v1::AttendanceRecorded recorded;
  recorded.set_session_id("s-1");
  identity::Caller caller;
  caller.correlation_id = "corr-1";
  caller.traceparent = "00-abc-def-01";
  const absl::Time now = Local(absl::CivilMinute(2027, 3, 1, 12, 0));
  AddEvent(d, kM, "attendance_recorded", "outcomes:0165:s-1:attendance:1", recorded, now, &caller);
  AddEvent(d, kM, "questionnaire_due", "due-1", v1::QuestionnaireDue(), now, nullptr);
  ASSERT_EQ(d.change.events.size(), 2u);
  const common::v1::Event e = Envelope(d.change.events[0]);
  EXPECT_EQ(d.change.events[0].subject, "kpr.outcomes.v1.attendance_recorded.0165");
  EXPECT_EQ(d.change.events[0].id, e.id());
  EXPECT_EQ(e.id(), "outcomes:0165:s-1:attendance:1");
  EXPECT_EQ(e.municipality(), kM);
  EXPECT_EQ(e.type(), "kpr.outcomes.v1.AttendanceRecorded");
  EXPECT_EQ(e.occurred_at().seconds(), absl::ToUnixSeconds(now));
  EXPECT_EQ(e.correlation_id(), "corr-1");
  EXPECT_EQ(Payload<v1::AttendanceRecorded>(d.change.events[0]).session_id(), "s-1");
  EXPECT_EQ(Envelope(d.change.events[1]).correlation_id(), "");
}

TEST(NonZero, DropsZeroFieldsKeepsOrder) {
  EXPECT_THAT(NonZero({{"a", 0}, {"b", -1}, {"c", 0}, {"d", 2.5}}),
              ElementsAre(Pair("b", -1.0), Pair("d", 2.5)));
}

}  // namespace
}  // namespace kpr::outcomes
