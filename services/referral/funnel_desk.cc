#include "services/referral/funnel_desk.h"

#include "libs/validation/period.h"
#include "services/referral/access_policy.h"
#include "services/referral/funnel.h"

namespace kpr::referral {

absl::StatusOr<v1::Funnel> FunnelDesk::GetFunnel(const v1::GetFunnelRequest& req,
                                                 const Caller& caller) {
  if (auto s = Authorize(caller.claims, Operation::kGetFunnel, req.municipality()); !s.ok())
    return s;
  // Default: the year up to now (or up to `to`). Checked and capped at 5 years.
  absl::Time default_to = ctx_.clock();
  if (req.has_to()) {
    auto t = validation::CheckTimestamp("to", req.to());
    if (!t.ok()) return t.status();
    default_to = *t;
  }
  auto period = validation::CheckPeriod(req.has_from() ? std::optional(req.from()) : std::nullopt,
                                        req.has_to() ? std::optional(req.to()) : std::nullopt,
                                        default_to - absl::Hours(24 * 365), default_to,
                                        validation::kMaxReportPeriod);
  if (!period.ok()) return period.status();
  const absl::Time from = period->from;
  const absl::Time to = period->to;
  auto rows = ctx_.store.FunnelRows(req.municipality(), from, to);
  if (!rows.ok()) return rows.status();
  v1::Funnel funnel;
  funnel.set_municipality(req.municipality());
  *funnel.mutable_from() = Ts(from);
  *funnel.mutable_to() = Ts(to);
  CountFunnel(*rows, funnel);
  SuppressSmallCounts(ctx_.suppression_threshold, funnel);
  return funnel;
}

}  // namespace kpr::referral
