#include "services/scheduling/cohort_planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "services/scheduling/plan_problem.h"
#include "services/scheduling/plan_search.h"
#include "services/scheduling/planner_test_world.h"

namespace kpr::scheduling::plan { extern long g_evals, g_places, g_passes; extern long g_by[8]; }
namespace kpr::scheduling {
namespace {

using testing::Hm;
using testing::Program;
using testing::WorldBuilder;

TEST(Smoke, Plans) {
  PlanningWorld world = WorldBuilder()
                            .Institution("musik", "Musikskolen")
                            .Institution("billed", "Billedskolen")
                            .Institution("bib", "Biblioteket")
                            .Institution("sund", "Sundhedshuset")
                            .Build();
  ProgramModel program = testing::WithFixedEnds(Program("p", {"musik", "billed", "bib"}, 6, 1, 2), "sund");
  Occupancy occ;
  PlanRequest req{&program, 2026, 10, 12, absl::CivilDay(2026, 1, 1), "c1"};
  PlanOutcome out = PlanCohort(world, occ, req);
  for (const Obstacle& o : out.obstacles) std::cout << o.message << "\n";
  ASSERT_TRUE(out.plan.has_value());
  for (const PlannedSession& s : out.plan->sessions) {
    std::cout << s.index << " w" << s.week_index << " " << s.day << " " << s.time.start << " " << s.activity_id << " " << s.venue_id << " " << s.instructor_id << "\n";
  }
  std::cout << "score " << out.plan->score << "\n";
  for (auto& v : out.plan->soft_violations) std::cout << SoftConstraintName(v.constraint) << " " << v.penalty << " " << v.detail << "\n";
}


PlanningWorld BigWorld() {
  WorldBuilder b;
  const char* ids[] = {"musik", "billed", "bib", "viking", "museum", "teater", "sund", "natur"};
  for (const char* id : ids) {
    testing::InstitutionSpec spec;
    spec.id = id;
    spec.name = id;
    spec.venues = 2;
    spec.instructors = 3;
    b.Institution(spec);
  }
  b.Closed(absl::CivilDay(2026, 10, 12), absl::CivilDay(2026, 10, 16), "Efterårsferie");
  return b.Build();
}

TEST(Speed, FortyCohorts) {
  PlanningWorld world = BigWorld();
  ProgramModel ishoj = Program("ishoj", {"musik", "billed", "bib", "viking", "museum", "teater", "natur"}, 10, 3, 3);
  ProgramModel alb = testing::WithFixedEnds(Program("alb", {"viking", "musik", "billed", "bib"}, 6, 1, 2), "sund");
  Occupancy occ;
  std::vector<Booking> all;
  double total = 0;
  auto t0 = absl::Now();
  for (int c = 0; c < 40; ++c) {
    const ProgramModel& p = c % 2 ? alb : ishoj;
    PlanRequest req{&p, 2026, 34 + (c / 4), 0, absl::CivilDay(2026, 1, 1), absl::StrCat("c", c)};
    PlanOutcome out = PlanCohort(world, occ, req);
    if (!out.plan) { for (auto& o : out.obstacles) std::cout << c << ": " << o.message << "\n"; continue; }
    total += out.plan->score;
    std::cout << c << " score " << out.plan->score << " n=" << out.plan->sessions.size() << "\n";
    testing::BookPlan(occ, &all, req.cohort_id, out.plan->sessions);
  }
  std::cout << "evals " << plan::g_evals << " places " << plan::g_places << " passes " << plan::g_passes << " by"; for (long x : plan::g_by) std::cout << " " << x; std::cout << "\n";
  std::cout << "time " << absl::ToDoubleMilliseconds(absl::Now() - t0) << " ms total score " << total << "\n";
  EXPECT_THAT(testing::DoubleBookings(all), ::testing::IsEmpty());
}

// Exhaustive search over every timetable of a tiny problem (one session per day at most, weekly
// min..max, fixed ends, activity counts within one of each other): the optimum of the objective.
struct Exhaustive {
  const plan::Problem& p;
  plan::Search& search;
  int min, max;
  plan::Timetable t;
  double best = 1e18;
  plan::Timetable best_t;
  long leaves = 0;

