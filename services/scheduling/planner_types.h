#ifndef KPR_SERVICES_SCHEDULING_PLANNER_TYPES_H_
#define KPR_SERVICES_SCHEDULING_PLANNER_TYPES_H_

// The cohort planner's vocabulary: its constraints, the weights of its objective, a planned
// session, a plan and an obstacle. Apart from cohort_planner.h so that the search, the obstacle
// texts and the catalog mapping use the types without depending on the planner's entry points.
//
// HARD constraints (a plan that breaks one is never returned):
//   time_window     every session lies inside the program's allowed hours of its weekday;
//                   starts on the kStartGridMinutes grid; lasts its activity's duration.
//   opening_hours   ... and inside its venue's opening hours that weekday.
//   instructor_unavailable  ... and inside its instructor's weekly availability, not in an
//                   absence. The instructor belongs to the session's institution.
//   venue_booked / instructor_booked  no overlap with a booking in Occupancy (any cohort, any
//                   program: institutions are shared) nor with another session of the plan.
//   capacity        venue.capacity >= the cohort's capacity.
//   closed          not on a public holiday or customary closing day, not in the
//                   municipality's closed periods, not in a closure of the venue.
//   no_host         the activity is hosted by one of its institutions (venue of it).
//   weekly_rhythm   course week w (0-based) is the w-th ISO week from the start week that is
//                   not paused; a week pauses when fewer than min_sessions_per_week of its
//                   Monday-Friday are open in the municipality calendar; at most 2 pauses.
//                   Every course week has min..max sessions; at most one session a day.
//   first_session / last_session  if the program names them, the first session of the
//                   timetable (in course week 0) has first_activity_id, the last (in the
//                   last course week) has last_activity_id; the other sessions use the
//                   remaining activities, never the fixed ones (unless a program has only them).
//                   Which remaining activity each session gets is free (no quota): the planner
//                   starts from an even rotation and keeps it wherever the objective below is
//                   indifferent, but load and rotation may favour some activities.
//   Sessions never start before PlanRequest::not_before.
//
// SOFT constraints: the score is a sum of penalties, lower is better, 0 is perfect. This is THE
// objective; the bench's exact MILP model minimises the very same function (Score in
// cohort_planner.h).
//   habit        weights.habit for every session whose (weekday, start minute) differs from
//                its rank's pattern. Rank = position of the session within its course week
//                (0 = the week's first). A rank's pattern is the (weekday, start) that the most
//                sessions of that rank use (so the count is: sessions of rank r minus the size
//                of the largest group of rank-r sessions sharing weekday and start).
//   rotation     weights.rotation for every two consecutive sessions (timetable order) at the
//                same institution.
//   instructor_continuity  weights.instructor_continuity x (distinct instructors - 1), per
//                activity.
//   institution_load  weights.institution_load x the number of sessions already booked in
//                Occupancy at the session's institution in its ISO week, summed over sessions
//                (spreads cohorts over institutions).
//   fewer_sessions  weights.fewer_sessions x (max_sessions_per_week - sessions) per course week.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling {

enum class HardConstraint {
  kTimeWindow,
  kOpeningHours,
  kInstructorUnavailable,
  kVenueBooked,
  kInstructorBooked,
  kCapacity,
  kClosed,
  kNoHost,
  kWeeklyRhythm,
  kFirstSession,
  kLastSession,
};
// "time_window", "opening_hours", "instructor_unavailable", "venue_booked",
// "instructor_booked", "capacity", "closed", "no_host", "weekly_rhythm", "first_session",
// "last_session" (the names used in PlanObstacle.constraint).
absl::string_view HardConstraintName(HardConstraint c);

enum class SoftConstraint {
  kHabit,
  kRotation,
  kInstructorContinuity,
  kInstitutionLoad,
  kFewerSessions,
};
// "habit", "rotation", "instructor_continuity", "institution_load", "fewer_sessions".
absl::string_view SoftConstraintName(SoftConstraint c);

struct ScoreWeights {
  double habit = 3.0;
  double rotation = 2.0;
  double instructor_continuity = 1.0;
  double institution_load = 0.1;
  double fewer_sessions = 5.0;
};

struct PlannedSession {
  int index = 0;       // 0-based position in the timetable (ordered by day)
  int week_index = 0;  // 0-based course week (paused weeks not counted)
  std::string activity_id;
  absl::CivilDay day;
  MinuteSpan time;
  std::string institution_id;
  std::string venue_id;
  std::string instructor_id;
};

struct SoftViolation {
  SoftConstraint constraint;
  double penalty = 0;
  std::string detail;      // for coordinators, e.g. "Thursday 10:00 instead of Tuesday 09:30"
  int session_index = -1;  // -1 for the cohort as a whole
};

struct Plan {
  std::vector<PlannedSession> sessions;
  double score = 0;
  std::vector<SoftViolation> soft_violations;
  // ISO weeks the course pauses for, e.g. "2026-W42".
  std::vector<std::string> paused_weeks;
};

// Why no plan exists, in terms a coordinator can act on: which constraint, which institution
// (empty when not about one), which ISO weeks ("2026-W42"), and a sentence saying it.
struct Obstacle {
  HardConstraint constraint;
  std::string institution_id;
  std::vector<std::string> weeks;
  std::string message;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_PLANNER_TYPES_H_
