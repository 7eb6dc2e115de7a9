#include "libs/identity/access.h"

#include "absl/strings/str_cat.h"

namespace kpr::identity {

absl::Status CheckAccess(const Claims& claims, bool role_may, absl::string_view municipality) {
  if (!role_may) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", RoleName(claims.role), " may not do this"));
  }
  if (!claims.HasMunicipality(municipality)) {
    return absl::PermissionDeniedError(absl::StrCat("no access to municipality ", municipality));
  }
  return absl::OkStatus();
}

}  // namespace kpr::identity
