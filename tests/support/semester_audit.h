#ifndef KPR_TESTS_SUPPORT_SEMESTER_AUDIT_H_
#define KPR_TESTS_SUPPORT_SEMESTER_AUDIT_H_

// What a semester (semester.h) must have left behind, read back from the running services, for
// every citizen the driver referred:
//   - the referral ends COMPLETED or DROPPED_OUT, and the jobcenter saw exactly the status
//     changes UNDER_REVIEW, ACCEPTED, ENROLLED and the end, each once (no event id twice);
//   - scheduling lists the citizen once in their cohort while enrolled (leavers not at all);
//   - outcomes holds one attendance mark per session the citizen was there for, as the
//     instructor recorded it, and one answer per questionnaire time point they answered, with
//     what they answered;
//   - notify sent one welcome, one cohort information, two reminders per session attended and
//     the questionnaire invitations.
// The journey and the scale-out tests both check it: anything lost or doubled, under whatever
// failure the test caused, shows up as a problem naming the citizen.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/semester.h"

namespace kpr::testing {

struct SemesterLedger {
  std::vector<std::string> problems;  // empty when everything is as the citizens did it
  // What was found (for the test's log and the bench's report).
  int referrals = 0;
  int status_changes = 0;
  int enrolments = 0;
  int attendance_marks = 0;
  int answers = 0;
  int sms_sent = 0;  // SENT or DELIVERED, as notify lists them
  int email_sent = 0;
};

// Reads it all back as a coordinator of the plan's municipalities (tokens from suite.jwt_secret).
// Fails only when a service cannot be asked; what differs goes into `problems`.
absl::StatusOr<SemesterLedger> AuditSemester(const SuiteEndpoints& suite,
                                             const std::vector<std::string>& municipalities,
                                             const SemesterRun& run);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SEMESTER_AUDIT_H_
