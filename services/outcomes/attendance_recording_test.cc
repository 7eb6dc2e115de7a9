#include "services/outcomes/attendance_recording.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "libs/store/retry_on_conflict.h"
#include "services/outcomes/attendance_rules.h"
#include "services/outcomes/decision_testing.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace decision_testing;  // NOLINT: test vocabulary

constexpr v1::AttendanceMark P = v1::ATTENDANCE_MARK_PRESENT;
constexpr v1::AttendanceMark A = v1::ATTENDANCE_MARK_ABSENT;
constexpr v1::AttendanceMark E = v1::ATTENDANCE_MARK_EXCUSED;

const OutcomePolicy kPolicy;
const absl::TimeZone kTz = calendar::DanishTimeZone();
const absl::Time kAfterS2 = Local(absl::CivilMinute(2027, 3, 8, 12, 0));

v1::RecordAttendanceRequest Marks(const std::string& session_id,
                                  const std::vector<std::pair<std::string, v1::AttendanceMark>>& m,
                                  int64_t expected_version = 0) {
  v1::RecordAttendanceRequest req;
  req.set_municipality(kM);
  req.set_session_id(session_id);
  req.set_expected_version(expected_version);
  for (const auto& [id, mark] : m) {
    v1::AttendanceEntry* e = req.add_entries();
    e->set_referral_id(id);
    e->set_mark(mark);
  }
  return req;
}

identity::Caller Instructor(const std::string& subject) {
  identity::Caller c;
  c.claims.subject = subject;
  c.claims.role = identity::Role::kInstructor;
  c.correlation_id = "corr-1";
  return c;
}

TEST(SessionToRecord, TheSessionWhenTheCallerMayRecordItNow) {
  const Cohort c = PlannedCohort({"0165-r-1"});
  auto s = SessionToRecord(c.record, Marks("s-2", {{"0165-r-1", P}}), Instructor("i-1").claims,
                           kAfterS2, kTz);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->session_id(), "s-2");
}

TEST(SessionToRecord, Refusals) {
  const Cohort c = PlannedCohort({"0165-r-1"});
  const auto entries = std::vector<std::pair<std::string, v1::AttendanceMark>>{{"0165-r-1", P}};
  auto unknown =
      SessionToRecord(c.record, Marks("s-9", entries), Instructor("i-1").claims, kAfterS2, kTz);
  EXPECT_EQ(unknown.status(), absl::NotFoundError("session s-9 is not known"));
  auto not_theirs =
      SessionToRecord(c.record, Marks("s-1", entries), Instructor("i-2").claims, kAfterS2, kTz);
  EXPECT_EQ(not_theirs.status().code(), absl::StatusCode::kPermissionDenied);
  auto stranger = SessionToRecord(c.record, Marks("s-1", {{"0165-r-7", P}}),
                                  Instructor("i-1").claims, kAfterS2, kTz);
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kInvalidArgument);
  auto early = SessionToRecord(c.record, Marks("s-2", entries), Instructor("i-1").claims,
                               Local(absl::CivilMinute(2027, 3, 8, 9, 59)), kTz);
  EXPECT_EQ(early.status(),
            absl::FailedPreconditionError("session s-2 has not started yet (2027-03-08)"));
}

Attendance Recorded(const std::vector<std::pair<std::string, v1::AttendanceMark>>& m,
                    int64_t version) {
  Attendance a;
  a.version = version;
  *a.record.mutable_entries() = Marks("s-1", m).entries();
  a.record.set_version(version);
  return a;
}

TEST(SameMarks, OrderDoesNotMatterNoneRecordedIsNeverTheSame) {
  const Attendance current = Recorded({{"0165-r-1", P}, {"0165-r-2", A}}, 3);
  EXPECT_TRUE(SameMarks(current, Marks("s-1", {{"0165-r-2", A}, {"0165-r-1", P}}).entries()));
  EXPECT_FALSE(SameMarks(current, Marks("s-1", {{"0165-r-2", P}, {"0165-r-1", P}}).entries()));
  EXPECT_FALSE(SameMarks(Attendance(), Marks("s-1", {}).entries()));
}

