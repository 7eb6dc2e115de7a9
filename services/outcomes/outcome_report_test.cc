#include "services/outcomes/outcome_report.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "libs/suppression/suppression_checker_testing.h"

namespace kpr::outcomes {
namespace {

using ::testing::IsEmpty;
using ::testing::Not;

using suppression::testing::Checker;
using suppression::testing::Equation;

// ---- Helpers --------------------------------------------------------------------------------

constexpr int kThreshold = 5;

void ExpectShown(const v1::Figure& f, double value, const std::string& what) {
  EXPECT_EQ(f.state(), v1::FIGURE_STATE_SHOWN) << what;
  EXPECT_NEAR(f.value(), value, 1e-9) << what;
}
void ExpectState(const v1::Figure& f, v1::FigureState state, const std::string& what) {
  EXPECT_EQ(f.state(), state) << what;
  EXPECT_EQ(f.value(), 0) << what << ": a figure that is not shown must not carry a value";
}

// Every Figure anywhere in `m` has a state, and value 0 unless SHOWN.
void ExpectNoHiddenValues(const google::protobuf::Message& m, const std::string& path = "") {
  const auto* reflection = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(m, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const int n = field->is_repeated() ? reflection->FieldSize(m, field) : 1;
    for (int i = 0; i < n; ++i) {
      const auto& child = field->is_repeated() ? reflection->GetRepeatedMessage(m, field, i)
                                               : reflection->GetMessage(m, field);
      const std::string where = path + "/" + field->name();
      if (const auto* figure = dynamic_cast<const v1::Figure*>(&child)) {
        EXPECT_NE(figure->state(), v1::FIGURE_STATE_UNSPECIFIED) << where;
        if (figure->state() != v1::FIGURE_STATE_SHOWN) EXPECT_EQ(figure->value(), 0) << where;
      } else {
        ExpectNoHiddenValues(child, where);
      }
    }
  }
}

const v1::TargetResult& Target(const v1::OutcomeReport& r, const std::string& name) {
  for (const auto& t : r.targets()) {
    if (t.target() == name) return t;
  }
  ADD_FAILURE() << "no target " << name;
  static const v1::TargetResult kNone;
  return kNone;
}

// The tally of the worked example: nothing small, everything shown.
OutcomeTally WorkedTally() {
  OutcomeTally t;
  t.participants = 20;
  t.completed = 14;
  t.dropped_out = 6;
  t.attendance_n = 20;
  t.attendance_rate_sum = 16.5;
  t.attendance_at_least_target = 15;
  t.who5_baseline_n = 20;
  t.who5_baseline_sum = 760;
  t.who5_end_n = 18;
  t.who5_end_sum = 1044;
  t.who5_paired_n = 18;
  t.who5_change_sum = 360;
  t.who5_change_sumsq = 9000;
  t.who5_improved = 12;
  t.who5_baseline_at_most_50 = 13;
  t.who5_moved_above_50 = 8;
  t.wai_baseline_n = 10;
  t.wai_baseline_sum = 300;
  t.wai_end_n = 10;
  t.wai_end_sum = 340;
  t.wai_paired_n = 10;
  t.wai_change_sum = 40;
  t.wai_change_sumsq = 400;
  t.employment_1m_n = 20;
  t.employment_1m = {5, 0, 5, 5, 0, 5, 0, 0};
  return t;
}

FunnelTally WorkedFunnel() {
  FunnelTally f;
  f.referred = 60;
  f.contacted = 50;
  f.accepted = 40;
  f.enrolled = 30;
  f.completed = 20;
  f.dropped_out = 5;
  f.declined = 10;
  f.referred_by_source[intake::v1::REFERRAL_SOURCE_JOBCENTER] = 40;
  f.referred_by_source[intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER] = 20;
  f.enrolled_by_source[intake::v1::REFERRAL_SOURCE_JOBCENTER] = 20;
  f.enrolled_by_source[intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER] = 10;
  return f;
}

// ---- Figures ------------------------------------------------------------------------------

TEST(BuildReportTest, FiguresOfAHandComputedTally) {
  const OutcomeTally tally = WorkedTally();
  const FunnelTally funnel = WorkedFunnel();
  const v1::OutcomeReport r = BuildReport(tally, &funnel, OutcomePolicy{}, kThreshold);
  ExpectNoHiddenValues(r);
  EXPECT_EQ(r.suppression_threshold(), 5);
  EXPECT_TRUE(r.municipality().empty());
  EXPECT_FALSE(r.has_generated_at());

  ExpectShown(r.participants(), 20, "participants");
  ExpectShown(r.completed(), 14, "completed");
  ExpectShown(r.dropped_out(), 6, "dropped_out");
  ExpectShown(r.in_progress(), 0, "in_progress");
  ExpectShown(r.completion_share(), 70, "completion_share");  // 14 / 20
  ExpectShown(r.attendance_mean(), 82.5, "attendance_mean");  // 16.5 / 20
  ExpectShown(r.attendance_at_least_80(), 15, "at_least_80");
  ExpectShown(r.attendance_at_least_80_share(), 75, "at_least_80_share");

  const auto& w = r.who5();
  ExpectShown(w.baseline_n(), 20, "who5 baseline_n");
  ExpectShown(w.baseline_mean(), 38, "who5 baseline_mean");  // 760 / 20
  ExpectShown(w.end_n(), 18, "who5 end_n");
  ExpectShown(w.end_mean(), 58, "who5 end_mean");  // 1044 / 18
  ExpectShown(w.paired_n(), 18, "who5 paired_n");
  ExpectShown(w.mean_change(), 20, "who5 mean_change");
  // sd^2 = (9000 - 360^2/18) / 17; t(0.975, 17) = 2.109815578 (table).
  const double half = 2.109815578 * std::sqrt((9000.0 - 7200.0) / 17 / 18);
  ExpectShown(w.change_ci_low(), 20 - half, "who5 ci_low");
  EXPECT_NEAR(w.change_ci_high().value(), 20 + half, 1e-6);
  EXPECT_NEAR(w.change_ci_low().value(), 20 - half, 1e-6);
  ExpectShown(w.improved(), 12, "improved");
  ExpectShown(w.improved_share(), 100.0 * 12 / 18, "improved_share");
  ExpectShown(w.baseline_at_most_50(), 13, "baseline_at_most_50");
  ExpectShown(w.moved_above_50(), 8, "moved_above_50");
  ExpectShown(w.moved_above_50_share(), 100.0 * 8 / 13, "moved_above_50_share");

  const auto& wai = r.wai();
  ExpectShown(wai.baseline_mean(), 30, "wai baseline_mean");
  ExpectShown(wai.end_mean(), 34, "wai end_mean");
  ExpectShown(wai.mean_change(), 4, "wai mean_change");
  // sd^2 = (400 - 40^2/10) / 9; t(0.975, 9) = 2.262157163.
  EXPECT_NEAR(wai.change_ci_high().value(), 4 + 2.262157163 * std::sqrt(240.0 / 9 / 10), 1e-6);
  ExpectState(wai.improved(), v1::FIGURE_STATE_NO_DATA, "wai improved");
  ExpectState(wai.moved_above_50_share(), v1::FIGURE_STATE_NO_DATA, "wai moved share");

  const auto& e1 = r.employment_1m();
  EXPECT_EQ(e1.time_point(), v1::TIME_POINT_FOLLOWUP_1M);
  ExpectShown(e1.responders(), 20, "responders");
  ASSERT_EQ(e1.by_status_size(), 8);
  const double kCounts[] = {5, 0, 5, 5, 0, 5, 0, 0};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(e1.by_status(i).status(), i + 1);
    ExpectShown(e1.by_status(i).count(), kCounts[i], "status count");
    ExpectShown(e1.by_status(i).share(), kCounts[i] * 5, "status share");
  }
  ExpectShown(e1.oriented(), 15, "oriented");
  ExpectShown(e1.oriented_share(), 75, "oriented_share");
  ExpectShown(e1.ordinary_or_education(), 10, "ordinary_or_education");
  ExpectShown(e1.ordinary_or_education_share(), 50, "ordinary_or_education_share");
  const auto& e12 = r.employment_12m();
  EXPECT_EQ(e12.time_point(), v1::TIME_POINT_FOLLOWUP_12M);
  ExpectShown(e12.responders(), 0, "12m responders");
  ExpectState(e12.oriented_share(), v1::FIGURE_STATE_NO_DATA, "12m oriented_share");
  ExpectState(e12.by_status(0).share(), v1::FIGURE_STATE_NO_DATA, "12m status share");

