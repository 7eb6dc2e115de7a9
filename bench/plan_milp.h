#ifndef KPR_BENCH_PLAN_MILP_H_
#define KPR_BENCH_PLAN_MILP_H_

// The exact reference for the planner benchmark: one cohort's planning problem as a MILP, solved
// with GLPK (glp_intopt, presolve on, a time limit). It minimises exactly the objective of
// cohort_planner.h under the same hard constraints.
//
// Decision variables x[t, start, venue, instructor, activity] for every usable day t of every
// course week (a day the municipality is open, not before not_before) and every combination that
// breaks no per-session hard constraint (time window, opening hours, availability/absence,
// capacity, closures, host institution, existing bookings). y[t] = a session on day t (so at most
// one a day, and no overlap inside the plan). Rank follows from the days used:
// R[t, r] = 1 iff y[t] and exactly r sessions precede t in its course week. Habit: per rank a
// pattern choice P[r, (weekday, start)] (at most one per rank) and match indicators Q[t, start, r]
// <= x-at-start, R, P; habit = w_h * (sessions - sum Q). Rotation: rot[t1, t2, k] >=
// I[t1,k] + I[t2,k] - 1 - (sessions strictly between). Continuity: U[activity, instructor] >= any
// x using them; pen[a] >= sum_i U[a, i] - 1. Load: a constant per x. fewer_sessions: w_f *
// (max * weeks - sum y).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/plan_world_generator.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/planning_model.h"

namespace kpr::bench {

struct MilpOptions {
  double time_limit_seconds = 60;
  // Zero objective: stops at the first plan (to prove or refute that a cohort has one).
  bool feasibility_only = false;
};

struct MilpResult {
  std::string status;  // "optimal", "time limit", "infeasible", "no solution", "error: ..."
  bool has_solution = false;
  bool optimal = false;
  double objective = 0;  // the model's objective of `sessions` (0 if feasibility_only)
  double bound = 0;      // a lower bound on the optimum (== objective when optimal)
  std::vector<scheduling::PlannedSession> sessions;  // ordered by day, index/week_index set
  int columns = 0, binaries = 0, rows = 0;
  double seconds = 0;
};

// Evaluating a given timetable (e.g. the planner's) in the model, to validate the model: does
// it satisfy every row, and what objective does the model give it?
struct MilpPointCheck {
  bool representable = false;  // every session is one of the model's x columns
  std::string why_not;         // the first session that is not
  double max_row_violation = 0;
  double objective = 0;
};

class CohortMilp {
 public:
  // Builds the model (no solving). `existing`: the other cohorts' bookings.
  CohortMilp(const scheduling::PlanningWorld& world,
             const std::vector<scheduling::Booking>& existing, const CohortSpec& cohort,
             const scheduling::ScoreWeights& weights = scheduling::ScoreWeights());
  ~CohortMilp();
  CohortMilp(const CohortMilp&) = delete;
  CohortMilp& operator=(const CohortMilp&) = delete;

  MilpResult Solve(const MilpOptions& options) const;
  MilpPointCheck Evaluate(const std::vector<scheduling::PlannedSession>& sessions) const;

  // False when the course weeks cannot be laid out (more than 2 pauses).
  bool weeks_feasible() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpr::bench

#endif  // KPR_BENCH_PLAN_MILP_H_
