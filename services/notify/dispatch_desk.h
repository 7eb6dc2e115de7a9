#ifndef KPR_SERVICES_NOTIFY_DISPATCH_DESK_H_
#define KPR_SERVICES_NOTIFY_DISPATCH_DESK_H_
// Sends a recorded delivery when its send timer falls due: finds the recipient (kpr-referral's
// contact points, the citizen's preferences and the STOP list, or the municipality's coordinator
// address), chooses the channel, holds an SMS back through quiet hours (and drops a reminder that
// would arrive after its session began), renders the template in the recipient's language, and
// makes one attempt through the provider (delivery_attempt.h): SENDING is recorded before the
// call, the answer after it, each in one versioned script with its events and next timer.
//
// A send timer that fires for a delivery still SENDING means its sender died mid-attempt (the
// timer's lease ran out): the outcome is unknown, so it is retried on the same provider with
// the same idempotency key. A dependency that is down (referral, Redis, no provider configured)
// is an error, and the timer worker tries again with backoff: nothing is dropped.
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/timer/timer_store.h"
#include "services/notify/notify_context.h"

namespace kpr::notify {

class DispatchDesk {
 public:
  explicit DispatchDesk(const NotifyContext& context) : ctx_(context) {}

  // The delivery's timer "send:<id>" fell due: a pending one is sent (a retry schedules the timer
  // again); a final one is purged (once final, the timer waits out the body's retention). OK
  // completes the timer.
  absl::Status OnSendTimer(const timer::Timer& timer);
  absl::Status Dispatch(const std::string& m, const std::string& delivery_id);
  // The timers a pass claimed, before their handlers run: fetches the contact points the send
  // timers among them will need, in one call. Best effort: on an error each send asks itself.
  void Prefetch(const std::vector<timer::Timer>& timers);

 private:
  struct Recipient {
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
    v1::DeliveryReason skip = v1::DELIVERY_REASON_UNSPECIFIED;  // set: no message
    std::string address;                                        // phone or e-mail, in memory only
    std::string first_name;
    v1::Language language = v1::LANGUAGE_DA;
  };
  absl::Status Dispatch(const LoadedDelivery& d);
  // Drops the message body and facts of a final delivery (its retention ran out).
  absl::Status Purge(const LoadedDelivery& d);
  absl::StatusOr<Recipient> FindRecipient(const v1::Delivery& d);
  // Writes `after` over `before` (its events, and the timer: a retry's send timer, or the purge
  // timer once the delivery is final).
  absl::Status Commit(const LoadedDelivery& before, const v1::StoredDelivery& after,
                      std::optional<absl::Time> retry_at);
  absl::Status Skip(const LoadedDelivery& d, v1::DeliveryReason reason);
  absl::Status Postpone(const LoadedDelivery& d, absl::Time until);
  absl::Status Reconcile(const LoadedDelivery& d);
  absl::Status Attempt(const LoadedDelivery& d, const Recipient& r, const v1::MessageFacts& facts);
  double JitterSample();
  // The recipient's contact points (nullopt: kpr-referral does not know the referral), from
  // what Prefetch fetched if it is there, else from kpr-referral.
  absl::StatusOr<std::optional<referral::v1::ContactPoints>> ContactOf(const std::string& m,
                                                                       const std::string& id);

  struct Prefetched {
    std::optional<referral::v1::ContactPoints> contact;
    absl::Time fetched_at;  // real time
  };

  const NotifyContext& ctx_;
  absl::Mutex mu_;
  absl::BitGen bitgen_ ABSL_GUARDED_BY(mu_);
  // By "<municipality>/<referral id>"; each entry is taken by one send.
  absl::flat_hash_map<std::string, Prefetched> prefetched_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DISPATCH_DESK_H_
