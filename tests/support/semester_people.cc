#include "tests/support/semester_people.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/calendar/proto_time.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {

namespace ov1 = ::kpr::outcomes::v1;

intake::v1::ReferralSubmitted SemesterSubmission(int n, const std::string& municipality,
                                                 const std::string& program, absl::Time at) {
  intake::v1::ReferralSubmitted s = SyntheticSubmission(n, municipality, "semester-jobcenter");
  s.set_external_id(absl::StrCat("semester-", n));
  s.set_source(n % 4 == 0 ? intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER
                          : intake::v1::REFERRAL_SOURCE_JOBCENTER);
  // Every fourth prefers e-mail, so both channels are exercised.
  if (n % 4 == 2) s.mutable_citizen()->set_preferred_channel(intake::v1::CONTACT_CHANNEL_EMAIL);
  s.set_preferred_program(program);
  *s.mutable_citizen()->mutable_consent_given_at() = calendar::ToTimestamp(at - absl::Hours(24));
  *s.mutable_submitted_at() = calendar::ToTimestamp(at);
  return s;
}

bool Leaves(int n) { return n % 5 == 2; }

ov1::AttendanceMark Mark(int n, int session_index) {
  // Every fourth misses every third session (below the 80 % mark, above the half needed to
  // complete); the others come, or are ill and say so now and then.
  if (n % 4 == 1) {
    return (session_index + n) % 3 == 0 ? ov1::ATTENDANCE_MARK_ABSENT
                                        : ov1::ATTENDANCE_MARK_PRESENT;
  }
  return (n * 7 + session_index * 3) % 10 == 0 ? ov1::ATTENDANCE_MARK_EXCUSED
                                               : ov1::ATTENDANCE_MARK_PRESENT;
}

int Who5Baseline(int n) { return 6 + (n * 5) % 7; }

int Who5End(int n) { return std::min(25, Who5Baseline(n) + (n % 4 == 3 ? 1 : 3 + n % 5)); }

ov1::EmploymentStatus EmploymentAfter1Month(int n) {
  switch (n % 3) {
    case 0:
      return ov1::EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE;
    case 1:
      return ov1::EMPLOYMENT_STATUS_HEALTH_ORIENTED_MEASURE;
    default:
      return ov1::EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE;
  }
}

ov1::EmploymentStatus EmploymentAfter12Months(int n) {
  switch (n % 3) {
    case 0:
      return ov1::EMPLOYMENT_STATUS_ORDINARY_WORK;
    case 1:
      return ov1::EMPLOYMENT_STATUS_HEALTH_ORIENTED_MEASURE;
    default:
      return ov1::EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE;
  }
}

}  // namespace kpr::testing
