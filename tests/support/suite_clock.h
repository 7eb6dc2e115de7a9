#ifndef KPR_TESTS_SUPPORT_SUITE_CLOCK_H_
#define KPR_TESTS_SUPPORT_SUITE_CLOCK_H_

// The shared simulated clock of a running suite of -sim services, as a driver moves it: set with
// `kprctl clock set` (through a caller-supplied runner, which holds the admin's token), read
// back from Redis, and after every move the suite is given time to finish what the move set off
// (SuiteProbe::WaitIdle).

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tests/support/suite_probe.h"

namespace kpr::testing {

class SuiteClock {
 public:
  // Runs `kprctl <args>` as an admin; fails if kprctl does.
  using Kprctl = std::function<absl::Status(std::vector<std::string> args)>;

  SuiteClock(SuiteProbe& probe, std::vector<std::string> municipalities, Kprctl kprctl,
             absl::Duration idle_timeout)
      : probe_(probe),
        municipalities_(std::move(municipalities)),
        kprctl_(std::move(kprctl)),
        idle_timeout_(idle_timeout) {}

  // Picks up the clock where an earlier run left it (the -sim services never go back).
  absl::Status Resume();

  // The simulated time last set (it runs on in real time from there).
  absl::Time now() const { return now_; }

  // Moves the clock forward to `t`, first visiting every timer due within a few minutes of the
  // current time before `t` and waiting for each (see the .cc). Does not wait after the last
  // move: call WaitIdle.
  absl::Status MoveTo(absl::Time t);

  // Waits until no outbox, due timer or JetStream consumer has work left.
  absl::Status WaitIdle();

 private:
  absl::Status FireSoonTimers(absl::Time t);
  absl::Status Set(absl::Time t);

  SuiteProbe& probe_;
  const std::vector<std::string> municipalities_;
  const Kprctl kprctl_;
  const absl::Duration idle_timeout_;
  absl::Time now_ = absl::InfinitePast();  // the simulated time last set
  absl::Time set_at_;                      // the real time it was set
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SUITE_CLOCK_H_
