#include "services/scheduling/plan_constraints.h"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/plan_explain.h"
#include "services/scheduling/plan_format.h"

namespace kpr::scheduling {
namespace plan {
namespace {

// The sessions in timetable order (by day, then start).
std::vector<const PlannedSession*> Ordered(const std::vector<PlannedSession>& sessions) {
  std::vector<const PlannedSession*> out;
  out.reserve(sessions.size());
  for (const PlannedSession& s : sessions) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const PlannedSession* a, const PlannedSession* b) {
    return std::tie(a->day, a->time.start) < std::tie(b->day, b->time.start);
  });
  return out;
}

}  // namespace

double ScoreTimetable(const PlanningWorld& world, const Occupancy& others,
                      const ProgramModel& program, const std::vector<PlannedSession>& sessions,
                      const ScoreWeights& weights, std::vector<SoftViolation>* violations) {
  const std::vector<const PlannedSession*> order = Ordered(sessions);
  double score = 0;
  auto add = [&](SoftConstraint c, double penalty, int session_index, auto detail) {
    if (penalty == 0) return;
    score += penalty;
    if (violations != nullptr)
      violations->push_back(SoftViolation{c, penalty, detail(), session_index});
  };

  // habit: per rank, the sessions outside the largest (weekday, start) group.
  struct Group {
    int dow;
    int start;
    int count;
  };
  std::vector<std::vector<Group>> groups;  // per rank
  std::vector<int> rank_of(order.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    const bool same_week = i > 0 && order[i - 1]->week_index == order[i]->week_index;
    rank_of[i] = same_week ? rank_of[i - 1] + 1 : 0;
    const int r = rank_of[i];
    if (static_cast<int>(groups.size()) <= r) groups.resize(r + 1);
    const int dow = WeekdayIndex(order[i]->day);
    auto it = std::find_if(groups[r].begin(), groups[r].end(), [&](const Group& g) {
      return g.dow == dow && g.start == order[i]->time.start;
    });
    if (it == groups[r].end()) {
      groups[r].push_back(Group{dow, order[i]->time.start, 1});
    } else {
      ++it->count;
    }
  }
  // The rank's pattern: the largest group; on a tie the one seen first.
  std::vector<Group> pattern;
  for (const std::vector<Group>& g : groups) {
    pattern.push_back(*std::max_element(
        g.begin(), g.end(), [](const Group& a, const Group& b) { return a.count < b.count; }));
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const PlannedSession& s = *order[i];
    const Group& p = pattern[rank_of[i]];
    const int dow = WeekdayIndex(s.day);
    if (dow == p.dow && s.time.start == p.start) continue;
    add(SoftConstraint::kHabit, weights.habit, s.index, [&] {
      return absl::StrCat(plan::WeekdayName(dow), " ", plan::ClockText(s.time.start),
                          " instead of ", plan::WeekdayName(p.dow), " ", plan::ClockText(p.start));
    });
  }

  // rotation: consecutive sessions at the same institution.
  for (size_t i = 1; i < order.size(); ++i) {
    const PlannedSession& a = *order[i - 1];
    const PlannedSession& b = *order[i];
    if (a.institution_id != b.institution_id) continue;
    add(SoftConstraint::kRotation, weights.rotation, b.index, [&] {
      return absl::StrCat(plan::InstitutionName(world, b.institution_id), " twice in a row (",
                          plan::DayText(a.day), " and ", plan::DayText(b.day), ")");
    });
  }

  // instructor_continuity: distinct instructors - 1, per activity (in order of appearance).
  std::vector<std::pair<absl::string_view, std::vector<absl::string_view>>> teachers;
  for (const PlannedSession* s : order) {
    auto it = std::find_if(teachers.begin(), teachers.end(),
                           [&](const auto& t) { return t.first == s->activity_id; });
    if (it == teachers.end()) {
      teachers.emplace_back(s->activity_id, std::vector<absl::string_view>{});
      it = teachers.end() - 1;
    }
    if (std::find(it->second.begin(), it->second.end(), s->instructor_id) == it->second.end()) {
      it->second.push_back(s->instructor_id);
    }
  }
  for (const auto& [activity, instructors] : teachers) {
    const int extra = static_cast<int>(instructors.size()) - 1;
    add(SoftConstraint::kInstructorContinuity, weights.instructor_continuity * extra, -1, [&] {
      return absl::StrCat(ActivityName(program, activity), " has ", instructors.size(),
                          " instructors");
    });
  }

  // institution_load: sessions already booked at the institution that ISO week.
  for (const PlannedSession* s : order) {
    const int load = others.InstitutionLoad(s->institution_id, s->day);
    add(SoftConstraint::kInstitutionLoad, weights.institution_load * load, s->index, [&] {
      return absl::StrCat(plan::InstitutionName(world, s->institution_id), " already has ", load,
                          " sessions booked in ", calendar::IsoWeekLabel(s->day));
    });
  }

  // fewer_sessions: per course week, the sessions short of the maximum.
  for (int w = 0; w < program.weeks; ++w) {
    int count = 0;
    for (const PlannedSession& s : sessions) count += s.week_index == w ? 1 : 0;
    const int missing = std::max(0, program.max_sessions_per_week - count);
    add(SoftConstraint::kFewerSessions, weights.fewer_sessions * missing, -1, [&] {
      return absl::StrCat(count, " sessions in course week ", w + 1, " instead of ",
                          program.max_sessions_per_week);
    });
  }
  return score;
}

}  // namespace plan

