#include "libs/bus/outbox_event.h"

#include <utility>

#include "libs/bus/envelope.h"

namespace kpr::bus {

OutboxEvent OutboxEvent::Make(std::string id, absl::string_view context, absl::string_view name,
                              absl::string_view municipality,
                              const google::protobuf::Message& payload, absl::Time at,
                              const identity::Caller& caller) {
  kpr::common::v1::Event event =
      MakeEvent(id, municipality, payload, at, caller.correlation_id, caller.traceparent);
  return OutboxEvent{std::move(id), EventSubject(context, name, municipality),
                     event.SerializeAsString()};
}

OutboxEvent OutboxEvent::From(const kpr::common::v1::Event& event, std::string subject) {
  return OutboxEvent{event.id(), std::move(subject), event.SerializeAsString()};
}

}  // namespace kpr::bus
