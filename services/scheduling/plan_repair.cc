// RepairCohort and FindSlotInWeek of cohort_planner.h: single sessions of a booked timetable
// move within their own ISO week, compared by the planner's objective.

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/plan_constraints.h"
#include "services/scheduling/plan_explain.h"
#include "services/scheduling/plan_format.h"
#include "services/scheduling/plan_problem.h"

namespace kpr::scheduling {
namespace {

using plan::kDaysPerWeek;
using plan::kScoreEpsilon;

absl::CivilMinute StartOf(const PlannedSession& s) {
  return absl::CivilMinute(s.day) + s.time.start;
}

struct SlotSearch {
  std::optional<PlannedSession> session;
  std::optional<Obstacle> obstacle;
};

// The best placement in its own ISO week for timetable[target] (same activity), against the
// cohort's other sessions in `timetable` (one a day, the fixed first/last stay first/last).
SlotSearch BestSlotInWeek(const PlanningWorld& world, const Occupancy& others,
                          const ProgramModel& program, int capacity,
                          const std::vector<PlannedSession>& timetable, size_t target,
                          absl::CivilMinute now, const ScoreWeights& weights, bool must_differ,
                          const std::vector<HardConstraint>& why) {
  const PlannedSession& cur = timetable[target];
  const std::string week = calendar::IsoWeekLabel(cur.day);
  const absl::CivilDay monday = cur.day - WeekdayIndex(cur.day);
  int act = -1;
  for (size_t a = 0; a < program.activities.size(); ++a) {
    if (program.activities[a].id == cur.activity_id) act = static_cast<int>(a);
  }
  SlotSearch out;
  if (act < 0) {
    out.obstacle = Obstacle{HardConstraint::kNoHost,
                            cur.institution_id,
                            {week},
                            absl::StrCat("session ", cur.index + 1, " has activity '",
                                         cur.activity_id, "', which the program does not have")};
    return out;
  }
  plan::Problem p(
      plan::ProblemInput{&world, &others, &program, capacity, {monday}, absl::CivilDay(now)});

  // Bounds from the other sessions: their days are taken, and the fixed first/last session
  // stays before/after all others.
  bool taken[kDaysPerWeek] = {};
  const PlannedSession* earliest = nullptr;
  const PlannedSession* latest = nullptr;
  for (size_t i = 0; i < timetable.size(); ++i) {
    if (i == target) continue;
    const PlannedSession& s = timetable[i];
    if (s.day >= monday && s.day < monday + kDaysPerWeek) taken[s.day - monday] = true;
    if (earliest == nullptr || s.day < earliest->day) earliest = &s;
    if (latest == nullptr || s.day > latest->day) latest = &s;
  }
  const bool first_fixed = !program.first_activity_id.empty();
  const bool last_fixed = !program.last_activity_id.empty();
  const bool is_first = first_fixed && cur.activity_id == program.first_activity_id &&
                        (earliest == nullptr || cur.day < earliest->day);
  const bool is_last = last_fixed && cur.activity_id == program.last_activity_id &&
                       (latest == nullptr || cur.day > latest->day);
  absl::CivilDay lo = monday - 1;             // exclusive
  absl::CivilDay hi = monday + kDaysPerWeek;  // exclusive
  if (earliest != nullptr) {
    if (is_first)
      hi = std::min(hi, earliest->day);
    else if (first_fixed && earliest->activity_id == program.first_activity_id)
      lo = std::max(lo, earliest->day);
  }
  if (latest != nullptr) {
    if (is_last)
      lo = std::max(lo, latest->day);
    else if (last_fixed && latest->activity_id == program.last_activity_id)
      hi = std::min(hi, latest->day);
  }

  std::vector<PlannedSession> work = timetable;
  const int duration = p.activities()[act].duration;
  double best_score = std::numeric_limits<double>::infinity();
  std::tuple<bool, bool, bool, bool, bool> best_change;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    const absl::CivilDay date = monday + dow;
    if (taken[dow] || date <= lo || date >= hi || !p.day_open(dow)) continue;
    for (int si = 0; si < static_cast<int>(p.starts(dow).size()); ++si) {
      const int start = p.starts(dow)[si];
      if (absl::CivilMinute(date) + start < now) continue;
      for (const plan::Option& o : p.Cell(dow, si, act)) {
        PlannedSession cand = cur;
        cand.day = date;
        cand.time = MinuteSpan{start, start + duration};
        cand.institution_id = p.institutions()[o.inst].id;
        cand.venue_id = p.venue(o.venue).id;
        cand.instructor_id = p.instructor(o.instructor).id;
        // Participants know the room: keep it when it is free.
        if (cand.venue_id != cur.venue_id && cand.institution_id == cur.institution_id) {
          PlannedSession same_room = cand;
          same_room.venue_id = cur.venue_id;
          if (SessionViolations(world, others, program, capacity, same_room).empty()) {
            cand = std::move(same_room);
          }
        }
        const std::tuple<bool, bool, bool, bool, bool> change{
            cand.day != cur.day, cand.time.start != cur.time.start,
            cand.institution_id != cur.institution_id, cand.instructor_id != cur.instructor_id,
            cand.venue_id != cur.venue_id};
        if (must_differ && change == std::tuple<bool, bool, bool, bool, bool>{}) continue;
        work[target] = cand;
        const double score = plan::ScoreTimetable(world, others, program, work, weights, nullptr);
        // Lowest score; on a tie the smallest change (day, then time, ...).
        if (score < best_score - kScoreEpsilon ||
            (score < best_score + kScoreEpsilon && change < best_change)) {
          best_score = score;
          best_change = change;
          out.session = std::move(cand);
        }
      }
    }
  }
  if (out.session) return out;

