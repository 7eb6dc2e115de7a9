#ifndef KPR_TESTS_SUPPORT_SIM_CLOCK_TESTING_H_
#define KPR_TESTS_SUPPORT_SIM_CLOCK_TESTING_H_

// The simulated clock for end-to-end tests: the kpr-<service>-sim processes
// (ServiceProcess::UseSimulatedClock) read one shared time from the harness's Redis, and a test
// moves it the way the demo and an operator do, with `kprctl clock` (so the test drives the
// real command). Typical journey:
//
//   ASSERT_TRUE(SetSimClock(Civil(2027, 1, 4, 9, 0)).ok());   // before the services start
//   ServiceProcess scheduling("scheduling", secrets);
//   scheduling.UseSimulatedClock();
//   ... start, plan a cohort ...
//   ASSERT_TRUE(AdvanceSimClockTo(first_session_start + absl::Minutes(1)).ok());
//   // the cohort's start timer fires within about a second
//
// Set the clock before the -sim services start: the first set may name any instant (also in
// the past), later ones only move forward, and a running service's time never goes back.
// FlushRedis() forgets the clock (the next set is a first set again).
//
// Before an advance, wait until the services have handled what they were sent: an event
// carries its service's simulated time, and notify drops facts more than 48 h older than its
// own now, so facts still queued when the clock jumps weeks ahead are never messaged. Times a
// test writes into requests (consent_given_at, submitted_at) are simulated time too: referral
// refuses a consent more than 5 minutes after its now. Take them from SimClockNow().

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kpr::testing {

struct KprctlRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// `kprctl clock <args>` against the harness's Redis.
KprctlRun KprctlClock(const std::string& args);

// kprctl clock set / advance; an error carries kprctl's message.
absl::Status SetSimClock(absl::Time t);
absl::Status AdvanceSimClock(absl::Duration step);  // whole seconds, above zero
// Advances to `t` (rounded up to the second); OK if the clock is there already.
absl::Status AdvanceSimClockTo(absl::Time t);
// The simulated time now, as the -sim services compute it (real time when never set).
absl::StatusOr<absl::Time> SimClockNow();

// A Danish wall-clock time (Europe/Copenhagen) as an instant.
absl::Time DanishTime(int year, int month, int day, int hour, int minute);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SIM_CLOCK_TESTING_H_
