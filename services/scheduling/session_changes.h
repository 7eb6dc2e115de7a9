#ifndef KPR_SERVICES_SCHEDULING_SESSION_CHANGES_H_
#define KPR_SERVICES_SCHEDULING_SESSION_CHANGES_H_

// What a change of a cohort's timetable writes: the sessions as they are to be stored, a
// SessionRescheduled or SessionCancelled for each, and the cohort's start and complete timers,
// which move with its timetable. Pure: the timetable desk loads, decides the new slots (a
// coordinator, session_reschedule.h, or a repair, cohort_planner.h) and commits the update.
//
// Session events leave kpr: the staff's words (change_reason) stay in the session record, and
// the event carries the reason as a code. Event ids name the session's new version
// ("<session_id>:v<version>:rescheduled"), so a retried commit cannot emit one twice.

#include <string>
#include <vector>

#include "kpr/scheduling/v1/scheduling.pb.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/event_stamp.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

// A coordinator moved or cancelled one session. `current` is the session as read, `changed` as
// it is to be stored (version = the one read; status CANCELLED for a cancellation), `timetable`
// the cohort's sessions as read. The reason code is the coordinator's decision.
SessionsUpdate CoordinatorSessionChange(const v1::Cohort& cohort, const v1::Session& current,
                                        const v1::Session& changed,
                                        const std::vector<v1::Session>& timetable,
                                        const EventStamp& stamp);

// A repair of `cohort` after a closure or an absence (`code`): the sessions it moved are
// rescheduled, the ones it could not place are cancelled with the obstacle added to the staff's
// `reason`. `timetable` is the cohort's sessions as read (the repair's indices are theirs). No
// sessions in the update: nothing to write.
SessionsUpdate RepairedTimetable(const v1::Cohort& cohort,
                                 const std::vector<v1::Session>& timetable,
                                 const RepairOutcome& repaired, const std::string& reason,
                                 v1::ChangeReason code, const EventStamp& stamp);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SESSION_CHANGES_H_