  plan::Explainer explainer(p);
  explainer.Week(0, {act});
  std::vector<std::string> reasons;
  std::optional<HardConstraint> cause;
  for (const Obstacle& o : explainer.Take()) {
    if (!cause) cause = o.constraint;
    reasons.push_back(o.message);
  }
  // What the world does not explain: the cohort's own sessions and the fixed order.
  std::vector<int> taken_days;
  std::vector<int> out_of_order;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    if (p.starts(dow).empty()) continue;  // not a program day
    const absl::CivilDay date = monday + dow;
    if (taken[dow]) {
      taken_days.push_back(dow);
    } else if (date <= lo || date >= hi) {
      out_of_order.push_back(dow);
    }
  }
  if (!taken_days.empty()) {
    reasons.push_back(absl::StrCat(plan::WeekdaysText(taken_days),
                                   taken_days.size() > 1 ? " are" : " is",
                                   " taken by the cohort's other sessions"));
  }
  if (!out_of_order.empty()) {
    reasons.push_back(absl::StrCat(plan::WeekdaysText(out_of_order),
                                   " would break the order of the first and last sessions"));
  }
  Obstacle o;
  o.constraint = !why.empty() ? why[0] : cause.value_or(HardConstraint::kWeeklyRhythm);
  o.institution_id = cur.institution_id;
  o.weeks = {week};
  o.message = absl::StrCat(
      "session ", cur.index + 1, " (", plan::ActivityName(program, cur.activity_id), ", ",
      plan::DayText(cur.day), " ", plan::SpanText(cur.time), " at ",
      plan::InstitutionName(world, cur.institution_id), ") has no free slot in ", week, ": ",
      reasons.empty() ? "no day of the week fits" : absl::StrJoin(reasons, "; "));
  out.obstacle = std::move(o);
  return out;
}

}  // namespace

RepairOutcome RepairCohort(const PlanningWorld& world, const Occupancy& others,
                           const RepairRequest& request, const ScoreWeights& weights) {
  RepairOutcome out;
  out.sessions = request.current;
  if (request.program == nullptr) return out;
  const ProgramModel& program = *request.program;
  const int capacity = request.capacity > 0 ? request.capacity : program.max_cohort_size;
  std::vector<std::pair<size_t, std::vector<HardConstraint>>> affected;
  for (size_t i = 0; i < out.sessions.size(); ++i) {
    std::vector<HardConstraint> why =
        SessionViolations(world, others, program, capacity, out.sessions[i]);
    if (why.empty()) continue;
    if (StartOf(out.sessions[i]) < request.now) {
      ++out.past_untouched;
      continue;
    }
    affected.emplace_back(i, std::move(why));
  }
  for (const auto& [i, why] : affected) {
    SlotSearch r = BestSlotInWeek(world, others, program, capacity, out.sessions, i, request.now,
                                  weights, /*must_differ=*/false, why);
    if (r.session) {
      out.sessions[i] = *std::move(r.session);
      out.moved.push_back(out.sessions[i].index);
    } else {
      out.unplaceable.emplace_back(out.sessions[i].index, *std::move(r.obstacle));
    }
  }
  std::stable_sort(out.sessions.begin(), out.sessions.end(),
                   [](const PlannedSession& a, const PlannedSession& b) {
                     return std::tie(a.day, a.time.start) < std::tie(b.day, b.time.start);
                   });
  return out;
}

SlotChoice FindSlotInWeek(const PlanningWorld& world, const Occupancy& others,
                          const ProgramModel& program, int capacity, const PlannedSession& session,
                          const std::vector<PlannedSession>& siblings, absl::CivilMinute now,
                          const ScoreWeights& weights) {
  std::vector<PlannedSession> timetable;
  for (const PlannedSession& s : siblings) {
    if (s.index != session.index) timetable.push_back(s);
  }
  timetable.push_back(session);
  const int cap = capacity > 0 ? capacity : program.max_cohort_size;
  SlotSearch r =
      BestSlotInWeek(world, others, program, cap, timetable, timetable.size() - 1, now, weights,
                     /*must_differ=*/true, SessionViolations(world, others, program, cap, session));
  return SlotChoice{std::move(r.session), std::move(r.obstacle)};
}

}  // namespace kpr::scheduling
