#ifndef KPR_SERVICES_OUTCOMES_FACTS_HANDLER_H_
#define KPR_SERVICES_OUTCOMES_FACTS_HANDLER_H_

// Thin adapters from the outcomes service's two durable consumers to the facts desk, one typed
// handler per payload (the router decodes it once):
//   KPR_SCHEDULING  cohorts, sessions, enrolments, start and completion (what to record, when
//                   to ask) — one worker, in stream order, so a start never overtakes its plan;
//   KPR_REFERRAL    received and status changes (the recruitment funnel).
// Applied or a repeat -> ack; dependency down or a concurrent change -> retry with backoff; an
// event that can never be applied (undecodable, a cohort never planned) -> dead letter.

#include <vector>

#include "absl/status/status.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/bus/consumer.h"
#include "libs/bus/event_router.h"
#include "services/outcomes/facts_desk.h"

namespace kpr::outcomes {

// The routers of the two consumers, over the facts desk (which must outlive them).
bus::EventRouter SchedulingFactsRouter(FactsDesk& facts);
bus::EventRouter ReferralFactsRouter(FactsDesk& facts);

inline constexpr char kSchedulingFactsConsumer[] = "outcomes-scheduling";
inline constexpr char kSchedulingFactsFilter[] = "kpr.scheduling.v1.>";
inline constexpr char kReferralFactsConsumer[] = "outcomes-referrals";
inline constexpr char kReferralFactsFilter[] = "kpr.referral.v1.>";

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_FACTS_HANDLER_H_
