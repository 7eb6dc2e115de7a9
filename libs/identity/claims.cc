#include "libs/identity/claims.h"

#include <algorithm>

namespace kpr::identity {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCaseworker:
      return "caseworker";
    case Role::kCoordinator:
      return "coordinator";
    case Role::kInstructor:
      return "instructor";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
    case Role::kService:
      return "service";
    case Role::kUnknown:
      break;
  }
  return "unknown";
}

Role ParseRole(absl::string_view name) {
  for (Role r : {Role::kCaseworker, Role::kCoordinator, Role::kInstructor, Role::kAnalyst,
                 Role::kAdmin, Role::kService}) {
    if (name == RoleName(r)) return r;
  }
  return Role::kUnknown;
}

bool Claims::HasMunicipality(absl::string_view municipality) const {
  return std::find(municipalities.begin(), municipalities.end(), municipality) !=
         municipalities.end();
}

}  // namespace kpr::identity
