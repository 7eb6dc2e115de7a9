#ifndef KPR_LIBS_BUS_ENVELOPE_H_
#define KPR_LIBS_BUS_ENVELOPE_H_

// The kpr.common.v1.Event envelope: building, parsing and unpacking, and the subject scheme
// kpr.<context>.v1.<event>.<municipality>.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kpr/common/v1/event.pb.h"

namespace kpr::bus {

// "kpr.<context>.v1.<event_name>.<municipality>".
std::string EventSubject(absl::string_view context, absl::string_view event_name,
                         absl::string_view municipality);

// type = the payload's full protobuf name; payload packed into Any.
kpr::common::v1::Event MakeEvent(std::string id, absl::string_view municipality,
                                 const google::protobuf::Message& payload, absl::Time occurred_at,
                                 absl::string_view correlation_id, absl::string_view traceparent,
                                 absl::string_view tracestate = "");

// INVALID_ARGUMENT if the payload holds another type or does not decode.
template <typename T>
absl::StatusOr<T> UnpackEvent(const kpr::common::v1::Event& event) {
  if (!event.payload().template Is<T>()) {
    return absl::InvalidArgumentError(absl::StrCat("event payload is ", event.payload().type_url(),
                                                   ", not ", T::descriptor()->full_name()));
  }
  T out;
  if (!event.payload().UnpackTo(&out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("event payload does not decode as ", T::descriptor()->full_name()));
  }
  return out;
}

// INVALID_ARGUMENT if `data` is not an Event or id, type or municipality is missing.
absl::StatusOr<kpr::common::v1::Event> ParseEvent(absl::string_view data);

// The last token of the subject if it is four digits, else "".
std::string MunicipalityFromSubject(absl::string_view subject);

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_ENVELOPE_H_
