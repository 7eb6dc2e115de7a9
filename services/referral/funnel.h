#ifndef KPR_SERVICES_REFERRAL_FUNNEL_H_
#define KPR_SERVICES_REFERRAL_FUNNEL_H_

// The recruitment funnel: for the referrals received in a period, how far each got (referred,
// contacted, accepted, enrolled, completed), their current status, and the same per source, so a
// municipality sees which source works. Pure.

#include <vector>

#include "kpr/referral/v1/referral_service.pb.h"

namespace kpr::referral {

// One referral received in the period.
struct FunnelRow {
  v1::ReferralStatus status;
  intake::v1::ReferralSource source;
  int reach;  // furthest FunnelStage() reached
};

// Counts `rows` into `funnel` (municipality and period are left as set by the caller). Statuses
// and sources with a zero count are omitted; lists are ordered by enum value.
void CountFunnel(const std::vector<FunnelRow>& rows, v1::Funnel& funnel);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_FUNNEL_H_
