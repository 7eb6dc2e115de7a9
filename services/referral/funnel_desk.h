#ifndef KPR_SERVICES_REFERRAL_FUNNEL_DESK_H_
#define KPR_SERVICES_REFERRAL_FUNNEL_DESK_H_

// The recruitment funnel for analysts, coordinators and admins: counted (funnel.h) over the
// referrals received in a checked and capped period, with small counts withheld.

#include "absl/status/statusor.h"
#include "kpr/referral/v1/referral_service.pb.h"
#include "services/referral/referral_context.h"

namespace kpr::referral {

class FunnelDesk {
 public:
  explicit FunnelDesk(ReferralContext& ctx) : ctx_(ctx) {}
  absl::StatusOr<v1::Funnel> GetFunnel(const v1::GetFunnelRequest& request, const Caller& caller);

 private:
  ReferralContext& ctx_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_FUNNEL_DESK_H_
