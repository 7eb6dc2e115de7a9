#include "bench/plan_milp.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/plan_checker.h"

namespace kpr::bench {
namespace {

using scheduling::Booking;
using scheduling::MinuteSpan;
using scheduling::PlannedSession;
using scheduling::PlanningWorld;
using scheduling::ProgramModel;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Column {
  bool integer = false;
  double lb = 0, ub = 1, obj = 0;
};

// lo <= sum(terms) <= hi; either side may be infinite.
struct Row {
  std::vector<std::pair<int, double>> terms;
  double lo = -kInf, hi = kInf;
};

// One way to hold a session on a day: start, venue, instructor, activity.
struct XVar {
  int col = -1;
  int t = -1;
  MinuteSpan time;
  int venue = -1;        // index into world.venues
  int instructor = -1;   // index into world.instructors
  int activity = -1;     // index into program.activities
  int institution = -1;  // index into Impl::institutions
};

// A day of a course week on which a session is possible.
struct DaySlot {
  int week = 0;
  absl::CivilDay day;
  int weekday = 0;
  int y = -1;                                // a session that day
  std::vector<int> xs;                       // indices into Impl::xs
  std::vector<int> rank;                     // rank[r]: R[t, r]
  std::map<int, std::vector<int>> by_start;  // start minute -> xs
};

struct Rot {
  int t1, t2, k, col;
};

struct BoundTracker {
  double bound = -kInf;
};

void TrackBound(glp_tree* tree, void* info) {
  const int reason = glp_ios_reason(tree);
  if (reason != GLP_ISELECT && reason != GLP_IBINGO && reason != GLP_IROWGEN) return;
  const int node = glp_ios_best_node(tree);
  if (node != 0) static_cast<BoundTracker*>(info)->bound = glp_ios_node_bound(tree, node);
}

}  // namespace

struct CohortMilp::Impl {
  const PlanningWorld& world;
  const ProgramModel& program;
  scheduling::ScoreWeights weights;
  CohortSpec cohort;
  CourseWeeks course;

  std::vector<Column> cols;
  std::vector<Row> rows;
  double constant = 0;

  std::vector<std::string> institutions;
  std::vector<DaySlot> days;  // chronological
  std::vector<XVar> xs;
  std::map<std::tuple<int, int, int>, int> pattern;  // (rank, weekday, start) -> P
  std::map<std::tuple<int, int, int>, int> q;        // (t, start, rank) -> Q
  std::vector<Rot> rots;
  std::map<std::pair<int, int>, int> u;  // (activity, instructor) -> U
  std::map<int, int> pen;                // activity -> pen

  Impl(const PlanningWorld& w, const CohortSpec& c, const scheduling::ScoreWeights& wt)
      : world(w), program(*c.program), weights(wt), cohort(c) {}

  int AddCol(bool integer, double lb, double ub, double obj) {
    cols.push_back({integer, lb, ub, obj});
    return static_cast<int>(cols.size()) - 1;
  }
  void AddRow(std::vector<std::pair<int, double>> terms, double lo, double hi) {
    rows.push_back({std::move(terms), lo, hi});
  }