TEST(CheckExpectedVersion, AbortedNamesBothVersionsAndIsNotRetried) {
  EXPECT_TRUE(CheckExpectedVersion(Marks("s-1", {}, 3), Recorded({}, 3)).ok());
  const absl::Status stale = CheckExpectedVersion(Marks("s-1", {}, 2), Recorded({}, 3));
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(stale.message(), "attendance of session s-1 is at version 3, not 2");
  // The caller's version is out of date: the shared retry policy answers at once.
  EXPECT_TRUE(store::IsStaleVersion(stale));
}

TEST(MarkedReferrals, EveryoneMarkedNowOrBeforeSorted) {
  EXPECT_THAT(MarkedReferrals(Recorded({{"0165-r-3", P}, {"0165-r-1", P}}, 1),
                              Marks("s-1", {{"0165-r-2", A}, {"0165-r-1", A}}).entries()),
              ElementsAre("0165-r-1", "0165-r-2", "0165-r-3"));
}

TEST(RecordAttendance, WritesTheSessionAndTheMarksOfWhoChanged) {
  const Cohort c = PlannedCohort({"0165-r-1", "0165-r-2", "0165-r-3"});
  const v1::SessionRef& s1 = c.record.sessions(0);
  // r-3 was marked before and is dropped now; r-2's mark does not change.
  Participant r2 = StoredParticipant("0165-r-2");
  ApplyMark(r2.record, "s-1", 0, E);
  Participant r3 = StoredParticipant("0165-r-3");
  ApplyMark(r3.record, "s-1", 0, P);
  const Attendance current = Recorded({{"0165-r-2", E}, {"0165-r-3", P}}, 1);
  const v1::RecordAttendanceRequest req = Marks("s-1", {{"0165-r-1", P}, {"0165-r-2", E}}, 1);
  const identity::Caller caller = Instructor("i-1");
  const AttendanceRecording r =
      RecordAttendance(kM, c.record, s1, current, req, {StoredParticipant("0165-r-1"), r2, r3},
                       caller, kPolicy, kAfterS2);

  EXPECT_EQ(r.attendance.version(), 2);
  EXPECT_EQ(r.attendance.recorded_by(), "i-1");
  EXPECT_EQ(r.attendance.session_index(), 0);
  EXPECT_EQ(r.attendance.entries_size(), 2);
  const Draft& d = r.draft;
  EXPECT_EQ(d.sealed, d.change.writes.size()) << "marks and attendance are health data";
  EXPECT_NE(WriteOf(d, ParticipantKey(kM, "0165-r-1")), nullptr);
  EXPECT_EQ(WriteOf(d, ParticipantKey(kM, "0165-r-2")), nullptr) << "nothing changed for r-2";
  const auto dropped = *Written<v1::ParticipantRecord>(*WriteOf(d, ParticipantKey(kM, "0165-r-3")));
  EXPECT_EQ(dropped.marks_size(), 0);
  const RecordWrite* attendance = WriteOf(d, AttendanceKey(kM, "s-1"));
  ASSERT_NE(attendance, nullptr);
  EXPECT_EQ(attendance->expected_version, 1);

  EXPECT_THAT(EventIds(d), ElementsAre("outcomes:0165:s-1:attendance:2"));
  const auto recorded = Payload<v1::AttendanceRecorded>(d.change.events[0]);
  EXPECT_EQ(recorded.present(), 1);
  EXPECT_EQ(recorded.excused(), 1);
  EXPECT_EQ(recorded.absent(), 0);
  EXPECT_EQ(Envelope(d.change.events[0]).correlation_id(), "corr-1");
}

