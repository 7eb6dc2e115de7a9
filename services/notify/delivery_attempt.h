#ifndef KPR_SERVICES_NOTIFY_DELIVERY_ATTEMPT_H_
#define KPR_SERVICES_NOTIFY_DELIVERY_ATTEMPT_H_

// One attempt to hand a delivery to a provider, as state changes. Pure: the desk loads the
// delivery, asks these functions what it becomes, and commits that in one script.
//
// Exactly once towards the outside rests on three rules:
// - SENDING is recorded before the provider is called. A delivery found SENDING after its lease
//   ran out (the sender crashed) has an unknown outcome.
// - An unknown outcome (a timeout or a dropped connection after the request may have gone) is
//   retried on the SAME provider with the SAME idempotency key (userref, Message-ID), never
//   failed over: a provider that honours the key answers the retry with the first id.
// - Where the provider does not honour the key, a retry after an unknown outcome can send twice:
//   the delivery is then marked possibly_duplicated, never silently.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"

namespace kpr::notify {

// What a provider call came to. Every provider (SMS gateways, SMTP) classifies its answers so.
enum class SendOutcome {
  kAccepted,   // taken: the provider's id is known
  kTransient,  // not taken, try again later (5xx, 429, SMTP 4xx, connection refused)
  kPermanent,  // never will be (invalid number or address, rejected content)
  kUnknown,    // may have been taken (timeout or dropped connection after sending)
};

struct SendResult {
  SendOutcome outcome = SendOutcome::kTransient;
  std::string provider_message_id;  // kAccepted
  // kTransient: the provider asked for at least this long (HTTP Retry-After).
  absl::Duration retry_after = absl::ZeroDuration();
  // kPermanent: the reason code to record.
  v1::DeliveryReason reason = v1::DELIVERY_REASON_REJECTED;
};

struct RetryPolicy {
  int max_attempts = 8;                              // provider calls, in all
  absl::Duration first_backoff = absl::Seconds(15);  // doubled each attempt...
  absl::Duration max_backoff = absl::Minutes(30);    // ...up to this
  double jitter = 0.25;  // the backoff is spread by ±jitter, so replicas do not retry in step
};

// PENDING -> SENDING, one more attempt, on `provider`. A delivery pinned to a provider by an
// unknown outcome stays on it whatever `provider` says. FAILED_PRECONDITION unless PENDING.
absl::StatusOr<v1::Delivery> BeginAttempt(v1::Delivery delivery, const std::string& provider,
                                          absl::Time now);

// What the attempt did to the delivery.
struct AttemptOutcome {
  v1::Delivery delivery;
  std::optional<absl::Time> retry_at;  // set: attempt again then (the delivery is PENDING)
  bool sent = false;                   // now SENT: emit message_sent
  bool failed = false;                 // now FAILED: emit message_failed
};

// SENDING -> SENT, PENDING (retry later) or FAILED. `provider_honours_key`: whether this provider
// answers a repeated idempotency key with the first id instead of sending again. `jitter_sample`
// in [0, 1) (the desk draws it; tests pin it).
AttemptOutcome FinishAttempt(v1::Delivery delivery, const SendResult& result,
                             bool provider_honours_key, absl::Time now, const RetryPolicy& policy,
                             double jitter_sample);

// A delivery found SENDING with its lease run out: the sender died between recording SENDING and
// recording the answer. Treated as an unknown outcome (retried on the same provider, same key).
AttemptOutcome ReconcileSending(v1::Delivery delivery, bool provider_honours_key, absl::Time now,
                                const RetryPolicy& policy, double jitter_sample);

// Exponential backoff before attempt `attempts + 1`, with jitter; at least `at_least`.
absl::Duration Backoff(int attempts, const RetryPolicy& policy, double jitter_sample,
                       absl::Duration at_least = absl::ZeroDuration());

// Whether a provider choice may move this delivery to another provider (false once an unknown
// outcome pinned it to the one that may have it).
bool MayFailOver(const v1::Delivery& delivery);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DELIVERY_ATTEMPT_H_
