#include "services/outcomes/attendance_rules.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr v1::AttendanceMark P = v1::ATTENDANCE_MARK_PRESENT;
constexpr v1::AttendanceMark A = v1::ATTENDANCE_MARK_ABSENT;
constexpr v1::AttendanceMark E = v1::ATTENDANCE_MARK_EXCUSED;

// A started participant with marks for sessions s-1, s-2, ... in order.
v1::ParticipantRecord WithMarks(const std::vector<v1::AttendanceMark>& marks) {
  v1::ParticipantRecord p;
  p.set_referral_id("r-1");
  p.set_started(true);
  for (size_t i = 0; i < marks.size(); ++i) {
    ApplyMark(p, "s-" + std::to_string(i + 1), static_cast<int>(i + 1), marks[i]);
  }
  return p;
}

TEST(Summarize, RateLeavesExcusedOut) {
  const AttendanceSummary s = Summarize(WithMarks({P, A, E, P, P}));
  EXPECT_EQ(s.present, 3);
  EXPECT_EQ(s.absent, 1);
  EXPECT_EQ(s.excused, 1);
  EXPECT_EQ(s.recorded, 5);
  ASSERT_TRUE(s.rate.has_value());
  EXPECT_DOUBLE_EQ(*s.rate, 3.0 / 4);  // 3 present of 5 - 1 excused
}

TEST(Summarize, NoRateWhileNothingCounts) {
  EXPECT_FALSE(Summarize(WithMarks({})).rate.has_value());
  const AttendanceSummary s = Summarize(WithMarks({E, E}));
  EXPECT_EQ(s.recorded, 2);
  EXPECT_FALSE(s.rate.has_value());
  EXPECT_DOUBLE_EQ(*Summarize(WithMarks({E, A})).rate, 0);
}

TEST(RiskReasons, TwoAbsencesInARow) {
  const OutcomePolicy policy;
  EXPECT_THAT(RiskReasons(WithMarks({P, A, A}), policy),
              ElementsAre(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW,
                          v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD));
  EXPECT_THAT(RiskReasons(WithMarks({A, A}), policy),
              ElementsAre(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW));
  EXPECT_THAT(RiskReasons(WithMarks({A}), policy), IsEmpty());
  // Only the last two count: an earlier pair no longer holds once someone came back
  // (10 of 12 = 83 %, so no rate risk either).
  EXPECT_THAT(RiskReasons(WithMarks({P, P, P, P, A, A, P, P, P, P, P, P}), policy), IsEmpty());
}

TEST(RiskReasons, ExcusedBetweenTwoAbsencesIsStillInARow) {
  const OutcomePolicy policy;
  // Three recorded, 0 of 2 counting present: the rate rule holds too.
  EXPECT_THAT(RiskReasons(WithMarks({A, E, A}), policy),
              ElementsAre(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW,
                          v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD));
  // 8 present of 12 - 2 excused = 80 %: the run alone.
  EXPECT_THAT(RiskReasons(WithMarks({P, P, P, P, P, P, P, P, A, E, E, A}), policy),
              ElementsAre(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW));
  // An absence before the excused one, a presence after: no run.
  EXPECT_THAT(RiskReasons(WithMarks({P, P, P, P, P, P, P, P, A, E, P}), policy), IsEmpty());
}

TEST(RiskReasons, TimetableOrderNotRecordingOrder) {
  v1::ParticipantRecord p = WithMarks({});
  p.set_started(true);
  ApplyMark(p, "s-3", 3, A);
  ApplyMark(p, "s-1", 1, A);
  ApplyMark(p, "s-2", 2, P);  // recorded last, but the last session was an absence after it
  EXPECT_THAT(RiskReasons(p, OutcomePolicy{.attendance_target = 0.3}), IsEmpty());
  ApplyMark(p, "s-4", 4, A);
  EXPECT_THAT(RiskReasons(p, OutcomePolicy{.attendance_target = 0.2}),
              ElementsAre(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW));
}

