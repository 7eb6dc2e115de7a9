#ifndef KPR_SERVICES_REFERRAL_CLOSED_LOOP_HANDLER_H_
#define KPR_SERVICES_REFERRAL_CLOSED_LOOP_HANDLER_H_

// Thin adapters from the referral service's two fact consumers to the closed-loop desk:
//   KPR_SCHEDULING  waitlisted, enrolled, unenrolled, cohort cancelled (each participant);
//   KPR_OUTCOMES    outcome recorded (COMPLETED or DROPPED_OUT once the cohort completed).
// Each acts as the sending service in the event's municipality. What is applied, or changes
// nothing by the rules, is acked; a referral that does not exist is a dead letter; an outage or
// a lost race is a retry. The router has checked the tenant before any of this runs.

#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/event_router.h"
#include "services/referral/closed_loop_desk.h"

namespace kpr::referral {

// The durable consumer the referral service keeps on KPR_SCHEDULING, for placement facts.
inline constexpr char kPlacementConsumer[] = "referral-placements";
inline constexpr char kPlacementFilter[] = "kpr.scheduling.v1.>";
// ... and on KPR_OUTCOMES.
inline constexpr char kOutcomeConsumer[] = "referral-outcomes";
inline constexpr char kOutcomeFilter[] = "kpr.outcomes.v1.outcome_recorded.>";

bus::EventRouter PlacementFactsRouter(ClosedLoopDesk& desk);
bus::EventRouter OutcomeFactsRouter(ClosedLoopDesk& desk);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_CLOSED_LOOP_HANDLER_H_
