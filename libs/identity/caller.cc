#include "libs/identity/caller.h"

#include "absl/strings/str_cat.h"

namespace kpr::identity {

Caller ServiceCaller(absl::string_view service, absl::string_view municipality,
                     absl::string_view correlation_id, absl::string_view traceparent) {
  Caller c;
  c.claims.subject = absl::StrCat("kpr-", service);
  c.claims.role = Role::kService;
  c.claims.municipalities = {std::string(municipality)};
  c.correlation_id = std::string(correlation_id);
  c.traceparent = std::string(traceparent);
  return c;
}

Caller CallerForEvent(absl::string_view service, const common::v1::Event& event) {
  return ServiceCaller(service, event.municipality(),
                       event.correlation_id().empty() ? event.id() : event.correlation_id(),
                       event.trace().traceparent());
}

}  // namespace kpr::identity
