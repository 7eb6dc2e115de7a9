#ifndef KPR_SERVICES_REFERRAL_INTAKE_HANDLER_H_
#define KPR_SERVICES_REFERRAL_INTAKE_HANDLER_H_

// Thin adapter from the KPR_INTAKE consumer to the referral desk. A batch of submissions is
// validated, then stored (or its rejection recorded) in one Redis pipeline; a message is acked
// only after its script ran. The received events the scripts appended to the outbox are handed
// to the outbox relay (bus::OutboxRelay::HandOver), which publishes them without reading them
// back; anything it does not take it reads back from the outbox as usual. An undecodable message
// is a dead letter; a Redis outage is a retry with backoff (nak), never a drop.

#include <vector>

#include "libs/bus/consumer.h"
#include "libs/bus/event_router.h"
#include "libs/bus/outbox_relay.h"
#include "libs/store/redis_pool.h"
#include "services/referral/intake_desk.h"
#include "services/referral/referral_store.h"

namespace kpr::referral {

class IntakeHandler {
 public:
  // `relay` (optional): the outbox's relay, handed the received events of each stored batch so it
  // need not read them back; without it the desk's outbox notifier wakes a read-back.
  IntakeHandler(IntakeDesk& desk, ReferralStore& store, store::RedisPool& pool,
                bus::OutboxRelay* relay = nullptr);
  std::vector<bus::Outcome> Handle(const std::vector<bus::Delivery>& batch);

 private:
  IntakeDesk& desk_;
  ReferralStore& store_;
  store::RedisPool& pool_;
  bus::OutboxRelay* const relay_;
  bus::EventRouter router_;  // its envelope checks; the batch is handled here
};

inline constexpr char kIntakeConsumer[] = "referral-intake";

// A submission whose store fails for another reason than an outage this many times is a dead
// letter (a Redis outage is retried however long it lasts).
inline constexpr uint64_t kMaxDeliveriesOnError = 10;

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_INTAKE_HANDLER_H_
