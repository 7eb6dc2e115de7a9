#ifndef KPR_SERVICES_REFERRAL_INTAKE_HANDLER_H_
#define KPR_SERVICES_REFERRAL_INTAKE_HANDLER_H_

// Thin adapter from the KPR_INTAKE consumer to the intake desk: the router's envelope checks on
// each message, then the batch's submissions to IntakeDesk::SubmitBatch, and its results as acks
// (stored, duplicate, rejected), naks with backoff (retry) or dead letters. A message is acked
// only after it was stored. An undecodable message is a dead letter; a Redis outage is a retry
// with backoff, never a drop.

#include <cstdint>
#include <vector>

#include "libs/bus/consumer.h"
#include "libs/bus/event_router.h"
#include "services/referral/intake_desk.h"

namespace kpr::referral {

class IntakeHandler {
 public:
  explicit IntakeHandler(IntakeDesk& desk);
  std::vector<bus::Outcome> Handle(const std::vector<bus::Delivery>& batch);

 private:
  IntakeDesk& desk_;
  bus::EventRouter router_;  // its envelope checks; the batch is handled here
};

inline constexpr char kIntakeConsumer[] = "referral-intake";

// A submission whose store fails for another reason than an outage this many times is a dead
// letter (a Redis outage is retried however long it lasts).
inline constexpr uint64_t kMaxDeliveriesOnError = 10;

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_INTAKE_HANDLER_H_
