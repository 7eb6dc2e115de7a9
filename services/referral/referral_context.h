#ifndef KPR_SERVICES_REFERRAL_REFERRAL_CONTEXT_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_CONTEXT_H_

// What every desk of the referral service works over: the store, the sealing and pseudonym keys,
// the audit trail, the clock, and the outbox notifier; plus the few helpers they share.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpr/referral/v1/referral.pb.h"
#include "libs/bus/outbox_relay.h"
#include "libs/identity/caller.h"
#include "libs/privacy/audit_trail.h"
#include "libs/privacy/pseudonym.h"
#include "libs/privacy/sealed_box.h"
#include "services/referral/referral_store.h"

namespace kpr::referral {

using identity::Caller;

struct ReferralContext {
  using Clock = std::function<absl::Time()>;
  ReferralContext(ReferralStore& store, const privacy::SealedBox& sealed_box,
                  const privacy::Pseudonymizer& pseudonymizer, privacy::AuditTrail& audit,
                  std::function<void()> on_outbox_write, Clock clock = absl::Now)
      : store(store),
        sealed_box(sealed_box),
        pseudonymizer(pseudonymizer),
        audit(audit),
        on_outbox_write(std::move(on_outbox_write)),
        clock(std::move(clock)) {}

  // The referral `id`: INVALID_ARGUMENT for a malformed id, NOT_FOUND for an unknown one.
  absl::StatusOr<LoadedReferral> Load(const std::string& id) const;
  // Wakes the outbox relay after a write that appended to the outbox.
  void NotifyOutbox() const {
    if (on_outbox_write) on_outbox_write();
  }
  // Hands events just appended to `municipality`'s outbox to the relay, which publishes them
  // without reading them back. False without a relay or if it did not take them: then
  // NotifyOutbox().
  bool HandOver(const std::string& municipality, std::vector<store::OutboxEntry> entries) const {
    return relay != nullptr && relay->HandOver(municipality, std::move(entries));
  }
  // A referral event for the outbox (kpr.referral.v1.<name>.<municipality>).
  OutboxEvent Event(const std::string& id, absl::string_view name, const std::string& municipality,
                    const google::protobuf::Message& payload, absl::Time at,
                    const Caller& caller) const {
    return OutboxEvent::Make(id, "referral", name, municipality, payload, at, caller);
  }
  // The referral's sealed contact, opened. DATA_LOSS if it does not open or decode. Callers
  // that show it record the read in the audit trail first.
  absl::StatusOr<v1::Contact> OpenContact(const v1::StoredReferral& stored) const;
  // The contact sealed for storage; "" if sealing failed (never store it in clear).
  std::string SealContact(const v1::Contact& contact, const std::string& referral_id) const;

  ReferralStore& store;
  const privacy::SealedBox& sealed_box;
  const privacy::Pseudonymizer& pseudonymizer;
  privacy::AuditTrail& audit;
  std::function<void()> on_outbox_write;
  Clock clock;
  // The outbox's relay, if it runs in this process (HandOver).
  bus::OutboxRelay* relay = nullptr;
  // Funnel counts below this are withheld (KPR_SUPPRESSION_THRESHOLD).
  int suppression_threshold = 5;
};

google::protobuf::Timestamp Ts(absl::Time t);
absl::Time FromTs(const google::protobuf::Timestamp& ts);
absl::Status MalformedId();

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_CONTEXT_H_