  void Build(const std::vector<Booking>& existing);
  int InstitutionIndex(const std::string& id) const {
    for (size_t k = 0; k < institutions.size(); ++k) {
      if (institutions[k] == id) return static_cast<int>(k);
    }
    return -1;
  }
};

void CohortMilp::Impl::Build(const std::vector<Booking>& existing) {
  course = ComputeCourseWeeks(world, program, cohort.start_iso_year, cohort.start_iso_week);
  if (!course.feasible) return;
  const int capacity = cohort.capacity > 0 ? cohort.capacity : program.max_cohort_size;
  const int weeks = program.weeks;
  const int max_pw = program.max_sessions_per_week;
  LoadIndex load;
  for (const Booking& b : existing) load.Add(b);
  for (const auto& i : world.institutions) institutions.push_back(i.id);

  auto busy = [&](const std::string& venue, const std::string& instructor, absl::CivilDay day,
                  MinuteSpan time) {
    for (const Booking& b : existing) {
      if (b.day == day && b.time.Overlaps(time) &&
          (b.venue_id == venue || b.instructor_id == instructor)) {
        return true;
      }
    }
    return false;
  };
  auto in_periods = [](const std::vector<scheduling::ClosedPeriod>& ps, absl::CivilDay d) {
    for (const auto& p : ps) {
      if (p.first <= d && d <= p.last) return true;
    }
    return false;
  };

  const bool only_fixed =
      std::all_of(program.activities.begin(), program.activities.end(), [&](const auto& a) {
        return a.id == program.first_activity_id || a.id == program.last_activity_id;
      });

  // x columns, day by day.
  for (int w = 0; w < weeks; ++w) {
    for (int d = 0; d < 7; ++d) {
      const absl::CivilDay day = course.mondays[w] + d;
      if (day < cohort.not_before || MunicipalityClosed(world, day) ||
          program.allowed_hours[d].empty()) {
        continue;
      }
      DaySlot slot;
      slot.week = w;
      slot.day = day;
      slot.weekday = d;
      const int t = static_cast<int>(days.size());
      for (size_t a = 0; a < program.activities.size(); ++a) {
        const scheduling::ActivityModel& act = program.activities[a];
        // The fixed activities only where they can be first / last (checked by rows below),
        // unless the program has nothing else.
        if (!only_fixed && act.id == program.first_activity_id && w != 0) continue;
        if (!only_fixed && act.id == program.last_activity_id && w != weeks - 1) continue;
        for (size_t v = 0; v < world.venues.size(); ++v) {
          const scheduling::VenueModel& venue = world.venues[v];
          if (std::find(act.institution_ids.begin(), act.institution_ids.end(),
                        venue.institution_id) == act.institution_ids.end() ||
              venue.capacity < capacity || in_periods(venue.closures, day)) {
            continue;
          }
          const int k = InstitutionIndex(venue.institution_id);
          if (k < 0) continue;
          for (int start = 0; start + act.duration_minutes <= 24 * 60;
               start += scheduling::kStartGridMinutes) {
            const MinuteSpan time{start, start + act.duration_minutes};
            if (!InsideWeekly(program.allowed_hours, day, time) ||
                !InsideWeekly(venue.opening, day, time)) {
              continue;
            }
            for (size_t i = 0; i < world.instructors.size(); ++i) {
              const scheduling::InstructorModel& ins = world.instructors[i];
              if (ins.institution_id != venue.institution_id ||
                  !InsideWeekly(ins.availability, day, time) || in_periods(ins.absences, day) ||
                  busy(venue.id, ins.id, day, time)) {
                continue;
              }
              XVar x;
              x.t = t;
              x.time = time;
              x.venue = static_cast<int>(v);
              x.instructor = static_cast<int>(i);
              x.activity = static_cast<int>(a);
              x.institution = k;
              x.col = AddCol(true, 0, 1,
                             weights.institution_load * load.Load(venue.institution_id, day));
              slot.xs.push_back(static_cast<int>(xs.size()));
              slot.by_start[start].push_back(static_cast<int>(xs.size()));
              xs.push_back(x);
            }
          }
        }
      }
      if (slot.xs.empty()) continue;
      days.push_back(std::move(slot));
    }
  }

  // y[t] = sum of x on day t (at most one session a day); fewer_sessions and habit count it.
  constant += weights.fewer_sessions * max_pw * weeks;
  for (DaySlot& s : days) {
    s.y = AddCol(true, 0, 1, weights.habit - weights.fewer_sessions);
    std::vector<std::pair<int, double>> terms = {{s.y, 1}};
    for (int xi : s.xs) terms.push_back({xs[xi].col, -1});
    AddRow(std::move(terms), 0, 0);
  }
  auto days_of_week = [&](int w) {
    std::vector<int> out;
    for (size_t t = 0; t < days.size(); ++t) {
      if (days[t].week == w) out.push_back(static_cast<int>(t));
    }
    return out;
  };

  // Weekly rhythm: min..max sessions per course week.
  for (int w = 0; w < weeks; ++w) {
    std::vector<std::pair<int, double>> terms;
    for (int t : days_of_week(w)) terms.push_back({days[t].y, 1});
    AddRow(std::move(terms), program.min_sessions_per_week, max_pw);
  }

  // First / last: on a used day of week 0 with no used day before it, the session is the first
  // activity; the first activity never on a day with a used day before it (unless the program
  // has only the fixed activities). Mirrored for last.
  auto fixed_rows = [&](const std::string& activity_id, int w, bool first) {
    if (activity_id.empty()) return;
    std::vector<int> ts = days_of_week(w);
    if (!first) std::reverse(ts.begin(), ts.end());
    for (size_t j = 0; j < ts.size(); ++j) {
      std::vector<std::pair<int, double>> fixed;
      for (int xi : days[ts[j]].xs) {
        if (program.activities[xs[xi].activity].id == activity_id) fixed.push_back({xs[xi].col, 1});
      }
      for (size_t e = 0; e < j && !only_fixed; ++e) {
        std::vector<std::pair<int, double>> terms = fixed;
        terms.push_back({days[ts[e]].y, 1});
        AddRow(std::move(terms), -kInf, 1);
      }
      std::vector<std::pair<int, double>> terms = {{days[ts[j]].y, 1}};
      for (auto [col, c] : fixed) terms.push_back({col, -1});
      for (size_t e = 0; e < j; ++e) terms.push_back({days[ts[e]].y, -1});
      AddRow(std::move(terms), -kInf, 0);
    }
  };
  fixed_rows(program.first_activity_id, 0, true);
  fixed_rows(program.last_activity_id, weeks - 1, false);

  // Rank R[t, r]: sum_r R = y; sum_r r R = (used days before t in its week) when y = 1.
  for (int w = 0; w < weeks; ++w) {
    std::vector<int> ts = days_of_week(w);
    for (size_t j = 0; j < ts.size(); ++j) {
      DaySlot& s = days[ts[j]];
      const int max_rank = std::min<int>(static_cast<int>(j), max_pw - 1);
      std::vector<std::pair<int, double>> one = {{s.y, -1}}, rank, rank_lo;
      for (int r = 0; r <= max_rank; ++r) {
        s.rank.push_back(AddCol(true, 0, 1, 0));
        one.push_back({s.rank[r], 1});
        if (r > 0) rank.push_back({s.rank[r], static_cast<double>(r)});
      }
      AddRow(std::move(one), 0, 0);
      for (size_t e = 0; e < j; ++e) rank.push_back({days[ts[e]].y, -1});
      rank_lo = rank;
      AddRow(std::move(rank), -kInf, 0);
      const double big = std::min<int>(static_cast<int>(j), max_pw);
      rank_lo.push_back({s.y, -big});
      AddRow(std::move(rank_lo), -big, kInf);
    }
  }

  // Habit: a pattern (weekday, start) per rank; Q[t, start, r] = the session of rank r is on t at
  // `start` and matches its rank's pattern. habit = w_h * (sessions - sum Q); sessions via y.
  for (size_t t = 0; t < days.size(); ++t) {
    const DaySlot& s = days[t];
    for (const auto& [start, list] : s.by_start) {
      for (size_t r = 0; r < s.rank.size(); ++r) {
        auto key = std::make_tuple(static_cast<int>(r), s.weekday, start);
        if (!pattern.contains(key)) pattern[key] = AddCol(true, 0, 1, 0);
        q[{static_cast<int>(t), start, static_cast<int>(r)}] = AddCol(false, 0, 1, -weights.habit);
      }
    }
  }
  for (int r = 0; r < max_pw; ++r) {
    std::vector<std::pair<int, double>> terms;
    for (const auto& [key, col] : pattern) {
      if (std::get<0>(key) == r) terms.push_back({col, 1});
    }
    if (!terms.empty()) AddRow(std::move(terms), -kInf, 1);
  }
  for (size_t t = 0; t < days.size(); ++t) {
    const DaySlot& s = days[t];
    const int ti = static_cast<int>(t);
    for (const auto& [start, list] : s.by_start) {
      // sum_r Q[t, start, r] <= x at start
      std::vector<std::pair<int, double>> at_start;
      for (size_t r = 0; r < s.rank.size(); ++r) {
        const int qc = q.at({ti, start, static_cast<int>(r)});
        at_start.push_back({qc, 1});
        AddRow({{qc, 1}, {pattern.at({static_cast<int>(r), s.weekday, start}), -1}}, -kInf, 0);
      }
      for (int xi : list) at_start.push_back({xs[xi].col, -1});
      AddRow(std::move(at_start), -kInf, 0);
    }
    for (size_t r = 0; r < s.rank.size(); ++r) {
      // sum_start Q[t, start, r] <= R[t, r]
      std::vector<std::pair<int, double>> terms = {{s.rank[r], -1}};
      for (const auto& [start, list] : s.by_start) {
        terms.push_back({q.at({ti, start, static_cast<int>(r)}), 1});
      }
      AddRow(std::move(terms), -kInf, 0);
    }
  }

  // Rotation: consecutive sessions at one institution. Sessions two or more course weeks apart
  // are never consecutive when every week has at least one.
  const int reach = program.min_sessions_per_week >= 1 ? 1 : weeks;
  for (size_t t1 = 0; t1 < days.size(); ++t1) {
    for (size_t t2 = t1 + 1; t2 < days.size() && days[t2].week - days[t1].week <= reach; ++t2) {
      for (int k = 0; k < static_cast<int>(institutions.size()); ++k) {
        std::vector<std::pair<int, double>> terms;
        bool in1 = false, in2 = false;
        for (int xi : days[t1].xs) {
          if (xs[xi].institution == k) terms.push_back({xs[xi].col, -1}), in1 = true;
        }
        for (int xi : days[t2].xs) {
          if (xs[xi].institution == k) terms.push_back({xs[xi].col, -1}), in2 = true;
        }
        if (!in1 || !in2) continue;
        for (size_t t = t1 + 1; t < t2; ++t) terms.push_back({days[t].y, 1});
        const int col = AddCol(false, 0, kInf, weights.rotation);
        terms.push_back({col, 1});
        AddRow(std::move(terms), -1, kInf);
        rots.push_back({static_cast<int>(t1), static_cast<int>(t2), k, col});
      }
    }
  }

  // Instructor continuity: U[a, i] >= x using (a, i) on any day; pen[a] >= sum_i U[a, i] - 1.
  for (const DaySlot& s : days) {
    std::map<std::pair<int, int>, std::vector<int>> groups;
    for (int xi : s.xs) groups[{xs[xi].activity, xs[xi].instructor}].push_back(xs[xi].col);
    for (const auto& [key, list] : groups) {
      if (!u.contains(key)) u[key] = AddCol(true, 0, 1, 0);
      std::vector<std::pair<int, double>> terms = {{u[key], -1}};
      for (int col : list) terms.push_back({col, 1});
      AddRow(std::move(terms), -kInf, 0);
    }
  }
  std::map<int, std::vector<int>> per_activity;
  for (const auto& [key, col] : u) per_activity[key.first].push_back(col);
  for (const auto& [a, list] : per_activity) {
    pen[a] = AddCol(false, 0, kInf, weights.instructor_continuity);
    std::vector<std::pair<int, double>> terms = {{pen[a], 1}};
    for (int col : list) terms.push_back({col, -1});
    AddRow(std::move(terms), -1, kInf);
  }
}

CohortMilp::CohortMilp(const PlanningWorld& world, const std::vector<Booking>& existing,
                       const CohortSpec& cohort, const scheduling::ScoreWeights& weights)
    : impl_(std::make_unique<Impl>(world, cohort, weights)) {
  impl_->Build(existing);
}

CohortMilp::~CohortMilp() = default;

bool CohortMilp::weeks_feasible() const { return impl_->course.feasible; }

MilpResult CohortMilp::Solve(const MilpOptions& options) const {
  const Impl& m = *impl_;
  MilpResult result;
  if (!m.course.feasible) {
    result.status = "infeasible";
    return result;
  }
  glp_term_out(GLP_OFF);
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  glp_set_obj_coef(lp, 0, options.feasibility_only ? 0 : m.constant);
  glp_add_cols(lp, static_cast<int>(m.cols.size()));
  for (size_t j = 0; j < m.cols.size(); ++j) {
    const Column& c = m.cols[j];
    const int col = static_cast<int>(j) + 1;
    if (c.integer && c.lb == 0 && c.ub == 1) {
      glp_set_col_kind(lp, col, GLP_BV);
      ++result.binaries;
    } else {
      if (c.integer) glp_set_col_kind(lp, col, GLP_IV);
      glp_set_col_bnds(lp, col, std::isinf(c.ub) ? GLP_LO : GLP_DB, c.lb,
                       std::isinf(c.ub) ? 0 : c.ub);
    }
    glp_set_obj_coef(lp, col, options.feasibility_only ? 0 : c.obj);
  }
  glp_add_rows(lp, static_cast<int>(m.rows.size()));
  std::vector<int> ia = {0}, ja = {0};
  std::vector<double> ar = {0};
  for (size_t i = 0; i < m.rows.size(); ++i) {
    const Row& r = m.rows[i];
    const int row = static_cast<int>(i) + 1;
    int type = GLP_FR;
    if (!std::isinf(r.lo) && !std::isinf(r.hi)) {
      type = r.lo == r.hi ? GLP_FX : GLP_DB;
    } else if (!std::isinf(r.lo)) {
      type = GLP_LO;
    } else if (!std::isinf(r.hi)) {
      type = GLP_UP;
    }
    glp_set_row_bnds(lp, row, type, std::isinf(r.lo) ? 0 : r.lo, std::isinf(r.hi) ? 0 : r.hi);
    // GLPK wants each column at most once per row.
    std::map<int, double> merged;
    for (auto [col, c] : r.terms) merged[col] += c;
    for (auto [col, c] : merged) {
      if (c == 0) continue;
      ia.push_back(row);
      ja.push_back(col + 1);
      ar.push_back(c);
    }
  }
  glp_load_matrix(lp, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
  result.columns = static_cast<int>(m.cols.size());
  result.rows = static_cast<int>(m.rows.size());

  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.presolve = GLP_ON;
  parm.msg_lev = GLP_MSG_OFF;
  parm.tm_lim = static_cast<int>(options.time_limit_seconds * 1000);
  parm.mip_gap = 0;
  // Measured on the small instances: GLPK's cuts made them slower; best-projection backtracking
  // proved optimality fastest.
  parm.bt_tech = GLP_BT_BPH;
  BoundTracker tracker;
  parm.cb_func = TrackBound;
  parm.cb_info = &tracker;
  const absl::Time t0 = absl::Now();
  const int ret = glp_intopt(lp, &parm);
  result.seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  const int status = glp_mip_status(lp);
  if (ret == GLP_ENOPFS || status == GLP_NOFEAS) {
    result.status = "infeasible";
  } else if (ret != 0 && ret != GLP_ETMLIM) {
    result.status = absl::StrCat("error: glp_intopt returned ", ret);
  } else if (status == GLP_OPT || status == GLP_FEAS) {
    result.has_solution = true;
    result.optimal = status == GLP_OPT && ret == 0;
    result.status = result.optimal ? "optimal" : "time limit";
    result.objective = glp_mip_obj_val(lp);
    result.bound = result.optimal ? result.objective : tracker.bound;
    for (const XVar& x : m.xs) {
      if (glp_mip_col_val(lp, x.col + 1) < 0.5) continue;
      const DaySlot& s = m.days[x.t];
      PlannedSession ps;
      ps.week_index = s.week;
      ps.activity_id = m.program.activities[x.activity].id;
      ps.day = s.day;
      ps.time = x.time;
      ps.institution_id = m.institutions[x.institution];
      ps.venue_id = m.world.venues[x.venue].id;
      ps.instructor_id = m.world.instructors[x.instructor].id;
      result.sessions.push_back(std::move(ps));
    }
    std::sort(result.sessions.begin(), result.sessions.end(),
              [](const PlannedSession& a, const PlannedSession& b) { return a.day < b.day; });
    for (size_t k = 0; k < result.sessions.size(); ++k)
      result.sessions[k].index = static_cast<int>(k);
  } else {
    result.status = ret == GLP_ETMLIM ? "time limit, no solution" : "no solution";
    result.bound = tracker.bound;
  }
  glp_delete_prob(lp);
  return result;
}

MilpPointCheck CohortMilp::Evaluate(const std::vector<PlannedSession>& sessions) const {
  const Impl& m = *impl_;
  MilpPointCheck out;
  if (!m.course.feasible) {
    out.why_not = "course weeks infeasible";
    return out;
  }
  std::vector<double> val(m.cols.size(), 0);
  absl::flat_hash_map<int, int> session_at;  // t -> session
  std::vector<int> session_t(sessions.size(), -1);
  for (size_t k = 0; k < sessions.size(); ++k) {
    const PlannedSession& s = sessions[k];
    int found = -1;
    for (size_t t = 0; t < m.days.size() && found < 0; ++t) {
      if (m.days[t].day != s.day) continue;
      for (int xi : m.days[t].xs) {
        const XVar& x = m.xs[xi];
        if (x.time == s.time && m.world.venues[x.venue].id == s.venue_id &&
            m.world.instructors[x.instructor].id == s.instructor_id &&
            m.program.activities[x.activity].id == s.activity_id) {
          found = xi;
          break;
        }
      }
    }
    if (found < 0) {
      out.why_not =
          absl::StrCat("session ", k, " (", absl::FormatCivilTime(s.day), " ", s.time.start, " ",
                       s.venue_id, " ", s.instructor_id, " ", s.activity_id, ") is not a column");
      return out;
    }
    val[m.xs[found].col] += 1;
    const int t = m.xs[found].t;
    val[m.days[t].y] += 1;
    session_t[k] = t;
    session_at[t] = static_cast<int>(k);
  }
  // Ranks from the days used, then each rank's most common pattern.
  std::map<int, int> used_in_week;
  std::vector<int> rank_of(sessions.size(), 0);
  for (size_t t = 0; t < m.days.size(); ++t) {
    auto it = session_at.find(static_cast<int>(t));
    if (it == session_at.end()) continue;
    const int r = used_in_week[m.days[t].week]++;
    rank_of[it->second] = r;
    if (r >= static_cast<int>(m.days[t].rank.size())) {
      out.why_not = absl::StrCat("session ", it->second, " has rank ", r, " beyond the model's");
      return out;
    }
    val[m.days[t].rank[r]] = 1;
  }
  std::map<int, std::map<std::pair<int, int>, int>> groups;
  for (size_t k = 0; k < sessions.size(); ++k) {
    ++groups[rank_of[k]][{m.days[session_t[k]].weekday, sessions[k].time.start}];
  }
  std::map<int, std::pair<int, int>> chosen;
  for (const auto& [r, g] : groups) {
    int best = -1;
    for (const auto& [p, n] : g) {
      if (n > best) best = n, chosen[r] = p;
    }
    val[m.pattern.at({r, chosen[r].first, chosen[r].second})] = 1;
  }
  for (size_t k = 0; k < sessions.size(); ++k) {
    const int t = session_t[k];
    const int r = rank_of[k];
    if (chosen[r] == std::make_pair(m.days[t].weekday, sessions[k].time.start)) {
      val[m.q.at({t, sessions[k].time.start, r})] = 1;
    }
  }
  for (const Rot& rot : m.rots) {
    auto inst = [&](int t) {
      auto it = session_at.find(t);
      return it != session_at.end() && sessions[it->second].institution_id == m.institutions[rot.k];
    };
    int between = 0;
    for (int t = rot.t1 + 1; t < rot.t2; ++t) between += session_at.contains(t) ? 1 : 0;
    val[rot.col] = std::max(0, (inst(rot.t1) ? 1 : 0) + (inst(rot.t2) ? 1 : 0) - 1 - between);
  }
  std::map<int, int> used_instructors;
  for (const auto& [key, col] : m.u) {
    bool used = false;
    for (const PlannedSession& s : sessions) {
      used |= s.activity_id == m.program.activities[key.first].id &&
              s.instructor_id == m.world.instructors[key.second].id;
    }
    val[col] = used ? 1 : 0;
    used_instructors[key.first] += used ? 1 : 0;
  }
  for (const auto& [a, col] : m.pen) val[col] = std::max(0, used_instructors[a] - 1);

  out.representable = true;
  for (const Row& r : m.rows) {
    double sum = 0;
    for (auto [col, c] : r.terms) sum += c * val[col];
    out.max_row_violation = std::max({out.max_row_violation, r.lo - sum, sum - r.hi});
  }
  out.objective = m.constant;
  for (size_t j = 0; j < m.cols.size(); ++j) out.objective += m.cols[j].obj * val[j];
  return out;
}

}  // namespace kpr::bench