TEST(RiskReasons, BelowThresholdNeedsThreeRecordedSessions) {
  const OutcomePolicy policy;                                      // 80 %
  EXPECT_THAT(RiskReasons(WithMarks({P, A}), policy), IsEmpty());  // 50 %, only 2 recorded
  EXPECT_THAT(RiskReasons(WithMarks({P, A, P}), policy),
              ElementsAre(v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD));     // 66 % of 3
  EXPECT_THAT(RiskReasons(WithMarks({P, P, P, P, A}), policy), IsEmpty());  // exactly 80 %
  EXPECT_THAT(RiskReasons(WithMarks({P, P, P, A}), policy),
              ElementsAre(v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD));  // 75 %
  // Excused sessions count as recorded but not in the rate: 1 of 2 = 50 %, 3 recorded.
  EXPECT_THAT(RiskReasons(WithMarks({P, E, A}), policy),
              ElementsAre(v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD));
  EXPECT_THAT(RiskReasons(WithMarks({E, E, E}), policy), IsEmpty());  // no rate at all
  EXPECT_THAT(RiskReasons(WithMarks({P, A, P}), OutcomePolicy{.attendance_target = 0.6}),
              IsEmpty());
}

TEST(DecideCompletion, BoundaryOfTwelve) {
  const OutcomePolicy policy;
  std::vector<v1::AttendanceMark> marks(12, A);
  std::fill(marks.begin(), marks.begin() + 6, P);
  CompletionDecision six = DecideCompletion(WithMarks(marks), 12, policy);
  EXPECT_EQ(six.outcome, v1::PARTICIPATION_OUTCOME_COMPLETED);
  EXPECT_EQ(six.attended, 6);
  EXPECT_EQ(six.held, 12);
  EXPECT_EQ(six.rule, "attended 6 of 12 sessions; at least 6 required");
  marks[5] = E;  // excused does not count as attended
  CompletionDecision five = DecideCompletion(WithMarks(marks), 12, policy);
  EXPECT_EQ(five.outcome, v1::PARTICIPATION_OUTCOME_DROPPED_OUT);
  EXPECT_EQ(five.attended, 5);
  EXPECT_EQ(five.rule, "attended 5 of 12 sessions; at least 6 required");
}

TEST(DecideCompletion, OddNumberRoundsUp) {
  const OutcomePolicy policy;
  EXPECT_EQ(DecideCompletion(WithMarks({P, P, P, P, A, A, A}), 7, policy).outcome,
            v1::PARTICIPATION_OUTCOME_COMPLETED);
  CompletionDecision three = DecideCompletion(WithMarks({P, P, P, A, A, A, A}), 7, policy);
  EXPECT_EQ(three.outcome, v1::PARTICIPATION_OUTCOME_DROPPED_OUT);  // ceil(3.5) = 4
  EXPECT_EQ(three.rule, "attended 3 of 7 sessions; at least 4 required");
  // A share whose product is not exact in binary still needs exactly 7 of 10.
  std::vector<v1::AttendanceMark> seven(10, A);
  std::fill(seven.begin(), seven.begin() + 7, P);
  EXPECT_EQ(DecideCompletion(WithMarks(seven), 10, OutcomePolicy{.completion_share = 0.7}).rule,
            "attended 7 of 10 sessions; at least 7 required");
}

TEST(DecideCompletion, UnenrolledAfterTheStartDropsOut) {
  v1::ParticipantRecord p = WithMarks({P, P, P, P, P});
  p.set_unenrolled(true);
  CompletionDecision d = DecideCompletion(p, 5, OutcomePolicy());
  EXPECT_EQ(d.outcome, v1::PARTICIPATION_OUTCOME_DROPPED_OUT);
  EXPECT_EQ(d.rule, "unenrolled after the start");
}

TEST(DecideCompletion, NoSessionsHeld) {
  const OutcomePolicy policy;
  CompletionDecision d = DecideCompletion(WithMarks({}), 0, policy);
  EXPECT_EQ(d.outcome, v1::PARTICIPATION_OUTCOME_COMPLETED);
  EXPECT_EQ(d.rule, "attended 0 of 0 sessions; at least 0 required");
  v1::ParticipantRecord gone = WithMarks({});
  gone.set_unenrolled(true);
  EXPECT_EQ(DecideCompletion(gone, 0, policy).outcome, v1::PARTICIPATION_OUTCOME_DROPPED_OUT);
}

TEST(DecideCompletion, NotStartedIsNoParticipant) {
  v1::ParticipantRecord p = WithMarks({P});
  p.set_started(false);
  CompletionDecision d = DecideCompletion(p, 10, OutcomePolicy());
  EXPECT_EQ(d.outcome, v1::PARTICIPATION_OUTCOME_UNSPECIFIED);
  EXPECT_EQ(d.rule, "did not start");
}

