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

// Withholds the counts of `funnel` (as counted by CountFunnel) that could single out fewer than
// `threshold` people: small counts, and the counts they could be derived from, through the
// equations an analyst can form (libs/suppression):
//   referred = the sum of the status counts;          completed = the COMPLETED status count;
//   each stage = the sum of that stage over sources;  and within the total and each source,
//   stage s = stage s+1 + "stopped after s" (a difference shown by no cell, yet derivable).
// A withheld count reads 0 and is listed in suppressed_stages (or flagged suppressed); the
// threshold is recorded in the funnel.
void SuppressSmallCounts(int threshold, v1::Funnel& funnel);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_FUNNEL_H_
