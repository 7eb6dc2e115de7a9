#ifndef KPR_SERVICES_SCHEDULING_EVENT_STAMP_H_
#define KPR_SERVICES_SCHEDULING_EVENT_STAMP_H_

// How the scheduling service's events are made ready for the outbox. Pure: the desk takes the
// time and the nonce once per attempt at a change (EventStamp) and the functions that decide what
// a change writes build its events from it, so they need neither a clock nor randomness.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

// What every event of one attempt at a change carries besides its payload.
struct EventStamp {
  std::string municipality;
  absl::Time at;               // when it happened (the desk's clock)
  std::string correlation_id;  // the caller's; "" = each event correlates to its own id
  std::string traceparent;
  // Random, in the ids of facts that can repeat (enrolled, waitlisted, unenrolled): a referral
  // enrolled, unenrolled and enrolled again gets new ids, since NATS drops a repeated
  // Nats-Msg-Id.
  std::string nonce;
};

// Scheduling's event `name` (subject kpr.scheduling.v1.<name>.<municipality>) with id `id`.
OutboxEvent StampEvent(const EventStamp& stamp, const std::string& id, absl::string_view name,
                       const google::protobuf::Message& payload);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_EVENT_STAMP_H_
