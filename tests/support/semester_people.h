#ifndef KPR_TESTS_SUPPORT_SEMESTER_PEOPLE_H_
#define KPR_TESTS_SUPPORT_SEMESTER_PEOPLE_H_

// The synthetic citizens of a semester (semester.h) and what each one does, as pure functions of
// their number, so a test can work out every figure of the program report by itself. The figures
// are shaped like the national culture-on-prescription pilot (DOMAIN.md): WHO-5 around 36 at the
// start and 52 at the end among those who complete, most attend at least 80 %.
//
// The rules are chosen so that, for 24 citizens numbered from any multiple of 1000 + 1, every
// count a program report prints is 0 or at least 5 (5 leave, 6 attend below 80 %, 5 do not
// improve by 10 points, 6 are referred by their GP, ...): small-cell suppression then still
// leaves figures a committee can read.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kpr/intake/v1/referral_submitted.pb.h"
#include "kpr/outcomes/v1/outcomes.pb.h"

namespace kpr::testing {

struct Citizen {
  int n = 0;  // the synthetic number: CPR, phone and name derive from it
  std::string municipality;
  std::string external_id;  // the jobcenter's case id
  std::string referral_id;  // as kpr-referral assigned it
  bool leaves = false;      // leaves the cohort half-way
  std::string cohort_id;
  // One mark per session held while enrolled, in timetable order.
  std::vector<outcomes::v1::AttendanceMark> marks;
  int who5_baseline = -1;  // raw 0..25 as answered; -1 not answered
  int who5_end = -1;
  outcomes::v1::EmploymentStatus employment_1m = outcomes::v1::EMPLOYMENT_STATUS_UNSPECIFIED;
  outcomes::v1::EmploymentStatus employment_12m = outcomes::v1::EMPLOYMENT_STATUS_UNSPECIFIED;
};

// Citizen n's referral to `program` as the jobcenter (or, for every fourth, the GP) sends it,
// submitted at `at` (simulated time).
intake::v1::ReferralSubmitted SemesterSubmission(int n, const std::string& municipality,
                                                 const std::string& program, absl::Time at);

// What citizen n does.
bool Leaves(int n);  // leaves the cohort half-way (every fifth)
outcomes::v1::AttendanceMark Mark(int n, int session_index);
int Who5Baseline(int n);  // raw score, 6..12 (percentage 24..48)
int Who5End(int n);       // raw score: most gain 3 to 7 points, every fourth 1
outcomes::v1::EmploymentStatus EmploymentAfter1Month(int n);
outcomes::v1::EmploymentStatus EmploymentAfter12Months(int n);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SEMESTER_PEOPLE_H_
