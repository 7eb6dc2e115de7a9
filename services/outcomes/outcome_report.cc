#include "services/outcomes/outcome_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "libs/suppression/suppression.h"
#include "services/outcomes/statistics.h"

namespace kpr::outcomes {
namespace {

// Tallies are sums of doubles (HINCRBYFLOAT); a count is the nearest non-negative integer.
double Whole(double v) { return std::max(0.0, std::round(v)); }

void Show(v1::Figure* f, double value) {
  f->set_state(v1::FIGURE_STATE_SHOWN);
  f->set_value(value);
}
void Withhold(v1::Figure* f, v1::FigureState state) {
  f->set_state(state);
  f->set_value(0);
}

// Collects the counts as cells of one suppression table, then fills every figure.
class Builder {
 public:
  explicit Builder(int threshold) : threshold_(threshold) {}

  // A count cell; `figure` is null for a derivable cell that is not printed.
  int Count(double value, v1::Figure* figure = nullptr) {
    values_.push_back(Whole(value));
    const int id = table_.AddCell(values_.back());
    if (figure != nullptr) counts_.emplace_back(id, figure);
    return id;
  }
  double Value(int cell) const { return values_[cell]; }
  void Sum(int total, std::vector<int> parts) { table_.AddSum(total, std::move(parts)); }

  // 100 x count / denominator.
  void Share(v1::Figure* f, int count, int denominator) {
    later_.push_back([=, this] {
      if (values_[denominator] == 0) return Withhold(f, v1::FIGURE_STATE_NO_DATA);
      if (table_.suppressed(count) || table_.suppressed(denominator)) {
        return Withhold(f, v1::FIGURE_STATE_SUPPRESSED);
      }
      Show(f, 100 * values_[count] / values_[denominator]);
    });
  }
  // scale x sum / n.
  void Mean(v1::Figure* f, int n, double sum, double scale) {
    later_.push_back([=, this] {
      if (Usable(f, n)) Show(f, scale * sum / values_[n]);
    });
  }
  // The mean change's 95 % interval.
  void Interval(v1::Figure* low, v1::Figure* high, int n, double sum, double sumsq) {
    later_.push_back([=, this] {
      const bool usable = Usable(low, n);
      if (!Usable(high, n) || !usable) return;
      const auto ci = MeanConfidenceInterval(values_[n], sum, sumsq);
      if (!ci) {
        Withhold(low, v1::FIGURE_STATE_NO_DATA);
        return Withhold(high, v1::FIGURE_STATE_NO_DATA);
      }
      Show(low, ci->low);
      Show(high, ci->high);
    });
  }

  void Finish() {
    table_.Apply(threshold_);
    for (auto [cell, figure] : counts_) {
      if (table_.suppressed(cell)) {
        Withhold(figure, v1::FIGURE_STATE_SUPPRESSED);
      } else {
        Show(figure, values_[cell]);
      }
    }
    for (const auto& fill : later_) fill();
  }

 private:
  // Whether a figure resting on n may be shown; if not, marks it.
  bool Usable(v1::Figure* f, int n) {
    if (values_[n] == 0) {
      Withhold(f, v1::FIGURE_STATE_NO_DATA);
      return false;
    }
    if (values_[n] < threshold_ || table_.suppressed(n)) {
      Withhold(f, v1::FIGURE_STATE_SUPPRESSED);
      return false;
    }
    return true;
  }

