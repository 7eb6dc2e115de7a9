#ifndef KPR_SERVICES_REFERRAL_REVIEW_DESK_H_
#define KPR_SERVICES_REFERRAL_REVIEW_DESK_H_

// Staff at work on referrals: reading them (by role and tenant), screening and deciding
// (UpdateReferralStatus, planned by status_change.h), and reading the citizen's contact, which is
// audited before anything is returned.

#include <string>

#include "absl/status/statusor.h"
#include "kpr/referral/v1/referral_service.pb.h"
#include "services/referral/referral_context.h"

namespace kpr::referral {

class ReviewDesk {
 public:
  explicit ReviewDesk(ReferralContext& ctx) : ctx_(ctx) {}

  absl::StatusOr<v1::Referral> Get(const std::string& id, const Caller& caller);
  absl::StatusOr<v1::ListReferralsResponse> List(const v1::ListReferralsRequest& request,
                                                 const Caller& caller);
  absl::StatusOr<v1::Referral> UpdateStatus(const v1::UpdateReferralStatusRequest& request,
                                            const Caller& caller);
  // Audited before anything is returned; if the audit cannot be written, nothing is returned.
  absl::StatusOr<v1::Contact> GetContact(const std::string& id, const Caller& caller);

 private:
  ReferralContext& ctx_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REVIEW_DESK_H_
