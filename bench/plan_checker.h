#ifndef KPR_BENCH_PLAN_CHECKER_H_
#define KPR_BENCH_PLAN_CHECKER_H_

// An independent check of planned timetables: every hard constraint of cohort_planner.h,
// re-implemented here from the plain world data (no call into the planner library), with the
// calendar taken from danish_holidays.h / closure_calendar.h. Also an independent evaluation of
// the objective, to validate the planner's Score() and the exact MILP model against each other.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "bench/plan_world_generator.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/planning_model.h"

namespace kpr::bench {

// Closed for everybody in the municipality: a Danish public holiday (customary closing days
// included) or one of the municipality's closed periods.
bool MunicipalityClosed(const scheduling::PlanningWorld& world, absl::CivilDay day);

// The ISO weeks a cohort's course weeks fall in. A week pauses when fewer than
// min_sessions_per_week of its Monday-Friday are open; more than 2 pauses: not feasible.
struct CourseWeeks {
  std::vector<absl::CivilDay> mondays;  // course week w runs in the ISO week of mondays[w]
  std::vector<absl::CivilDay> paused;   // Mondays of the paused weeks
  bool feasible = false;
};
CourseWeeks ComputeCourseWeeks(const scheduling::PlanningWorld& world,
                               const scheduling::ProgramModel& program, int start_iso_year,
                               int start_iso_week);

// True if `span` lies inside one of the weekday's spans.
bool InsideWeekly(const scheduling::WeeklySpans& hours, absl::CivilDay day,
                  scheduling::MinuteSpan span);

struct CheckedCohort {
  const CohortSpec* spec = nullptr;
  const std::vector<scheduling::PlannedSession>* sessions = nullptr;
};

struct HardViolation {
  std::string constraint;  // the planner's names ("venue_booked", ...), plus "not_before"
  std::string cohort_id;
  int session_index = -1;  // -1: the cohort as a whole
  std::string detail;
};

// All hard-constraint violations of `cohorts` (one municipality), against each other and
// against the `existing` bookings (which are not checked themselves).
std::vector<HardViolation> CheckHard(const scheduling::PlanningWorld& world,
                                     const std::vector<scheduling::Booking>& existing,
                                     const std::vector<CheckedCohort>& cohorts);

// Sessions booked per institution and ISO week (the institution_load term's count).
class LoadIndex {
 public:
  void Add(const scheduling::Booking& b);
  void Add(const scheduling::PlannedSession& s);
  int Load(const std::string& institution_id, absl::CivilDay day) const;

 private:
  absl::flat_hash_map<std::string, int> counts_;
};

struct ScoreTerms {
  double habit = 0, rotation = 0, instructor_continuity = 0, institution_load = 0,
         fewer_sessions = 0;
  double total() const {
    return habit + rotation + instructor_continuity + institution_load + fewer_sessions;
  }
};

// The objective of cohort_planner.h, computed from its text alone. `others` holds the other
// cohorts' bookings.
ScoreTerms IndependentScore(const LoadIndex& others, const scheduling::ProgramModel& program,
                            const std::vector<scheduling::PlannedSession>& sessions,
                            const scheduling::ScoreWeights& weights = scheduling::ScoreWeights());

}  // namespace kpr::bench

#endif  // KPR_BENCH_PLAN_CHECKER_H_
