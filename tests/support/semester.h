#ifndef KPR_TESTS_SUPPORT_SEMESTER_H_
#define KPR_TESTS_SUPPORT_SEMESTER_H_

// A semester of culture on prescription, played through all four running services under the
// shared simulated clock: the whole journey test and the local demo both run it.
//
//   1. A jobcenter integration publishes referral submissions to NATS (kpr.intake.v1...).
//   2. A coordinator screens them with kprctl: under review after the intake talk, accepted.
//   3. kpr-scheduling places the accepted in the cohorts the coordinator created.
//   4. The clock walks the timetable: the day before and two hours before every session (the
//      reminders go out), and after it (the instructor records attendance); the questionnaire
//      time points open and the participants answer WHO-5 at the start and the end and the
//      employment questions at the 1- and 12-month follow-ups (through the questionnaire form,
//      a service identity); every fifth participant leaves half-way.
//   5. After every step the driver waits until the services are idle: no outbox entry, no due
//      timer, no pending or unacknowledged message on any consumer.
//
// The citizens are synthetic (made-up CPR numbers and phone numbers, never real people), and
// what each one does is a pure function of their number (semester_people.h), so the test can
// compute every figure of the report on its own.

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "tests/support/semester_people.h"

namespace kpr::testing {

// Where the running suite is.
struct SuiteEndpoints {
  std::string referral;  // gRPC targets ("127.0.0.1:50051", "ipv4:a,b,c", ...)
  std::string scheduling;
  std::string outcomes;
  std::string notify;
  std::string nats_url;      // the jobcenter integration publishes here
  std::string redis_url;     // the shared simulated clock, and the idle check
  std::string jwt_secret;    // staff and service tokens are minted with it
  std::string kprctl;        // path of the kprctl binary
  std::string catalog_file;  // scheduling catalog (institutions, instructors, programs)
};

struct SemesterPlan {
  std::vector<std::string> municipalities = {"0165"};
  std::string program_id = "sund-med-kultur";
  // The Monday the referrals arrive (09:00 Danish time); the cohorts start `lead_weeks` later.
  absl::CivilDay referrals_arrive = absl::CivilDay(2026, 8, 3);
  int lead_weeks = 3;
  int citizens = 24;  // referred per municipality
  int cohorts = 2;    // per municipality
  // The clock never moves past this (the demo stops at the real now); time points after it are
  // not answered.
  absl::Time stop_at = absl::InfiniteFuture();
  absl::Duration idle_timeout = absl::Seconds(60);  // per step
  // Called after the clock moved to step `step` (1, 2, ...), before waiting for the suite to go
  // idle: the scale-out test kills and fails over parts here, while the work is in flight.
  std::function<absl::Status(int step)> during_step;
};

// One cohort as it was run.
struct CohortRun {
  std::string municipality;
  std::string cohort_id;
  std::vector<scheduling::v1::Session> sessions;  // in timetable order
};

struct SemesterRun {
  std::vector<Citizen> citizens;  // every referred citizen, with what happened to them
  std::vector<CohortRun> cohorts;
  int clock_steps = 0;
  absl::Time started_at;  // simulated
  absl::Time ended_at;    // simulated
};

// Plays the semester. Progress lines go to `log` (may be null). Fails with the first step that
// did not happen in time (e.g. a referral not ENROLLED, the services not idle).
absl::StatusOr<SemesterRun> RunSemester(const SuiteEndpoints& suite, const SemesterPlan& plan,
                                        std::ostream* log);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SEMESTER_H_
