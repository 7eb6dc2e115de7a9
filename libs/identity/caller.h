#ifndef KPR_LIBS_IDENTITY_CALLER_H_
#define KPR_LIBS_IDENTITY_CALLER_H_

// The caller of a desk: the verified claims, and the correlation id and trace the work belongs
// to. A gRPC call gets one from the edge (libs/host/grpc_edge.h); event and timer work acts as
// the service itself (ServiceCaller, CallerForEvent).

#include <string>

#include "absl/strings/string_view.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/identity/claims.h"

namespace kpr::identity {

struct Caller {
  Claims claims;
  std::string correlation_id;
  std::string traceparent;
};

// The service's own identity (role service, subject "kpr-<service>") acting in one municipality,
// for work a timer or an event starts.
Caller ServiceCaller(absl::string_view service, absl::string_view municipality,
                     absl::string_view correlation_id = "", absl::string_view traceparent = "");

// ServiceCaller for the work `event` causes: in the event's municipality, continuing its
// correlation id (its id when it has none) and trace.
Caller CallerForEvent(absl::string_view service, const common::v1::Event& event);

}  // namespace kpr::identity

#endif  // KPR_LIBS_IDENTITY_CALLER_H_
