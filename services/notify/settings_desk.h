#ifndef KPR_SERVICES_NOTIFY_SETTINGS_DESK_H_
#define KPR_SERVICES_NOTIFY_SETTINGS_DESK_H_

// The settings desk: what coordinators, admins and caseworkers set for notify — a citizen's
// channel opt-outs, the municipality's message templates (with previews of what a message will
// look like and cost), the reminder offsets and the coordinator address. Each RPC authorizes
// the caller first (notify_access_policy.h), validates the request (INVALID_ARGUMENT naming the
// fields), decides with settings_rules.h and saves through the SettingsStore at the version the
// caller read (ABORTED when it is stale: the caller reads again, nothing is overwritten blindly).

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "kpr/notify/v1/notify_service.pb.h"
#include "libs/identity/caller.h"
#include "services/notify/settings_store.h"

namespace kpr::notify {

class SettingsDesk {
 public:
  // `store` must outlive the desk. `clock`: the service's domain clock, the one the store was
  // built with (SettingsStore stamps updated_at itself, so no RPC here reads it yet).
  SettingsDesk(SettingsStore& store, std::function<absl::Time()> clock)
      : store_(store), clock_(std::move(clock)) {}

  // Preferences are per referral; the municipality is the referral id's prefix.
  absl::StatusOr<v1::Preferences> GetPreferences(const v1::GetPreferencesRequest& request,
                                                 const identity::Caller& caller);
  absl::StatusOr<v1::Preferences> SetPreferences(const v1::SetPreferencesRequest& request,
                                                 const identity::Caller& caller);

  // Saves a new version; updated_by is the caller's subject.
  absl::StatusOr<v1::Template> UpsertTemplate(const v1::UpsertTemplateRequest& request,
                                              const identity::Caller& caller);
  // Every trigger x language matching the filters: the saved one, else the shipped default.
  absl::StatusOr<v1::ListTemplatesResponse> ListTemplates(const v1::ListTemplatesRequest& request,
                                                          const identity::Caller& caller);
  // The draft if given, else the template in force, rendered with example values.
  absl::StatusOr<v1::PreviewMessageResponse> PreviewMessage(
      const v1::PreviewMessageRequest& request, const identity::Caller& caller);

  // Saved longest first.
  absl::StatusOr<v1::ReminderOffsets> SetReminderOffsets(
      const v1::SetReminderOffsetsRequest& request, const identity::Caller& caller);
  // The program's saved offsets, else those in force for it (the municipality's default, else
  // kpr's) at version 0.
  absl::StatusOr<v1::ReminderOffsets> GetReminderOffsets(
      const v1::GetReminderOffsetsRequest& request, const identity::Caller& caller);

  absl::StatusOr<v1::CoordinatorContact> SetCoordinatorContact(
      const v1::SetCoordinatorContactRequest& request, const identity::Caller& caller);
  absl::StatusOr<v1::CoordinatorContact> GetCoordinatorContact(
      const v1::GetCoordinatorContactRequest& request, const identity::Caller& caller);

 private:
  SettingsStore& store_;
  std::function<absl::Time()> clock_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SETTINGS_DESK_H_
