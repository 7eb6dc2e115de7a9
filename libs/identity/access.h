#ifndef KPR_LIBS_IDENTITY_ACCESS_H_
#define KPR_LIBS_IDENTITY_ACCESS_H_

// The answer every service's access policy gives once it has decided what a role may do, so
// that a refusal reads the same in every service and the tenant check is never forgotten.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/identity/claims.h"

namespace kpr::identity {

// OK when `role_may` and the token holds `municipality`; otherwise PERMISSION_DENIED, "role
// <role> may not do this" or "no access to municipality <m>" (the role is checked first).
absl::Status CheckAccess(const Claims& claims, bool role_may, absl::string_view municipality);

}  // namespace kpr::identity

#endif  // KPR_LIBS_IDENTITY_ACCESS_H_
