// kpr_clock_sim: the kpr-<service>-sim binaries' domain clock is the shared simulated clock,
// read from the service's own Redis.
#include "libs/clock/domain_clock.h"
#include "libs/clock/sim_clock.h"

namespace kpr::clock {

absl::StatusOr<std::unique_ptr<DomainClock>> OpenDomainClock(const rpc::ServiceConfig& config) {
  auto redis = store::RedisOptionsFromUrl(config.redis_url);
  if (!redis.ok()) return redis.status();
  redis->pool_size = 1;  // one reader thread
  redis->command_timeout = absl::Milliseconds(500);
  auto clock = SimulatedClock::Start(*redis, SimulatedClock::Options());
  if (!clock.ok()) return clock.status();
  return std::unique_ptr<DomainClock>(*std::move(clock));
}

}  // namespace kpr::clock
