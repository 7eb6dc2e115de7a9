#ifndef KPR_SERVICES_SCHEDULING_PLANNED_COHORT_H_
#define KPR_SERVICES_SCHEDULING_PLANNED_COHORT_H_

// What creating a cohort writes once its timetable is planned: the cohort (PLANNED), its
// sessions with their ids, the CohortPlanned and SessionScheduled events, and its lifecycle
// timers with the open timer. Pure: the cohort desk plans against the bookings it read, builds
// the commit with this and lets the store book it (re-planning when someone booked meanwhile).

#include <string>

#include "absl/time/time.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/event_stamp.h"
#include "services/scheduling/planning_model.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

// A stable, readable cohort id from the caller's idempotency key:
// "<m>-<program (24 chars at most)>-<year>w<week>-<8 hex of a hash of m and request_id>".
std::string CohortIdFor(const std::string& municipality, const std::string& program_id, int year,
                        int week, const std::string& request_id);
// "<cohort_id>-s01", "-s02", ... for the sessions at index 0, 1, ...
std::string SessionIdFor(const std::string& cohort_id, int index);

struct NewCohort {
  std::string cohort_id;
  std::string request_id;
  std::string program_id;
  std::string name;  // "" = "<program name> <ISO week of the start>"
  int start_iso_year = 0;
  int start_iso_week = 0;
  int capacity = 0;  // 0 = the program's largest cohort
  absl::Time opens_at;
};

CohortCommit PlannedCohortCommit(const NewCohort& cohort, const ProgramModel& program,
                                 const Plan& plan, const EventStamp& stamp);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_PLANNED_COHORT_H_
