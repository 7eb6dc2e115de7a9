#include "services/referral/access_policy.h"

#include "absl/strings/str_cat.h"

namespace kpr::referral {
namespace {

using identity::Role;

bool RoleMay(Role role, Operation op) {
  switch (op) {
    case Operation::kSubmit:
      return role == Role::kCaseworker || role == Role::kCoordinator || role == Role::kService;
    case Operation::kGet:
    case Operation::kList:
    case Operation::kUpdateStatus:
      // Not admin: the catalog role has no business with citizens' referrals.
      return role == Role::kCaseworker || role == Role::kCoordinator || role == Role::kService;
    case Operation::kGetContact:
      return role == Role::kCoordinator || role == Role::kService;
    case Operation::kGetContactPoints:
      return role == Role::kService;
    case Operation::kGetFunnel:
      return role == Role::kCoordinator || role == Role::kAnalyst || role == Role::kAdmin;
  }
  return false;
}

absl::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kSubmit:
      return "SubmitReferral";
    case Operation::kGet:
      return "GetReferral";
    case Operation::kList:
      return "ListReferrals";
    case Operation::kUpdateStatus:
      return "UpdateReferralStatus";
    case Operation::kGetContact:
      return "GetContact";
    case Operation::kGetContactPoints:
      return "GetContactPoints";
    case Operation::kGetFunnel:
      return "GetFunnel";
  }
  return "?";
}

}  // namespace

absl::Status Authorize(const identity::Claims& claims, Operation op,
                       absl::string_view municipality) {
  if (!RoleMay(claims.role, op)) {
    return absl::PermissionDeniedError(absl::StrCat("role ", identity::RoleName(claims.role),
                                                    " may not call ", OperationName(op)));
  }
  if (!claims.HasMunicipality(municipality)) {
    return absl::PermissionDeniedError(absl::StrCat("no access to municipality ", municipality));
  }
  return absl::OkStatus();
}

absl::Status AuthorizeReferral(const identity::Claims& claims, Operation op,
                               const v1::Referral& referral) {
  if (auto s = Authorize(claims, op, referral.municipality()); !s.ok()) return s;
  if (claims.role == Role::kCaseworker && referral.referrer().caseworker_id() != claims.subject) {
    return absl::PermissionDeniedError("a caseworker sees only the referrals they sent");
  }
  return absl::OkStatus();
}

absl::Status AuthorizeStatusChange(const identity::Claims& claims, v1::ReferralStatus to) {
  if (claims.role == Role::kCaseworker && to != v1::REFERRAL_STATUS_WITHDRAWN) {
    return absl::PermissionDeniedError("a caseworker may only withdraw a referral");
  }
  return absl::OkStatus();
}

bool ListsOnlyOwnReferrals(const identity::Claims& claims) {
  return claims.role == Role::kCaseworker;
}

}  // namespace kpr::referral
