#include "services/outcomes/outcome_tally.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/outcomes/attendance_rules.h"

namespace kpr::outcomes {
namespace {

using ::testing::UnorderedElementsAreArray;

void AddWho5(v1::ParticipantRecord& p, v1::TimePoint tp, int percentage, int revision = 1) {
  v1::Questionnaire* q = p.add_answers();
  q->set_referral_id(p.referral_id());
  q->set_instrument(v1::INSTRUMENT_WHO5);
  q->set_time_point(tp);
  q->mutable_who5();  // the answers themselves do not matter here: the stored score does
  q->mutable_score()->set_who5_percentage(percentage);
  q->set_revision(revision);
}

void AddWai(v1::ParticipantRecord& p, v1::TimePoint tp, double total) {
  v1::Questionnaire* q = p.add_answers();
  q->set_instrument(v1::INSTRUMENT_WORK_ABILITY_INDEX);
  q->set_time_point(tp);
  q->mutable_score()->set_wai_total(total);
  q->set_revision(1);
}

void AddEmployment(v1::ParticipantRecord& p, v1::TimePoint tp, v1::EmploymentStatus status) {
  v1::Questionnaire* q = p.add_answers();
  q->set_instrument(v1::INSTRUMENT_EMPLOYMENT_STATUS);
  q->set_time_point(tp);
  q->mutable_employment()->set_status(status);
  q->set_revision(1);
}

// Started, completed; marks P P A E P (3 of 4 counting = 75 %); WHO-5 36 -> 56; WAI 30.5 ->
// 35; in education one month after; a WHO-5 at the follow-up (not tallied).
v1::ParticipantRecord Worked() {
  v1::ParticipantRecord p;
  p.set_referral_id("r-1");
  p.set_started(true);
  p.set_outcome(v1::PARTICIPATION_OUTCOME_COMPLETED);
  const v1::AttendanceMark marks[] = {v1::ATTENDANCE_MARK_PRESENT, v1::ATTENDANCE_MARK_PRESENT,
                                      v1::ATTENDANCE_MARK_ABSENT, v1::ATTENDANCE_MARK_EXCUSED,
                                      v1::ATTENDANCE_MARK_PRESENT};
  for (int i = 0; i < 5; ++i) ApplyMark(p, "s-" + std::to_string(i), i, marks[i]);
  AddWho5(p, v1::TIME_POINT_BASELINE, 28, /*revision=*/1);
  AddWho5(p, v1::TIME_POINT_BASELINE, 36,
          /*revision=*/2);  // the resubmission is the one that counts
  AddWho5(p, v1::TIME_POINT_END, 56);
  AddWho5(p, v1::TIME_POINT_FOLLOWUP_1M, 80);
  AddWai(p, v1::TIME_POINT_BASELINE, 30.5);
  AddWai(p, v1::TIME_POINT_END, 35);
  AddEmployment(p, v1::TIME_POINT_BASELINE,
                v1::EMPLOYMENT_STATUS_UNEMPLOYED_NO_MEASURE);  // not a follow-up: not tallied
  AddEmployment(p, v1::TIME_POINT_FOLLOWUP_1M, v1::EMPLOYMENT_STATUS_EDUCATION);
  return p;
}

OutcomeTally WorkedExpected() {
  OutcomeTally t;
  t.participants = 1;
  t.completed = 1;
  t.attendance_n = 1;
  t.attendance_rate_sum = 0.75;
  t.attendance_at_least_target = 0;  // 75 % < 80 %
  t.who5_baseline_n = 1;
  t.who5_baseline_sum = 36;
  t.who5_end_n = 1;
  t.who5_end_sum = 56;
  t.who5_paired_n = 1;
  t.who5_change_sum = 20;
  t.who5_change_sumsq = 400;
  t.who5_improved = 1;             // 20 >= 10
  t.who5_baseline_at_most_50 = 1;  // 36 <= 50
  t.who5_moved_above_50 = 1;       // 56 > 50
  t.wai_baseline_n = 1;
  t.wai_baseline_sum = 30.5;
  t.wai_end_n = 1;
  t.wai_end_sum = 35;
  t.wai_paired_n = 1;
  t.wai_change_sum = 4.5;
  t.wai_change_sumsq = 20.25;
  t.employment_1m_n = 1;
  t.employment_1m[v1::EMPLOYMENT_STATUS_EDUCATION - 1] = 1;
  return t;
}

TEST(ParticipantContribution, WorkedParticipant) {
  const OutcomeTally t = ParticipantContribution(Worked(), OutcomePolicy());
  EXPECT_EQ(t, WorkedExpected());
  // Spelled out as fields too, so a mistake in operator== cannot hide one.
  std::vector<std::pair<std::string, double>> nonzero;
  for (const auto& f : t.ToFields()) {
    if (f.second != 0) nonzero.push_back(f);
  }
  EXPECT_THAT(nonzero, UnorderedElementsAreArray(std::vector<std::pair<std::string, double>>{
                           {"participants", 1},
                           {"completed", 1},
                           {"attendance_n", 1},
                           {"attendance_rate_sum", 0.75},
                           {"who5_baseline_n", 1},
                           {"who5_baseline_sum", 36},
                           {"who5_end_n", 1},
                           {"who5_end_sum", 56},
                           {"who5_paired_n", 1},
                           {"who5_change_sum", 20},
                           {"who5_change_sumsq", 400},
                           {"who5_improved", 1},
                           {"who5_baseline_at_most_50", 1},
                           {"who5_moved_above_50", 1},
                           {"wai_baseline_n", 1},
                           {"wai_baseline_sum", 30.5},
                           {"wai_end_n", 1},
                           {"wai_end_sum", 35},
                           {"wai_paired_n", 1},
                           {"wai_change_sum", 4.5},
                           {"wai_change_sumsq", 20.25},
                           {"employment_1m_n", 1},
                           {"employment_1m.3", 1}}));
}

TEST(ParticipantContribution, PolicyThresholds) {
  OutcomePolicy lenient;
  lenient.attendance_target = 0.75;
  lenient.who5_relevant_change = 21;
  lenient.who5_poor_max = 30;
  const OutcomeTally t = ParticipantContribution(Worked(), lenient);
  EXPECT_EQ(t.attendance_at_least_target, 1);  // 75 % >= 75 %
  EXPECT_EQ(t.who5_improved, 0);               // 20 < 21
  EXPECT_EQ(t.who5_baseline_at_most_50, 0);    // 36 > 30
  EXPECT_EQ(t.who5_moved_above_50, 0);
}

TEST(ParticipantContribution, BaselineAtMost50ButNotMovedAbove) {
  v1::ParticipantRecord p;
  p.set_started(true);
  AddWho5(p, v1::TIME_POINT_BASELINE, 48);
  AddWho5(p, v1::TIME_POINT_END, 40);
  const OutcomeTally t = ParticipantContribution(p, OutcomePolicy());
  EXPECT_EQ(t.who5_paired_n, 1);
  EXPECT_EQ(t.who5_change_sum, -8);
  EXPECT_EQ(t.who5_change_sumsq, 64);
  EXPECT_EQ(t.who5_improved, 0);
  EXPECT_EQ(t.who5_baseline_at_most_50, 1);
  EXPECT_EQ(t.who5_moved_above_50, 0);
  EXPECT_EQ(t.attendance_n, 0);               // no marks: no rate
  EXPECT_EQ(t.completed + t.dropped_out, 0);  // still running
}

TEST(ParticipantContribution, UnpairedScoresCountOnlyOnTheirOwnSide) {
  v1::ParticipantRecord p;
  p.set_started(true);
  p.set_outcome(v1::PARTICIPATION_OUTCOME_DROPPED_OUT);
  AddWho5(p, v1::TIME_POINT_BASELINE, 20);
  AddWai(p, v1::TIME_POINT_END, 40);
  AddEmployment(p, v1::TIME_POINT_FOLLOWUP_12M, v1::EMPLOYMENT_STATUS_EARLY_RETIREMENT);
  const OutcomeTally t = ParticipantContribution(p, OutcomePolicy());
  OutcomeTally expected;
  expected.participants = 1;
  expected.dropped_out = 1;
  expected.who5_baseline_n = 1;
  expected.who5_baseline_sum = 20;
  expected.wai_end_n = 1;
  expected.wai_end_sum = 40;
  expected.employment_12m_n = 1;
  expected.employment_12m[v1::EMPLOYMENT_STATUS_EARLY_RETIREMENT - 1] = 1;
  EXPECT_EQ(t, expected);
}

TEST(ParticipantContribution, NotStartedContributesNothing) {
  v1::ParticipantRecord p = Worked();
  p.set_started(false);
  EXPECT_EQ(ParticipantContribution(p, OutcomePolicy()), OutcomeTally());
}

TEST(ParticipantContribution, NewMinusOldIsTheDelta) {
  v1::ParticipantRecord before = Worked();
  // Before: no END answers yet, the last session not recorded, not settled.
  before.clear_answers();
  AddWho5(before, v1::TIME_POINT_BASELINE, 36, 2);
  AddWai(before, v1::TIME_POINT_BASELINE, 30.5);
  before.set_outcome(v1::PARTICIPATION_OUTCOME_UNSPECIFIED);
  ApplyMark(before, "s-4", 4, v1::ATTENDANCE_MARK_UNSPECIFIED);  // 2 of 3 counting

  const OutcomePolicy policy;
  const OutcomeTally old_t = ParticipantContribution(before, policy);
  const OutcomeTally new_t = ParticipantContribution(Worked(), policy);
  OutcomeTally delta = new_t;
  delta -= old_t;

  OutcomeTally expected;
  expected.completed = 1;
  expected.attendance_rate_sum = 0.75 - 2.0 / 3;
  expected.who5_end_n = 1;
  expected.who5_end_sum = 56;
  expected.who5_paired_n = 1;
  expected.who5_change_sum = 20;
  expected.who5_change_sumsq = 400;
  expected.who5_improved = 1;
  expected.who5_baseline_at_most_50 = 1;
  expected.who5_moved_above_50 = 1;
  expected.wai_end_n = 1;
  expected.wai_end_sum = 35;
  expected.wai_paired_n = 1;
  expected.wai_change_sum = 4.5;
  expected.wai_change_sumsq = 20.25;
  expected.employment_1m_n = 1;
  expected.employment_1m[v1::EMPLOYMENT_STATUS_EDUCATION - 1] = 1;
  EXPECT_EQ(delta, expected);

  OutcomeTally cohort = old_t;  // a cohort tally holding the old contribution...
  cohort += delta;              // ...updated by the delta holds the new one
  EXPECT_EQ(cohort, new_t);
}

TEST(OutcomeTally, FieldsCoverEveryMemberWithStableNames) {
  const auto fields = OutcomeTally().ToFields();
  EXPECT_EQ(fields.size(), sizeof(OutcomeTally) / sizeof(double));  // no member forgotten
  std::set<std::string> names;
  for (const auto& [name, value] : fields) {
    names.insert(name);
    EXPECT_EQ(value, 0) << name;  // zero members are included
  }
  EXPECT_EQ(names.size(), fields.size());
  for (const char* n : {"participants", "who5_change_sumsq", "attendance_at_least_target",
                        "wai_change_sumsq", "employment_1m_n", "employment_1m.1", "employment_1m.8",
                        "employment_12m.1", "employment_12m.8"}) {
    EXPECT_TRUE(names.contains(n)) << n;
  }
}

TEST(OutcomeTally, RoundTrip) {
  // Every member a different value, so a field read into the wrong member shows.
  absl::flat_hash_map<std::string, double> in;
  double v = 1;
  for (const auto& [name, zero] : OutcomeTally().ToFields()) in[name] = v++ * 1.5;
  const OutcomeTally t = OutcomeTally::FromFields(in);
  EXPECT_EQ(t.participants, in["participants"]);
  EXPECT_EQ(t.employment_1m[2], in["employment_1m.3"]);  // EDUCATION
  EXPECT_EQ(t.employment_12m[7], in["employment_12m.8"]);
  EXPECT_EQ(t.who5_change_sumsq, in["who5_change_sumsq"]);
  for (const auto& [name, value] : t.ToFields()) EXPECT_EQ(value, in[name]) << name;
  const auto fields = t.ToFields();
  EXPECT_EQ(OutcomeTally::FromFields({fields.begin(), fields.end()}), t);

  // Unknown names ignored, missing ones 0.
  const OutcomeTally partial = OutcomeTally::FromFields({{"completed", 2}, {"nonsense", 9}});
  OutcomeTally expected;
  expected.completed = 2;
  EXPECT_EQ(partial, expected);
}

TEST(OutcomeTally, Arithmetic) {
  const OutcomeTally a = ParticipantContribution(Worked(), OutcomePolicy());
  OutcomeTally sum = a;
  sum += a;
  EXPECT_EQ(sum.participants, 2);
  EXPECT_EQ(sum.employment_1m[v1::EMPLOYMENT_STATUS_EDUCATION - 1], 2);
  EXPECT_FALSE(sum == a);
  sum -= a;
  EXPECT_EQ(sum, a);
  OutcomeTally other = a;
  other.employment_12m[7] = 1;  // differs only in the last array element
  EXPECT_FALSE(other == a);
}

// ---- Funnel ----------------------------------------------------------------------------

v1::FunnelRecord Referral(intake::v1::ReferralSource source) {
  v1::FunnelRecord r;
  r.set_referral_id("r-1");
  r.set_source(source);
  r.set_received(true);
  return r;
}

TEST(ReferralContribution, NothingBeforeReceived) {
  v1::FunnelRecord r = Referral(intake::v1::REFERRAL_SOURCE_JOBCENTER);
  r.set_received(false);
  r.set_enrolled(true);
  EXPECT_EQ(ReferralContribution(r), FunnelTally());
}

TEST(ReferralContribution, StagesAreCumulative) {
  v1::FunnelRecord r = Referral(intake::v1::REFERRAL_SOURCE_JOBCENTER);
  r.set_completed(true);  // only the last flag set: enrolled, accepted, contacted implied
  FunnelTally expected;
  expected.referred = expected.contacted = expected.accepted = expected.enrolled = 1;
  expected.completed = 1;
  expected.referred_by_source[intake::v1::REFERRAL_SOURCE_JOBCENTER] = 1;
  expected.enrolled_by_source[intake::v1::REFERRAL_SOURCE_JOBCENTER] = 1;
  EXPECT_EQ(ReferralContribution(r), expected);

  r.set_completed(false);
  r.set_dropped_out(true);
  expected.completed = 0;
  expected.dropped_out = 1;
  EXPECT_EQ(ReferralContribution(r), expected);
}

TEST(ReferralContribution, DeclinedAfterContact) {
  v1::FunnelRecord r = Referral(intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER);
  r.set_contacted(true);
  r.set_declined(true);
  FunnelTally expected;
  expected.referred = expected.contacted = expected.declined = 1;
  expected.referred_by_source[intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER] = 1;
  EXPECT_EQ(ReferralContribution(r), expected);

  v1::FunnelRecord w = Referral(intake::v1::REFERRAL_SOURCE_SELF_REFERRAL);
  w.set_accepted(true);
  w.set_withdrawn(true);
  const FunnelTally t = ReferralContribution(w);
  EXPECT_EQ(t.contacted, 1);
  EXPECT_EQ(t.accepted, 1);
  EXPECT_EQ(t.enrolled, 0);
  EXPECT_EQ(t.withdrawn, 1);
  EXPECT_EQ(t.enrolled_by_source[intake::v1::REFERRAL_SOURCE_SELF_REFERRAL], 0);
}

TEST(ReferralContribution, DeltaOfAStageChange) {
  v1::FunnelRecord before = Referral(intake::v1::REFERRAL_SOURCE_OTHER);
  before.set_accepted(true);
  v1::FunnelRecord after = before;
  after.set_enrolled(true);
  FunnelTally delta = ReferralContribution(after);
  delta -= ReferralContribution(before);
  FunnelTally expected;
  expected.enrolled = 1;
  expected.enrolled_by_source[intake::v1::REFERRAL_SOURCE_OTHER] = 1;
  EXPECT_EQ(delta, expected);
}

TEST(FunnelTally, FieldsAndRoundTrip) {
  const auto zero = FunnelTally().ToFields();
  EXPECT_EQ(zero.size(), sizeof(FunnelTally) / sizeof(double));
  absl::flat_hash_map<std::string, double> in;
  double v = 1;
  for (const auto& [name, unused] : zero) in[name] = v++;
  EXPECT_EQ(in.size(), zero.size());  // names unique
  const FunnelTally t = FunnelTally::FromFields(in);
  EXPECT_EQ(t.referred, in["referred"]);
  EXPECT_EQ(t.referred_by_source[0], in["referred_by_source.0"]);
  EXPECT_EQ(t.enrolled_by_source[7], in["enrolled_by_source.7"]);
  const auto fields = t.ToFields();
  EXPECT_EQ(FunnelTally::FromFields({fields.begin(), fields.end()}), t);
  FunnelTally twice = t;
  twice += t;
  EXPECT_EQ(twice.withdrawn, 2 * t.withdrawn);
  twice -= t;
  EXPECT_EQ(twice, t);
}

}  // namespace
}  // namespace kpr::outcomes
