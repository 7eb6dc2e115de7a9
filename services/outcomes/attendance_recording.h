#ifndef KPR_SERVICES_OUTCOMES_ATTENDANCE_RECORDING_H_
#define KPR_SERVICES_OUTCOMES_ATTENDANCE_RECORDING_H_

// Recording a session's attendance as a whole, and the cohort's attendance overview: which
// session a call may record, what a recording writes (the session's attendance, each marked
// participant's marks and risk, attendance_recorded and any drop_out_risk_flagged), and what
// GetAttendance shows. Pure; no I/O (attendance_rules.h holds the rules themselves).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "libs/identity/caller.h"
#include "services/outcomes/draft.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {

// The session of `cohort` that `req` records, if the caller may record it now: NOT_FOUND
// "session <id> is not known"; PERMISSION_DENIED for an instructor who does not teach it; the
// entries as ValidateAttendance checks them; FAILED_PRECONDITION "session <id> has not started
// yet (<day>)" before its start (local in `tz`).
absl::StatusOr<v1::SessionRef> SessionToRecord(const v1::CohortRecord& cohort,
                                               const v1::RecordAttendanceRequest& req,
                                               const identity::Claims& claims, absl::Time now,
                                               absl::TimeZone tz);

// True if `entries` mark the same people the same way as the recorded attendance: a retry,
// nothing changes (whatever version it expected).
bool SameMarks(const Attendance& current,
               const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries);

// ABORTED "attendance of session <id> is at version <v>, not <expected>" unless the request
// expects the version as read.
absl::Status CheckExpectedVersion(const v1::RecordAttendanceRequest& req,
                                  const Attendance& current);

// Everyone marked now or before, sorted (a correction may drop someone: their mark goes).
std::vector<std::string> MarkedReferrals(
    const Attendance& current,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries);

struct AttendanceRecording {
  v1::SessionAttendance attendance;  // as recorded, at the next version
  Draft draft;
};
// `req`'s marks for `session` recorded over `current` by `caller` at `now`; `participants` are
// loaded for MarkedReferrals, in its order. A participant whose marks raise a new risk reason
// (while taking part) is flagged once for it.
AttendanceRecording RecordAttendance(const std::string& m, const v1::CohortRecord& cohort,
                                     const v1::SessionRef& session, const Attendance& current,
                                     const v1::RecordAttendanceRequest& req,
                                     const std::vector<Participant>& participants,
                                     const identity::Caller& caller, const OutcomePolicy& policy,
                                     absl::Time now);

// PERMISSION_DENIED unless the caller is not an instructor or teaches a session of the cohort.
absl::Status CheckTeachesCohort(const v1::CohortRecord& cohort, const identity::Claims& claims);

// The cohort's recorded sessions and each known participant's attendance, risk and outcome.
v1::GetAttendanceResponse AttendanceOverview(const v1::CohortRecord& cohort,
                                             std::vector<v1::SessionAttendance> sessions,
                                             const std::vector<Participant>& participants,
                                             const OutcomePolicy& policy);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_ATTENDANCE_RECORDING_H_
