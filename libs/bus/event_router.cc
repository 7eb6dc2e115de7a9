#include "libs/bus/event_router.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "libs/identity/municipality.h"
#include "libs/observe/metrics.h"

namespace kpr::bus {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// "type.googleapis.com/kpr.x.v1.Y" -> "kpr.x.v1.Y".
absl::string_view PayloadType(const kpr::common::v1::Event& event) {
  absl::string_view url = event.payload().type_url();
  const size_t slash = url.rfind('/');
  return slash == absl::string_view::npos ? url : url.substr(slash + 1);
}

absl::Status CheckIdTenant(absl::string_view field, absl::string_view id,
                           absl::string_view municipality) {
  // An id names its municipality in its prefix ("0165-..."); one naming another is refused. (An
  // id without a prefix names none, and its data is filed under the event's municipality.)
  const std::string owner = identity::MunicipalityOfId(id);
  if (owner.empty() || owner == municipality) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, " belongs to another municipality than the event's ", municipality));
}

}  // namespace

absl::Status CheckPayloadTenant(const kpr::common::v1::Event& event, const Message& payload) {
  const google::protobuf::Descriptor* d = payload.GetDescriptor();
  const google::protobuf::Reflection* r = payload.GetReflection();
  if (const FieldDescriptor* f = d->FindFieldByName("municipality");
      f != nullptr && f->type() == FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
    const std::string m = r->GetString(payload, f);
    if (!m.empty() && m != event.municipality()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "payload municipality ", m, " differs from the envelope's ", event.municipality()));
    }
  }
  if (const FieldDescriptor* f = d->FindFieldByName("referral_id");
      f != nullptr && f->type() == FieldDescriptor::TYPE_STRING && !f->is_repeated()) {
    absl::Status s = CheckIdTenant("referral_id", r->GetString(payload, f), event.municipality());
    if (!s.ok()) return s;
  }
  if (const FieldDescriptor* f = d->FindFieldByName("referral_ids");
      f != nullptr && f->type() == FieldDescriptor::TYPE_STRING && f->is_repeated()) {
    for (int i = 0; i < r->FieldSize(payload, f); ++i) {
      absl::Status s =
          CheckIdTenant("referral_ids", r->GetRepeatedString(payload, f, i), event.municipality());
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<kpr::common::v1::Event> EventRouter::ScreenEnvelope(const Delivery& delivery) const {
  absl::StatusOr<kpr::common::v1::Event> event = ParseEvent(delivery.data);
  if (!event.ok()) return event.status();
  const std::string subject_municipality = MunicipalityFromSubject(delivery.subject);
  if (subject_municipality != event->municipality()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "envelope municipality ", event->municipality(), " differs from the subject's ",
        subject_municipality.empty() ? "(none)" : subject_municipality));
  }
  if (PayloadType(*event) != event->type()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "envelope type ", event->type(), " differs from its payload's ", PayloadType(*event)));
  }
  return event;
}

void EventRouter::CountUnrouted(absl::string_view type) const {
  observe::MetricsRegistry::Global()
      .GetCounter("kpr_events_unrouted_total",
                  "Events acked without handling: no handler for their type.",
                  {{"consumer", consumer_}, {"type", std::string(type)}})
      .Increment();
}

Outcome EventRouter::RouteOne(const Delivery& delivery) const {
  absl::StatusOr<kpr::common::v1::Event> event = ScreenEnvelope(delivery);
  if (!event.ok()) return DeadLetter(std::string(event.status().message()));
  auto handler = handlers_.find(event->type());
  if (handler == handlers_.end()) {
    CountUnrouted(event->type());
    return Ack();
  }
  std::unique_ptr<Message> payload(prototypes_.at(event->type())->New());
  if (!payload->ParseFromString(event->payload().value())) {
    return DeadLetter(absl::StrCat("event payload does not decode as ", event->type()));
  }
  if (absl::Status tenant = CheckPayloadTenant(*event, *payload); !tenant.ok()) {
    return DeadLetter(std::string(tenant.message()));
  }
  return OutcomeFor(handler->second(*event, *payload), delivery.delivery_count);
}

std::vector<Outcome> EventRouter::Route(const std::vector<Delivery>& batch) const {
  std::vector<Outcome> out;
  out.reserve(batch.size());
  for (const Delivery& d : batch) out.push_back(RouteOne(d));
  return out;
}

}  // namespace kpr::bus
