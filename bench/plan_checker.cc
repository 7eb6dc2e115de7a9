#include "bench/plan_checker.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/calendar/danish_holidays.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/closure_calendar.h"

namespace kpr::bench {
namespace {

using scheduling::Booking;
using scheduling::ClosedPeriod;
using scheduling::MinuteSpan;
using scheduling::PlannedSession;
using scheduling::PlanningWorld;
using scheduling::ProgramModel;

int Weekday(absl::CivilDay day) { return static_cast<int>(absl::GetWeekday(day)); }  // Mon = 0

absl::CivilDay MondayOf(absl::CivilDay day) { return day - Weekday(day); }

bool InPeriods(const std::vector<ClosedPeriod>& periods, absl::CivilDay day) {
  for (const ClosedPeriod& p : periods) {
    if (p.first <= day && day <= p.last) return true;
  }
  return false;
}

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

std::string Clock(MinuteSpan t) {
  return absl::StrFormat("%02d:%02d-%02d:%02d", t.start / 60, t.start % 60, t.end / 60, t.end % 60);
}

// One holder of a venue or an instructor at a time, for the overlap sweep.
struct Hold {
  std::string resource;
  absl::CivilDay day;
  MinuteSpan time;
  std::string cohort_id;  // empty: an existing booking
  int session_index = -1;
};

void SweepOverlaps(std::vector<Hold> holds, const char* constraint,
                   std::vector<HardViolation>* out) {
  std::sort(holds.begin(), holds.end(), [](const Hold& a, const Hold& b) {
    return std::tie(a.resource, a.day, a.time.start) < std::tie(b.resource, b.day, b.time.start);
  });
  for (size_t i = 0; i < holds.size(); ++i) {
    // Compare with every later hold of the same resource and day that starts before this ends.
    for (size_t j = i + 1; j < holds.size() && holds[j].resource == holds[i].resource &&
                           holds[j].day == holds[i].day && holds[j].time.start < holds[i].time.end;
         ++j) {
      const Hold& a = holds[i];
      const Hold& b = holds[j];
      if (a.cohort_id.empty() && b.cohort_id.empty()) continue;  // existing vs existing
      const Hold& mine = a.cohort_id.empty() ? b : a;
      const Hold& other = a.cohort_id.empty() ? a : b;
      out->push_back(
          {constraint, mine.cohort_id, mine.session_index,
           absl::StrCat(mine.resource, " on ", Day(mine.day), " ", Clock(mine.time), " overlaps ",
                        other.cohort_id.empty()
                            ? "an existing booking"
                            : absl::StrCat(other.cohort_id, "#", other.session_index),
                        " ", Clock(other.time))});
    }
  }
}

}  // namespace

bool MunicipalityClosed(const PlanningWorld& world, absl::CivilDay day) {
  return calendar::IsDanishPublicHoliday(day, /*include_customary=*/true) ||
         InPeriods(world.calendar.closed_periods(), day);
}

bool InsideWeekly(const scheduling::WeeklySpans& hours, absl::CivilDay day, MinuteSpan span) {
  for (const MinuteSpan& h : hours[Weekday(day)]) {
    if (h.start <= span.start && span.end <= h.end) return true;
  }
  return false;
}

CourseWeeks ComputeCourseWeeks(const PlanningWorld& world, const ProgramModel& program,
                               int start_iso_year, int start_iso_week) {
  CourseWeeks cw;
  absl::CivilDay monday = calendar::MondayOfIsoWeek(start_iso_year, start_iso_week);
  while (static_cast<int>(cw.mondays.size()) < program.weeks) {
    int open = 0;
    for (int d = 0; d < 5; ++d) open += MunicipalityClosed(world, monday + d) ? 0 : 1;
    if (open < program.min_sessions_per_week) {
      cw.paused.push_back(monday);
      if (cw.paused.size() > 2) return cw;
    } else {
      cw.mondays.push_back(monday);
    }
    monday += 7;
  }
  cw.feasible = true;
  return cw;
}

std::vector<HardViolation> CheckHard(const PlanningWorld& world,
                                     const std::vector<Booking>& existing,
                                     const std::vector<CheckedCohort>& cohorts) {
  std::vector<HardViolation> out;
  absl::flat_hash_map<std::string, const scheduling::VenueModel*> venues;
  absl::flat_hash_map<std::string, const scheduling::InstructorModel*> instructors;
  absl::flat_hash_set<std::string> institutions;
  for (const auto& v : world.venues) venues[v.id] = &v;
  for (const auto& i : world.instructors) instructors[i.id] = &i;
  for (const auto& i : world.institutions) institutions.insert(i.id);

  std::vector<Hold> venue_holds, instructor_holds;
  for (const Booking& b : existing) {
    venue_holds.push_back({b.venue_id, b.day, b.time, "", -1});
    instructor_holds.push_back({b.instructor_id, b.day, b.time, "", -1});
  }

  for (const CheckedCohort& c : cohorts) {
    const CohortSpec& spec = *c.spec;
    const ProgramModel& p = *spec.program;
    const std::vector<PlannedSession>& ss = *c.sessions;
    const int capacity = spec.capacity > 0 ? spec.capacity : p.max_cohort_size;
    auto add = [&](const char* constraint, int index, std::string detail) {
      out.push_back({constraint, spec.cohort_id, index, std::move(detail)});
    };

    // Per session.
    for (size_t k = 0; k < ss.size(); ++k) {
      const PlannedSession& s = ss[k];
      const int idx = static_cast<int>(k);
      const scheduling::ActivityModel* activity = nullptr;
      for (const auto& a : p.activities) {
        if (a.id == s.activity_id) activity = &a;
      }
      if (activity == nullptr) {
        add("no_host", idx, absl::StrCat("unknown activity ", s.activity_id));
        continue;
      }
      if (s.time.start % scheduling::kStartGridMinutes != 0 ||
          s.time.end - s.time.start != activity->duration_minutes ||
          !InsideWeekly(p.allowed_hours, s.day, s.time)) {
        add("time_window", idx, absl::StrCat(Day(s.day), " ", Clock(s.time)));
      }
      if (s.day < spec.not_before) add("not_before", idx, Day(s.day));
      if (std::find(activity->institution_ids.begin(), activity->institution_ids.end(),
                    s.institution_id) == activity->institution_ids.end() ||
          !institutions.contains(s.institution_id)) {
        add("no_host", idx, absl::StrCat(s.activity_id, " at ", s.institution_id));
      }
      auto v = venues.find(s.venue_id);
      if (v == venues.end() || v->second->institution_id != s.institution_id) {
        add("no_host", idx, absl::StrCat("venue ", s.venue_id, " not of ", s.institution_id));
      } else {
        if (!InsideWeekly(v->second->opening, s.day, s.time)) {
          add("opening_hours", idx, absl::StrCat(s.venue_id, " ", Day(s.day), " ", Clock(s.time)));
        }
        if (v->second->capacity < capacity) {
          add("capacity", idx, absl::StrCat(s.venue_id, " seats ", v->second->capacity));
        }
        if (InPeriods(v->second->closures, s.day)) {
          add("closed", idx, absl::StrCat(s.venue_id, " closed ", Day(s.day)));
        }
      }
      if (MunicipalityClosed(world, s.day)) add("closed", idx, Day(s.day));
      auto ins = instructors.find(s.instructor_id);
      if (ins == instructors.end() || ins->second->institution_id != s.institution_id ||
          !InsideWeekly(ins->second->availability, s.day, s.time) ||
          InPeriods(ins->second->absences, s.day)) {
        add("instructor_unavailable", idx,
            absl::StrCat(s.instructor_id, " ", Day(s.day), " ", Clock(s.time)));
      }
      venue_holds.push_back({s.venue_id, s.day, s.time, spec.cohort_id, idx});
      instructor_holds.push_back({s.instructor_id, s.day, s.time, spec.cohort_id, idx});
    }

    // Weekly rhythm: order, one a day, the course weeks and their counts.
    const CourseWeeks cw = ComputeCourseWeeks(world, p, spec.start_iso_year, spec.start_iso_week);
    if (!cw.feasible) {
      add("weekly_rhythm", -1, "more than 2 paused weeks, yet a plan was returned");
      continue;
    }
    std::vector<int> per_week(p.weeks, 0);
    for (size_t k = 0; k < ss.size(); ++k) {
      const PlannedSession& s = ss[k];
      const int idx = static_cast<int>(k);
      if (s.index != idx) add("weekly_rhythm", idx, absl::StrCat("index ", s.index));
      if (k > 0 && !(ss[k - 1].day < s.day)) {
        add("weekly_rhythm", idx,
            absl::StrCat("not after the previous session's day ", Day(s.day)));
      }
      if (s.week_index < 0 || s.week_index >= p.weeks ||
          MondayOf(s.day) != cw.mondays[s.week_index]) {
        add("weekly_rhythm", idx,
            absl::StrCat(Day(s.day), " is not in course week ", s.week_index));
        continue;
      }
      ++per_week[s.week_index];
    }
    for (int w = 0; w < p.weeks; ++w) {
      if (per_week[w] < p.min_sessions_per_week || per_week[w] > p.max_sessions_per_week) {
        add("weekly_rhythm", -1,
            absl::StrCat("course week ", w, " has ", per_week[w], " sessions"));
      }
    }

    // First and last sessions; the fixed activities nowhere else.
    const bool only_fixed = std::all_of(
        p.activities.begin(), p.activities.end(),
        [&](const auto& a) { return a.id == p.first_activity_id || a.id == p.last_activity_id; });
    if (ss.empty()) {
      add("weekly_rhythm", -1, "no sessions");
      continue;
    }
    if (!p.first_activity_id.empty() &&
        (ss.front().activity_id != p.first_activity_id || ss.front().week_index != 0)) {
      add("first_session", 0, ss.front().activity_id);
    }
    if (!p.last_activity_id.empty() &&
        (ss.back().activity_id != p.last_activity_id || ss.back().week_index != p.weeks - 1)) {
      add("last_session", static_cast<int>(ss.size()) - 1, ss.back().activity_id);
    }
    if (!only_fixed) {
      for (size_t k = 0; k < ss.size(); ++k) {
        const std::string& a = ss[k].activity_id;
        if (k != 0 && !a.empty() && a == p.first_activity_id) {
          add("first_session", static_cast<int>(k), "fixed first activity used again");
        }
        if (k + 1 != ss.size() && !a.empty() && a == p.last_activity_id) {
          add("last_session", static_cast<int>(k), "fixed last activity used early");
        }
      }
    }
  }

  SweepOverlaps(std::move(venue_holds), "venue_booked", &out);
  SweepOverlaps(std::move(instructor_holds), "instructor_booked", &out);
  return out;
}

void LoadIndex::Add(const Booking& b) {
  ++counts_[absl::StrCat(b.institution_id, "|", calendar::IsoWeekYear(b.day), "-",
                         calendar::IsoWeek(b.day))];
}

void LoadIndex::Add(const PlannedSession& s) {
  ++counts_[absl::StrCat(s.institution_id, "|", calendar::IsoWeekYear(s.day), "-",
                         calendar::IsoWeek(s.day))];
}

int LoadIndex::Load(const std::string& institution_id, absl::CivilDay day) const {
  auto it = counts_.find(
      absl::StrCat(institution_id, "|", calendar::IsoWeekYear(day), "-", calendar::IsoWeek(day)));
  return it == counts_.end() ? 0 : it->second;
}

ScoreTerms IndependentScore(const LoadIndex& others, const ProgramModel& program,
                            const std::vector<PlannedSession>& sessions,
                            const scheduling::ScoreWeights& weights) {
  ScoreTerms t;
  // habit: per rank, the sessions outside the rank's most common (weekday, start).
  std::map<int, std::map<std::pair<int, int>, int>> by_rank;
  std::map<int, int> rank_sessions;
  std::map<int, int> per_week;
  for (const PlannedSession& s : sessions) {
    const int rank = per_week[s.week_index]++;
    ++by_rank[rank][{Weekday(s.day), s.time.start}];
    ++rank_sessions[rank];
  }
  for (const auto& [rank, groups] : by_rank) {
    int best = 0;
    for (const auto& [pattern, n] : groups) best = std::max(best, n);
    t.habit += weights.habit * (rank_sessions[rank] - best);
  }
  for (size_t k = 1; k < sessions.size(); ++k) {
    if (sessions[k].institution_id == sessions[k - 1].institution_id)
      t.rotation += weights.rotation;
  }
  std::map<std::string, absl::flat_hash_set<std::string>> instructors;
  for (const PlannedSession& s : sessions) instructors[s.activity_id].insert(s.instructor_id);
  for (const auto& [activity, set] : instructors) {
    t.instructor_continuity += weights.instructor_continuity * (static_cast<int>(set.size()) - 1);
  }
  for (const PlannedSession& s : sessions) {
    t.institution_load += weights.institution_load * others.Load(s.institution_id, s.day);
  }
  for (int w = 0; w < program.weeks; ++w) {
    auto it = per_week.find(w);
    t.fewer_sessions += weights.fewer_sessions *
                        (program.max_sessions_per_week - (it == per_week.end() ? 0 : it->second));
  }
  return t;
}

}  // namespace kpr::bench
