#include "services/scheduling/cohort_planner.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/plan_constraints.h"
#include "services/scheduling/plan_explain.h"
#include "services/scheduling/plan_format.h"
#include "services/scheduling/plan_problem.h"
#include "services/scheduling/plan_search.h"

namespace kpr::scheduling {
namespace {

using plan::kDaysPerWeek;
using plan::kScoreEpsilon;

// PlanCohort builds a timetable from each of the best kPatternsBuilt weekly patterns (~20 us
// each) and improves the kPatternsImproved best of them by local search (~0.5 ms each).
constexpr int kPatternsBuilt = 16;
constexpr size_t kPatternsImproved = 3;

// The course weeks from the start week (paused weeks skipped) and the paused weeks; stops
// after a third pause, which already rules the start week out.
struct CourseWeeks {
  std::vector<absl::CivilDay> mondays;
  std::vector<absl::CivilDay> paused;
};

CourseWeeks ComputeCourseWeeks(const ClosureCalendar& calendar, absl::CivilDay start_monday,
                               int weeks, int min_per_week) {
  CourseWeeks out;
  for (absl::CivilDay monday = start_monday;
       static_cast<int>(out.mondays.size()) < weeks && out.paused.size() <= 2; monday += 7) {
    if (static_cast<int>(calendar.OpenDaysInWeek(monday).size()) < min_per_week) {
      out.paused.push_back(monday);
    } else {
      out.mondays.push_back(monday);
    }
  }
  return out;
}

Obstacle TooManyPauses(const ClosureCalendar& calendar, const std::vector<absl::CivilDay>& paused) {
  Obstacle o{HardConstraint::kWeeklyRhythm, "", {}, ""};
  std::vector<std::string> reasons;
  for (absl::CivilDay monday : paused) {
    o.weeks.push_back(calendar::IsoWeekLabel(monday));
    for (int i = 0; i < 5; ++i) {
      std::optional<std::string> why = calendar.WhyClosed(monday + i);
      if (why && std::find(reasons.begin(), reasons.end(), *why) == reasons.end()) {
        reasons.push_back(*why);
      }
    }
  }
  o.message =
      absl::StrCat(o.weeks.size() == 1 ? "week " : "weeks ", plan::JoinAnd(o.weeks),
                   o.weeks.size() == 1 ? " is" : " are", " closed (", absl::StrJoin(reasons, "; "),
                   ") and the course may pause at most 2 weeks");
  return o;
}

PlanOutcome Fail(Obstacle o) {
  PlanOutcome out;
  out.obstacles.push_back(std::move(o));
  return out;
}

PlannedSession ToSession(const plan::Problem& p, const plan::Slot& s, int d, int index) {
  PlannedSession out;
  out.index = index;
  out.week_index = d / kDaysPerWeek;
  const plan::ActivityInfo& a = p.activities()[s.act];
  out.activity_id = a.model->id;
  out.day = p.Date(d);
  const int start = p.StartMinute(d, s.si);
  out.time = MinuteSpan{start, start + a.duration};
  out.institution_id = p.institutions()[s.inst].id;
  out.venue_id = p.venue(s.venue).id;
  out.instructor_id = p.instructor(s.instructor).id;
  return out;
}

// Independent last check of everything PlanCohort promises: a search bug must never reach a
// coordinator as a booked timetable.
std::optional<Obstacle> CheckPlan(const PlanningWorld& world, const Occupancy& others,
                                  const ProgramModel& program, int capacity,
                                  absl::CivilDay not_before,
                                  const std::vector<absl::CivilDay>& mondays,
                                  const std::vector<PlannedSession>& sessions) {
  auto broken = [](HardConstraint c, const PlannedSession& s) {
    return Obstacle{
        c,
        s.institution_id,
        {calendar::IsoWeekLabel(s.day)},
        absl::StrCat("internal check: session ", s.index + 1, " breaks ", HardConstraintName(c))};
  };
  std::vector<int> per_week(mondays.size(), 0);
  for (size_t i = 0; i < sessions.size(); ++i) {
    const PlannedSession& s = sessions[i];
    std::vector<HardConstraint> v = SessionViolations(world, others, program, capacity, s);
    if (!v.empty()) return broken(v[0], s);
    if (s.day < not_before) return broken(HardConstraint::kTimeWindow, s);
    if (i > 0 && !(sessions[i - 1].day < s.day)) return broken(HardConstraint::kWeeklyRhythm, s);
    if (s.week_index < 0 || s.week_index >= static_cast<int>(mondays.size()) ||
        s.day < mondays[s.week_index] || s.day >= mondays[s.week_index] + 7) {
      return broken(HardConstraint::kWeeklyRhythm, s);
    }
    ++per_week[s.week_index];
  }
  for (size_t w = 0; w < per_week.size(); ++w) {
    if (per_week[w] < program.min_sessions_per_week ||
        per_week[w] > program.max_sessions_per_week) {
      return Obstacle{HardConstraint::kWeeklyRhythm,
                      "",
                      {calendar::IsoWeekLabel(mondays[w])},
                      "internal check: wrong number of sessions in a week"};
    }
  }
  if (sessions.empty()) return std::nullopt;
  if (!program.first_activity_id.empty() &&
      (sessions.front().activity_id != program.first_activity_id ||
       sessions.front().week_index != 0)) {
    return broken(HardConstraint::kFirstSession, sessions.front());
  }
  if (!program.last_activity_id.empty() &&
      (sessions.back().activity_id != program.last_activity_id ||
       sessions.back().week_index != static_cast<int>(mondays.size()) - 1)) {
    return broken(HardConstraint::kLastSession, sessions.back());
  }
  return std::nullopt;
}

// Why a failed week failed, as obstacles (appended to `ex`).
void ExplainWeek(const plan::Problem& p, plan::Search& search, int w, plan::Explainer& ex) {
  const ProgramModel& program = p.program();
  const int first = p.first_activity();
  const int last = p.last_activity();
  auto fits_in_week = [&](int act) {
    std::vector<int> days;
    for (int dow = 0; dow < kDaysPerWeek; ++dow) {
      const int d = w * kDaysPerWeek + dow;
      for (int si = 0; si < static_cast<int>(p.starts(dow).size()); ++si) {
        if (p.HasCell(d, si, act)) {
          days.push_back(dow);
          break;
        }
      }
    }
    return days;
  };
  bool explained = false;
  if (w == 0 && first >= 0 && fits_in_week(first).empty()) {
    explained |= ex.FixedSession(w, first, HardConstraint::kFirstSession);
  }
  if (w == p.num_weeks() - 1 && last >= 0 && fits_in_week(last).empty()) {
    explained |= ex.FixedSession(w, last, HardConstraint::kLastSession);
  }
  if (explained) return;
  int middle_days = 0;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    const int d = w * kDaysPerWeek + dow;
    for (int si = 0; si < static_cast<int>(p.starts(dow).size()); ++si) {
      if (search.MiddleCount(d, si) > 0) {
        ++middle_days;
        break;
      }
    }
  }
  const std::string week = calendar::IsoWeekLabel(p.week_monday(w));
  if (middle_days < program.min_sessions_per_week && ex.Week(w, p.remaining())) return;
  // Enough days, but not in the order the fixed sessions need.
  auto order_problem = [&](int act, HardConstraint role, bool is_first) {
    const std::vector<int> days = fits_in_week(act);
    const plan::ActivityInfo& info = p.activities()[act];
    ex.Add(Obstacle{
        role,
        info.hosts.empty() ? "" : p.institutions()[info.hosts[0]].id,
        {week},
        absl::StrCat("the ", is_first ? "first" : "last", " session (",
                     info.model->name.empty() ? info.model->id : info.model->name, ") fits only ",
                     plan::WeekdaysText(days), " in ", week, ", leaving too few ",
                     is_first ? "later" : "earlier", " days for the week's other sessions")});
  };
  if (w == 0 && first >= 0) {
    order_problem(first, HardConstraint::kFirstSession, true);
  } else if (w == p.num_weeks() - 1 && last >= 0) {
    order_problem(last, HardConstraint::kLastSession, false);
  } else {
    ex.Add(Obstacle{HardConstraint::kWeeklyRhythm,
                    "",
                    {week},
                    absl::StrCat("only ", middle_days, " days in ", week,
                                 " have a free slot and the program needs ",
                                 program.min_sessions_per_week, " sessions a week")});
  }
}

}  // namespace

