#ifndef KPR_TESTS_SUPPORT_SUITE_PROBE_H_
#define KPR_TESTS_SUPPORT_SUITE_PROBE_H_

// Looks at a running suite from outside to tell when it has nothing left to do: no entry in any
// service's outbox, no timer due by the (simulated) time, and no message pending or unacknowledged
// on any JetStream consumer. A driver that moves the shared clock waits for this after every
// step, so what one step set off has finished before the next. It reads the services' keys
// directly: a test tool, not something a service may do.

#include <nats/nats.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"

namespace kpr::testing {

class SuiteProbe {
 public:
  // `nats_url`: one URL or several, comma-separated.
  static absl::StatusOr<std::unique_ptr<SuiteProbe>> Connect(const std::string& redis_url,
                                                             const std::string& nats_url);
  ~SuiteProbe();

  // "" when idle at simulated time `now`; otherwise what is still in flight, e.g.
  // "notify timers 0165: 2; KPR_SCHEDULING/outcomes-scheduling: 5 pending".
  absl::StatusOr<std::string> InFlight(const std::vector<std::string>& municipalities,
                                       absl::Time now);
  // The earliest timer of any service in `municipalities` due in (after, before), if any.
  absl::StatusOr<std::optional<absl::Time>> NextTimer(
      const std::vector<std::string>& municipalities, absl::Time after, absl::Time before);
  // Waits until InFlight is "" twice in a row, 200 ms apart. `now` is read on every check.
  absl::Status WaitIdle(const std::vector<std::string>& municipalities,
                        const std::function<absl::Time()>& now, absl::Duration timeout);

  store::RedisPool& redis() { return *redis_; }
  // The probe's JetStream context, for a driver that publishes as an integration would.
  jsCtx* js() { return js_; }

 private:
  SuiteProbe() = default;
  std::unique_ptr<store::RedisPool> redis_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SUITE_PROBE_H_
