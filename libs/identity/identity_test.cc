#include "gtest/gtest.h"
#include "libs/identity/access.h"
#include "libs/identity/caller.h"
#include "libs/identity/claims.h"
#include "libs/identity/municipality.h"

namespace kpr::identity {
namespace {

TEST(Municipality, CodesAreFourDigits) {
  EXPECT_TRUE(IsMunicipalityCode("0165"));
  EXPECT_FALSE(IsMunicipalityCode("165"));
  EXPECT_FALSE(IsMunicipalityCode("01650"));
  EXPECT_FALSE(IsMunicipalityCode("01a5"));
  EXPECT_FALSE(IsMunicipalityCode(""));
  EXPECT_FALSE(IsMunicipalityCode("01}5"));  // would break out of a {hash tag}
  EXPECT_FALSE(IsMunicipalityCode(" 165"));
  EXPECT_FALSE(IsMunicipalityCode("\xd9\xa1\xd9\xa2"));  // Arabic-Indic digits: not ASCII
  EXPECT_TRUE(CheckMunicipality("municipality", "0183").ok());
  absl::Status bad = CheckMunicipality("cohort.municipality", "Ishøj");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "cohort.municipality: must be a four-digit municipality code, e.g. 0165");
}

TEST(Municipality, OfPrefixedIds) {
  EXPECT_EQ(MunicipalityOfId("0165-7GYQN14W1CRCPH7KWQN3JM0EJT"), "0165");
  EXPECT_EQ(MunicipalityOfId("0183-x"), "0183");
  EXPECT_EQ(MunicipalityOfId("0183-"), "");
  EXPECT_EQ(MunicipalityOfId("0183x1"), "");
  EXPECT_EQ(MunicipalityOfId("r1"), "");
  EXPECT_EQ(MunicipalityOfId("abcd-1"), "");
}

TEST(Roles, NamesRoundTrip) {
  for (Role r : {Role::kCaseworker, Role::kCoordinator, Role::kInstructor, Role::kAnalyst,
                 Role::kAdmin, Role::kService}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_EQ(ParseRole("Coordinator"), Role::kUnknown);
  EXPECT_EQ(RoleName(Role::kUnknown), "unknown");
}

TEST(Access, TheRoleFirstThenTheMunicipality) {
  Claims c;
  c.role = Role::kAdmin;
  c.municipalities = {"0165"};
  EXPECT_TRUE(CheckAccess(c, true, "0165").ok());
  absl::Status role = CheckAccess(c, false, "0183");
  EXPECT_EQ(role.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(role.message(), "role admin may not do this");
  absl::Status tenant = CheckAccess(c, true, "0183");
  EXPECT_EQ(tenant.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(tenant.message(), "no access to municipality 0183");
}

TEST(Caller, ForAnEventContinuesItsCorrelationAndTrace) {
  common::v1::Event e;
  e.set_id("ev-1");
  e.set_municipality("0165");
  e.mutable_trace()->set_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  Caller c = CallerForEvent("scheduling", e);
  EXPECT_EQ(c.claims.subject, "kpr-scheduling");
  EXPECT_EQ(c.claims.role, Role::kService);
  EXPECT_TRUE(c.claims.HasMunicipality("0165"));
  EXPECT_FALSE(c.claims.HasMunicipality("0183"));
  EXPECT_EQ(c.correlation_id, "ev-1");  // no correlation id: the event's own id
  EXPECT_EQ(c.traceparent, e.trace().traceparent());
  e.set_correlation_id("corr-9");
  EXPECT_EQ(CallerForEvent("scheduling", e).correlation_id, "corr-9");
}

}  // namespace
}  // namespace kpr::identity
