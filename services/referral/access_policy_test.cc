#include "services/referral/access_policy.h"

#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

using identity::Claims;
using identity::Role;

Claims Token(Role role, std::vector<std::string> municipalities = {"0165"},
             std::string sub = "u1") {
  Claims c;
  c.subject = std::move(sub);
  c.role = role;
  c.municipalities = std::move(municipalities);
  return c;
}

v1::Referral ReferralIn(std::string municipality, std::string caseworker) {
  v1::Referral r;
  r.set_id(municipality + "-X");
  r.set_municipality(municipality);
  r.mutable_referrer()->set_caseworker_id(caseworker);
  return r;
}

TEST(AccessPolicy, RoleMatrix) {
  struct Row {
    Role role;
    bool submit, get, list, update, contact, funnel;
  };
  const Row rows[] = {
      {Role::kCaseworker, true, true, true, true, false, false},
      {Role::kCoordinator, true, true, true, true, true, true},
      {Role::kAnalyst, false, false, false, false, false, true},
      // The catalog role reads no citizen's referral and decides on none; it keeps the funnel.
      {Role::kAdmin, false, false, false, false, false, true},
      {Role::kService, true, true, true, true, true, false},
      {Role::kInstructor, false, false, false, false, false, false},
      {Role::kUnknown, false, false, false, false, false, false},
  };
  for (const Row& r : rows) {
    Claims c = Token(r.role);
    EXPECT_EQ(Authorize(c, Operation::kSubmit, "0165").ok(), r.submit)
        << identity::RoleName(r.role);
    EXPECT_EQ(Authorize(c, Operation::kGet, "0165").ok(), r.get) << identity::RoleName(r.role);
    EXPECT_EQ(Authorize(c, Operation::kList, "0165").ok(), r.list) << identity::RoleName(r.role);
    EXPECT_EQ(Authorize(c, Operation::kUpdateStatus, "0165").ok(), r.update)
        << identity::RoleName(r.role);
    EXPECT_EQ(Authorize(c, Operation::kGetContact, "0165").ok(), r.contact)
        << identity::RoleName(r.role);
    EXPECT_EQ(Authorize(c, Operation::kGetFunnel, "0165").ok(), r.funnel)
        << identity::RoleName(r.role);
  }
}

TEST(AccessPolicy, NoRoleCrossesMunicipalities) {
  for (Role role :
       {Role::kCaseworker, Role::kCoordinator, Role::kAnalyst, Role::kAdmin, Role::kService}) {
    Claims c = Token(role, {"0165"});
    for (Operation op : {Operation::kSubmit, Operation::kGet, Operation::kList,
                         Operation::kUpdateStatus, Operation::kGetContact, Operation::kGetFunnel}) {
      absl::Status s = Authorize(c, op, "0183");
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
    }
    EXPECT_EQ(AuthorizeReferral(c, Operation::kGet, ReferralIn("0183", "u1")).code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(AccessPolicy, CaseworkerSeesOnlyOwnReferrals) {
  Claims c = Token(Role::kCaseworker, {"0165"}, "cw-1");
  EXPECT_TRUE(AuthorizeReferral(c, Operation::kGet, ReferralIn("0165", "cw-1")).ok());
  EXPECT_EQ(AuthorizeReferral(c, Operation::kGet, ReferralIn("0165", "cw-2")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(ListsOnlyOwnReferrals(c));
  EXPECT_FALSE(ListsOnlyOwnReferrals(Token(Role::kCoordinator)));
  Claims coordinator = Token(Role::kCoordinator);
  EXPECT_TRUE(AuthorizeReferral(coordinator, Operation::kGet, ReferralIn("0165", "cw-2")).ok());
}

TEST(AccessPolicy, CaseworkerMayOnlyWithdraw) {
  Claims c = Token(Role::kCaseworker);
  EXPECT_TRUE(AuthorizeStatusChange(c, v1::REFERRAL_STATUS_WITHDRAWN).ok());
  EXPECT_EQ(AuthorizeStatusChange(c, v1::REFERRAL_STATUS_ACCEPTED).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(AuthorizeStatusChange(Token(Role::kCoordinator), v1::REFERRAL_STATUS_ACCEPTED).ok());
}

}  // namespace
}  // namespace kpr::referral
