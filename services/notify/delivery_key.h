#ifndef KPR_SERVICES_NOTIFY_DELIVERY_KEY_H_
#define KPR_SERVICES_NOTIFY_DELIVERY_KEY_H_

// Exactly one message per (triggering fact, recipient, channel): the delivery id is a function
// of those and nothing else, so a redelivered event, a second replica or a restart after a crash
// computes the same id, finds the delivery already recorded, and sends nothing new. Towards the
// providers the same id is the idempotency key: the SMS gateway's `userref` and the e-mail's
// `Message-ID`, so a resend after a crash carries the key of the first attempt.
//
// Delivery id: "<municipality>-<26 Crockford base32 characters>", e.g.
// "0165-ZM0W05BJVYF7VA9Q3560W883X4": 128 bits of SHA-256 over the inputs, each length-prefixed
// (kpr.notify.delivery.v1|4:0165|<n>:<fact>|<n>:<recipient>|<n>:CHANNEL_SMS). The municipality
// prefix routes a callback to its tenant's keys without a global index. Not keyed: the inputs
// are ids, not personal data, and every replica must agree without sharing a secret.
//
// Userref: the id without its '-' (30 ASCII letters and digits). GatewayAPI documents `userref`
// as an opaque string and states no maximum; 30 alphanumerics also fit the 32-character client
// references other gateways allow, so a failover provider takes the same key. Pure.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"

namespace kpr::notify {

// What a message answers. Two messages for the same fact, recipient and channel are one.
class TriggeringFact {
 public:
  // An event (referral accepted, enrolled, session moved, questionnaire due, ...): its id.
  static TriggeringFact Event(absl::string_view event_id);
  // A session reminder: the session, when it starts, and how long before. A session that moves
  // gets new reminders (the start is part of the fact); the same reminder retried does not.
  static TriggeringFact Reminder(absl::string_view session_id, absl::Time session_start,
                                 absl::Duration offset);
  // A coordinator's SendMessage: the client-chosen request id.
  static TriggeringFact Request(absl::string_view request_id);

  // "event:<id>", "reminder:<session>:<start unix seconds>:<offset minutes>",
  // "request:<id>". Kinds are spelled out so an event id can never collide with a request id.
  const std::string& canonical() const { return canonical_; }

 private:
  explicit TriggeringFact(std::string canonical) : canonical_(std::move(canonical)) {}
  std::string canonical_;
};

// The recipient of a drop-out risk e-mail (the municipality's coordinator address). Citizens are
// named by their referral id.
inline constexpr absl::string_view kCoordinatorRecipient = "coordinator";

std::string DeliveryIdFor(absl::string_view municipality, const TriggeringFact& fact,
                          absl::string_view recipient, v1::Channel channel);
bool IsDeliveryId(absl::string_view id);

// "<0165-8Z3K...@kpr.notify>", the e-mail's Message-ID header.
std::string MessageIdFor(absl::string_view delivery_id);
// The delivery id of a Message-ID (angle brackets optional), or "" if it is not one of ours.
std::string DeliveryIdFromMessageId(absl::string_view message_id);

inline constexpr size_t kUserrefLength = 30;
std::string UserrefFor(absl::string_view delivery_id);
// The delivery id of a userref from a delivery report, or "" if malformed.
std::string DeliveryIdFromUserref(absl::string_view userref);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DELIVERY_KEY_H_