  const auto& f = r.funnel();
  ExpectShown(f.referred(), 60, "referred");
  ExpectShown(f.contacted(), 50, "contacted");
  ExpectShown(f.accepted(), 40, "accepted");
  ExpectShown(f.enrolled(), 30, "enrolled");
  ExpectShown(f.completed(), 20, "completed");
  ExpectShown(f.dropped_out(), 5, "dropped_out");
  ExpectShown(f.declined(), 10, "declined");
  ExpectShown(f.withdrawn(), 0, "withdrawn");
  ASSERT_EQ(f.by_source_size(), 2);
  EXPECT_EQ(f.by_source(0).source(), intake::v1::REFERRAL_SOURCE_JOBCENTER);
  ExpectShown(f.by_source(0).referred(), 40, "jobcenter referred");
  ExpectShown(f.by_source(0).enrolled(), 20, "jobcenter enrolled");
  EXPECT_EQ(f.by_source(1).source(), intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER);
  ExpectShown(f.by_source(1).enrolled(), 10, "gp enrolled");

  ASSERT_EQ(r.targets_size(), 4);
  EXPECT_EQ(r.targets(0).target(), "attendance");
  EXPECT_EQ(r.targets(1).target(), "who5_change");
  EXPECT_EQ(r.targets(2).target(), "employment_1m");
  EXPECT_EQ(r.targets(3).target(), "employment_12m");
  EXPECT_EQ(r.targets(0).state(), v1::TARGET_STATE_MET);
  EXPECT_EQ(r.targets(0).threshold(), 80);
  ExpectShown(r.targets(0).value(), 82.5, "attendance target value");
  EXPECT_EQ(r.targets(1).state(), v1::TARGET_STATE_MET);
  EXPECT_EQ(r.targets(1).threshold(), 10);
  EXPECT_EQ(r.targets(2).state(), v1::TARGET_STATE_MET);
  EXPECT_NEAR(r.targets(2).threshold(), 100.0 / 3, 1e-12);
  EXPECT_EQ(r.targets(3).state(), v1::TARGET_STATE_NOT_ENOUGH_DATA);
  EXPECT_EQ(r.targets(3).threshold(), 10);
  for (const auto& t : r.targets()) EXPECT_FALSE(t.description().empty());
}

TEST(BuildReportTest, CohortReportLeavesTheFunnelUnset) {
  const v1::OutcomeReport r = BuildReport(WorkedTally(), nullptr, OutcomePolicy{}, kThreshold);
  EXPECT_FALSE(r.has_funnel());
  ExpectNoHiddenValues(r);
}

TEST(BuildReportTest, EmptyTallyIsZeroCountsAndNoData) {
  const FunnelTally funnel;
  const v1::OutcomeReport r = BuildReport(OutcomeTally{}, &funnel, OutcomePolicy{}, kThreshold);
  ExpectNoHiddenValues(r);
  ExpectShown(r.participants(), 0, "participants");
  ExpectState(r.completion_share(), v1::FIGURE_STATE_NO_DATA, "completion_share");
  ExpectState(r.attendance_mean(), v1::FIGURE_STATE_NO_DATA, "attendance_mean");
  ExpectState(r.who5().change_ci_low(), v1::FIGURE_STATE_NO_DATA, "ci");
  EXPECT_EQ(r.funnel().by_source_size(), 0);
  for (const auto& t : r.targets())
    EXPECT_EQ(t.state(), v1::TARGET_STATE_NOT_ENOUGH_DATA) << t.target();
}

TEST(BuildReportTest, TallyRoundingResiduesAreWholeCounts) {
  OutcomeTally t = WorkedTally();
  t.participants = 20.000000000001;  // HINCRBYFLOAT residue
  t.completed = 13.9999999999;
  const v1::OutcomeReport r = BuildReport(t, nullptr, OutcomePolicy{}, kThreshold);
  ExpectShown(r.participants(), 20, "participants");
  ExpectShown(r.completed(), 14, "completed");
  ExpectShown(r.in_progress(), 0, "in_progress");
}

// ---- Targets ------------------------------------------------------------------------------

TEST(BuildReportTest, EveryTargetState) {
  OutcomeTally t = WorkedTally();
  t.attendance_rate_sum = 15;                    // 75 %
  t.who5_change_sum = 90;                        // 5 points
  t.employment_1m = {5, 0, 0, 0, 10, 5, 0, 0};   // 25 % oriented
  t.employment_12m = {5, 0, 0, 0, 10, 5, 0, 0};  // 25 % ordinary or education
  v1::OutcomeReport r = BuildReport(t, nullptr, OutcomePolicy{}, kThreshold);
  EXPECT_EQ(Target(r, "attendance").state(), v1::TARGET_STATE_NOT_MET);
  EXPECT_EQ(Target(r, "who5_change").state(), v1::TARGET_STATE_NOT_MET);
  ExpectShown(Target(r, "who5_change").value(), 5, "who5 value");
  EXPECT_EQ(Target(r, "employment_1m").state(), v1::TARGET_STATE_NOT_MET);
  EXPECT_EQ(Target(r, "employment_12m").state(), v1::TARGET_STATE_MET);
  ExpectShown(Target(r, "employment_12m").value(), 25, "12m value");

  // Exactly on the thresholds: a third, 80 % from rates that do not add up exactly, 10 points.
  t.attendance_n = t.participants = 10;
  t.completed = 10;
  t.dropped_out = 0;
  t.attendance_at_least_target = 10;
  t.attendance_rate_sum = 0;
  for (int i = 0; i < 10; ++i) t.attendance_rate_sum += 0.8;
  t.who5_change_sum = 180;
  t.employment_1m = {5, 0, 0, 0, 10, 0, 0, 0};   // 5 of 15
  t.employment_12m = {0, 0, 0, 0, 10, 5, 0, 0};  // 0 %
  r = BuildReport(t, nullptr, OutcomePolicy{}, kThreshold);
  EXPECT_EQ(Target(r, "attendance").state(), v1::TARGET_STATE_MET);
  EXPECT_EQ(Target(r, "who5_change").state(), v1::TARGET_STATE_MET);
  EXPECT_EQ(Target(r, "employment_1m").state(), v1::TARGET_STATE_MET);
  EXPECT_EQ(Target(r, "employment_12m").state(), v1::TARGET_STATE_NOT_MET);

  // A policy with other targets.
  OutcomePolicy strict;
  strict.attendance_target = 0.9;
  strict.who5_relevant_change = 15;
  r = BuildReport(t, nullptr, strict, kThreshold);
  EXPECT_EQ(Target(r, "attendance").state(), v1::TARGET_STATE_NOT_MET);
  EXPECT_EQ(Target(r, "attendance").threshold(), 90);
  EXPECT_EQ(Target(r, "who5_change").state(), v1::TARGET_STATE_NOT_MET);  // 10 < 15
  EXPECT_EQ(Target(r, "who5_change").threshold(), 15);
}

TEST(BuildReportTest, TargetsWithTooLittleData) {
  OutcomeTally t = WorkedTally();
  t.who5_paired_n = 4;  // mean change rests on 4 pairs
  t.who5_change_sum = 80;
  t.who5_change_sumsq = 1700;
  t.who5_improved = 4;
  t.who5_baseline_at_most_50 = 4;
  t.who5_moved_above_50 = 4;
  t.employment_1m = {};                         // nobody answered
  t.employment_12m = {1, 0, 0, 0, 2, 0, 0, 0};  // 3 responders
  const v1::OutcomeReport r = BuildReport(t, nullptr, OutcomePolicy{}, kThreshold);
  ExpectNoHiddenValues(r);
  EXPECT_EQ(Target(r, "who5_change").state(), v1::TARGET_STATE_NOT_ENOUGH_DATA);
  ExpectState(Target(r, "who5_change").value(), v1::FIGURE_STATE_SUPPRESSED, "who5 target value");
  EXPECT_EQ(Target(r, "employment_1m").state(), v1::TARGET_STATE_NOT_ENOUGH_DATA);
  ExpectState(Target(r, "employment_1m").value(), v1::FIGURE_STATE_NO_DATA, "1m target value");
  EXPECT_EQ(Target(r, "employment_12m").state(), v1::TARGET_STATE_NOT_ENOUGH_DATA);
  ExpectState(Target(r, "employment_12m").value(), v1::FIGURE_STATE_SUPPRESSED, "12m target value");
  EXPECT_EQ(Target(r, "attendance").state(), v1::TARGET_STATE_MET);

  // With threshold 1 nothing is suppressed, but a target still needs n >= threshold... and
  // with threshold 1 that holds: 3 responders judge the 12-month target.
  const v1::OutcomeReport open = BuildReport(t, nullptr, OutcomePolicy{}, 1);
  EXPECT_EQ(Target(open, "employment_12m").state(), v1::TARGET_STATE_MET);  // 1 of 3
  EXPECT_EQ(Target(open, "who5_change").state(), v1::TARGET_STATE_MET);     // 20 points
}

// ---- Suppression --------------------------------------------------------------------------

TEST(BuildReportTest, SmallCountsWithholdTheirSharesAndMeans) {
  OutcomeTally t = WorkedTally();
  t.completed = 3;  // and 6 dropped out, 11 in progress
  t.who5_paired_n = 4;
  t.who5_change_sum = 80;
  t.who5_change_sumsq = 1700;
  t.who5_improved = 4;
  t.who5_baseline_at_most_50 = 4;
  t.who5_moved_above_50 = 4;
  const v1::OutcomeReport r = BuildReport(t, nullptr, OutcomePolicy{}, kThreshold);
  ExpectNoHiddenValues(r);
  ExpectState(r.completed(), v1::FIGURE_STATE_SUPPRESSED, "completed");
  ExpectState(r.completion_share(), v1::FIGURE_STATE_SUPPRESSED, "completion_share");
  // 3 + 6 + 11 = 20 with 20 shown: one more of the parts must go (the smaller, 6).
  ExpectState(r.dropped_out(), v1::FIGURE_STATE_SUPPRESSED, "dropped_out");
  ExpectShown(r.in_progress(), 11, "in_progress");
  ExpectShown(r.participants(), 20, "participants");
  const auto& w = r.who5();
  ExpectState(w.paired_n(), v1::FIGURE_STATE_SUPPRESSED, "paired_n");
  ExpectState(w.mean_change(), v1::FIGURE_STATE_SUPPRESSED, "mean_change");
  ExpectState(w.change_ci_low(), v1::FIGURE_STATE_SUPPRESSED, "ci_low");
  ExpectState(w.change_ci_high(), v1::FIGURE_STATE_SUPPRESSED, "ci_high");
  ExpectState(w.improved_share(), v1::FIGURE_STATE_SUPPRESSED, "improved_share");
  ExpectShown(w.baseline_mean(), 38, "baseline_mean");  // n = 20 is fine
}

TEST(BuildReportTest, DerivableCellIsProtected) {
  // 20 with a rate, 17 at or above 80 %: "below 80 %" = 3 is not printed but follows from
  // the two printed counts, so at_least_80 is withheld too.
  OutcomeTally t = WorkedTally();
  t.attendance_at_least_target = 17;
  const v1::OutcomeReport r = BuildReport(t, nullptr, OutcomePolicy{}, kThreshold);
  ExpectShown(r.participants(), 20, "participants");
  ExpectState(r.attendance_at_least_80(), v1::FIGURE_STATE_SUPPRESSED, "at_least_80");
  ExpectState(r.attendance_at_least_80_share(), v1::FIGURE_STATE_SUPPRESSED, "share");
  ExpectShown(r.attendance_mean(), 82.5, "attendance_mean");  // rests on n = 20
}

// ---- No suppressed count recoverable -------------------------------------------------------

// The report as an attacker sees it: printed counts (known when shown), cells derivable from
// them (unknown), and the equations between them, rebuilt here from the domain. Checks that
// every withheld count and every small derivable cell keeps at least two possible values.
class AttackerView {
 public:
  explicit AttackerView(int threshold) : threshold_(threshold) {}

