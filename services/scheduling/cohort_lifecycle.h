#ifndef KPR_SERVICES_SCHEDULING_COHORT_LIFECYCLE_H_
#define KPR_SERVICES_SCHEDULING_COHORT_LIFECYCLE_H_

// What a cohort's lifecycle writes: its timers, and the step to OPEN, RUNNING, COMPLETED or
// CANCELLED with its event. Pure: the cohort desk loads the cohort (and its participants, its
// program's waitlist), decides with these and commits the step.
//
// A step is decided from the cohort as read; nullopt means it is there already (or past it), so
// a repeated timer or event changes nothing. Steps whose event lists the participants are
// guarded by the cohort's version as read, so the list is the one committed.

#include <optional>
#include <string>
#include <vector>

#include "kpr/scheduling/v1/scheduling.pb.h"
#include "libs/timer/timer_store.h"
#include "services/scheduling/event_stamp.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

// start:<id> at the first session's start (only while the cohort is PLANNED or OPEN: it has not
// started) and complete:<id> at the last session's end, over the sessions not cancelled. None
// when no session is left. In Danish time.
std::vector<timer::Timer> LifecycleTimers(const v1::Cohort& cohort,
                                          const std::vector<v1::Session>& sessions);

// PLANNED -> OPEN (CohortOpened). Opening gives the free seats to `waitlist_heads` (the
// program's waitlist as read, see WaitlistSeats) in the same step, so nobody placed later jumps
// the queue.
std::optional<CohortTransition> CohortOpening(const v1::Cohort& cohort,
                                              std::vector<WaitlistSeat> waitlist_heads,
                                              const EventStamp& stamp);

// PLANNED or OPEN -> RUNNING (CohortStarted with the participants); the open timer goes.
std::optional<CohortTransition> CohortStart(const v1::Cohort& cohort,
                                            const std::vector<v1::Enrollment>& enrolled,
                                            const EventStamp& stamp);

// RUNNING -> COMPLETED (CohortCompleted with the participants and the sessions held).
std::optional<CohortTransition> CohortCompletion(const v1::Cohort& cohort,
                                                 const std::vector<v1::Enrollment>& enrolled,
                                                 const EventStamp& stamp);

// -> CANCELLED (CohortCancelled with the participants). The staff's words (`reason`) stay in the
// cohort record; the event carries the reason as a code (unspecified: the coordinator's
// decision).
CohortCancel CohortCancellation(const v1::Cohort& cohort,
                                const std::vector<v1::Enrollment>& enrolled,
                                const std::string& reason, v1::ChangeReason reason_code,
                                const EventStamp& stamp);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_COHORT_LIFECYCLE_H_
