#include "services/notify/notify_access_policy.h"

#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace kpr::notify {
namespace {

identity::Claims As(identity::Role role) {
  identity::Claims c;
  c.subject = "someone";
  c.role = role;
  c.municipalities = {"0165"};
  return c;
}

const std::vector<NotifyRpc> kAll = {
    NotifyRpc::kListDeliveries,       NotifyRpc::kGetPreferences,
    NotifyRpc::kSetPreferences,       NotifyRpc::kUpsertTemplate,
    NotifyRpc::kListTemplates,        NotifyRpc::kPreviewMessage,
    NotifyRpc::kSendMessage,          NotifyRpc::kSetReminderOffsets,
    NotifyRpc::kGetReminderOffsets,   NotifyRpc::kSetCoordinatorContact,
    NotifyRpc::kGetCoordinatorContact};

bool Allowed(identity::Role role, NotifyRpc rpc) {
  return AuthorizeNotify(rpc, As(role), "0165").ok();
}

TEST(NotifyAccessPolicy, CoordinatorMayDoEverythingInItsMunicipalityOnly) {
  for (NotifyRpc r : kAll) {
    EXPECT_TRUE(Allowed(identity::Role::kCoordinator, r)) << static_cast<int>(r);
    absl::Status other = AuthorizeNotify(r, As(identity::Role::kCoordinator), "0183");
    EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(other.message(), "no access to municipality 0183");
  }
}

TEST(NotifyAccessPolicy, AdminsKeepTheSettingsButNeverACitizensData) {
  const std::set<NotifyRpc> settings = {
      NotifyRpc::kUpsertTemplate,       NotifyRpc::kListTemplates,
      NotifyRpc::kPreviewMessage,       NotifyRpc::kSetReminderOffsets,
      NotifyRpc::kGetReminderOffsets,   NotifyRpc::kSetCoordinatorContact,
      NotifyRpc::kGetCoordinatorContact};
  for (NotifyRpc r : kAll) {
    EXPECT_EQ(Allowed(identity::Role::kAdmin, r), settings.count(r) == 1) << static_cast<int>(r);
  }
  EXPECT_FALSE(Allowed(identity::Role::kAdmin, NotifyRpc::kGetPreferences));
  EXPECT_FALSE(Allowed(identity::Role::kAdmin, NotifyRpc::kSendMessage));
  EXPECT_FALSE(Allowed(identity::Role::kAdmin, NotifyRpc::kListDeliveries));
  EXPECT_EQ(AuthorizeNotify(NotifyRpc::kUpsertTemplate, As(identity::Role::kAdmin), "0183").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(NotifyAccessPolicy, CaseworkersRecordPreferencesAndSeeDeliveriesOnly) {
  const std::set<NotifyRpc> theirs = {NotifyRpc::kGetPreferences, NotifyRpc::kSetPreferences,
                                      NotifyRpc::kListDeliveries};
  for (NotifyRpc r : kAll) {
    EXPECT_EQ(Allowed(identity::Role::kCaseworker, r), theirs.count(r) == 1) << static_cast<int>(r);
  }
  EXPECT_EQ(
      AuthorizeNotify(NotifyRpc::kSetPreferences, As(identity::Role::kCaseworker), "0183").code(),
      absl::StatusCode::kPermissionDenied);
}

TEST(NotifyAccessPolicy, InstructorsAnalystsServicesAndUnknownRolesGetNothing) {
  for (identity::Role role : {identity::Role::kInstructor, identity::Role::kAnalyst,
                              identity::Role::kService, identity::Role::kUnknown}) {
    for (NotifyRpc r : kAll) {
      absl::Status s = AuthorizeNotify(r, As(role), "0165");
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << static_cast<int>(r);
    }
  }
}

TEST(NotifyAccessPolicy, ATokenWithoutMunicipalitiesReachesNone) {
  identity::Claims none = As(identity::Role::kCoordinator);
  none.municipalities.clear();
  EXPECT_EQ(AuthorizeNotify(NotifyRpc::kListTemplates, none, "0165").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuthorizeNotify(NotifyRpc::kListTemplates, none, "").code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kpr::notify