  int threshold_;
  suppression::SuppressionTable table_;
  std::vector<double> values_;
  std::vector<std::pair<int, v1::Figure*>> counts_;
  std::vector<std::function<void()>> later_;
};

struct ChangeSums {
  double baseline_n, baseline_sum, end_n, end_sum, paired_n, change_sum, change_sumsq;
};

// Counts and means shared by WHO-5 and WAI; returns the paired_n cell.
int AddChange(Builder& b, const ChangeSums& s, v1::ChangeFigures* c) {
  const int baseline = b.Count(s.baseline_n, c->mutable_baseline_n());
  const int end = b.Count(s.end_n, c->mutable_end_n());
  const int paired = b.Count(s.paired_n, c->mutable_paired_n());
  b.Mean(c->mutable_baseline_mean(), baseline, s.baseline_sum, 1);
  b.Mean(c->mutable_end_mean(), end, s.end_sum, 1);
  b.Mean(c->mutable_mean_change(), paired, s.change_sum, 1);
  b.Interval(c->mutable_change_ci_low(), c->mutable_change_ci_high(), paired, s.change_sum,
             s.change_sumsq);
  return paired;
}

// Returns the responders cell.
int AddEmployment(Builder& b, v1::TimePoint time_point,
                  const std::array<double, kEmploymentStatuses>& statuses,
                  v1::EmploymentFigures* e) {
  e->set_time_point(time_point);
  std::vector<int> status(kEmploymentStatuses);
  double total = 0;
  for (int i = 0; i < kEmploymentStatuses; ++i) total += Whole(statuses[i]);
  const int responders = b.Count(total, e->mutable_responders());
  for (int i = 0; i < kEmploymentStatuses; ++i) {
    v1::StatusFigure* s = e->add_by_status();
    s->set_status(static_cast<v1::EmploymentStatus>(i + 1));
    status[i] = b.Count(statuses[i], s->mutable_count());
    b.Share(s->mutable_share(), status[i], responders);
  }
  b.Sum(responders, status);
  auto value = [&](v1::EmploymentStatus s) { return b.Value(status[s - 1]); };
  auto cell = [&](v1::EmploymentStatus s) { return status[s - 1]; };
  const int oriented = b.Count(value(v1::EMPLOYMENT_STATUS_ORDINARY_WORK) +
                                   value(v1::EMPLOYMENT_STATUS_SUBSIDISED_WORK) +
                                   value(v1::EMPLOYMENT_STATUS_EDUCATION) +
                                   value(v1::EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE),
                               e->mutable_oriented());
  b.Sum(oriented,
        {cell(v1::EMPLOYMENT_STATUS_ORDINARY_WORK), cell(v1::EMPLOYMENT_STATUS_SUBSIDISED_WORK),
         cell(v1::EMPLOYMENT_STATUS_EDUCATION),
         cell(v1::EMPLOYMENT_STATUS_EMPLOYMENT_ORIENTED_MEASURE)});
  const int not_oriented = b.Count(total - b.Value(oriented));
  b.Sum(not_oriented,
        {cell(v1::EMPLOYMENT_STATUS_HEALTH_ORIENTED_MEASURE),
         cell(v1::EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE),
         cell(v1::EMPLOYMENT_STATUS_EARLY_RETIREMENT), cell(v1::EMPLOYMENT_STATUS_OTHER)});
  b.Sum(responders, {oriented, not_oriented});
  const int ordinary =
      b.Count(value(v1::EMPLOYMENT_STATUS_ORDINARY_WORK) + value(v1::EMPLOYMENT_STATUS_EDUCATION),
              e->mutable_ordinary_or_education());
  b.Sum(ordinary,
        {cell(v1::EMPLOYMENT_STATUS_ORDINARY_WORK), cell(v1::EMPLOYMENT_STATUS_EDUCATION)});
  b.Share(e->mutable_oriented_share(), oriented, responders);
  b.Share(e->mutable_ordinary_or_education_share(), ordinary, responders);
  return responders;
}

void AddFunnel(Builder& b, const FunnelTally& t, v1::FunnelFigures* f) {
  const int referred = b.Count(t.referred, f->mutable_referred());
  const int contacted = b.Count(t.contacted, f->mutable_contacted());
  const int accepted = b.Count(t.accepted, f->mutable_accepted());
  const int enrolled = b.Count(t.enrolled, f->mutable_enrolled());
  const int completed = b.Count(t.completed, f->mutable_completed());
  const int dropped_out = b.Count(t.dropped_out, f->mutable_dropped_out());
  b.Count(t.declined, f->mutable_declined());
  b.Count(t.withdrawn, f->mutable_withdrawn());
  // Each stage is the next one plus those who stopped there.
  const std::pair<int, int> kSteps[] = {
      {referred, contacted}, {contacted, accepted}, {accepted, enrolled}};
  for (auto [stage, next] : kSteps) {
    b.Sum(stage, {next, b.Count(b.Value(stage) - b.Value(next))});
  }
  b.Sum(enrolled, {completed, dropped_out,
                   b.Count(b.Value(enrolled) - b.Value(completed) - b.Value(dropped_out))});
  std::vector<int> referred_by, enrolled_by;
  for (size_t s = 0; s < t.referred_by_source.size(); ++s) {
    v1::SourceFigure* figure = nullptr;
    if (Whole(t.referred_by_source[s]) > 0 || Whole(t.enrolled_by_source[s]) > 0) {
      figure = f->add_by_source();
      figure->set_source(static_cast<intake::v1::ReferralSource>(s));
    }
    referred_by.push_back(
        b.Count(t.referred_by_source[s], figure ? figure->mutable_referred() : nullptr));
    enrolled_by.push_back(
        b.Count(t.enrolled_by_source[s], figure ? figure->mutable_enrolled() : nullptr));
  }
  b.Sum(referred, referred_by);
  b.Sum(enrolled, enrolled_by);
}

void AddTarget(v1::OutcomeReport& r, const char* name, std::string description,
               const v1::Figure& figure, double n, double threshold, int suppression_threshold) {
  v1::TargetResult* t = r.add_targets();
  t->set_target(name);
  t->set_description(std::move(description));
  *t->mutable_value() = figure;
  t->set_threshold(threshold);
  if (figure.state() != v1::FIGURE_STATE_SHOWN || n < suppression_threshold) {
    t->set_state(v1::TARGET_STATE_NOT_ENOUGH_DATA);
  } else {
    // Rates are sums of fractions: allow for rounding at the boundary.
    t->set_state(figure.value() >= threshold - 1e-9 ? v1::TARGET_STATE_MET
                                                    : v1::TARGET_STATE_NOT_MET);
  }
}

}  // namespace

v1::OutcomeReport BuildReport(const OutcomeTally& t, const FunnelTally* funnel,
                              const OutcomePolicy& policy, int suppression_threshold) {
  v1::OutcomeReport r;
  r.set_suppression_threshold(suppression_threshold);
  Builder b(suppression_threshold);

  const int participants = b.Count(t.participants, r.mutable_participants());
  const int completed = b.Count(t.completed, r.mutable_completed());
  const int dropped_out = b.Count(t.dropped_out, r.mutable_dropped_out());
  const int in_progress = b.Count(b.Value(participants) - b.Value(completed) - b.Value(dropped_out),
                                  r.mutable_in_progress());
  b.Sum(participants, {completed, dropped_out, in_progress});
  b.Share(r.mutable_completion_share(), completed, participants);

  const int attendance_n = b.Count(t.attendance_n);
  const int at_least = b.Count(t.attendance_at_least_target, r.mutable_attendance_at_least_80());
  b.Sum(attendance_n, {at_least, b.Count(b.Value(attendance_n) - b.Value(at_least))});
  b.Mean(r.mutable_attendance_mean(), attendance_n, t.attendance_rate_sum, 100);
  b.Share(r.mutable_attendance_at_least_80_share(), at_least, attendance_n);

  v1::ChangeFigures* who5 = r.mutable_who5();
  const int who5_paired =
      AddChange(b,
                {t.who5_baseline_n, t.who5_baseline_sum, t.who5_end_n, t.who5_end_sum,
                 t.who5_paired_n, t.who5_change_sum, t.who5_change_sumsq},
                who5);
  const int improved = b.Count(t.who5_improved, who5->mutable_improved());
  b.Sum(who5_paired, {improved, b.Count(b.Value(who5_paired) - b.Value(improved))});
  const int at_most_50 = b.Count(t.who5_baseline_at_most_50, who5->mutable_baseline_at_most_50());
  b.Sum(who5_paired, {at_most_50, b.Count(b.Value(who5_paired) - b.Value(at_most_50))});
  const int moved = b.Count(t.who5_moved_above_50, who5->mutable_moved_above_50());
  b.Sum(at_most_50, {moved, b.Count(b.Value(at_most_50) - b.Value(moved))});
  b.Share(who5->mutable_improved_share(), improved, who5_paired);
  b.Share(who5->mutable_moved_above_50_share(), moved, at_most_50);

  v1::ChangeFigures* wai = r.mutable_wai();
  AddChange(b,
            {t.wai_baseline_n, t.wai_baseline_sum, t.wai_end_n, t.wai_end_sum, t.wai_paired_n,
             t.wai_change_sum, t.wai_change_sumsq},
            wai);
  for (v1::Figure* f :
       {wai->mutable_improved(), wai->mutable_improved_share(), wai->mutable_baseline_at_most_50(),
        wai->mutable_moved_above_50(), wai->mutable_moved_above_50_share()}) {
    Withhold(f, v1::FIGURE_STATE_NO_DATA);
  }

  const int responders_1m =
      AddEmployment(b, v1::TIME_POINT_FOLLOWUP_1M, t.employment_1m, r.mutable_employment_1m());
  const int responders_12m =
      AddEmployment(b, v1::TIME_POINT_FOLLOWUP_12M, t.employment_12m, r.mutable_employment_12m());
  if (funnel != nullptr) AddFunnel(b, *funnel, r.mutable_funnel());
  b.Finish();

  const int k = suppression_threshold;
  AddTarget(r, "attendance",
            absl::StrFormat("Mean attendance rate at least %g %%", policy.attendance_target * 100),
            r.attendance_mean(), b.Value(attendance_n), policy.attendance_target * 100, k);
  AddTarget(r, "who5_change",
            absl::StrFormat("Mean WHO-5 change from start to end at least %d points",
                            policy.who5_relevant_change),
            who5->mean_change(), b.Value(who5_paired), policy.who5_relevant_change, k);
  AddTarget(r, "employment_1m",
            "At least a third in work, education or an employment-oriented measure 1 month "
            "after the course",
            r.employment_1m().oriented_share(), b.Value(responders_1m), 100.0 / 3, k);
  AddTarget(r, "employment_12m",
            "At least 10 % in ordinary work or education 12 months after the course",
            r.employment_12m().ordinary_or_education_share(), b.Value(responders_12m), 10, k);
  return r;
}

}  // namespace kpr::outcomes
