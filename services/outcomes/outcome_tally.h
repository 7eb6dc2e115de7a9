#ifndef KPR_SERVICES_OUTCOMES_OUTCOME_TALLY_H_
#define KPR_SERVICES_OUTCOMES_OUTCOME_TALLY_H_

// The running sums a report is computed from, kept up to date as facts arrive instead of
// scanning participants at report time. One OutcomeTally per cohort (stored as a Redis hash,
// one field per member, updated with HINCRBYFLOAT by the difference between a participant's
// contribution before and after a change); a program report adds up its cohorts' tallies.
// A FunnelTally per municipality and month of receipt counts the referrals by the stages they
// reached.
//
// Everything is a sum over participants, so tallies add: report(A ∪ B) = report(A) + report(B).
// Pure; no I/O.

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/records.pb.h"

namespace kpr::outcomes {

// Employment statuses 1..8 as array indices 0..7.
inline constexpr int kEmploymentStatuses = 8;

struct OutcomeTally {
  double participants = 0;  // started the course
  double completed = 0;
  double dropped_out = 0;
  // Participants with at least one session counting towards attendance (not all excused):
  // n, sum of their attendance rates (0..1), and how many are at or above the target (0.8).
  double attendance_n = 0;
  double attendance_rate_sum = 0;
  double attendance_at_least_target = 0;
  // WHO-5 percentage scores (0..100).
  double who5_baseline_n = 0, who5_baseline_sum = 0;
  double who5_end_n = 0, who5_end_sum = 0;
  double who5_paired_n = 0, who5_change_sum = 0, who5_change_sumsq = 0;
  double who5_improved = 0;             // paired, end - baseline >= relevant change (10)
  double who5_baseline_at_most_50 = 0;  // paired, baseline <= 50
  double who5_moved_above_50 = 0;       // paired, baseline <= 50 and end > 50
  // WAI totals (7..49).
  double wai_baseline_n = 0, wai_baseline_sum = 0;
  double wai_end_n = 0, wai_end_sum = 0;
  double wai_paired_n = 0, wai_change_sum = 0, wai_change_sumsq = 0;
  // Employment status answers at the follow-ups; index = EmploymentStatus - 1.
  double employment_1m_n = 0;
  std::array<double, kEmploymentStatuses> employment_1m{};
  double employment_12m_n = 0;
  std::array<double, kEmploymentStatuses> employment_12m{};

  OutcomeTally& operator+=(const OutcomeTally& other);
  OutcomeTally& operator-=(const OutcomeTally& other);
  bool operator==(const OutcomeTally& other) const;

  // Field name -> value, for the Redis hash. Names are stable ("participants",
  // "who5_change_sumsq", "employment_1m.3", ...). Zero members are included.
  std::vector<std::pair<std::string, double>> ToFields() const;
  // Inverse of ToFields; unknown names are ignored, missing ones stay 0.
  static OutcomeTally FromFields(const absl::flat_hash_map<std::string, double>& fields);
};

// Program targets and scoring thresholds (DOMAIN.md); every cut-off configurable.
struct OutcomePolicy {
  double attendance_target = 0.8;  // attendance rate counted as "at least 80 %"
  int who5_relevant_change = 10;   // percentage points
  int who5_poor_max = 50;          // "at or below 50"
  // Completion rule: COMPLETED when present >= completion_share x sessions held.
  double completion_share = 0.5;
};

// What one participant adds to their cohort's tally, from their stored record (answers already
// scored). A participant who has not started adds nothing.
OutcomeTally ParticipantContribution(const v1::ParticipantRecord& participant,
                                     const OutcomePolicy& policy);

struct FunnelTally {
  double referred = 0, contacted = 0, accepted = 0, enrolled = 0, completed = 0, dropped_out = 0,
         declined = 0, withdrawn = 0;
  // Per ReferralSource value (index = enum value 0..7): referred and enrolled.
  std::array<double, 8> referred_by_source{};
  std::array<double, 8> enrolled_by_source{};

  FunnelTally& operator+=(const FunnelTally& other);
  FunnelTally& operator-=(const FunnelTally& other);
  bool operator==(const FunnelTally& other) const;
  std::vector<std::pair<std::string, double>> ToFields() const;
  static FunnelTally FromFields(const absl::flat_hash_map<std::string, double>& fields);
};

// What one referral adds to the funnel of its month of receipt. Stages are cumulative: a
// referral that is ENROLLED also counts as contacted and accepted. Nothing until the received
// event has been seen.
FunnelTally ReferralContribution(const v1::FunnelRecord& referral);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOME_TALLY_H_
