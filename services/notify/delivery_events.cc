#include "services/notify/delivery_events.h"

#include "absl/strings/str_cat.h"
#include "kpr/notify/v1/events.pb.h"
#include "libs/identity/caller.h"

namespace kpr::notify {
namespace {

bus::OutboxEvent Make(const v1::Delivery& d, absl::string_view name,
                      const google::protobuf::Message& payload, absl::Time now) {
  return bus::OutboxEvent::Make(absl::StrCat(d.delivery_id(), ":", name), "notify", name,
                                d.municipality(), payload, now,
                                identity::ServiceCaller("notify", d.municipality()));
}

}  // namespace

bus::OutboxEvent MessageSentEvent(const v1::Delivery& d, absl::Time now) {
  v1::MessageSent e;
  e.set_delivery_id(d.delivery_id());
  e.set_referral_id(d.referral_id());
  e.set_cohort_id(d.cohort_id());
  e.set_session_id(d.session_id());
  e.set_trigger(d.trigger());
  e.set_channel(d.channel());
  e.set_sms_segments(d.sms_segments());
  e.set_attempts(d.attempts());
  e.set_possibly_duplicated(d.possibly_duplicated());
  return Make(d, "message_sent", e, now);
}

bus::OutboxEvent MessageDeliveredEvent(const v1::Delivery& d, absl::Time now) {
  v1::MessageDelivered e;
  e.set_delivery_id(d.delivery_id());
  e.set_referral_id(d.referral_id());
  e.set_cohort_id(d.cohort_id());
  e.set_trigger(d.trigger());
  e.set_channel(d.channel());
  return Make(d, "message_delivered", e, now);
}

bus::OutboxEvent MessageFailedEvent(const v1::Delivery& d, absl::Time now) {
  v1::MessageFailed e;
  e.set_delivery_id(d.delivery_id());
  e.set_referral_id(d.referral_id());
  e.set_cohort_id(d.cohort_id());
  e.set_session_id(d.session_id());
  e.set_trigger(d.trigger());
  e.set_channel(d.channel());
  e.set_reason(d.reason());
  e.set_attempts(d.attempts());
  return Make(d, "message_failed", e, now);
}

std::vector<bus::OutboxEvent> EventsForChange(v1::DeliveryStatus before, const v1::Delivery& after,
                                              absl::Time now) {
  if (after.status() == before) return {};
  switch (after.status()) {
    case v1::DELIVERY_STATUS_SENT:
      return {MessageSentEvent(after, now)};
    case v1::DELIVERY_STATUS_DELIVERED:
      return {MessageDeliveredEvent(after, now)};
    case v1::DELIVERY_STATUS_FAILED:
      return {MessageFailedEvent(after, now)};
    default:
      return {};
  }
}

}  // namespace kpr::notify
