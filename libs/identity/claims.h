#ifndef KPR_LIBS_IDENTITY_CLAIMS_H_
#define KPR_LIBS_IDENTITY_CLAIMS_H_

// Who a caller is, as its verified token says: subject, role and the municipalities it acts in.
// Plain data with no transport in it, so desks and pure policies can take it without gRPC.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::identity {

enum class Role { kUnknown, kCaseworker, kCoordinator, kInstructor, kAnalyst, kAdmin, kService };

// "caseworker", "coordinator", "instructor", "analyst", "admin", "service"; "unknown" for
// kUnknown.
absl::string_view RoleName(Role role);
// Exact lower-case names only; anything else is kUnknown.
Role ParseRole(absl::string_view name);

struct Claims {
  std::string subject;                             // "sub"
  Role role = Role::kUnknown;                      // "role"
  std::vector<std::string> municipalities;         // "municipalities": four-digit codes
  absl::Time issued_at = absl::InfinitePast();     // "iat", if the token has one
  absl::Time expires_at = absl::InfiniteFuture();  // "exp"

  bool HasMunicipality(absl::string_view municipality) const;
};

}  // namespace kpr::identity

#endif  // KPR_LIBS_IDENTITY_CLAIMS_H_
