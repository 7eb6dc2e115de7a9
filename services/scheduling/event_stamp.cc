#include "services/scheduling/event_stamp.h"

#include "libs/bus/envelope.h"

namespace kpr::scheduling {

OutboxEvent StampEvent(const EventStamp& stamp, const std::string& id, absl::string_view name,
                       const google::protobuf::Message& payload) {
  const std::string& correlation = stamp.correlation_id.empty() ? id : stamp.correlation_id;
  return OutboxEvent::From(
      bus::MakeEvent(id, stamp.municipality, payload, stamp.at, correlation, stamp.traceparent),
      bus::EventSubject(kSchedulingService, name, stamp.municipality));
}

}  // namespace kpr::scheduling
