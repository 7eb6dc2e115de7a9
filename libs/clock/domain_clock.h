#ifndef KPR_LIBS_CLOCK_DOMAIN_CLOCK_H_
#define KPR_LIBS_CLOCK_DOMAIN_CLOCK_H_

// The one clock a service reads domain time from: cohort lifecycles, sessions, questionnaire
// windows, reminders, quiet hours, durable timers and the times stamped on domain events.
// Infrastructure time (token expiry, leases, backoff, rate limits, ack waits, deadlines, log
// lines) stays absl::Now(): a simulated jump of twelve months must not expire every token.
//
// Which clock a binary gets is chosen when it is linked, not by a flag: the production
// executables link kpr_clock_real (absl::Now), the kpr-<service>-sim executables are built from
// the same objects plus kpr_clock_sim (one simulated time shared through Redis, sim_clock.h).
// main() passes OpenDomainClock to host::RunService, which hands the clock to the service.

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/rpc/config.h"

namespace kpr::clock {

// What the service libraries take: domain time, by injection.
using Clock = std::function<absl::Time()>;

class DomainClock {
 public:
  virtual ~DomainClock() = default;
  virtual absl::Time Now() = 0;
  // `wake` runs after the clock jumped ahead (never for the real clock), so that timer workers
  // look at once for what just came due instead of at their next poll. One listener; an empty
  // function removes it, and once that call returns the old listener no longer runs.
  virtual void OnJump(std::function<void()> wake) = 0;
  // "real" or "simulated", for the start-up log line.
  virtual absl::string_view kind() const = 0;

  // Now() as a Clock; the DomainClock must outlive it.
  Clock AsClock() {
    return [this] { return Now(); };
  }
};

// Defined once per executable by the clock source it links (kpr_clock_real or kpr_clock_sim).
// The simulated source reads the shared time from the service's Redis (config.redis_url).
absl::StatusOr<std::unique_ptr<DomainClock>> OpenDomainClock(const rpc::ServiceConfig& config);

}  // namespace kpr::clock

#endif  // KPR_LIBS_CLOCK_DOMAIN_CLOCK_H_
