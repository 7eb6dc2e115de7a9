#include "services/scheduling/cohort_planner.h"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/plan_explain.h"
#include "services/scheduling/plan_format.h"
#include "services/scheduling/plan_problem.h"
#include "services/scheduling/plan_search.h"

namespace kpr::scheduling {
namespace {

using plan::kDaysPerWeek;

// PlanCohort builds a timetable from each of the best kPatternsBuilt weekly patterns (~20 us
// each) and improves the kPatternsImproved best of them by local search (~0.5 ms each).
constexpr int kPatternsBuilt = 16;
constexpr size_t kPatternsImproved = 3;
// Two plans whose scores differ by less are equal (the first found wins: deterministic).
constexpr double kScoreEpsilon = 1e-9;

std::string ActivityName(const ProgramModel& program, absl::string_view activity_id) {
  const ActivityModel* a = program.FindActivity(activity_id);
  return a != nullptr && !a->name.empty() ? a->name : std::string(activity_id);
}

absl::CivilMinute StartOf(const PlannedSession& s) {
  return absl::CivilMinute(s.day) + s.time.start;
}

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

// Score() without the texts when `violations` is null (repair scores many candidates).
double ScoreImpl(const PlanningWorld& world, const Occupancy& others, const ProgramModel& program,
                 const std::vector<PlannedSession>& sessions, const ScoreWeights& weights,
                 std::vector<SoftViolation>* violations) {
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

absl::string_view HardConstraintName(HardConstraint c) {
  switch (c) {
    case HardConstraint::kTimeWindow:
      return "time_window";
    case HardConstraint::kOpeningHours:
      return "opening_hours";
    case HardConstraint::kInstructorUnavailable:
      return "instructor_unavailable";
    case HardConstraint::kVenueBooked:
      return "venue_booked";
    case HardConstraint::kInstructorBooked:
      return "instructor_booked";
    case HardConstraint::kCapacity:
      return "capacity";
    case HardConstraint::kClosed:
      return "closed";
    case HardConstraint::kNoHost:
      return "no_host";
    case HardConstraint::kWeeklyRhythm:
      return "weekly_rhythm";
    case HardConstraint::kFirstSession:
      return "first_session";
    case HardConstraint::kLastSession:
      return "last_session";
  }
  return "unknown";
}

absl::string_view SoftConstraintName(SoftConstraint c) {
  switch (c) {
    case SoftConstraint::kHabit:
      return "habit";
    case SoftConstraint::kRotation:
      return "rotation";
    case SoftConstraint::kInstructorContinuity:
      return "instructor_continuity";
    case SoftConstraint::kInstitutionLoad:
      return "institution_load";
    case SoftConstraint::kFewerSessions:
      return "fewer_sessions";
  }
  return "unknown";
}

ScoreBreakdown Score(const PlanningWorld& world, const Occupancy& others,
                     const ProgramModel& program, const std::vector<PlannedSession>& sessions,
                     const ScoreWeights& weights) {
  ScoreBreakdown out;
  out.score = ScoreImpl(world, others, program, sessions, weights, &out.soft_violations);
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

namespace {

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
        const double score = ScoreImpl(world, others, program, work, weights, nullptr);
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
      "session ", cur.index + 1, " (", ActivityName(program, cur.activity_id), ", ",
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