  int Printed(double value, const v1::Figure& f) {
    const bool hidden = f.state() != v1::FIGURE_STATE_SHOWN;
    if (!hidden) EXPECT_EQ(f.value(), value);
    return Add(value, hidden, hidden);
  }
  // Not printed; known when the report gives it away some other way (e.g. through a share).
  int Derived(double value, bool known = false) {
    return Add(value, !known, !known && value > 0 && value < threshold_);
  }
  void Sum(int total, std::vector<int> parts) { equations_.push_back({total, std::move(parts)}); }

  std::vector<int> Recoverable() const {
    std::vector<int> bad;
    for (int cell : Checker(values_, unknown_, equations_).Unprotected()) {
      if (protect_[cell]) bad.push_back(cell);
    }
    return bad;
  }

 private:
  int Add(double value, bool unknown, bool protect) {
    values_.push_back(static_cast<int>(value));
    unknown_.push_back(unknown);
    protect_.push_back(protect);
    return static_cast<int>(values_.size()) - 1;
  }
  int threshold_;
  std::vector<int> values_;
  std::vector<bool> unknown_, protect_;
  std::vector<Equation> equations_;
};

std::vector<int> RecoverableCells(const OutcomeTally& t, const FunnelTally& f,
                                  const v1::OutcomeReport& r, int threshold) {
  AttackerView v(threshold);
  const int p = v.Printed(t.participants, r.participants());
  const int c = v.Printed(t.completed, r.completed());
  const int d = v.Printed(t.dropped_out, r.dropped_out());
  v.Sum(p, {c, d, v.Printed(t.participants - t.completed - t.dropped_out, r.in_progress())});
  const int an =
      v.Derived(t.attendance_n, r.attendance_at_least_80_share().state() == v1::FIGURE_STATE_SHOWN);
  const int a80 = v.Printed(t.attendance_at_least_target, r.attendance_at_least_80());
  v.Sum(an, {a80, v.Derived(t.attendance_n - t.attendance_at_least_target)});
  const auto& w = r.who5();
  const int pn = v.Printed(t.who5_paired_n, w.paired_n());
  v.Printed(t.who5_baseline_n, w.baseline_n());
  v.Printed(t.who5_end_n, w.end_n());
  v.Sum(pn,
        {v.Printed(t.who5_improved, w.improved()), v.Derived(t.who5_paired_n - t.who5_improved)});
  const int low = v.Printed(t.who5_baseline_at_most_50, w.baseline_at_most_50());
  v.Sum(pn, {low, v.Derived(t.who5_paired_n - t.who5_baseline_at_most_50)});
  v.Sum(low, {v.Printed(t.who5_moved_above_50, w.moved_above_50()),
              v.Derived(t.who5_baseline_at_most_50 - t.who5_moved_above_50)});
  v.Printed(t.wai_baseline_n, r.wai().baseline_n());
  v.Printed(t.wai_end_n, r.wai().end_n());
  v.Printed(t.wai_paired_n, r.wai().paired_n());
  for (const auto* e : {&r.employment_1m(), &r.employment_12m()}) {
    const auto& s = e == &r.employment_1m() ? t.employment_1m : t.employment_12m;
    double total = 0;
    std::vector<int> status;
    for (int i = 0; i < 8; ++i) {
      total += s[i];
      status.push_back(v.Printed(s[i], e->by_status(i).count()));
    }
    const int responders = v.Printed(total, e->responders());
    v.Sum(responders, status);
    const int oriented = v.Printed(s[0] + s[1] + s[2] + s[3], e->oriented());
    v.Sum(oriented, {status[0], status[1], status[2], status[3]});
    v.Sum(v.Printed(s[0] + s[2], e->ordinary_or_education()), {status[0], status[2]});
    v.Sum(responders, {oriented, v.Derived(s[4] + s[5] + s[6] + s[7])});
  }
  const auto& fu = r.funnel();
  const int referred = v.Printed(f.referred, fu.referred());
  const int contacted = v.Printed(f.contacted, fu.contacted());
  const int accepted = v.Printed(f.accepted, fu.accepted());
  const int enrolled = v.Printed(f.enrolled, fu.enrolled());
  v.Sum(referred, {contacted, v.Derived(f.referred - f.contacted)});
  v.Sum(contacted, {accepted, v.Derived(f.contacted - f.accepted)});
  v.Sum(accepted, {enrolled, v.Derived(f.accepted - f.enrolled)});
  v.Sum(enrolled,
        {v.Printed(f.completed, fu.completed()), v.Printed(f.dropped_out, fu.dropped_out()),
         v.Derived(f.enrolled - f.completed - f.dropped_out)});
  v.Printed(f.declined, fu.declined());
  v.Printed(f.withdrawn, fu.withdrawn());
  std::vector<int> referred_by, enrolled_by;
  int listed = 0;
  for (int s = 0; s < 8; ++s) {
    if (f.referred_by_source[s] == 0 && f.enrolled_by_source[s] == 0) {
      // Not listed: an attacker reads it as 0, which it is.
      referred_by.push_back(v.Derived(0, true));
      enrolled_by.push_back(v.Derived(0, true));
      continue;
    }
    const auto& sf = fu.by_source(listed++);
    EXPECT_EQ(sf.source(), s);
    referred_by.push_back(v.Printed(f.referred_by_source[s], sf.referred()));
    enrolled_by.push_back(v.Printed(f.enrolled_by_source[s], sf.enrolled()));
  }
  EXPECT_EQ(listed, fu.by_source_size());
  v.Sum(referred, referred_by);
  v.Sum(enrolled, enrolled_by);
  return v.Recoverable();
}

int Upto(std::mt19937& rng, int max) {
  EXPECT_GE(max, 0);
  return std::uniform_int_distribution<int>(0, std::max(0, max))(rng);
}

// A consistent random tally and funnel with many small counts.
std::pair<OutcomeTally, FunnelTally> RandomTallies(std::mt19937& rng) {
  OutcomeTally t;
  t.participants = Upto(rng, 25);
  t.completed = Upto(rng, t.participants);
  t.dropped_out = Upto(rng, t.participants - t.completed);
  t.attendance_n = Upto(rng, 1) ? t.participants : Upto(rng, t.participants);
  t.attendance_at_least_target = Upto(rng, t.attendance_n);
  t.attendance_rate_sum = 0.75 * t.attendance_n;
  t.who5_baseline_n = Upto(rng, t.participants);
  t.who5_end_n = Upto(rng, t.participants);
  t.who5_paired_n = Upto(rng, std::min(t.who5_baseline_n, t.who5_end_n));
  t.who5_improved = Upto(rng, t.who5_paired_n);
  t.who5_baseline_at_most_50 = Upto(rng, t.who5_paired_n);
  t.who5_moved_above_50 = Upto(rng, t.who5_baseline_at_most_50);
  t.wai_baseline_n = Upto(rng, t.participants);
  t.wai_end_n = Upto(rng, t.participants);
  t.wai_paired_n = Upto(rng, std::min(t.wai_baseline_n, t.wai_end_n));
  for (auto* statuses : {&t.employment_1m, &t.employment_12m}) {
    for (double& s : *statuses) s = Upto(rng, 1) * Upto(rng, 6);
  }
  FunnelTally f;
  for (int s = 1; s < 8; ++s) {
    f.referred_by_source[s] = Upto(rng, 1) * Upto(rng, 12);
    f.enrolled_by_source[s] = Upto(rng, f.referred_by_source[s]);
    f.referred += f.referred_by_source[s];
    f.enrolled += f.enrolled_by_source[s];
  }
  f.accepted = f.enrolled + Upto(rng, f.referred - f.enrolled);
  f.contacted = f.accepted + Upto(rng, f.referred - f.accepted);
  f.completed = Upto(rng, f.enrolled);
  f.dropped_out = Upto(rng, f.enrolled - f.completed);
  f.declined = Upto(rng, 6);
  f.withdrawn = Upto(rng, 6);
  return {t, f};
}

TEST(BuildReportTest, NoSuppressedCountIsRecoverableInHandMadeReports) {
  OutcomeTally t = WorkedTally();
  FunnelTally f = WorkedFunnel();
  EXPECT_THAT(RecoverableCells(t, f, BuildReport(t, &f, {}, kThreshold), kThreshold), IsEmpty());
  t.attendance_at_least_target = 17;
  t.completed = 3;
  t.dropped_out = 2;
  t.employment_1m = {1, 0, 2, 9, 0, 0, 3, 5};
  f.completed = 22;
  f.dropped_out = 6;  // 2 still enrolled
  f.referred_by_source[intake::v1::REFERRAL_SOURCE_SELF_REFERRAL] = 2;
  f.referred = 62;
  f.contacted = 59;  // 3 not contacted
  const v1::OutcomeReport r = BuildReport(t, &f, {}, kThreshold);
  ExpectNoHiddenValues(r);
  EXPECT_THAT(RecoverableCells(t, f, r, kThreshold), IsEmpty());
  // Sanity: the checker sees a leak when a complementary suppression is undone.
  v1::OutcomeReport leaky = r;
  ASSERT_EQ(leaky.attendance_at_least_80().state(), v1::FIGURE_STATE_SUPPRESSED);
  leaky.mutable_attendance_at_least_80()->set_state(v1::FIGURE_STATE_SHOWN);
  leaky.mutable_attendance_at_least_80()->set_value(17);
  leaky.mutable_attendance_at_least_80_share()->set_state(v1::FIGURE_STATE_SHOWN);
  leaky.mutable_attendance_at_least_80_share()->set_value(85);
  EXPECT_THAT(RecoverableCells(t, f, leaky, kThreshold), Not(IsEmpty()));
}

TEST(BuildReportTest, NoSuppressedCountIsRecoverableInRandomReports) {
  std::mt19937 rng(2027);
  int suppressed_reports = 0;
  for (int i = 0; i < 600; ++i) {
    const int threshold = i % 3 == 0 ? 3 : i % 3 == 1 ? 5 : 10;
    const auto [t, f] = RandomTallies(rng);
    const v1::OutcomeReport r = BuildReport(t, &f, OutcomePolicy{}, threshold);
    ExpectNoHiddenValues(r);
    EXPECT_THAT(RecoverableCells(t, f, r, threshold), IsEmpty()) << "report #" << i;
    if (r.completed().state() == v1::FIGURE_STATE_SUPPRESSED ||
        r.funnel().referred().state() == v1::FIGURE_STATE_SUPPRESSED ||
        r.employment_1m().responders().state() == v1::FIGURE_STATE_SUPPRESSED) {
      ++suppressed_reports;
    }
  }
  EXPECT_GT(suppressed_reports, 300);
}

}  // namespace
}  // namespace kpr::outcomes
