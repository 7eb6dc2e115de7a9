#include "services/notify/provider_weights.h"

#include <algorithm>

#include "services/notify/delivery_attempt.h"

namespace kpr::notify {

std::optional<bool> CountsAsError(const SmsSendResult& result) {
  switch (result.result.outcome) {
    case SendOutcome::kAccepted:
      return false;
    case SendOutcome::kTransient:
    case SendOutcome::kUnknown:
      return true;
    case SendOutcome::kPermanent:
      return std::nullopt;
  }
  return std::nullopt;
}

void SlidingWindow::Add(absl::Time at, bool error, absl::Duration latency) {
  Call call{at, error, latency > slow_above_};
  calls_.push_back(call);
  ++stats_.calls;
  stats_.errors += call.error ? 1 : 0;
  stats_.slow += call.slow ? 1 : 0;
}

WindowStats SlidingWindow::Stats(absl::Time now) {
  while (!calls_.empty() && calls_.front().at <= now - window_) {
    const Call& old = calls_.front();
    --stats_.calls;
    stats_.errors -= old.error ? 1 : 0;
    stats_.slow -= old.slow ? 1 : 0;
    calls_.pop_front();
  }
  return stats_;
}

bool Unhealthy(const WindowStats& stats, const WeightPolicy& policy) {
  if (stats.calls < policy.min_calls || stats.calls == 0) return false;
  double calls = static_cast<double>(stats.calls);
  return static_cast<double>(stats.errors) / calls > policy.max_error_rate ||
         static_cast<double>(stats.slow) / calls > policy.max_slow_share;
}

PrimaryWeight NextWeight(PrimaryWeight current, const WindowStats& primary, absl::Time now,
                         const WeightPolicy& policy) {
  if (Unhealthy(primary, policy)) {
    return PrimaryWeight{std::min(current.weight, policy.degraded_weight), now};
  }
  if (current.weight < policy.full_weight && now - current.changed_at >= policy.recovery_interval) {
    return PrimaryWeight{std::min(policy.full_weight, current.weight + policy.recovery_step), now};
  }
  return current;
}

std::string ChooseProvider(const v1::Delivery& delivery, int primary_weight, bool has_secondary,
                           double sample, const WeightPolicy& policy) {
  if (!MayFailOver(delivery) && !delivery.provider().empty()) return delivery.provider();
  if (!has_secondary) return kPrimaryProvider;
  return sample * policy.full_weight < primary_weight ? kPrimaryProvider : kSecondaryProvider;
}

ProviderWeights::ProviderWeights(WeightPolicy policy, bool has_secondary)
    : policy_(policy),
      has_secondary_(has_secondary),
      primary_(policy.window, policy.max_latency),
      weight_{policy.full_weight, absl::InfinitePast()} {}

void ProviderWeights::Record(const std::string& provider, const SmsSendResult& result,
                             absl::Duration latency, absl::Time now) {
  if (provider != kPrimaryProvider) return;
  std::optional<bool> error = CountsAsError(result);
  if (!error) return;
  absl::MutexLock lock(&mu_);
  primary_.Add(now, *error, latency);
  UpdateLocked(now);
}

int ProviderWeights::PrimaryWeightAt(absl::Time now) {
  absl::MutexLock lock(&mu_);
  return UpdateLocked(now);
}

std::string ProviderWeights::Choose(const v1::Delivery& delivery, absl::Time now, double sample) {
  return ChooseProvider(delivery, PrimaryWeightAt(now), has_secondary_, sample, policy_);
}

int ProviderWeights::UpdateLocked(absl::Time now) {
  weight_ = NextWeight(weight_, primary_.Stats(now), now, policy_);
  return weight_.weight;
}

}  // namespace kpr::notify
