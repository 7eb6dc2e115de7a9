#include "services/scheduling/referral_events_handler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kpr/referral/v1/events.pb.h"
#include "libs/bus/envelope.h"

namespace kpr::scheduling {
namespace {

absl::Duration Backoff(uint64_t delivery_count) {
  absl::Duration d = absl::Milliseconds(250);
  for (uint64_t i = 1; i < delivery_count && d < absl::Seconds(30); ++i) d *= 2;
  return std::min(d, absl::Seconds(30));
}

bus::Outcome ToOutcome(const absl::Status& s, const bus::Delivery& d) {
  if (s.ok()) return bus::Ack();
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kDataLoss:
      return bus::DeadLetter(std::string(s.message()));
    default:
      return bus::Retry(Backoff(d.delivery_count), std::string(s.message()));
  }
}

}  // namespace

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
    return ToOutcome(desk_.OnReferralAccepted(*event, *accepted), d);
  }
  if (event->type() == referral::v1::ReferralWithdrawn::descriptor()->full_name()) {
    auto withdrawn = bus::UnpackEvent<referral::v1::ReferralWithdrawn>(*event);
    if (!withdrawn.ok()) return bus::DeadLetter(std::string(withdrawn.status().message()));
    return ToOutcome(desk_.OnReferralWithdrawn(*event, *withdrawn), d);
  }
  return bus::Ack();  // not for scheduling
}

}  // namespace kpr::scheduling