TEST(ApplyMark, SetsReplacesRemovesAndIsIdempotent) {
  v1::ParticipantRecord p;
  EXPECT_TRUE(ApplyMark(p, "s-2", 2, P));
  EXPECT_FALSE(ApplyMark(p, "s-2", 2, P));
  EXPECT_TRUE(ApplyMark(p, "s-1", 1, A));
  EXPECT_TRUE(ApplyMark(p, "s-3", 3, E));
  ASSERT_EQ(p.marks_size(), 3);
  EXPECT_EQ(p.marks(0).session_id(), "s-1");  // sorted by index, not by arrival
  EXPECT_EQ(p.marks(1).session_id(), "s-2");
  EXPECT_EQ(p.marks(2).session_id(), "s-3");

  EXPECT_TRUE(ApplyMark(p, "s-2", 2, A));  // a correction replaces
  EXPECT_FALSE(ApplyMark(p, "s-2", 2, A));
  ASSERT_EQ(p.marks_size(), 3);
  EXPECT_EQ(p.marks(1).mark(), v1::ATTENDANCE_MARK_ABSENT);

  EXPECT_TRUE(ApplyMark(p, "s-1", 1, v1::ATTENDANCE_MARK_UNSPECIFIED));
  EXPECT_FALSE(ApplyMark(p, "s-1", 1, v1::ATTENDANCE_MARK_UNSPECIFIED));
  EXPECT_FALSE(ApplyMark(p, "s-9", 9, v1::ATTENDANCE_MARK_UNSPECIFIED));
  ASSERT_EQ(p.marks_size(), 2);
  EXPECT_EQ(p.marks(0).session_id(), "s-2");

  EXPECT_TRUE(ApplyMark(p, "s-3", 0, E));  // renumbered session moves
  EXPECT_EQ(p.marks(0).session_id(), "s-3");
}

v1::CohortRecord Cohort() {
  v1::CohortRecord c;
  c.set_cohort_id("c-1");
  for (const char* r : {"r-1", "r-2", "r-3"}) c.add_participants(r);
  return c;
}

v1::SessionRef Session(bool cancelled = false) {
  v1::SessionRef s;
  s.set_session_id("s-1");
  s.set_index(1);
  s.set_cancelled(cancelled);
  return s;
}

google::protobuf::RepeatedPtrField<v1::AttendanceEntry> Entries(
    const std::vector<std::pair<std::string, int>>& entries) {
  google::protobuf::RepeatedPtrField<v1::AttendanceEntry> out;
  for (const auto& [id, mark] : entries) {
    v1::AttendanceEntry* e = out.Add();
    e->set_referral_id(id);
    e->set_mark(static_cast<v1::AttendanceMark>(mark));
  }
  return out;
}

TEST(ValidateAttendance, AcceptsAValidSession) {
  EXPECT_TRUE(ValidateAttendance(Cohort(), Session(), Entries({{"r-1", P}, {"r-3", E}})).ok());
}

TEST(ValidateAttendance, CancelledSession) {
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(true), Entries({{"r-1", P}})),
            absl::FailedPreconditionError("session s-1 is cancelled"));
}

TEST(ValidateAttendance, Empty) {
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(), Entries({})),
            absl::InvalidArgumentError("entries: empty"));
}

TEST(ValidateAttendance, EachBadEntryIsNamed) {
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(), Entries({{"r-1", 0}})),
            absl::InvalidArgumentError("entries[0].mark: missing"));
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(), Entries({{"r-1", 9}})),
            absl::InvalidArgumentError("entries[0].mark: 9 is not a known mark"));
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(), Entries({{"", P}})),
            absl::InvalidArgumentError("entries[0].referral_id: missing"));
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(), Entries({{"r-9", P}})),
            absl::InvalidArgumentError("entries[0].referral_id: not a participant of cohort c-1"));
  EXPECT_EQ(ValidateAttendance(Cohort(), Session(), Entries({{"r-1", P}, {"r-1", A}})),
            absl::InvalidArgumentError("entries[1].referral_id: duplicate"));
}

TEST(ValidateAttendance, AllBadEntriesTogether) {
  EXPECT_EQ(
      ValidateAttendance(Cohort(), Session(),
                         Entries({{"r-1", 0}, {"r-2", P}, {"r-2", A}, {"r-9", A}})),
      absl::InvalidArgumentError("entries[0].mark: missing; entries[2].referral_id: duplicate; "
                                 "entries[3].referral_id: not a participant of cohort c-1"));
}

}  // namespace
}  // namespace kpr::outcomes
