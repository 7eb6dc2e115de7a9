// The benchmark's judges must be right before their verdicts mean anything: the independent
// checker flags each hard constraint, the independent score adds up each term, and the exact
// MILP's optimum is a plan the checker accepts with the score the model claims.

#include "bench/plan_checker.h"

#include <algorithm>
#include <string>
#include <vector>

#include "bench/plan_milp.h"
#include "bench/plan_world_generator.h"
#include "gtest/gtest.h"
#include "libs/calendar/iso_week.h"

namespace kpr::bench {
namespace {

using scheduling::Booking;
using scheduling::MinuteSpan;
using scheduling::PlannedSession;
using scheduling::PlanningWorld;
using scheduling::ProgramModel;
using scheduling::WeeklySpans;

constexpr int H(int hour, int minute = 0) { return hour * 60 + minute; }
absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

WeeklySpans Weekdays(MinuteSpan s) {
  WeeklySpans w;
  for (int d = 0; d < 5; ++d) w[d] = {s};
  return w;
}

// A health house, a library (opens 10:00; a small room too) and an art school (closed one
// Wednesday); a 2-week program of 2-3 sessions from 2026-W39 (Monday 21 September).
class PlanCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.municipality = "9999";
    world_.institutions = {
        {"hh", "Sundhedshuset"}, {"lib", "Biblioteket"}, {"art", "Billedskolen"}};
    world_.venues = {
        {"hh-v1", "hh", "Sal", 20, Weekdays({H(8), H(16)}), {}},
        {"lib-v1", "lib", "Læsesal", 20, Weekdays({H(10), H(18)}), {}},
        {"lib-small", "lib", "Lille rum", 8, Weekdays({H(8), H(18)}), {}},
        {"art-v1",
         "art",
         "Værksted",
         20,
         Weekdays({H(8), H(16)}),
         {{absl::CivilDay(2026, 9, 30), absl::CivilDay(2026, 9, 30), "Udstilling"}}},
    };
    WeeklySpans tuesday;
    tuesday[1] = {{H(8), H(16)}};
    world_.instructors = {
        {"hh-i1", "hh", Weekdays({H(8), H(16)}), {}},
        {"lib-i1",
         "lib",
         Weekdays({H(8), H(16)}),
         {{absl::CivilDay(2026, 9, 24), absl::CivilDay(2026, 9, 24), "Syg"}}},
        {"lib-i2", "lib", tuesday, {}},
        {"art-i1", "art", Weekdays({H(8), H(16)}), {}},
    };
    ASSERT_TRUE(world_.calendar
                    .AddClosedPeriod({absl::CivilDay(2026, 10, 12), absl::CivilDay(2026, 10, 16),
                                      "Efterårsferie"})
                    .ok());
    program_.id = "p";
    program_.weeks = 2;
    program_.min_sessions_per_week = 2;
    program_.max_sessions_per_week = 3;
    program_.allowed_hours = Weekdays({H(9), H(13)});
    program_.max_cohort_size = 12;
    program_.activities = {{"intro", "Intro", 120, {"hh"}},
                           {"closing", "Afslutning", 120, {"hh"}},
                           {"reading", "Læsning", 120, {"lib"}},
                           {"painting", "Maling", 120, {"art"}}};
    program_.first_activity_id = "intro";
    program_.last_activity_id = "closing";
    cohort_ = {"c1", &program_, 2026, 39, 12, absl::CivilDay(2026, 8, 1)};
    // Score 0: the same weekday and time per rank, no institution twice in a row.
    plan_ = {
        S(0, 0, "intro", D(2026, 9, 21), "hh", "hh-v1", "hh-i1"),
        S(1, 0, "reading", D(2026, 9, 22), "lib", "lib-v1", "lib-i1"),
        S(2, 0, "painting", D(2026, 9, 24), "art", "art-v1", "art-i1"),
        S(3, 1, "reading", D(2026, 9, 28), "lib", "lib-v1", "lib-i1"),
        S(4, 1, "painting", D(2026, 9, 29), "art", "art-v1", "art-i1"),
        S(5, 1, "closing", D(2026, 10, 1), "hh", "hh-v1", "hh-i1"),
    };
  }

  static PlannedSession S(int index, int week, const char* activity, absl::CivilDay day,
                          const char* institution, const char* venue, const char* instructor) {
    PlannedSession s;
    s.index = index;
    s.week_index = week;
    s.activity_id = activity;
    s.day = day;
    s.time = {H(10), H(12)};
    s.institution_id = institution;
    s.venue_id = venue;
    s.instructor_id = instructor;
    return s;
  }