  bool Valid() {
    const int first = p.first_activity(), last = p.last_activity();
    int lo = -1, hi = -1;
    std::vector<int> count(p.num_activities(), 0);
    for (int d = 0; d < p.num_days(); ++d) {
      if (!t[d].used()) continue;
      if (lo < 0) lo = d;
      hi = d;
    }
    if (lo < 0) return false;
    for (int d = 0; d < p.num_days(); ++d) {
      if (!t[d].used()) continue;
      const bool is_first = first >= 0 && d == lo;
      const bool is_last = last >= 0 && d == hi;
      if (is_first && (t[d].act != first || lo >= 7)) return false;
      if (is_last && (t[d].act != last || hi < (p.num_weeks() - 1) * 7)) return false;
      if (!is_first && !is_last) {
        if (!p.IsRemaining(t[d].act)) return false;
        ++count[t[d].act];
      }
    }
    int cmin = 1 << 20, cmax = 0;
    for (int a : p.remaining()) { cmin = std::min(cmin, count[a]); cmax = std::max(cmax, count[a]); }
    return cmax - cmin <= 1;
  }
  int placed = 0;
  // Lower bound of the partial timetable: load and rotation so far, missing sessions of the
  // finished weeks (every term only grows as sessions are added).
  double partial = 0;
  int prev_inst = -1;
  void Day(int d, int in_week) {
    const ScoreWeights w;
    const int dow = d % 7;
    double week_fewer = 0;
    if (dow == 0 && d > 0) {
      if (in_week < min) return;
      week_fewer = w.fewer_sessions * (max - in_week);
      in_week = 0;
    }
    partial += week_fewer;
    if (partial >= best - 1e-9) {
      partial -= week_fewer;
      return;
    }
    if (d == p.num_days()) {
      ++leaves;
      if (Valid()) {
        const double v = search.Evaluate(t);
        if (v < best) { best = v; best_t = t; }
      }
      partial -= week_fewer;
      return;
    }
    Day(d + 1, in_week);
    if (in_week < max && p.day_open(d)) {
      for (int si = 0; si < static_cast<int>(p.starts(dow).size()); ++si) {
        for (int a = 0; a < p.num_activities(); ++a) {
          // Prune: the fixed first activity only first, nothing else first; the last only in
          // the last week.
          if (p.first_activity() >= 0 && ((placed == 0) != (a == p.first_activity()))) continue;
          if (a == p.last_activity() && d < (p.num_weeks() - 1) * 7) continue;
          for (const plan::Option& o : p.Cell(d, si, a)) {
            const double add = w.institution_load * p.load(o.inst, d / 7) + (o.inst == prev_inst ? w.rotation : 0);
            t[d] = plan::Slot{static_cast<int16_t>(si), static_cast<int16_t>(a), o.inst, o.venue, o.instructor, 0};
            const int saved_prev = prev_inst;
            prev_inst = o.inst;
            partial += add;
            ++placed;
            Day(d + 1, in_week + 1);
            --placed;
            partial -= add;
            prev_inst = saved_prev;
          }
        }
      }
      t[d] = plan::Slot{};
    }
    partial -= week_fewer;
  }
};

void CompareWithExhaustive(int trials, int weeks, int seed) {
  int worse = 0;
  double sum_gap = 0;
  for (int trial = 0; trial < trials; ++trial) {
    std::mt19937 rng(seed + trial);
    const WeeklySpans mwf = testing::Hours({0, 2, 4}, Hm(9), Hm(13));
    testing::InstitutionSpec a{"a", "Alfa", 1, 20, 2, mwf, mwf};
    testing::InstitutionSpec b{"b", "Beta", 1, 20, 1, mwf, mwf};
    testing::InstitutionSpec c{"c", "Gamma", 1, 20, 1, mwf, mwf};
    PlanningWorld world = WorldBuilder().Institution(a).Institution(b).Institution(c).Build();
    testing::MutableInstructor(world, "a-i2")->availability = testing::Hours({0, 2}, Hm(9), Hm(13));
    ProgramModel program = Program("q", {"a", "b", "c"}, weeks, 1, 2);
    program.activities[0].institution_ids = {"a", "b"};
    if (trial % 2) program = testing::WithFixedEnds(program, "c");
    program.allowed_hours = mwf;
    Occupancy occ;
    const absl::CivilDay monday = MondayOfIsoWeek(2026, 10);
    const char* venues[] = {"a-v1", "b-v1", "c-v1"};
    const char* instructors[] = {"a-i1", "b-i1", "c-i1"};
    const char* insts[] = {"a", "b", "c"};
    for (int k = 0; k < 4 * weeks; ++k) {
      const int i = rng() % 3;
      const int day = (rng() % weeks) * 7 + (rng() % 3) * 2;
      const int start = (rng() % 2) ? Hm(9) : Hm(11);
      if (rng() % 3 == 0) {
        occ.Add(testing::Hold(insts[i], "", instructors[i], monday + day, start, start + 120));
      } else {
        occ.Add(testing::Hold(insts[i], venues[i], "", monday + day, start, start + 120));
      }
    }
    // Load only (sessions elsewhere at the institution).
    for (int k = 0; k < 6 * weeks; ++k) {
      const int i = rng() % 3;
      occ.Add(testing::Hold(insts[i], "", "", monday + (rng() % weeks) * 7 + 1, Hm(14), Hm(15)));
    }
    std::vector<absl::CivilDay> mondays;
    for (int w = 0; w < weeks; ++w) mondays.push_back(monday + 7 * w);
    plan::Problem p(plan::ProblemInput{&world, &occ, &program, 15, mondays, absl::CivilDay(2026, 1, 1)});
    plan::Search search(p, ScoreWeights());
    Exhaustive ex{p, search, program.min_sessions_per_week, program.max_sessions_per_week};
    ex.t.assign(p.num_days(), plan::Slot{});
    ex.Day(0, 0);
    PlanOutcome out = PlanCohort(world, occ, PlanRequest{&program, 2026, 10, 15, absl::CivilDay(2026, 1, 1), "q"});
    if (getenv("DEBUGQ") && trial == atoi(getenv("DEBUGQ"))) {
      auto dump = [&](const plan::Timetable& t) { for (int d = 0; d < p.num_days(); ++d) if (t[d].used()) { const auto& s = t[d]; std::cout << "   d" << d << " " << p.StartMinute(d, s.si) << " act" << s.act << " inst" << s.inst << " i" << s.instructor << " role" << int(s.role) << "\n"; } };
      for (const plan::Pattern& pat : search.CandidatePatterns(3)) {
        std::cout << " pattern:"; for (auto [dw, si] : pat) std::cout << " " << dw << "/" << p.StartMinute(dw, si); std::cout << "\n";
        plan::Timetable t; std::vector<int> failed;
        search.Construct(pat, &t, &failed);
        std::cout << "  constructed " << search.Evaluate(t) << "\n"; dump(t);
        search.Improve(&t);
        std::cout << "  improved " << search.Evaluate(t) << "\n"; dump(t);
      }
    }
    if (ex.best > 1e17) {
      EXPECT_FALSE(out.plan.has_value()) << trial;
      continue;
    }
    ASSERT_TRUE(out.plan.has_value()) << trial;
    const double gap = out.plan->score - ex.best;
    sum_gap += gap;
    std::cout << "trial " << trial << " ours " << out.plan->score << " opt " << ex.best << " leaves " << ex.leaves << "\n";
    if (out.plan->score > ex.best * 1.05 + 1e-6) {
      ++worse;
      for (const PlannedSession& s : out.plan->sessions) std::cout << "  ours w" << s.week_index << " " << s.day << " " << s.time.start << " " << s.activity_id << " " << s.venue_id << " " << s.instructor_id << "\n";
      for (auto& v : out.plan->soft_violations) std::cout << "  " << SoftConstraintName(v.constraint) << " " << v.penalty << " " << v.detail << "\n";
      for (int d = 0; d < p.num_days(); ++d) if (ex.best_t[d].used()) { const auto& s = ex.best_t[d]; std::cout << "  opt d" << d << " " << p.StartMinute(d, s.si) << " act" << s.act << " inst" << s.inst << " i" << s.instructor << "\n"; }
    }
    EXPECT_LE(out.plan->score, ex.best * 1.05 + 1e-6) << trial;
  }
  std::cout << "worse " << worse << " sum gap " << sum_gap << "\n";
}

TEST(Quality, WithinFivePercentOfExhaustiveOptimum) { CompareWithExhaustive(10, 2, 1); }
TEST(Quality, DISABLED_ThreeWeeksExhaustive) { CompareWithExhaustive(30, 3, 1000); }
TEST(Quality, DISABLED_FourWeeksExhaustive) { CompareWithExhaustive(20, 4, 2000); }

}  // namespace
}  // namespace kpr::scheduling
