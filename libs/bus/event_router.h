#ifndef KPR_LIBS_BUS_EVENT_ROUTER_H_
#define KPR_LIBS_BUS_EVENT_ROUTER_H_

// The one way kpr consumes events. Every consumer of every service hands its deliveries to an
// EventRouter, which checks what an event claims before any handler sees it:
//  - the bytes decode as a kpr.common.v1.Event with id, type and municipality;
//  - the envelope's municipality is the one its subject ends in (anyone allowed to publish on
//    "*.0165" must not be able to change 0183's data);
//  - the envelope's type is its payload's full protobuf name, and the payload decodes;
//  - the payload's own `municipality` and the municipality of its `referral_id` (ids start with
//    their municipality) agree with the envelope.
// A failed check is a dead letter with the reason. An event of a type no handler is registered
// for is acked and counted in kpr_events_unrouted_total{consumer,type}. A handler's status is
// turned into ack, nak with backoff, or dead letter by OutcomeFor, in this one place.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/bus/consumer.h"
#include "libs/bus/envelope.h"

namespace kpr::bus {

class EventRouter {
 public:
  // `consumer` names the consumer in metrics ("referral-intake").
  explicit EventRouter(std::string consumer) : consumer_(std::move(consumer)) {}

  // Registers the handler for payload type T. A second handler for one type replaces the first.
  template <typename T>
  EventRouter& On(std::function<absl::Status(const kpr::common::v1::Event&, const T&)> handler) {
    handlers_[T::descriptor()->full_name()] = [handler = std::move(handler)](
                                                  const kpr::common::v1::Event& event,
                                                  const google::protobuf::Message& payload) {
      return handler(event, static_cast<const T&>(payload));
    };
    prototypes_[T::descriptor()->full_name()] = &T::default_instance();
    return *this;
  }

  // Routes each delivery (in order) and returns its outcome.
  std::vector<Outcome> Route(const std::vector<Delivery>& batch) const;
  Outcome RouteOne(const Delivery& delivery) const;

  // The envelope checks alone, for a handler that works on whole batches (the referral
  // intake): the event, if it decodes, its municipality is its subject's, and its type is its
  // payload's; else INVALID_ARGUMENT with the reason (a dead letter).
  absl::StatusOr<kpr::common::v1::Event> ScreenEnvelope(const Delivery& delivery) const;

  // Ignores events of type T: acked, and not counted as unrouted (types a consumer's filter
  // brings along that it knowingly does not need).
  template <typename T>
  EventRouter& Ignore() {
    return On<T>([](const kpr::common::v1::Event&, const T&) { return absl::OkStatus(); });
  }

  // Counts an event of a type nobody handles (what RouteOne does before acking it).
  void CountUnrouted(absl::string_view type) const;

 private:
  using Handler =
      std::function<absl::Status(const kpr::common::v1::Event&, const google::protobuf::Message&)>;
  std::string consumer_;
  absl::flat_hash_map<std::string, Handler> handlers_;
  absl::flat_hash_map<std::string, const google::protobuf::Message*> prototypes_;
};

// The checks RouteOne makes on a decoded payload against its envelope: a string field
// `municipality` must equal the envelope's, and a string field `referral_id` (or each of a
// repeated `referral_ids`) must belong to it. INVALID_ARGUMENT naming the field otherwise.
absl::Status CheckPayloadTenant(const kpr::common::v1::Event& event,
                                const google::protobuf::Message& payload);

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_EVENT_ROUTER_H_
