#ifndef KPR_SERVICES_NOTIFY_NOTIFY_ACCESS_POLICY_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_ACCESS_POLICY_H_

// Who may call which NotifyService RPC. Pure: decided from the token's claims and the
// municipality the request is about (a referral's is its id's prefix).
//
//   coordinator  every RPC.
//   admin        the municipality's settings: UpsertTemplate, ListTemplates, PreviewMessage,
//                Set/GetReminderOffsets, Set/GetCoordinatorContact. Not a citizen's
//                preferences, not deliveries, not SendMessage.
//   caseworker   GetPreferences, SetPreferences (recording a citizen's "no SMS" wish) and
//                ListDeliveries (what reached the citizen).
//   instructor, analyst, service (and an unknown role)  nothing.
// Every call is limited to the municipalities in the token. PERMISSION_DENIED otherwise.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/identity/claims.h"

namespace kpr::notify {

// Every RPC of kpr.notify.v1.NotifyService.
enum class NotifyRpc {
  kListDeliveries,
  kGetPreferences,
  kSetPreferences,
  kUpsertTemplate,
  kListTemplates,
  kPreviewMessage,
  kSendMessage,
  kSetReminderOffsets,
  kGetReminderOffsets,
  kSetCoordinatorContact,
  kGetCoordinatorContact,
};

absl::Status AuthorizeNotify(NotifyRpc rpc, const identity::Claims& claims,
                             absl::string_view municipality);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_ACCESS_POLICY_H_
