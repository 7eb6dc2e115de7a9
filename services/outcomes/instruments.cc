#include "services/outcomes/instruments.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kpr::outcomes {
namespace {

// Collects every problem so one answer names them all.
class Problems {
 public:
  void Add(const char* path, const std::string& what) {
    items_.push_back(absl::StrCat(path, ": ", what));
  }
  // An optional item that must be present and within lo..hi.
  void Range(const char* path, bool has, int value, int lo, int hi) {
    if (!has) {
      Add(path, "missing");
    } else if (value < lo || value > hi) {
      Add(path, absl::StrCat(value, " is outside ", lo, "..", hi));
    }
  }
  absl::Status ToStatus() const {
    if (items_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrJoin(items_, "; "));
  }

 private:
  std::vector<std::string> items_;
};

// WAI dimension 3: fewer physician-diagnosed diseases, more points; none gives 7, not 6.
int DiseasesScore(int diseases) {
  switch (diseases) {
    case 0:
      return 7;
    case 1:
      return 5;
    case 2:
      return 4;
    case 3:
      return 3;
    case 4:
      return 2;
    default:
      return 1;  // 5 or more
  }
}

// WAI dimension 7 (mental resources): the sum of three items 0..4 in four bands.
int MentalResourcesScore(int sum) {
  if (sum <= 3) return 1;
  if (sum <= 6) return 2;
  if (sum <= 9) return 3;
  return 4;
}

}  // namespace

absl::StatusOr<v1::Score> ScoreWho5(const v1::Who5Answers& answers) {
  return ScoreWho5(answers, Who5Cutoffs{});
}

absl::StatusOr<v1::Score> ScoreWho5(const v1::Who5Answers& a, const Who5Cutoffs& cutoffs) {
  Problems problems;
  problems.Range("who5.cheerful", a.has_cheerful(), a.cheerful(), 0, 5);
  problems.Range("who5.calm", a.has_calm(), a.calm(), 0, 5);
  problems.Range("who5.active", a.has_active(), a.active(), 0, 5);
  problems.Range("who5.rested", a.has_rested(), a.rested(), 0, 5);
  problems.Range("who5.interested", a.has_interested(), a.interested(), 0, 5);
  if (absl::Status s = problems.ToStatus(); !s.ok()) return s;

  const int items[] = {a.cheerful(), a.calm(), a.active(), a.rested(), a.interested()};
  int raw = 0;
  bool low_item = false;
  for (int item : items) {
    raw += item;
    low_item = low_item || item <= 1;
  }
  const int percentage = raw * 4;  // 13 -> 52: the scale has no 50
  v1::Score score;
  score.set_who5_raw(raw);
  score.set_who5_percentage(percentage);
  score.set_who5_band(percentage <= cutoffs.high_risk_max ? v1::WHO5_BAND_HIGH_RISK
                      : percentage <= cutoffs.poor_max    ? v1::WHO5_BAND_RISK
                                                          : v1::WHO5_BAND_NORMAL);
  score.set_who5_screen_for_depression(percentage <= cutoffs.poor_max || low_item);
  return score;
}

absl::StatusOr<v1::Score> ScoreWai(const v1::WaiAnswers& answers) {
  return ScoreWai(answers, WaiCutoffs{});
}

