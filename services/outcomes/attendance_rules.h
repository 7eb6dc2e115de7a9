#ifndef KPR_SERVICES_OUTCOMES_ATTENDANCE_RULES_H_
#define KPR_SERVICES_OUTCOMES_ATTENDANCE_RULES_H_

// Attendance: a participant's rate, the drop-out risk rules, the completion rule, and the
// validation of a recorded session (OUTCOMES.md "Decisions"). Pure; no I/O.
//
// Completion rule: once the cohort is settled, a participant who started
//   - and unenrolled is DROPPED_OUT;
//   - otherwise is COMPLETED iff present >= ceil(policy.completion_share x sessions held)
//     (default: at least half, so 6 of 12, 4 of 7), else DROPPED_OUT.
// With no sessions held the requirement is 0, so whoever stayed enrolled completes: nobody can
// be said to have dropped out of sessions that never took place. Someone who never started is
// not a participant: PARTICIPATION_OUTCOME_UNSPECIFIED.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {

struct AttendanceSummary {
  int present = 0;
  int absent = 0;
  int excused = 0;
  int recorded = 0;  // sessions with a mark, whatever it is
  // present / (recorded - excused); unset while nothing counts (no marks, or all excused).
  std::optional<double> rate;
};

AttendanceSummary Summarize(const v1::ParticipantRecord& p);

// The risk reasons that hold now, sorted by enum value:
//   TWO_ABSENCES_IN_A_ROW: the last two non-excused marks in timetable (index) order are both
//     ABSENT (an excused session between them neither breaks nor extends the run);
//   ATTENDANCE_BELOW_THRESHOLD: at least 3 sessions recorded and rate < policy.attendance_target.
std::vector<v1::RiskReason> RiskReasons(const v1::ParticipantRecord& p,
                                        const OutcomePolicy& policy);

struct CompletionDecision {
  v1::ParticipationOutcome outcome = v1::PARTICIPATION_OUTCOME_UNSPECIFIED;
  int attended = 0;  // sessions present
  int held = 0;      // sessions held
  // The rule applied, in words and without personal data, e.g.
  // "attended 5 of 12 sessions; at least 6 required".
  std::string rule;
};

// The completion rule above, for a settled cohort that held `sessions_held` sessions.
CompletionDecision DecideCompletion(const v1::ParticipantRecord& p, int sessions_held,
                                    const OutcomePolicy& policy);

// Sets (or replaces) p's mark for the session; ATTENDANCE_MARK_UNSPECIFIED removes it. Keeps
// p.marks() sorted by index. Returns true if anything changed.
bool ApplyMark(v1::ParticipantRecord& p, const std::string& session_id, int index,
               v1::AttendanceMark mark);

// Validates the entries of a RecordAttendance for `session` of `cohort`.
// FAILED_PRECONDITION "session s-1 is cancelled"; otherwise INVALID_ARGUMENT naming every bad
// entry, "; "-separated: "entries: empty", "entries[2].referral_id: missing",
// "entries[3].referral_id: not a participant of cohort c-1", "entries[2].referral_id: duplicate",
// "entries[0].mark: missing", "entries[0].mark: 9 is not a known mark".
absl::Status ValidateAttendance(
    const v1::CohortRecord& cohort, const v1::SessionRef& session,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_ATTENDANCE_RULES_H_