  std::vector<std::string> Check(const std::vector<PlannedSession>& plan,
                                 const std::vector<Booking>& existing = {}) const {
    std::vector<std::string> names;
    for (const HardViolation& v : CheckHard(world_, existing, {CheckedCohort{&cohort_, &plan}})) {
      names.push_back(v.constraint);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

  using Names = std::vector<std::string>;

  PlanningWorld world_;
  ProgramModel program_;
  CohortSpec cohort_;
  std::vector<PlannedSession> plan_;
};

TEST_F(PlanCheckerTest, ValidPlanPasses) { EXPECT_EQ(Check(plan_), Names{}); }

TEST_F(PlanCheckerTest, TimeWindowGridAndDuration) {
  auto p = plan_;
  p[4].time = {H(8, 30), H(10, 30)};  // art opens 08:00, the program at 09:00
  EXPECT_EQ(Check(p), Names{"time_window"});
  p = plan_;
  p[4].time = {H(10, 15), H(12, 15)};  // off the 30-minute grid
  EXPECT_EQ(Check(p), Names{"time_window"});
  p = plan_;
  p[4].time = {H(10), H(11, 30)};  // painting lasts 120 minutes
  EXPECT_EQ(Check(p), Names{"time_window"});
}

TEST_F(PlanCheckerTest, OpeningHours) {
  auto p = plan_;
  p[1].time = {H(9), H(11)};  // the reading room opens at 10:00
  EXPECT_EQ(Check(p), Names{"opening_hours"});
}

TEST_F(PlanCheckerTest, InstructorAvailabilityAbsenceAndInstitution) {
  auto p = plan_;
  p[3].instructor_id = "lib-i2";  // Tuesdays only; this is a Monday
  EXPECT_EQ(Check(p), Names{"instructor_unavailable"});
  p = plan_;
  p[2] = S(2, 0, "reading", D(2026, 9, 24), "lib", "lib-v1", "lib-i1");  // off sick that day
  EXPECT_EQ(Check(p), Names{"instructor_unavailable"});
  p = plan_;
  p[1].instructor_id = "art-i1";  // another institution's
  EXPECT_EQ(Check(p), Names{"instructor_unavailable"});
}

TEST_F(PlanCheckerTest, BookingsOfOthersAndOfOtherCohorts) {
  const Booking venue_taken{"x",   "other",  D(2026, 9, 22), {H(11), H(13)},
                            "lib", "lib-v1", "lib-i2"};
  EXPECT_EQ(Check(plan_, {venue_taken}), Names{"venue_booked"});
  const Booking teacher_taken{"y",   "other",     D(2026, 9, 22), {H(9), H(10, 30)},
                              "lib", "lib-small", "lib-i1"};
  EXPECT_EQ(Check(plan_, {teacher_taken}), Names{"instructor_booked"});
  const Booking both{"z", "other", D(2026, 9, 22), {H(11), H(12, 30)}, "lib", "lib-v1", "lib-i1"};
  EXPECT_EQ(Check(plan_, {both}), (Names{"instructor_booked", "venue_booked"}));
  // Session 1 ends at 12:00 when this one begins: no overlap.
  const Booking after{"w", "other", D(2026, 9, 22), {H(12), H(14)}, "lib", "lib-v1", "lib-i1"};
  EXPECT_EQ(Check(plan_, {after}), Names{});

  // The same timetable booked for two cohorts: every session clashes on venue and instructor.
  CohortSpec twin = cohort_;
  twin.cohort_id = "c2";
  const auto v = CheckHard(world_, {}, {CheckedCohort{&cohort_, &plan_}, {&twin, &plan_}});
  EXPECT_EQ(std::count_if(v.begin(), v.end(),
                          [](const HardViolation& h) { return h.constraint == "venue_booked"; }),
            6);
  EXPECT_EQ(
      std::count_if(v.begin(), v.end(),
                    [](const HardViolation& h) { return h.constraint == "instructor_booked"; }),
      6);
}

TEST_F(PlanCheckerTest, Capacity) {
  auto p = plan_;
  p[1].venue_id = "lib-small";
  EXPECT_EQ(Check(p), Names{"capacity"});
}

TEST_F(PlanCheckerTest, ClosuresAndHolidays) {
  auto p = plan_;
  p[4].day = absl::CivilDay(2026, 9, 30);  // the art school's exhibition day
  EXPECT_EQ(Check(p), Names{"closed"});
  ASSERT_TRUE(
      world_.calendar
          .AddClosedPeriod({absl::CivilDay(2026, 9, 29), absl::CivilDay(2026, 9, 29), "Lukkedag"})
          .ok());
  EXPECT_EQ(Check(plan_), Names{"closed"});
  EXPECT_TRUE(MunicipalityClosed(world_, absl::CivilDay(2026, 12, 24)));  // Juleaftensdag
  EXPECT_TRUE(MunicipalityClosed(world_, absl::CivilDay(2026, 5, 14)));   // Kr. himmelfartsdag
  EXPECT_FALSE(MunicipalityClosed(world_, absl::CivilDay(2026, 9, 28)));
}

TEST_F(PlanCheckerTest, NoHost) {
  auto p = plan_;
  p[4] = S(4, 1, "painting", D(2026, 9, 29), "lib", "lib-v1", "lib-i1");
  EXPECT_EQ(Check(p), Names{"no_host"});
  p = plan_;
  p[4].venue_id = "lib-v1";  // a venue of another institution
  EXPECT_EQ(Check(p), Names{"no_host"});
}

TEST_F(PlanCheckerTest, WeeklyRhythm) {
  auto p = plan_;
  p[2].day = absl::CivilDay(2026, 9, 22);  // two on one day
  p[2].time = {H(11), H(13)};
  EXPECT_EQ(Check(p), Names{"weekly_rhythm"});
  p = plan_;
  p[3].week_index = 0;  // its day is in course week 1
  EXPECT_EQ(Check(p), Names{"weekly_rhythm"});
  p = plan_;
  p.erase(p.begin() + 3, p.begin() + 5);  // one session in week 1, below the minimum of 2
  p[3].index = 3;
  EXPECT_EQ(Check(p), Names{"weekly_rhythm"});
}

TEST_F(PlanCheckerTest, FirstAndLastSession) {
  auto p = plan_;
  p[0] = S(0, 0, "reading", D(2026, 9, 21), "lib", "lib-v1", "lib-i1");
  EXPECT_EQ(Check(p), Names{"first_session"});
  p = plan_;
  p[5] = S(5, 1, "painting", D(2026, 10, 1), "art", "art-v1", "art-i1");
  EXPECT_EQ(Check(p), Names{"last_session"});
  p = plan_;
  p[3] = S(3, 1, "intro", D(2026, 9, 28), "hh", "hh-v1", "hh-i1");  // the fixed first again
  EXPECT_EQ(Check(p), Names{"first_session"});
}

TEST_F(PlanCheckerTest, NotBefore) {
  cohort_.not_before = absl::CivilDay(2026, 9, 23);
  EXPECT_EQ(Check(plan_), Names{"not_before"});
}

TEST_F(PlanCheckerTest, CourseWeeksPauseForClosedWeeks) {
  const CourseWeeks cw = ComputeCourseWeeks(world_, program_, 2026, 41);
  ASSERT_TRUE(cw.feasible);
  EXPECT_EQ(cw.mondays, (std::vector<absl::CivilDay>{D(2026, 10, 5), D(2026, 10, 19)}));
  EXPECT_EQ(cw.paused, std::vector<absl::CivilDay>{D(2026, 10, 12)});
  for (int week : {43, 44}) {
    const absl::CivilDay monday = calendar::MondayOfIsoWeek(2026, week);
    ASSERT_TRUE(world_.calendar.AddClosedPeriod({monday, monday + 4, "Lukket"}).ok());
  }
  EXPECT_FALSE(ComputeCourseWeeks(world_, program_, 2026, 41).feasible);  // a third pause
}

TEST_F(PlanCheckerTest, IndependentScoreAddsEachTerm) {
  LoadIndex none;
  EXPECT_DOUBLE_EQ(IndependentScore(none, program_, plan_).total(), 0);

  auto p = plan_;
  p[3].time = {H(10, 30), H(12, 30)};                                    // habit: rank 0
  p[4] = S(4, 1, "reading", D(2026, 9, 29), "lib", "lib-v1", "lib-i2");  // lib twice; 2 readers
  LoadIndex load;
  load.Add(Booking{"b", "other", D(2026, 9, 23), {H(8), H(9)}, "art", "art-v1", "art-i1"});
  const ScoreTerms t = IndependentScore(load, program_, p);
  EXPECT_DOUBLE_EQ(t.habit, 3);
  EXPECT_DOUBLE_EQ(t.rotation, 2);
  EXPECT_DOUBLE_EQ(t.instructor_continuity, 1);
  EXPECT_DOUBLE_EQ(t.institution_load, 0.1);  // painting in W39 next to one booking
  EXPECT_DOUBLE_EQ(t.fewer_sessions, 0);
  EXPECT_DOUBLE_EQ(t.total(), 6.1);

  auto two = plan_;
  two.erase(two.begin() + 4);  // week 1: two sessions of at most three
  two[4].index = 4;
  EXPECT_DOUBLE_EQ(IndependentScore(none, program_, two).fewer_sessions, 5);
}

TEST_F(PlanCheckerTest, MilpFindsTheZeroPlanAndEvaluatesOthersLikeTheScore) {
  CohortMilp model(world_, {}, cohort_);
  const MilpResult r = model.Solve({});
  ASSERT_TRUE(r.optimal) << r.status;
  EXPECT_NEAR(r.objective, 0, 1e-9);
  EXPECT_EQ(Check(r.sessions), Names{});

  const MilpPointCheck zero = model.Evaluate(plan_);
  ASSERT_TRUE(zero.representable) << zero.why_not;
  EXPECT_LT(zero.max_row_violation, 1e-9);
  EXPECT_NEAR(zero.objective, 0, 1e-9);

  // A feasible plan with every soft term but fewer_sessions: the model prices it as the score.
  auto p = plan_;
  p[3].time = {H(10, 30), H(12, 30)};
  p[4] = S(4, 1, "reading", D(2026, 9, 29), "lib", "lib-v1", "lib-i2");
  const Booking other{"b", "other", D(2026, 9, 23), {H(8), H(9)}, "art", "art-v1", "art-i1"};
  ASSERT_EQ(Check(p, {other}), Names{});
  CohortMilp with_other(world_, {other}, cohort_);
  const MilpPointCheck priced = with_other.Evaluate(p);
  ASSERT_TRUE(priced.representable) << priced.why_not;
  EXPECT_LT(priced.max_row_violation, 1e-9);
  EXPECT_NEAR(priced.objective, 6.1, 1e-9);

  // A plan breaking a hard constraint is not a point of the model.
  p = plan_;
  p[1].venue_id = "lib-small";
  EXPECT_FALSE(model.Evaluate(p).representable);
}

TEST(PlanMilpTest, OptimaOfGeneratedInstancesAreCheckedPlansWithTheirScore) {
  int solved = 0;
  for (int n = 0; n < 6; ++n) {
    const SmallInstance inst = GenerateSmallInstance(1, n);
    CohortMilp model(inst.world, inst.existing, inst.cohort);
    const MilpResult r = model.Solve({});
    if (r.status == "infeasible") continue;
    ASSERT_TRUE(r.optimal) << inst.name << ": " << r.status;
    ++solved;
    EXPECT_TRUE(
        CheckHard(inst.world, inst.existing, {CheckedCohort{&inst.cohort, &r.sessions}}).empty())
        << inst.name;
    LoadIndex load;
    for (const Booking& b : inst.existing) load.Add(b);
    EXPECT_NEAR(IndependentScore(load, *inst.program, r.sessions).total(), r.objective, 1e-6)
        << inst.name;
    const MilpPointCheck again = model.Evaluate(r.sessions);
    EXPECT_TRUE(again.representable) << inst.name << ": " << again.why_not;
    EXPECT_NEAR(again.objective, r.objective, 1e-6) << inst.name;
  }
  EXPECT_GE(solved, 4);
}

TEST(PlanWorldGeneratorTest, SemesterIsDeterministicAndItsCohortsHaveCourseWeeks) {
  const auto a = GenerateSemester(7, 5);
  const auto b = GenerateSemester(7, 5);
  ASSERT_EQ(a.size(), 5u);
  for (size_t m = 0; m < a.size(); ++m) {
    EXPECT_EQ(a[m]->world.venues.size(), b[m]->world.venues.size());
    EXPECT_EQ(a[m]->world.instructors.size(), b[m]->world.instructors.size());
    const size_t institutions = a[m]->world.institutions.size();
    EXPECT_GE(institutions, 5u);
    EXPECT_LE(institutions, 8u);
    ASSERT_EQ(a[m]->cohorts.size(), 4u);
    for (const CohortSpec& c : a[m]->cohorts) {
      EXPECT_TRUE(
          ComputeCourseWeeks(a[m]->world, *c.program, c.start_iso_year, c.start_iso_week).feasible)
          << c.cohort_id;
    }
  }
}

}  // namespace
}  // namespace kpr::bench
