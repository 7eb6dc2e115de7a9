#ifndef KPR_SERVICES_SCHEDULING_PLANNING_INPUT_H_
#define KPR_SERVICES_SCHEDULING_PLANNING_INPUT_H_

// What planning a cohort of one program reads from the store: the municipality's catalog as a
// planning world, the program as a model, and what other cohorts hold in a range of days. Read
// afresh for every attempt: the store re-checks the bookings inside its script, and a conflict
// means planning again against what is booked now.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "services/scheduling/planning_model.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

struct PlanningInput {
  PlanningWorld world;
  ProgramModel program;
  Occupancy others;  // the bookings in the range, without those of the cohort left out
};

// FAILED_PRECONDITION when the catalog or the program does not plan; NOT_FOUND for an unknown
// program. `leave_out_cohort` ("" = none): the cohort being re-planned, whose own sessions are
// not obstacles.
absl::StatusOr<PlanningInput> LoadPlanningInput(SchedulingStore& store,
                                                const std::string& municipality,
                                                const std::string& program_id, absl::CivilDay from,
                                                absl::CivilDay to,
                                                const std::string& leave_out_cohort);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_PLANNING_INPUT_H_
