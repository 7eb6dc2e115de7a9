#include "services/notify/sms_channel.h"

namespace kpr::notify {

SmsChannel::SmsChannel(store::RedisPool& pool, std::unique_ptr<SmsProvider> primary,
                       std::unique_ptr<SmsProvider> secondary, double per_second,
                       WeightPolicy policy)
    : primary_(std::move(primary)),
      secondary_(std::move(secondary)),
      weights_(policy, secondary_ != nullptr) {
  primary_limit_ = std::make_unique<SharedRateLimiter>(pool, primary_->name(), per_second);
  if (secondary_) {
    secondary_limit_ = std::make_unique<SharedRateLimiter>(pool, secondary_->name(), per_second);
  }
}

SmsProvider& SmsChannel::Choose(const v1::Delivery& delivery, absl::Time now) {
  double sample;
  {
    absl::MutexLock lock(&mu_);
    sample = absl::Uniform(bitgen_, 0.0, 1.0);
  }
  std::string name = weights_.Choose(delivery, now, sample);
  SmsProvider* p = Find(name);
  return p ? *p : *primary_;
}

SmsProvider* SmsChannel::Find(const std::string& name) {
  if (name == primary_->name()) return primary_.get();
  if (secondary_ && name == secondary_->name()) return secondary_.get();
  return nullptr;
}

absl::Status SmsChannel::AwaitTurn(const SmsProvider& provider, absl::Time deadline) {
  SharedRateLimiter* limit =
      (&provider == secondary_.get()) ? secondary_limit_.get() : primary_limit_.get();
  return limit->Acquire(deadline);
}

SmsSendResult SmsChannel::Send(SmsProvider& provider, const SmsRequest& request,
                               absl::Time deadline) {
  absl::Time start = absl::Now();
  SmsSendResult result = provider.Send(request, deadline);
  absl::Time end = absl::Now();
  weights_.Record(provider.name(), result, end - start, end);
  return result;
}

bool SmsChannel::HonoursKey(const std::string& provider_name) {
  SmsProvider* p = Find(provider_name);
  return p != nullptr && p->honours_idempotency_key();
}

}  // namespace kpr::notify