ScoreBreakdown Score(const PlanningWorld& world, const Occupancy& others,
                     const ProgramModel& program, const std::vector<PlannedSession>& sessions,
                     const ScoreWeights& weights) {
  ScoreBreakdown out;
  out.score = plan::ScoreTimetable(world, others, program, sessions, weights, &out.soft_violations);
  return out;
}

std::vector<HardConstraint> SessionViolations(const PlanningWorld& world, const Occupancy& others,
                                              const ProgramModel& program, int capacity,
                                              const PlannedSession& session) {
  const ActivityModel* activity = program.FindActivity(session.activity_id);
  const VenueModel* venue = world.FindVenue(session.venue_id);
  const InstructorModel* instructor = world.FindInstructor(session.instructor_id);
  const MinuteSpan time = session.time;
  const absl::CivilDay day = session.day;

  bool time_window = time.start >= time.end || time.start % kStartGridMinutes != 0 ||
                     !WithinWeekly(program.allowed_hours, day, time);
  if (activity != nullptr && time.end - time.start != activity->duration_minutes) {
    time_window = true;
  }
  const bool opening_hours = venue != nullptr && !WithinWeekly(venue->opening, day, time);
  const bool instructor_unavailable =
      instructor == nullptr || instructor->institution_id != session.institution_id ||
      !WithinWeekly(instructor->availability, day, time) || InAnyPeriod(instructor->absences, day);
  const bool venue_booked = others.VenueConflict(session.venue_id, day, time) != nullptr;
  const bool instructor_booked =
      others.InstructorConflict(session.instructor_id, day, time) != nullptr;
  const bool capacity_short = venue != nullptr && venue->capacity < capacity;
  const bool closed =
      world.calendar.IsClosed(day) || (venue != nullptr && InAnyPeriod(venue->closures, day));
  const bool no_host = activity == nullptr || venue == nullptr ||
                       venue->institution_id != session.institution_id ||
                       world.FindInstitution(session.institution_id) == nullptr ||
                       std::find(activity->institution_ids.begin(), activity->institution_ids.end(),
                                 session.institution_id) == activity->institution_ids.end();

  std::vector<HardConstraint> out;
  if (time_window) out.push_back(HardConstraint::kTimeWindow);
  if (opening_hours) out.push_back(HardConstraint::kOpeningHours);
  if (instructor_unavailable) out.push_back(HardConstraint::kInstructorUnavailable);
  if (venue_booked) out.push_back(HardConstraint::kVenueBooked);
  if (instructor_booked) out.push_back(HardConstraint::kInstructorBooked);
  if (capacity_short) out.push_back(HardConstraint::kCapacity);
  if (closed) out.push_back(HardConstraint::kClosed);
  if (no_host) out.push_back(HardConstraint::kNoHost);
  return out;
}

}  // namespace kpr::scheduling
