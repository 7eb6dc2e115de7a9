#ifndef KPR_SERVICES_NOTIFY_SMS_CHANNEL_H_
#define KPR_SERVICES_NOTIFY_SMS_CHANNEL_H_
// The SMS channel as the sender sees it: the primary gateway and an optional secondary behind it,
// the failover weights that choose between them (provider_weights.h), and one rate limit per
// gateway shared by every replica (rate_limit.h). Thread-safe.
#include <memory>
#include <string>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/notify/provider_weights.h"
#include "services/notify/rate_limit.h"
#include "services/notify/sms_provider.h"

namespace kpr::notify {

class SmsChannel {
 public:
  // `primary` is required; `secondary` may be null. `per_second` (KPR_SMS_RATE) applies to each
  // gateway separately, shared by all replicas through `pool`; <= 0 is unlimited.
  SmsChannel(store::RedisPool& pool, std::unique_ptr<SmsProvider> primary,
             std::unique_ptr<SmsProvider> secondary, double per_second,
             WeightPolicy policy = WeightPolicy());

  // The provider the delivery's next attempt goes to (its pinned one after an unknown outcome).
  SmsProvider& Choose(const v1::Delivery& delivery, absl::Time now);
  // The provider of this name, or null (a delivery pinned to a secondary no longer configured).
  SmsProvider* Find(const std::string& name);
  // Waits for the provider's rate limit until `deadline` (DEADLINE_EXCEEDED: no token came).
  absl::Status AwaitTurn(const SmsProvider& provider, absl::Time deadline);
  // Sends, records the call for the weights, and returns the result.
  SmsSendResult Send(SmsProvider& provider, const SmsRequest& request, absl::Time deadline);
  bool HonoursKey(const std::string& provider_name);

 private:
  std::unique_ptr<SmsProvider> primary_, secondary_;
  std::unique_ptr<SharedRateLimiter> primary_limit_, secondary_limit_;
  ProviderWeights weights_;
  absl::Mutex mu_;
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SMS_CHANNEL_H_