absl::StatusOr<v1::Score> ScoreWai(const v1::WaiAnswers& a, const WaiCutoffs& cutoffs) {
  Problems problems;
  problems.Range("wai.current_work_ability", a.has_current_work_ability(), a.current_work_ability(),
                 0, 10);
  if (a.work_demands() == v1::WORK_DEMANDS_UNSPECIFIED) {
    problems.Add("wai.work_demands", "missing");
  } else if (!v1::WorkDemands_IsValid(a.work_demands())) {
    problems.Add("wai.work_demands", absl::StrCat(a.work_demands(), " is not one of 1, 2, 3"));
  }
  problems.Range("wai.physical_demands_ability", a.has_physical_demands_ability(),
                 a.physical_demands_ability(), 1, 5);
  problems.Range("wai.mental_demands_ability", a.has_mental_demands_ability(),
                 a.mental_demands_ability(), 1, 5);
  if (!a.has_diagnosed_diseases()) {
    problems.Add("wai.diagnosed_diseases", "missing");
  } else if (a.diagnosed_diseases() < 0) {
    problems.Add("wai.diagnosed_diseases", absl::StrCat(a.diagnosed_diseases(), " is below 0"));
  }
  problems.Range("wai.work_impairment", a.has_work_impairment(), a.work_impairment(), 1, 6);
  problems.Range("wai.sick_leave", a.has_sick_leave(), a.sick_leave(), 1, 5);
  if (!a.has_prognosis()) {
    problems.Add("wai.prognosis", "missing");
  } else if (a.prognosis() != 1 && a.prognosis() != 4 && a.prognosis() != 7) {
    problems.Add("wai.prognosis", absl::StrCat(a.prognosis(), " is not one of 1, 4, 7"));
  }
  problems.Range("wai.enjoy_daily_activities", a.has_enjoy_daily_activities(),
                 a.enjoy_daily_activities(), 0, 4);
  problems.Range("wai.active_and_alert", a.has_active_and_alert(), a.active_and_alert(), 0, 4);
  problems.Range("wai.hopeful", a.has_hopeful(), a.hopeful(), 0, 4);
  if (absl::Status s = problems.ToStatus(); !s.ok()) return s;

  // Dimension 2 weights the demand the work mostly makes by 1.5 and the other by 0.5.
  double physical_weight = 1, mental_weight = 1;
  if (a.work_demands() == v1::WORK_DEMANDS_PHYSICAL) {
    physical_weight = 1.5;
    mental_weight = 0.5;
  } else if (a.work_demands() == v1::WORK_DEMANDS_MENTAL) {
    physical_weight = 0.5;
    mental_weight = 1.5;
  }
  const double total = a.current_work_ability() +                        // dim 1: 0..10
                       a.physical_demands_ability() * physical_weight +  // dim 2: 2..10
                       a.mental_demands_ability() * mental_weight +      //
                       DiseasesScore(a.diagnosed_diseases()) +           // dim 3: 1..7
                       a.work_impairment() +                             // dim 4: 1..6
                       a.sick_leave() +                                  // dim 5: 1..5
                       a.prognosis() +                                   // dim 6: 1, 4, 7
                       MentalResourcesScore(a.enjoy_daily_activities() + a.active_and_alert() +
                                            a.hopeful());  // dim 7: 1..4
  v1::Score score;
  score.set_wai_total(total);
  score.set_wai_category(total < cutoffs.moderate_min    ? v1::WAI_CATEGORY_POOR
                         : total < cutoffs.good_min      ? v1::WAI_CATEGORY_MODERATE
                         : total < cutoffs.excellent_min ? v1::WAI_CATEGORY_GOOD
                                                         : v1::WAI_CATEGORY_EXCELLENT);
  return score;
}

absl::Status ValidateEmployment(const v1::EmploymentAnswers& a) {
  Problems problems;
  if (a.status() == v1::EMPLOYMENT_STATUS_UNSPECIFIED) {
    problems.Add("employment.status", "missing");
  } else if (!v1::EmploymentStatus_IsValid(a.status())) {
    problems.Add("employment.status", absl::StrCat(a.status(), " is outside 1..8"));
  }
  if (a.has_weekly_hours()) {
    problems.Range("employment.weekly_hours", true, a.weekly_hours(), 0, 80);
  }
  return problems.ToStatus();
}

v1::Instrument InstrumentOf(const v1::Questionnaire& q) {
  switch (q.answers_case()) {
    case v1::Questionnaire::kWho5:
      return v1::INSTRUMENT_WHO5;
    case v1::Questionnaire::kWai:
      return v1::INSTRUMENT_WORK_ABILITY_INDEX;
    case v1::Questionnaire::kEmployment:
      return v1::INSTRUMENT_EMPLOYMENT_STATUS;
    default:
      return v1::INSTRUMENT_UNSPECIFIED;
  }
}

absl::StatusOr<v1::Score> ScoreAnswers(const v1::Questionnaire& q) {
  const v1::Instrument given = InstrumentOf(q);
  if (given == v1::INSTRUMENT_UNSPECIFIED) {
    return absl::InvalidArgumentError("answers: none given");
  }
  // A questionnaire filed under one instrument with another's answers would be scored wrongly.
  if (q.instrument() != v1::INSTRUMENT_UNSPECIFIED && q.instrument() != given) {
    return absl::InvalidArgumentError(
        absl::StrCat("instrument: ", v1::Instrument_Name(q.instrument()),
                     " does not match the answers given (", v1::Instrument_Name(given), ")"));
  }
  switch (given) {
    case v1::INSTRUMENT_WHO5:
      return ScoreWho5(q.who5());
    case v1::INSTRUMENT_WORK_ABILITY_INDEX:
      return ScoreWai(q.wai());
    default: {
      if (absl::Status s = ValidateEmployment(q.employment()); !s.ok()) return s;
      return v1::Score();
    }
  }
}

}  // namespace kpr::outcomes
