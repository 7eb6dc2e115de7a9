#ifndef KPR_SERVICES_NOTIFY_PROVIDER_WEIGHTS_H_
#define KPR_SERVICES_NOTIFY_PROVIDER_WEIGHTS_H_

// Failover between a primary and a secondary SMS gateway, as GOV.UK Notify does between its two
// providers: the primary takes the traffic while it is healthy; when its error rate or its latency
// over a sliding window crosses a threshold, its weight drops (100 -> 10) and the secondary takes
// most of the traffic; the weight then recovers in steps (+10 every 30 s of health), so a
// recovered primary gets traffic back gradually and a relapse drops it again at once.
//
// - Health counts answers that say something about the provider: accepted is good; transient
//   (5xx, 429, no connection, refused token) and unknown (timeouts) are errors; a permanent
//   refusal (an invalid number) is about the message, not the provider, and is not counted.
// - Latency: the share of calls slower than max_latency. Above max_slow_share (10 %), the
//   window's 90th percentile is past the threshold.
// - A delivery whose last outcome is unknown never fails over, whatever the weights say: only the
//   provider that may have it can answer a repeated userref with the first id.
//
// Pure over an injected clock (`now`): the sender records each call and draws `sample`. The
// recovery interval runs from the last look that found the primary unhealthy (under traffic the
// weights are looked at with every call). Weights are per replica for now: every replica sees
// the same gateway fail, so they agree closely.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "services/notify/sms_provider.h"

namespace kpr::notify {

struct WeightPolicy {
  absl::Duration window = absl::Minutes(1);
  int min_calls = 10;  // fewer calls in the window: no verdict (treated as healthy)
  double max_error_rate = 0.25;
  absl::Duration max_latency = absl::Seconds(4);
  double max_slow_share = 0.10;
  int full_weight = 100;
  int degraded_weight = 10;
  int recovery_step = 10;
  absl::Duration recovery_interval = absl::Seconds(30);
};

// Whether a call's answer counts against the provider's health; nullopt: it does not count.
std::optional<bool> CountsAsError(const SmsSendResult& result);

struct WindowStats {
  int64_t calls = 0;
  int64_t errors = 0;
  int64_t slow = 0;  // calls slower than the policy's max_latency
};

// The calls of the last `window`, with running counts (amortised O(1) per call).
class SlidingWindow {
 public:
  SlidingWindow(absl::Duration window, absl::Duration slow_above)
      : window_(window), slow_above_(slow_above) {}
  void Add(absl::Time at, bool error, absl::Duration latency);
  WindowStats Stats(absl::Time now);  // drops calls older than the window first

 private:
  struct Call {
    absl::Time at;
    bool error;
    bool slow;
  };
  absl::Duration window_, slow_above_;
  std::deque<Call> calls_;
  WindowStats stats_;
};

bool Unhealthy(const WindowStats& stats, const WeightPolicy& policy);

struct PrimaryWeight {
  int weight = 100;
  absl::Time changed_at = absl::InfinitePast();  // last drop or recovery step
};

// The primary's next weight: down to degraded_weight while unhealthy (each unhealthy look
// restarts the recovery clock); one recovery_step up per recovery_interval of health.
PrimaryWeight NextWeight(PrimaryWeight current, const WindowStats& primary, absl::Time now,
                         const WeightPolicy& policy);

inline constexpr char kPrimaryProvider[] = "primary";
inline constexpr char kSecondaryProvider[] = "secondary";

// Which provider the next attempt of `delivery` goes to: the one it is pinned to when an unknown
// outcome forbids failover; else the primary with probability weight / full_weight (always
// without a secondary). `sample` in [0, 1).
std::string ChooseProvider(const v1::Delivery& delivery, int primary_weight, bool has_secondary,
                           double sample, const WeightPolicy& policy);

// The above for the sender's threads: records the primary's calls and chooses. Thread-safe.
class ProviderWeights {
 public:
  ProviderWeights(WeightPolicy policy, bool has_secondary);

  // Records one call to `provider` (only the primary's calls move the weight).
  void Record(const std::string& provider, const SmsSendResult& result, absl::Duration latency,
              absl::Time now);
  int PrimaryWeightAt(absl::Time now);
  std::string Choose(const v1::Delivery& delivery, absl::Time now, double sample);

 private:
  int UpdateLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WeightPolicy policy_;
  const bool has_secondary_;
  absl::Mutex mu_;
  SlidingWindow primary_ ABSL_GUARDED_BY(mu_);
  PrimaryWeight weight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_PROVIDER_WEIGHTS_H_
