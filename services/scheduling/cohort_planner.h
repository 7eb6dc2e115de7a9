#ifndef KPR_SERVICES_SCHEDULING_COHORT_PLANNER_H_
#define KPR_SERVICES_SCHEDULING_COHORT_PLANNER_H_

// Plans the timetable of one new cohort of a program against everything already booked, and
// repairs a booked timetable after a closure or an absence. Pure: no I/O, no clock.
//
// The hard constraints it keeps and the objective it minimises are defined with their types in
// planner_types.h.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/planner_types.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling {

struct PlanRequest {
  const ProgramModel* program = nullptr;
  int start_iso_year = 0;
  int start_iso_week = 0;
  int capacity = 0;  // seats; 0 = program->max_cohort_size
  // No session before this day (the planner has no clock: the caller passes today).
  absl::CivilDay not_before = absl::CivilDay(1970, 1, 1);
  std::string cohort_id;  // used in Obstacle texts only
};

// Exactly one of plan / obstacles is set.
struct PlanOutcome {
  std::optional<Plan> plan;
  std::vector<Obstacle> obstacles;
};

struct ScoreBreakdown {
  double score = 0;
  std::vector<SoftViolation> soft_violations;
};

// The objective above for a complete timetable (sessions ordered by day; week_index set).
// `others` must not contain the timetable's own sessions.
ScoreBreakdown Score(const PlanningWorld& world, const Occupancy& others,
                     const ProgramModel& program, const std::vector<PlannedSession>& sessions,
                     const ScoreWeights& weights = ScoreWeights());

// The hard constraints one session breaks on its own (all of them, not just the first) against
// the world and `others` (not the cohort's own other sessions): time_window, opening_hours,
// instructor_unavailable, venue_booked, instructor_booked, capacity, closed, no_host.
std::vector<HardConstraint> SessionViolations(const PlanningWorld& world, const Occupancy& others,
                                              const ProgramModel& program, int capacity,
                                              const PlannedSession& session);

// The best plan found (heuristic: greedy construction + local search; fast enough for a
// national semester, ~12,000 sessions, in well under 2 s), or the obstacles. Deterministic.
PlanOutcome PlanCohort(const PlanningWorld& world, const Occupancy& others,
                       const PlanRequest& request, const ScoreWeights& weights = ScoreWeights());

struct RepairRequest {
  const ProgramModel* program = nullptr;
  int capacity = 0;
  // The cohort's current (not cancelled) sessions, ordered by day.
  std::vector<PlannedSession> current;
  // Sessions that start before this moment have taken place and are never touched.
  absl::CivilMinute now;
};

struct RepairOutcome {
  // The whole timetable after repair (untouched sessions unchanged), ordered by day; indices
  // keep the original session's index (so callers can match sessions by index).
  std::vector<PlannedSession> sessions;
  // Indices of the sessions that moved.
  std::vector<int> moved;
  // Indices of the affected sessions for which no slot exists (the caller cancels them), each
  // with why.
  std::vector<std::pair<int, Obstacle>> unplaceable;
  // Affected sessions that have already taken place.
  int past_untouched = 0;
};

// Re-plans only the sessions that now break a hard constraint (the world already carries the
// new closure or absence; `others` excludes this cohort). Each affected future session moves to
// the best free slot in its own ISO week (another day, time, venue or instructor of a hosting
// institution; on equal scores the smallest change, e.g. only the room), keeping its activity,
// never before `now`, never onto a day of another session of the cohort, and the fixed first
// (last) session stays before (after) all others; sessions that are fine never move. An
// unplaceable session stays unchanged in `sessions`.
RepairOutcome RepairCohort(const PlanningWorld& world, const Occupancy& others,
                           const RepairRequest& request,
                           const ScoreWeights& weights = ScoreWeights());

// Best free slot in the ISO week of `session.day` for that session (same activity), other than
// its current placement, given the cohort's other sessions `siblings` (no two on one day; a
// sibling with session.index is ignored) — for RescheduleSession without a target. `others`
// excludes the cohort's sessions; the slot starts at or after `now`; capacity 0 means
// program.max_cohort_size. nullopt with the obstacle when there is none.
struct SlotChoice {
  std::optional<PlannedSession> session;
  std::optional<Obstacle> obstacle;
};
SlotChoice FindSlotInWeek(const PlanningWorld& world, const Occupancy& others,
                          const ProgramModel& program, int capacity, const PlannedSession& session,
                          const std::vector<PlannedSession>& siblings, absl::CivilMinute now,
                          const ScoreWeights& weights = ScoreWeights());

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_COHORT_PLANNER_H_
