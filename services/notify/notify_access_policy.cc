#include "services/notify/notify_access_policy.h"

#include "libs/identity/access.h"

namespace kpr::notify {
namespace {

bool RoleMay(NotifyRpc rpc, identity::Role role) {
  switch (role) {
    case identity::Role::kCoordinator:
      return true;
    case identity::Role::kAdmin:
      // The municipality's settings, never a citizen's data or a message to one.
      return rpc == NotifyRpc::kUpsertTemplate || rpc == NotifyRpc::kListTemplates ||
             rpc == NotifyRpc::kPreviewMessage || rpc == NotifyRpc::kSetReminderOffsets ||
             rpc == NotifyRpc::kGetReminderOffsets || rpc == NotifyRpc::kSetCoordinatorContact ||
             rpc == NotifyRpc::kGetCoordinatorContact;
    case identity::Role::kCaseworker:
      // The caseworker is who hears a citizen say "no SMS", and who is asked what reached them.
      return rpc == NotifyRpc::kGetPreferences || rpc == NotifyRpc::kSetPreferences ||
             rpc == NotifyRpc::kListDeliveries;
    default:
      return false;
  }
}

}  // namespace

absl::Status AuthorizeNotify(NotifyRpc rpc, const identity::Claims& claims,
                             absl::string_view municipality) {
  return identity::CheckAccess(claims, RoleMay(rpc, claims.role), municipality);
}

}  // namespace kpr::notify
