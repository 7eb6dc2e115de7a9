#include "libs/bus/envelope.h"

#include <utility>

#include "absl/strings/ascii.h"

namespace kpr::bus {

std::string EventSubject(absl::string_view context, absl::string_view event_name,
                         absl::string_view municipality) {
  return absl::StrCat("kpr.", context, ".v1.", event_name, ".", municipality);
}

kpr::common::v1::Event MakeEvent(std::string id, absl::string_view municipality,
                                 const google::protobuf::Message& payload, absl::Time occurred_at,
                                 absl::string_view correlation_id, absl::string_view traceparent,
                                 absl::string_view tracestate) {
  kpr::common::v1::Event event;
  event.set_id(std::move(id));
  event.set_type(payload.GetDescriptor()->full_name());
  event.set_municipality(std::string(municipality));
  const int64_t nanos = absl::ToUnixNanos(occurred_at);
  auto* ts = event.mutable_occurred_at();
  ts->set_seconds(nanos >= 0 ? nanos / 1000000000 : -((-nanos + 999999999) / 1000000000));
  ts->set_nanos(static_cast<int32_t>(nanos - ts->seconds() * 1000000000));
  event.set_correlation_id(std::string(correlation_id));
  event.mutable_trace()->set_traceparent(std::string(traceparent));
  event.mutable_trace()->set_tracestate(std::string(tracestate));
  event.mutable_payload()->PackFrom(payload);
  return event;
}

absl::StatusOr<kpr::common::v1::Event> ParseEvent(absl::string_view data) {
  kpr::common::v1::Event event;
  if (!event.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return absl::InvalidArgumentError("undecodable event: not a kpr.common.v1.Event");
  }
  if (event.id().empty()) return absl::InvalidArgumentError("event: id missing");
  if (event.type().empty()) return absl::InvalidArgumentError("event: type missing");
  if (event.municipality().empty()) {
    return absl::InvalidArgumentError("event: municipality missing");
  }
  return event;
}

std::string MunicipalityFromSubject(absl::string_view subject) {
  const size_t dot = subject.rfind('.');
  absl::string_view last = dot == absl::string_view::npos ? subject : subject.substr(dot + 1);
  if (last.size() != 4) return "";
  for (char c : last) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return "";
  }
  return std::string(last);
}

}  // namespace kpr::bus
