#ifndef KPR_SERVICES_SCHEDULING_REFERRAL_EVENTS_HANDLER_H_
#define KPR_SERVICES_SCHEDULING_REFERRAL_EVENTS_HANDLER_H_

// Thin adapter from the KPR_REFERRAL consumer to the enrolment desk: `accepted` places the
// citizen in a cohort or on a waitlist, `withdrawn` frees the seat (or the waitlist place). Other
// referral events are acked untouched. One consumer over the whole stream, handled in stream
// order, so a withdrawal is never applied before the acceptance it follows.
//
// Outcomes: applied (or a repeat, by trigger event id) -> ack; dependency down or a concurrent
// change -> retry with backoff; an event that can never be applied (undecodable, unknown
// program with no default) -> dead letter with the reason.

#include <vector>

#include "libs/bus/consumer.h"
#include "libs/bus/event_router.h"
#include "services/scheduling/enrolment_desk.h"

namespace kpr::scheduling {

bus::EventRouter ReferralEventsRouter(EnrolmentDesk& desk);

inline constexpr char kReferralEventsConsumer[] = "scheduling-referrals";
inline constexpr char kReferralEventsFilter[] = "kpr.referral.v1.>";

// Scheduling's own cohort_cancelled facts: a cohort cancelled before its start has its
// participants placed again. Read back from the stream (not done in the cancelling call) so
// that a crash between the cancellation and the placements loses nobody: the fact is in the
// outbox with the cancellation, and each placement is idempotent.
bus::EventRouter CancellationsRouter(EnrolmentDesk& desk);
inline constexpr char kCancellationsConsumer[] = "scheduling-cancellations";
inline constexpr char kCancellationsFilter[] = "kpr.scheduling.v1.cohort_cancelled.>";

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_REFERRAL_EVENTS_HANDLER_H_
