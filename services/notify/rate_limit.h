#ifndef KPR_SERVICES_NOTIFY_RATE_LIMIT_H_
#define KPR_SERVICES_NOTIFY_RATE_LIMIT_H_

// A rate limit per SMS provider, shared by all replicas of kpr-notify (KPR_SMS_RATE): a token
// bucket in one Redis hash, taken from by one Lua script, so that three replicas together send
// no faster than the gateway allows instead of three times as fast and then into its 429s.
//
// Key: "kpr:notify:ratelimit:<provider>". It is not per municipality (the gateway's limit is the
// account's), and says so by carrying no "{<municipality>}" tag; it is one key, so the script is
// single-slot on Redis Cluster too. The bucket's clock is Redis's own TIME, so replicas whose
// clocks differ still share one bucket honestly. The hash expires when idle.
//
// Infrastructure time (real), not domain time: a simulated clock does not move this limit.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"

namespace kpr::notify {

std::string RateLimitKey(const std::string& provider);

class SharedRateLimiter {
 public:
  // `per_second` <= 0: unlimited (no Redis calls). `burst`: the bucket's size, at least 1;
  // 0 picks one second's worth.
  SharedRateLimiter(store::RedisPool& pool, std::string provider, double per_second,
                    double burst = 0);

  // Takes one token if there is one: zero. Otherwise takes nothing and says how long until
  // one is due. UNAVAILABLE when Redis is.
  absl::StatusOr<absl::Duration> TryAcquire();

  // Waits for a token until `deadline`: OK once taken, DEADLINE_EXCEEDED if none came in time
  // (nothing taken), UNAVAILABLE when Redis is.
  absl::Status Acquire(absl::Time deadline);

  double per_second() const { return per_second_; }
  double burst() const { return burst_; }

 private:
  store::RedisPool& pool_;
  const std::string key_;
  const double per_second_;
  const double burst_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_RATE_LIMIT_H_
