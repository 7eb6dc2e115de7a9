#include "services/notify/delivery_attempt.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace kpr::notify {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

void Touch(v1::Delivery& d, absl::Time now) { *d.mutable_updated_at() = Ts(now); }

AttemptOutcome Fail(v1::Delivery d, v1::DeliveryReason reason, absl::Time now) {
  d.set_status(v1::DELIVERY_STATUS_FAILED);
  d.set_reason(reason);
  *d.mutable_finished_at() = Ts(now);
  Touch(d, now);
  AttemptOutcome out;
  out.delivery = std::move(d);
  out.failed = true;
  return out;
}

// Back to PENDING for another attempt, or FAILED once the budget is spent.
AttemptOutcome RetryOrFail(v1::Delivery d, absl::Duration at_least, absl::Time now,
                           const RetryPolicy& policy, double jitter_sample) {
  if (d.attempts() >= policy.max_attempts) {
    return Fail(std::move(d), v1::DELIVERY_REASON_RETRY_BUDGET_EXHAUSTED, now);
  }
  const absl::Time at = now + Backoff(d.attempts(), policy, jitter_sample, at_least);
  d.set_status(v1::DELIVERY_STATUS_PENDING);
  *d.mutable_send_at() = Ts(at);
  Touch(d, now);
  AttemptOutcome out;
  out.delivery = std::move(d);
  out.retry_at = at;
  return out;
}

}  // namespace

absl::Duration Backoff(int attempts, const RetryPolicy& policy, double jitter_sample,
                       absl::Duration at_least) {
  // first_backoff * 2^(attempts-1), capped; the cap also bounds the shift.
  absl::Duration base = policy.first_backoff;
  for (int i = 1; i < attempts && base < policy.max_backoff; ++i) base *= 2;
  base = std::min(base, policy.max_backoff);
  const double spread = std::clamp(jitter_sample, 0.0, 1.0) * 2.0 - 1.0;  // [-1, 1)
  absl::Duration jittered = base * (1.0 + policy.jitter * spread);
  return std::max(jittered, at_least);
}

bool MayFailOver(const v1::Delivery& delivery) { return !delivery.outcome_unknown(); }

absl::StatusOr<v1::Delivery> BeginAttempt(v1::Delivery d, const std::string& provider,
                                          absl::Time now) {
  if (d.status() != v1::DELIVERY_STATUS_PENDING) {
    return absl::FailedPreconditionError(absl::StrCat("delivery ", d.delivery_id(), " is ",
                                                      v1::DeliveryStatus_Name(d.status()),
                                                      ", not PENDING"));
  }
  if (MayFailOver(d)) d.set_provider(provider);
  d.set_status(v1::DELIVERY_STATUS_SENDING);
  d.set_attempts(d.attempts() + 1);
  Touch(d, now);
  return d;
}

AttemptOutcome FinishAttempt(v1::Delivery d, const SendResult& result, bool provider_honours_key,
                             absl::Time now, const RetryPolicy& policy, double jitter_sample) {
  switch (result.outcome) {
    case SendOutcome::kAccepted: {
      // A retry after an unknown outcome, at a provider that does not deduplicate by key, may
      // have sent the message a second time: say so.
      if (d.outcome_unknown() && !provider_honours_key) d.set_possibly_duplicated(true);
      d.set_outcome_unknown(false);
      d.set_status(v1::DELIVERY_STATUS_SENT);
      d.set_provider_message_id(result.provider_message_id);
      *d.mutable_sent_at() = Ts(now);
      Touch(d, now);
      AttemptOutcome out;
      out.delivery = std::move(d);
      out.sent = true;
      return out;
    }
    case SendOutcome::kPermanent: {
      if (d.outcome_unknown()) {
        // Refused now, but the earlier attempt may have gone through: keep it visible.
        if (!provider_honours_key) d.set_possibly_duplicated(true);
      }
      d.set_outcome_unknown(false);
      return Fail(std::move(d),
                  result.reason == v1::DELIVERY_REASON_UNSPECIFIED ? v1::DELIVERY_REASON_REJECTED
                                                                   : result.reason,
                  now);
    }
    case SendOutcome::kTransient:
      // A transient answer after an unknown outcome says nothing about the first request: the
      // delivery stays pinned to this provider.
      return RetryOrFail(std::move(d), result.retry_after, now, policy, jitter_sample);
    case SendOutcome::kUnknown:
      d.set_outcome_unknown(true);
      return RetryOrFail(std::move(d), absl::ZeroDuration(), now, policy, jitter_sample);
  }
  return RetryOrFail(std::move(d), absl::ZeroDuration(), now, policy, jitter_sample);
}

AttemptOutcome ReconcileSending(v1::Delivery d, bool provider_honours_key, absl::Time now,
                                const RetryPolicy& policy, double jitter_sample) {
  if (d.status() != v1::DELIVERY_STATUS_SENDING) {
    AttemptOutcome out;
    out.delivery = std::move(d);
    return out;  // finished meanwhile: nothing to reconcile
  }
  SendResult unknown;
  unknown.outcome = SendOutcome::kUnknown;
  return FinishAttempt(std::move(d), unknown, provider_honours_key, now, policy, jitter_sample);
}

}  // namespace kpr::notify
