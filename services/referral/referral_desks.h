#ifndef KPR_SERVICES_REFERRAL_REFERRAL_DESKS_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_DESKS_H_

// The referral service's desks, by use case, over one shared context:
//   intake       referrals arriving (NATS intake, paper referrals over gRPC);
//   review       staff reading, screening and deciding, and the audited contact;
//   funnel       the recruitment funnel;
//   closed_loop  scheduling's placement facts and outcomes' decided outcomes;
//   outreach     notify's batched, audited read of the contact points.
// The gRPC service and the event handlers are thin adapters over them.

#include "services/referral/closed_loop_desk.h"
#include "services/referral/funnel_desk.h"
#include "services/referral/intake_desk.h"
#include "services/referral/outreach_desk.h"
#include "services/referral/referral_context.h"
#include "services/referral/review_desk.h"

namespace kpr::referral {

struct ReferralDesks {
  explicit ReferralDesks(ReferralContext& ctx)
      : intake(ctx), review(ctx), funnel(ctx), closed_loop(ctx), outreach(ctx) {}
  IntakeDesk intake;
  ReviewDesk review;
  FunnelDesk funnel;
  ClosedLoopDesk closed_loop;
  OutreachDesk outreach;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_DESKS_H_
