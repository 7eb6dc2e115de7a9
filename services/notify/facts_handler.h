#ifndef KPR_SERVICES_NOTIFY_FACTS_HANDLER_H_
#define KPR_SERVICES_NOTIFY_FACTS_HANDLER_H_
// Thin adapters from notify's three durable consumers to the facts desk, one typed handler per
// payload (the router decodes and checks it once):
//   KPR_REFERRAL    accepted (the welcome);
//   KPR_SCHEDULING  cohorts, sessions and enrolments: notify's roster, the reminders, and the
//                   notices. One worker, in stream order, so an enrolment never overtakes its
//                   cohort's plan;
//   KPR_OUTCOMES    questionnaires due or overdue, and drop-out risk.
// Applied or a repeat -> ack; a dependency down -> retry with backoff; an event that can never
// be applied -> dead letter.
#include "libs/bus/event_router.h"
#include "services/notify/facts_desk.h"

namespace kpr::notify {

bus::EventRouter ReferralFactsRouter(FactsDesk& facts);
bus::EventRouter SchedulingFactsRouter(FactsDesk& facts);
bus::EventRouter OutcomesFactsRouter(FactsDesk& facts);

inline constexpr char kReferralFactsConsumer[] = "notify-referrals";
inline constexpr char kReferralFactsFilter[] = "kpr.referral.v1.accepted.*";
inline constexpr char kSchedulingFactsConsumer[] = "notify-scheduling";
inline constexpr char kSchedulingFactsFilter[] = "kpr.scheduling.v1.>";
inline constexpr char kOutcomesFactsConsumer[] = "notify-outcomes";
inline constexpr char kOutcomesFactsFilter[] = "kpr.outcomes.v1.>";

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_FACTS_HANDLER_H_
