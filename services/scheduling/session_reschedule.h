#ifndef KPR_SERVICES_SCHEDULING_SESSION_RESCHEDULE_H_
#define KPR_SERVICES_SCHEDULING_SESSION_RESCHEDULE_H_

// Where a coordinator's RescheduleSession moves a session. With a day: to that day and start
// (and venue or instructor, where named), refused when the slot is in the past or breaks a hard
// constraint (cohort_planner.h) or falls on a day the cohort already meets. Without a day: to
// the best free slot in the session's own week (FindSlotInWeek). Pure: the timetable desk loads
// the planning world and the bookings of others around the session and commits the result.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling {

// What a reschedule is decided against: the world, the bookings of other cohorts, the
// cohort's program and capacity.
struct RescheduleWorld {
  const PlanningWorld* world = nullptr;
  const Occupancy* others = nullptr;
  const ProgramModel* program = nullptr;
  int capacity = 0;
  ScoreWeights weights;
};

// The session as it is to be stored: moved, change_reason = the request's reason, index, week
// index and version those of `current`. `timetable` is the cohort's sessions as read. Errors:
// INVALID_ARGUMENT (day, start_minute), NOT_FOUND (venue), FAILED_PRECONDITION (no free slot,
// or what the new slot breaks).
absl::StatusOr<v1::Session> RescheduledSession(const RescheduleWorld& in,
                                               const v1::RescheduleSessionRequest& req,
                                               const v1::Session& current,
                                               const std::vector<v1::Session>& timetable,
                                               absl::CivilMinute now);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SESSION_RESCHEDULE_H_
