#ifndef KPR_SERVICES_REFERRAL_OUTREACH_DESK_H_
#define KPR_SERVICES_REFERRAL_OUTREACH_DESK_H_

// How notify reaches citizens: their contact points, first name and language, for a batch of
// referrals, and nothing else of the sealed contact (no CPR number, family name, reason or
// notes). For the service role only; every referral read is audited before anything is opened.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpr/referral/v1/referral_service.pb.h"
#include "services/referral/referral_context.h"

namespace kpr::referral {

inline constexpr size_t kMaxContactPointsPerCall = 500;

// The part of a contact notify may have. Pure.
v1::ContactPoints ContactPointsOf(const v1::Contact& contact);

class OutreachDesk {
 public:
  explicit OutreachDesk(ReferralContext& ctx) : ctx_(ctx) {}

  // INVALID_ARGUMENT naming the field for more than kMaxContactPointsPerCall ids or an id that
  // is not one of `municipality`'s; PERMISSION_DENIED for any role but service; UNAVAILABLE when
  // the audit trail cannot be written (nothing is returned then).
  absl::StatusOr<v1::GetContactPointsResponse> GetContactPoints(
      const v1::GetContactPointsRequest& request, const Caller& caller);

 private:
  ReferralContext& ctx_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_OUTREACH_DESK_H_
