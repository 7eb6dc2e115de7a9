#include "services/scheduling/referral_events_handler.h"

#include "absl/strings/str_cat.h"
#include "kpr/referral/v1/events.pb.h"
#include "libs/bus/envelope.h"

namespace kpr::scheduling {
std::vector<bus::Outcome> ReferralEventsHandler::Handle(const std::vector<bus::Delivery>& batch) {
  std::vector<bus::Outcome> out;
  out.reserve(batch.size());
  for (const bus::Delivery& d : batch) out.push_back(HandleOne(d));
  return out;
}

bus::Outcome ReferralEventsHandler::HandleOne(const bus::Delivery& d) {
  auto event = bus::ParseEvent(d.data);
  if (!event.ok()) return bus::DeadLetter(std::string(event.status().message()));
  if (event->type() == referral::v1::ReferralAccepted::descriptor()->full_name()) {
    auto accepted = bus::UnpackEvent<referral::v1::ReferralAccepted>(*event);
    if (!accepted.ok()) return bus::DeadLetter(std::string(accepted.status().message()));
    return bus::OutcomeFor(desk_.OnReferralAccepted(*event, *accepted), d.delivery_count);
  }
  if (event->type() == referral::v1::ReferralWithdrawn::descriptor()->full_name()) {
    auto withdrawn = bus::UnpackEvent<referral::v1::ReferralWithdrawn>(*event);
    if (!withdrawn.ok()) return bus::DeadLetter(std::string(withdrawn.status().message()));
    return bus::OutcomeFor(desk_.OnReferralWithdrawn(*event, *withdrawn), d.delivery_count);
  }
  return bus::Ack();  // not for scheduling
}

}  // namespace kpr::scheduling
