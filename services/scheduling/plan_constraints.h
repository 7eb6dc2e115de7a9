#ifndef KPR_SERVICES_SCHEDULING_PLAN_CONSTRAINTS_H_
#define KPR_SERVICES_SCHEDULING_PLAN_CONSTRAINTS_H_

// The hard constraints of one session and the objective of a timetable on complete sessions
// (ids, days and minutes, not the search's Problem indices). plan_constraints.cc defines
// SessionViolations() and Score() of cohort_planner.h; this header gives the planner and repair
// the objective without its texts, and when two scores count as equal.

#include <vector>

#include "services/scheduling/planner_types.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling::plan {

// Two plans whose scores differ by less are equal (the first found wins: deterministic).
inline constexpr double kScoreEpsilon = 1e-9;

// Score() without the texts when `violations` is null (repair scores many candidates).
double ScoreTimetable(const PlanningWorld& world, const Occupancy& others,
                      const ProgramModel& program, const std::vector<PlannedSession>& sessions,
                      const ScoreWeights& weights, std::vector<SoftViolation>* violations);

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_CONSTRAINTS_H_
