#ifndef KPR_SERVICES_NOTIFY_DELIVERY_EVENTS_H_
#define KPR_SERVICES_NOTIFY_DELIVERY_EVENTS_H_
// The events a delivery's change appends to notify's outbox (KPR_NOTIFY): message_sent,
// message_delivered, message_failed. They carry ids and counts, never a phone number, an address
// or a text. Each happens at most once per delivery, so its id is the delivery's and the event's
// name: a repeated commit is refused by the delivery's version, and a repeated publish by the
// duplicate window. Pure.
#include <vector>

#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "libs/bus/outbox_event.h"

namespace kpr::notify {

bus::OutboxEvent MessageSentEvent(const v1::Delivery& d, absl::Time now);
bus::OutboxEvent MessageDeliveredEvent(const v1::Delivery& d, absl::Time now);
bus::OutboxEvent MessageFailedEvent(const v1::Delivery& d, absl::Time now);

// What a change from `before` to `after` emits: sent when it became SENT, delivered when it
// became DELIVERED, failed when it became FAILED; nothing otherwise.
std::vector<bus::OutboxEvent> EventsForChange(v1::DeliveryStatus before, const v1::Delivery& after,
                                              absl::Time now);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DELIVERY_EVENTS_H_