TEST(RecordAttendance, ANewRiskReasonIsFlaggedOnce) {
  const Cohort c = PlannedCohort({"0165-r-1"});
  Participant p = StoredParticipant("0165-r-1");
  ApplyMark(p.record, "s-1", 0, A);
  const v1::RecordAttendanceRequest req = Marks("s-2", {{"0165-r-1", A}});
  const AttendanceRecording r = RecordAttendance(kM, c.record, c.record.sessions(1), Attendance(),
                                                 req, {p}, Instructor("i-1"), kPolicy, kAfterS2);
  EXPECT_THAT(EventIds(r.draft),
              ElementsAre("outcomes:0165:0165-r-1:risk:1", "outcomes:0165:s-2:attendance:1"));
  const auto flag = Payload<v1::DropOutRiskFlagged>(r.draft.change.events[0]);
  EXPECT_THAT(flag.reasons(), ElementsAre(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW));
  const auto flagged =
      *Written<v1::ParticipantRecord>(*WriteOf(r.draft, ParticipantKey(kM, "0165-r-1")));
  EXPECT_EQ(flagged.risk_flags(), 1);
}

TEST(RecordAttendance, ReasonsThatHeldBeforeAreNotFlaggedAgain) {
  const Cohort c = PlannedCohort({"0165-r-1"});
  Participant p = StoredParticipant("0165-r-1");
  ApplyMark(p.record, "s-1", 0, P);
  ApplyMark(p.record, "s-2", 1, A);
  ApplyMark(p.record, "s-3", 2, A);
  for (v1::RiskReason r : RiskReasons(p.record, kPolicy)) p.record.add_risk_reasons(r);
  p.record.set_risk_flags(1);
  // s-1 corrected to excused: still two absences in a row, still below the target.
  const AttendanceRecording r = RecordAttendance(
      kM, c.record, c.record.sessions(0), Recorded({{"0165-r-1", P}}, 1),
      Marks("s-1", {{"0165-r-1", E}}, 1), {p}, Instructor("i-1"), kPolicy, kAfterS2);
  EXPECT_THAT(EventIds(r.draft), ElementsAre("outcomes:0165:s-1:attendance:2"));
  const auto written =
      *Written<v1::ParticipantRecord>(*WriteOf(r.draft, ParticipantKey(kM, "0165-r-1")));
  EXPECT_EQ(written.risk_flags(), 1);
  EXPECT_EQ(written.risk_reasons_size(), 2);
}

TEST(CheckTeachesCohort, InstructorsOnlyTheirOwn) {
  const Cohort c = PlannedCohort();
  EXPECT_TRUE(CheckTeachesCohort(c.record, Instructor("i-1").claims).ok());
  EXPECT_THAT(CheckTeachesCohort(c.record, Instructor("i-2").claims).message(),
              HasSubstr("only of the cohorts they teach"));
  identity::Claims coordinator;
  coordinator.role = identity::Role::kCoordinator;
  EXPECT_TRUE(CheckTeachesCohort(c.record, coordinator).ok());
}

TEST(AttendanceOverview, SessionsAndKnownParticipants) {
  const Cohort c = PlannedCohort({"0165-r-1", "0165-r-2"});
  Participant p = StoredParticipant("0165-r-1");
  ApplyMark(p.record, "s-1", 0, P);
  ApplyMark(p.record, "s-2", 1, A);
  p.record.set_outcome(v1::PARTICIPATION_OUTCOME_COMPLETED);
  const v1::GetAttendanceResponse out = AttendanceOverview(
      c.record, {Recorded({{"0165-r-1", P}}, 1).record}, {p, Participant()}, kPolicy);
  EXPECT_EQ(out.cohort_id(), "c-1");
  EXPECT_EQ(out.sessions_size(), 1);
  ASSERT_EQ(out.participants_size(), 1) << "never seen: not shown";
  const v1::ParticipantAttendance& a = out.participants(0);
  EXPECT_EQ(a.present(), 1);
  EXPECT_EQ(a.absent(), 1);
  EXPECT_DOUBLE_EQ(a.attendance_rate(), 0.5);
  EXPECT_EQ(a.outcome(), v1::PARTICIPATION_OUTCOME_COMPLETED);
}

}  // namespace
}  // namespace kpr::outcomes
