#ifndef KPR_SERVICES_REFERRAL_ACCESS_POLICY_H_
#define KPR_SERVICES_REFERRAL_ACCESS_POLICY_H_

// Who may do what in the referral service. Pure: decided from the caller's token claims and the
// referral, no I/O.
//
//   role         Submit  Get/List              UpdateStatus           GetContact  GetFunnel
//   caseworker   yes     the referrals they sent  WITHDRAWN on their own  no          no
//   coordinator  yes     all                   any                    yes         yes
//   analyst      no      no                    no                     no          yes
//   admin        no      no                    no                     no          yes
//   service      yes     all                   any                    yes         no
//   instructor   no      no                    no                     no          no
// GetContactPoints (phone, e-mail, first name, language: what notify sends with) is for the
// service role only. Every call is limited to the municipalities in the token; personal data
// (GetContact, GetContactPoints) is read by coordinators and services only, and every such read
// is audited.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kpr/referral/v1/referral.pb.h"
#include "libs/rpc/jwt.h"

namespace kpr::referral {

enum class Operation {
  kSubmit,
  kGet,
  kList,
  kUpdateStatus,
  kGetContact,
  kGetContactPoints,
  kGetFunnel
};

// Role and tenant check for an operation in `municipality`. PERMISSION_DENIED says which.
absl::Status Authorize(const identity::Claims& claims, Operation op,
                       absl::string_view municipality);

// Record-level check after the referral is loaded (tenant, and a caseworker's own referrals).
absl::Status AuthorizeReferral(const identity::Claims& claims, Operation op,
                               const v1::Referral& referral);

// Which target statuses the caller may set.
absl::Status AuthorizeStatusChange(const identity::Claims& claims, v1::ReferralStatus to);

// A caseworker's list is restricted to the referrals they sent.
bool ListsOnlyOwnReferrals(const identity::Claims& claims);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_ACCESS_POLICY_H_