PlanOutcome PlanCohort(const PlanningWorld& world, const Occupancy& others,
                       const PlanRequest& request, const ScoreWeights& weights) {
  const ProgramModel* program = request.program;
  if (program == nullptr) {
    return Fail(Obstacle{HardConstraint::kWeeklyRhythm, "", {}, "no program to plan"});
  }
  const std::string name = program->name.empty() ? program->id : program->name;
  const int min = program->min_sessions_per_week;
  const int max = program->max_sessions_per_week;
  if (program->weeks <= 0 || max <= 0 || min < 0 || min > max || min > 5) {
    return Fail(Obstacle{
        HardConstraint::kWeeklyRhythm,
        "",
        {},
        absl::StrCat(name, " has no workable rhythm: ", program->weeks, " weeks of ", min, "-", max,
                     " sessions (a week has 5 weekdays, at most one session a day)")});
  }
  if (program->activities.empty()) {
    return Fail(
        Obstacle{HardConstraint::kNoHost, "", {}, absl::StrCat(name, " has no activities")});
  }
  if (!program->first_activity_id.empty() &&
      program->FindActivity(program->first_activity_id) == nullptr) {
    return Fail(Obstacle{HardConstraint::kFirstSession,
                         "",
                         {},
                         absl::StrCat(name, "'s first activity '", program->first_activity_id,
                                      "' is not one of its activities")});
  }
  if (!program->last_activity_id.empty() &&
      program->FindActivity(program->last_activity_id) == nullptr) {
    return Fail(Obstacle{HardConstraint::kLastSession,
                         "",
                         {},
                         absl::StrCat(name, "'s last activity '", program->last_activity_id,
                                      "' is not one of its activities")});
  }
  const int capacity = request.capacity > 0 ? request.capacity : program->max_cohort_size;
  const CourseWeeks weeks = ComputeCourseWeeks(
      world.calendar, calendar::MondayOfIsoWeek(request.start_iso_year, request.start_iso_week),
      program->weeks, min);
  if (weeks.paused.size() > 2) return Fail(TooManyPauses(world.calendar, weeks.paused));

  plan::Problem problem(
      plan::ProblemInput{&world, &others, program, capacity, weeks.mondays, request.not_before});
  plan::Explainer explainer(problem);
  plan::Search search(problem, weights);
  // Build a timetable from each candidate pattern (cheap), then improve the most promising few
  // (the expensive part) and keep the best.
  struct Start {
    double score;
    plan::Timetable timetable;
  };
  std::vector<Start> starts;
  for (const plan::Pattern& pattern : search.CandidatePatterns(kPatternsBuilt)) {
    plan::Timetable t;
    std::vector<int> failed;
    if (!search.Construct(pattern, &t, &failed)) {
      // Week feasibility does not depend on the pattern: no other pattern can do better.
      for (int w : failed) ExplainWeek(problem, search, w, explainer);
      PlanOutcome out;
      out.obstacles = explainer.Take();
      return out;
    }
    search.Polish(&t, /*deep=*/false);
    const double score = search.Evaluate(t);
    starts.push_back(Start{score, std::move(t)});
  }
  std::stable_sort(starts.begin(), starts.end(),
                   [](const Start& a, const Start& b) { return a.score < b.score; });
  if (starts.size() > kPatternsImproved) starts.resize(kPatternsImproved);
  plan::Timetable best;
  double best_score = std::numeric_limits<double>::infinity();
  for (Start& start : starts) {
    search.Improve(&start.timetable);
    const double score = search.Evaluate(start.timetable);
    if (score < best_score - kScoreEpsilon) {
      best_score = score;
      best = std::move(start.timetable);
    }
  }

  Plan plan;
  for (int d = 0; d < problem.num_days(); ++d) {
    if (!best[d].used()) continue;
    plan.sessions.push_back(ToSession(problem, best[d], d, static_cast<int>(plan.sessions.size())));
  }
  if (std::optional<Obstacle> broken = CheckPlan(
          world, others, *program, capacity, request.not_before, weeks.mondays, plan.sessions)) {
    return Fail(*std::move(broken));
  }
  ScoreBreakdown score = Score(world, others, *program, plan.sessions, weights);
  plan.score = score.score;
  plan.soft_violations = std::move(score.soft_violations);
  for (absl::CivilDay monday : weeks.paused)
    plan.paused_weeks.push_back(calendar::IsoWeekLabel(monday));
  PlanOutcome out;
  out.plan = std::move(plan);
  return out;
}

}  // namespace kpr::scheduling
