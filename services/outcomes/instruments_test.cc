#include "services/outcomes/instruments.h"

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::outcomes {
namespace {

using ::testing::HasSubstr;

v1::Who5Answers Who5(int cheerful, int calm, int active, int rested, int interested) {
  v1::Who5Answers a;
  a.set_cheerful(cheerful);
  a.set_calm(calm);
  a.set_active(active);
  a.set_rested(rested);
  a.set_interested(interested);
  return a;
}

v1::Score MustScore(const v1::Who5Answers& a, const Who5Cutoffs& c = {}) {
  absl::StatusOr<v1::Score> s = ScoreWho5(a, c);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : v1::Score();
}

// ---- WHO-5 -----------------------------------------------------------------------------

TEST(Who5, Raw13Is52PercentNotFifty) {
  // 3+3+2+2+3 = 13; 13 x 4 = 52. The common errors would give 50 ("13 equals 50") or
  // (13 - 5) x 4 = 32 ("subtract 5"); 52 is above 50, so no screening on the score alone.
  v1::Score s = MustScore(Who5(3, 3, 2, 2, 3));
  EXPECT_EQ(s.who5_raw(), 13);
  EXPECT_EQ(s.who5_percentage(), 52);
  EXPECT_NE(s.who5_percentage(), 50);
  EXPECT_NE(s.who5_percentage(), (13 - 5) * 4);
  EXPECT_EQ(s.who5_band(), v1::WHO5_BAND_NORMAL);
  EXPECT_FALSE(s.who5_screen_for_depression());
}

TEST(Who5, Raw12Is48AndTriggersScreening) {
  v1::Score s = MustScore(Who5(3, 3, 2, 2, 2));  // 12 x 4 = 48 <= 50
  EXPECT_EQ(s.who5_raw(), 12);
  EXPECT_EQ(s.who5_percentage(), 48);
  EXPECT_EQ(s.who5_band(), v1::WHO5_BAND_RISK);
  EXPECT_TRUE(s.who5_screen_for_depression());
}

TEST(Who5, AllFivesIs25And100) {
  v1::Score s = MustScore(Who5(5, 5, 5, 5, 5));
  EXPECT_EQ(s.who5_raw(), 25);
  EXPECT_EQ(s.who5_percentage(), 100);
  EXPECT_EQ(s.who5_band(), v1::WHO5_BAND_NORMAL);
  EXPECT_FALSE(s.who5_screen_for_depression());
}

TEST(Who5, AllZerosIsHighRisk) {
  v1::Score s = MustScore(Who5(0, 0, 0, 0, 0));
  EXPECT_EQ(s.who5_raw(), 0);
  EXPECT_EQ(s.who5_percentage(), 0);
  EXPECT_EQ(s.who5_band(), v1::WHO5_BAND_HIGH_RISK);
  EXPECT_TRUE(s.who5_screen_for_depression());
}

TEST(Who5, BandBoundaries) {
  EXPECT_EQ(MustScore(Who5(2, 2, 2, 1, 1)).who5_percentage(), 32);
  EXPECT_EQ(MustScore(Who5(2, 2, 2, 1, 1)).who5_band(), v1::WHO5_BAND_HIGH_RISK);  // 32 <= 35
  EXPECT_EQ(MustScore(Who5(2, 2, 2, 2, 1)).who5_band(), v1::WHO5_BAND_RISK);       // 36
  EXPECT_EQ(MustScore(Who5(3, 3, 2, 2, 2)).who5_band(), v1::WHO5_BAND_RISK);       // 48
  EXPECT_EQ(MustScore(Who5(3, 3, 3, 2, 2)).who5_band(), v1::WHO5_BAND_NORMAL);     // 52
}

TEST(Who5, AnyItemZeroOrOneTriggersScreeningEvenWithAHighScore) {
  v1::Score one = MustScore(Who5(5, 5, 5, 5, 1));  // 21 -> 84
  EXPECT_EQ(one.who5_percentage(), 84);
  EXPECT_EQ(one.who5_band(), v1::WHO5_BAND_NORMAL);
  EXPECT_TRUE(one.who5_screen_for_depression());
  EXPECT_TRUE(MustScore(Who5(0, 5, 5, 5, 5)).who5_screen_for_depression());
  EXPECT_FALSE(MustScore(Who5(2, 5, 5, 5, 5)).who5_screen_for_depression());
}

TEST(Who5, CutoffsAreConfigurable) {
  Who5Cutoffs c{.high_risk_max = 28, .poor_max = 40};
  EXPECT_EQ(MustScore(Who5(2, 2, 2, 1, 1), c).who5_band(), v1::WHO5_BAND_RISK);    // 32
  EXPECT_EQ(MustScore(Who5(2, 2, 2, 2, 2), c).who5_band(), v1::WHO5_BAND_RISK);    // 40
  EXPECT_EQ(MustScore(Who5(3, 3, 2, 2, 2), c).who5_band(), v1::WHO5_BAND_NORMAL);  // 48
  EXPECT_FALSE(MustScore(Who5(3, 3, 2, 2, 2), c).who5_screen_for_depression());
}

TEST(Who5, EveryItemMissingOrOutOfRangeIsNamed) {
  struct Item {
    const char* path;
    void (v1::Who5Answers::*set)(int32_t);
    void (v1::Who5Answers::*clear)();
  };
  const Item items[] = {
      {"who5.cheerful", &v1::Who5Answers::set_cheerful, &v1::Who5Answers::clear_cheerful},
      {"who5.calm", &v1::Who5Answers::set_calm, &v1::Who5Answers::clear_calm},
      {"who5.active", &v1::Who5Answers::set_active, &v1::Who5Answers::clear_active},
      {"who5.rested", &v1::Who5Answers::set_rested, &v1::Who5Answers::clear_rested},
      {"who5.interested", &v1::Who5Answers::set_interested, &v1::Who5Answers::clear_interested},
  };
  for (const Item& item : items) {
    SCOPED_TRACE(item.path);
    v1::Who5Answers a = Who5(3, 3, 3, 3, 3);
    (a.*item.clear)();
    EXPECT_EQ(ScoreWho5(a).status(),
              absl::InvalidArgumentError(std::string(item.path) + ": missing"));
    (a.*item.set)(-1);
    EXPECT_EQ(ScoreWho5(a).status(),
              absl::InvalidArgumentError(std::string(item.path) + ": -1 is outside 0..5"));
    (a.*item.set)(6);
    EXPECT_EQ(ScoreWho5(a).status(),
              absl::InvalidArgumentError(std::string(item.path) + ": 6 is outside 0..5"));
  }
}

TEST(Who5, AllErrorsAreNamedTogether) {
  v1::Who5Answers a = Who5(3, 3, 7, 3, 3);
  a.clear_calm();
  EXPECT_EQ(ScoreWho5(a).status(),
            absl::InvalidArgumentError("who5.calm: missing; who5.active: 7 is outside 0..5"));
  EXPECT_EQ(ScoreWho5(v1::Who5Answers()).status().message(),
            "who5.cheerful: missing; who5.calm: missing; who5.active: missing; "
            "who5.rested: missing; who5.interested: missing");
}

// ---- WAI -------------------------------------------------------------------------------

v1::WaiAnswers Wai(int current, v1::WorkDemands demands, int physical, int mental, int diseases,
                   int impairment, int sick_leave, int prognosis, int enjoy, int alert,
                   int hopeful) {
  v1::WaiAnswers a;
  a.set_current_work_ability(current);
  a.set_work_demands(demands);
  a.set_physical_demands_ability(physical);
  a.set_mental_demands_ability(mental);
  a.set_diagnosed_diseases(diseases);
  a.set_work_impairment(impairment);
  a.set_sick_leave(sick_leave);
  a.set_prognosis(prognosis);
  a.set_enjoy_daily_activities(enjoy);
  a.set_active_and_alert(alert);
  a.set_hopeful(hopeful);
  return a;
}

v1::Score MustScore(const v1::WaiAnswers& a, const WaiCutoffs& c = {}) {
  absl::StatusOr<v1::Score> s = ScoreWai(a, c);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : v1::Score();
}

TEST(Wai, PhysicalWork) {
  // dim1 8; dim2 4 x 1.5 + 3 x 0.5 = 7.5; dim3 1 disease -> 5; dim4 5; dim5 4; dim6 7;
  // dim7 3+3+3 = 9 -> 3. Total 8 + 7.5 + 5 + 5 + 4 + 7 + 3 = 39.5: good.
  v1::Score s = MustScore(Wai(8, v1::WORK_DEMANDS_PHYSICAL, 4, 3, 1, 5, 4, 7, 3, 3, 3));
  EXPECT_DOUBLE_EQ(s.wai_total(), 39.5);
  EXPECT_EQ(s.wai_category(), v1::WAI_CATEGORY_GOOD);
}

TEST(Wai, MentalWork) {
  // dim1 5; dim2 4 x 0.5 + 2 x 1.5 = 5; dim3 3 diseases -> 3; dim4 4; dim5 3; dim6 4;
  // dim7 2+2+1 = 5 -> 2. Total 5 + 5 + 3 + 4 + 3 + 4 + 2 = 26: poor.
  v1::Score s = MustScore(Wai(5, v1::WORK_DEMANDS_MENTAL, 4, 2, 3, 4, 3, 4, 2, 2, 1));
  EXPECT_DOUBLE_EQ(s.wai_total(), 26);
  EXPECT_EQ(s.wai_category(), v1::WAI_CATEGORY_POOR);
}

TEST(Wai, BothKindsOfWork) {
  // dim1 6; dim2 3 x 1 + 4 x 1 = 7; dim3 2 diseases -> 4; dim4 4; dim5 4; dim6 4;
  // dim7 2+2+2 = 6 -> 2. Total 6 + 7 + 4 + 4 + 4 + 4 + 2 = 31: moderate.
  v1::Score s = MustScore(Wai(6, v1::WORK_DEMANDS_BOTH, 3, 4, 2, 4, 4, 4, 2, 2, 2));
  EXPECT_DOUBLE_EQ(s.wai_total(), 31);
  EXPECT_EQ(s.wai_category(), v1::WAI_CATEGORY_MODERATE);
}

TEST(Wai, MinimumIs7) {
  // dim1 0; dim2 1 x 1.5 + 1 x 0.5 = 2; dim3 5 diseases -> 1; dim4 1; dim5 1; dim6 1;
  // dim7 0 -> 1. Total 7.
  v1::Score s = MustScore(Wai(0, v1::WORK_DEMANDS_PHYSICAL, 1, 1, 5, 1, 1, 1, 0, 0, 0));
  EXPECT_DOUBLE_EQ(s.wai_total(), 7);
  EXPECT_EQ(s.wai_category(), v1::WAI_CATEGORY_POOR);
  // More than 5 diseases still scores 1.
  EXPECT_DOUBLE_EQ(
      MustScore(Wai(0, v1::WORK_DEMANDS_MENTAL, 1, 1, 12, 1, 1, 1, 0, 0, 0)).wai_total(), 7);
}

TEST(Wai, MaximumIs49) {
  // dim1 10; dim2 5 x 1 + 5 x 1 = 10; dim3 0 diseases -> 7; dim4 6; dim5 5; dim6 7;
  // dim7 4+4+4 = 12 -> 4. Total 49.
  v1::Score s = MustScore(Wai(10, v1::WORK_DEMANDS_BOTH, 5, 5, 0, 6, 5, 7, 4, 4, 4));
  EXPECT_DOUBLE_EQ(s.wai_total(), 49);
  EXPECT_EQ(s.wai_category(), v1::WAI_CATEGORY_EXCELLENT);
  EXPECT_DOUBLE_EQ(
      MustScore(Wai(10, v1::WORK_DEMANDS_PHYSICAL, 5, 5, 0, 6, 5, 7, 4, 4, 4)).wai_total(), 49);
}

TEST(Wai, DiseasesScale) {
  // Everything else at the minimum (6 points without dimension 3), so total = 6 + dim3.
  const std::pair<int, double> expected[] = {{0, 7}, {1, 5}, {2, 4}, {3, 3},
                                             {4, 2}, {5, 1}, {6, 1}};
  for (const auto& [diseases, dim3] : expected) {
    SCOPED_TRACE(diseases);
    EXPECT_DOUBLE_EQ(
        MustScore(Wai(0, v1::WORK_DEMANDS_BOTH, 1, 1, diseases, 1, 1, 1, 0, 0, 0)).wai_total(),
        6 + dim3);
  }
}

TEST(Wai, MentalResourcesBands) {
  // total = 6 + dim7 with dim3 at 1 (5 diseases) and the rest at the minimum.
  const std::pair<std::array<int, 3>, double> expected[] = {
      {{0, 0, 0}, 1}, {{1, 1, 1}, 1}, {{2, 1, 1}, 2}, {{2, 2, 2}, 2},
      {{3, 2, 2}, 3}, {{3, 3, 3}, 3}, {{4, 3, 3}, 4}, {{4, 4, 4}, 4}};
  for (const auto& [items, dim7] : expected) {
    SCOPED_TRACE(items[0] + items[1] + items[2]);
    EXPECT_DOUBLE_EQ(
        MustScore(Wai(0, v1::WORK_DEMANDS_BOTH, 1, 1, 5, 1, 1, 1, items[0], items[1], items[2]))
            .wai_total(),
        6 + dim7);
  }
}

TEST(Wai, FractionalTotalsAtTheCategoryBoundaries) {
  // PHYSICAL with physical p, mental 2: dim2 = 1.5p + 1. With 0 diseases (7), dim4 6, dim5 5,
  // dim7 items 0 (1): total = dim1 + 1.5p + 1 + 7 + 6 + 5 + prognosis + 1 = dim1 + 1.5p + 20
  // + prognosis.
  auto total = [](int dim1, int p, int prognosis) {
    return MustScore(Wai(dim1, v1::WORK_DEMANDS_PHYSICAL, p, 2, 0, 6, 5, prognosis, 0, 0, 0));
  };
  EXPECT_DOUBLE_EQ(total(2, 1, 4).wai_total(), 27.5);  // 2 + 1.5 + 20 + 4
  EXPECT_EQ(total(2, 1, 4).wai_category(), v1::WAI_CATEGORY_POOR);
  EXPECT_DOUBLE_EQ(total(3, 1, 4).wai_total(), 28.5);
  EXPECT_EQ(total(3, 1, 4).wai_category(), v1::WAI_CATEGORY_MODERATE);
  EXPECT_DOUBLE_EQ(total(8, 1, 7).wai_total(), 36.5);  // 8 + 1.5 + 20 + 7
  EXPECT_EQ(total(8, 1, 7).wai_category(), v1::WAI_CATEGORY_MODERATE);
  EXPECT_DOUBLE_EQ(total(9, 1, 7).wai_total(), 37.5);
  EXPECT_EQ(total(9, 1, 7).wai_category(), v1::WAI_CATEGORY_GOOD);
  EXPECT_DOUBLE_EQ(total(9, 5, 7).wai_total(), 43.5);  // 9 + 7.5 + 20 + 7
  EXPECT_EQ(total(9, 5, 7).wai_category(), v1::WAI_CATEGORY_GOOD);
  EXPECT_DOUBLE_EQ(total(10, 5, 7).wai_total(), 44.5);
  EXPECT_EQ(total(10, 5, 7).wai_category(), v1::WAI_CATEGORY_EXCELLENT);
}

TEST(Wai, IntegerCategoryBoundaries) {
  // BOTH, dim2 1 + 1 = 2, 0 diseases (7), prognosis 7, dim7 items 0 (1):
  // total = dim1 + 2 + 7 + dim4 + dim5 + 7 + 1 = dim1 + dim4 + dim5 + 17.
  auto category = [](int dim1, int dim4, int dim5) {
    return MustScore(Wai(dim1, v1::WORK_DEMANDS_BOTH, 1, 1, 0, dim4, dim5, 7, 0, 0, 0))
        .wai_category();
  };
  EXPECT_EQ(category(8, 1, 1), v1::WAI_CATEGORY_POOR);       // 27
  EXPECT_EQ(category(9, 1, 1), v1::WAI_CATEGORY_MODERATE);   // 28
  EXPECT_EQ(category(10, 5, 4), v1::WAI_CATEGORY_MODERATE);  // 36
  EXPECT_EQ(category(10, 6, 4), v1::WAI_CATEGORY_GOOD);      // 37
  // 10 + (3 + 3) + 7 + 6 + 5 + 7 + (2+2+2 = 6 -> 2) = 43; one more on dim 2 gives 44.
  EXPECT_EQ(MustScore(Wai(10, v1::WORK_DEMANDS_BOTH, 3, 3, 0, 6, 5, 7, 2, 2, 2)).wai_category(),
            v1::WAI_CATEGORY_GOOD);
  EXPECT_EQ(MustScore(Wai(10, v1::WORK_DEMANDS_BOTH, 3, 4, 0, 6, 5, 7, 2, 2, 2)).wai_category(),
            v1::WAI_CATEGORY_EXCELLENT);
}

TEST(Wai, CutoffsAreConfigurable) {
  WaiCutoffs young{.moderate_min = 27, .good_min = 35, .excellent_min = 42};
  const v1::WaiAnswers a = Wai(8, v1::WORK_DEMANDS_BOTH, 1, 1, 0, 1, 1, 7, 0, 0, 0);  // 27
  EXPECT_EQ(MustScore(a).wai_category(), v1::WAI_CATEGORY_POOR);
  EXPECT_EQ(MustScore(a, young).wai_category(), v1::WAI_CATEGORY_MODERATE);
}

TEST(Wai, EveryInvalidItemIsNamed) {
  const v1::WaiAnswers valid = Wai(8, v1::WORK_DEMANDS_PHYSICAL, 4, 3, 1, 5, 4, 7, 3, 3, 3);
  using A = v1::WaiAnswers;
  struct Case {
    std::function<void(A&)> mutate;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](A& a) { a.clear_current_work_ability(); }, "wai.current_work_ability: missing"},
      {[](A& a) { a.set_current_work_ability(-1); },
       "wai.current_work_ability: -1 is outside 0..10"},
      {[](A& a) { a.set_current_work_ability(11); },
       "wai.current_work_ability: 11 is outside 0..10"},
      {[](A& a) { a.clear_work_demands(); }, "wai.work_demands: missing"},
      {[](A& a) { a.set_work_demands(static_cast<v1::WorkDemands>(4)); },
       "wai.work_demands: 4 is not one of 1, 2, 3"},
      {[](A& a) { a.clear_physical_demands_ability(); }, "wai.physical_demands_ability: missing"},
      {[](A& a) { a.set_physical_demands_ability(0); },
       "wai.physical_demands_ability: 0 is outside 1..5"},
      {[](A& a) { a.set_physical_demands_ability(6); },
       "wai.physical_demands_ability: 6 is outside 1..5"},
      {[](A& a) { a.clear_mental_demands_ability(); }, "wai.mental_demands_ability: missing"},
      {[](A& a) { a.set_mental_demands_ability(0); },
       "wai.mental_demands_ability: 0 is outside 1..5"},
      {[](A& a) { a.set_mental_demands_ability(6); },
       "wai.mental_demands_ability: 6 is outside 1..5"},
      {[](A& a) { a.clear_diagnosed_diseases(); }, "wai.diagnosed_diseases: missing"},
      {[](A& a) { a.set_diagnosed_diseases(-1); }, "wai.diagnosed_diseases: -1 is below 0"},
      {[](A& a) { a.clear_work_impairment(); }, "wai.work_impairment: missing"},
      {[](A& a) { a.set_work_impairment(0); }, "wai.work_impairment: 0 is outside 1..6"},
      {[](A& a) { a.set_work_impairment(7); }, "wai.work_impairment: 7 is outside 1..6"},
      {[](A& a) { a.clear_sick_leave(); }, "wai.sick_leave: missing"},
      {[](A& a) { a.set_sick_leave(0); }, "wai.sick_leave: 0 is outside 1..5"},
      {[](A& a) { a.set_sick_leave(6); }, "wai.sick_leave: 6 is outside 1..5"},
      {[](A& a) { a.clear_prognosis(); }, "wai.prognosis: missing"},
      {[](A& a) { a.set_prognosis(0); }, "wai.prognosis: 0 is not one of 1, 4, 7"},
      {[](A& a) { a.set_prognosis(2); }, "wai.prognosis: 2 is not one of 1, 4, 7"},
      {[](A& a) { a.set_prognosis(3); }, "wai.prognosis: 3 is not one of 1, 4, 7"},
      {[](A& a) { a.set_prognosis(8); }, "wai.prognosis: 8 is not one of 1, 4, 7"},
      {[](A& a) { a.clear_enjoy_daily_activities(); }, "wai.enjoy_daily_activities: missing"},
      {[](A& a) { a.set_enjoy_daily_activities(-1); },
       "wai.enjoy_daily_activities: -1 is outside 0..4"},
      {[](A& a) { a.set_enjoy_daily_activities(5); },
       "wai.enjoy_daily_activities: 5 is outside 0..4"},
      {[](A& a) { a.clear_active_and_alert(); }, "wai.active_and_alert: missing"},
      {[](A& a) { a.set_active_and_alert(-1); }, "wai.active_and_alert: -1 is outside 0..4"},
      {[](A& a) { a.set_active_and_alert(5); }, "wai.active_and_alert: 5 is outside 0..4"},
      {[](A& a) { a.clear_hopeful(); }, "wai.hopeful: missing"},
      {[](A& a) { a.set_hopeful(-1); }, "wai.hopeful: -1 is outside 0..4"},
      {[](A& a) { a.set_hopeful(5); }, "wai.hopeful: 5 is outside 0..4"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    A a = valid;
    c.mutate(a);
    EXPECT_EQ(ScoreWai(a).status(), absl::InvalidArgumentError(c.message));
  }
}

TEST(Wai, AllErrorsAreNamedTogether) {
  v1::WaiAnswers a = Wai(8, v1::WORK_DEMANDS_UNSPECIFIED, 4, 3, -2, 5, 4, 3, 3, 3, 3);
  a.clear_hopeful();
  EXPECT_EQ(ScoreWai(a).status(),
            absl::InvalidArgumentError(
                "wai.work_demands: missing; wai.diagnosed_diseases: -2 is below 0; "
                "wai.prognosis: 3 is not one of 1, 4, 7; wai.hopeful: missing"));
  // Nothing answered: all eleven named.
  const std::string all(ScoreWai(v1::WaiAnswers()).status().message());
  EXPECT_EQ(std::count(all.begin(), all.end(), ';'), 10) << all;
}

// ---- Employment and dispatch -----------------------------------------------------------

TEST(Employment, Validation) {
  v1::EmploymentAnswers a;
  EXPECT_EQ(ValidateEmployment(a), absl::InvalidArgumentError("employment.status: missing"));
  a.set_status(static_cast<v1::EmploymentStatus>(9));
  EXPECT_EQ(ValidateEmployment(a),
            absl::InvalidArgumentError("employment.status: 9 is outside 1..8"));
  a.set_status(v1::EMPLOYMENT_STATUS_ORDINARY_WORK);
  EXPECT_TRUE(ValidateEmployment(a).ok());
  a.set_weekly_hours(0);
  EXPECT_TRUE(ValidateEmployment(a).ok());
  a.set_weekly_hours(80);
  EXPECT_TRUE(ValidateEmployment(a).ok());
  a.set_weekly_hours(81);
  EXPECT_EQ(ValidateEmployment(a),
            absl::InvalidArgumentError("employment.weekly_hours: 81 is outside 0..80"));
  a.set_weekly_hours(-1);
  a.clear_status();
  EXPECT_EQ(ValidateEmployment(a),
            absl::InvalidArgumentError(
                "employment.status: missing; employment.weekly_hours: -1 is outside 0..80"));
  a.set_status(v1::EMPLOYMENT_STATUS_OTHER);
  a.clear_weekly_hours();
  EXPECT_TRUE(ValidateEmployment(a).ok());
}

TEST(ScoreAnswers, DispatchesOnTheOneof) {
  v1::Questionnaire q;
  EXPECT_EQ(InstrumentOf(q), v1::INSTRUMENT_UNSPECIFIED);
  EXPECT_EQ(ScoreAnswers(q).status(), absl::InvalidArgumentError("answers: none given"));

  *q.mutable_who5() = Who5(3, 3, 2, 2, 3);
  EXPECT_EQ(InstrumentOf(q), v1::INSTRUMENT_WHO5);
  ASSERT_TRUE(ScoreAnswers(q).ok());
  EXPECT_EQ(ScoreAnswers(q)->who5_percentage(), 52);

  *q.mutable_wai() = Wai(10, v1::WORK_DEMANDS_BOTH, 5, 5, 0, 6, 5, 7, 4, 4, 4);
  EXPECT_EQ(InstrumentOf(q), v1::INSTRUMENT_WORK_ABILITY_INDEX);
  ASSERT_TRUE(ScoreAnswers(q).ok());
  EXPECT_DOUBLE_EQ(ScoreAnswers(q)->wai_total(), 49);

  q.mutable_employment()->set_status(v1::EMPLOYMENT_STATUS_EDUCATION);
  EXPECT_EQ(InstrumentOf(q), v1::INSTRUMENT_EMPLOYMENT_STATUS);
  ASSERT_TRUE(ScoreAnswers(q).ok());
  EXPECT_EQ(ScoreAnswers(q)->ByteSizeLong(), 0u);  // nothing to score
  q.mutable_employment()->clear_status();
  EXPECT_EQ(ScoreAnswers(q).status(), absl::InvalidArgumentError("employment.status: missing"));
}

TEST(ScoreAnswers, ReportsInvalidItemsAndAMismatchedInstrument) {
  v1::Questionnaire q;
  q.mutable_who5()->set_cheerful(9);
  EXPECT_THAT(ScoreAnswers(q).status().message(), HasSubstr("who5.cheerful: 9 is outside 0..5"));
  *q.mutable_who5() = Who5(3, 3, 3, 3, 3);
  q.set_instrument(v1::INSTRUMENT_WHO5);
  EXPECT_TRUE(ScoreAnswers(q).ok());
  q.set_instrument(v1::INSTRUMENT_WORK_ABILITY_INDEX);
  EXPECT_EQ(
      ScoreAnswers(q).status(),
      absl::InvalidArgumentError(
          "instrument: INSTRUMENT_WORK_ABILITY_INDEX does not match the answers given (INSTRUMENT_WHO5)"));
}

}  // namespace
}  // namespace kpr::outcomes
