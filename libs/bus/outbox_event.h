#ifndef KPR_LIBS_BUS_OUTBOX_EVENT_H_
#define KPR_LIBS_BUS_OUTBOX_EVENT_H_

// An event ready for a service's outbox: what a desk's commit appends in the same Redis script
// as the state it changes, and what the outbox relay then publishes with `id` as Nats-Msg-Id.
// One type for every service.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/identity/caller.h"

namespace kpr::bus {

struct OutboxEvent {
  std::string id;       // the event id (= Nats-Msg-Id)
  std::string subject;  // kpr.<context>.v1.<event>.<municipality>
  std::string data;     // serialized kpr.common.v1.Event

  // The envelope around `payload` (MakeEvent), on EventSubject(context, name, municipality),
  // carrying the caller's correlation id and trace.
  static OutboxEvent Make(std::string id, absl::string_view context, absl::string_view name,
                          absl::string_view municipality, const google::protobuf::Message& payload,
                          absl::Time at, const identity::Caller& caller);
  // An envelope built already: id from it, data its serialization.
  static OutboxEvent From(const kpr::common::v1::Event& event, std::string subject);
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_OUTBOX_EVENT_H_
