#ifndef KPR_SERVICES_OUTCOMES_OUTCOME_REPORT_H_
#define KPR_SERVICES_OUTCOMES_OUTCOME_REPORT_H_

// Builds the figures of an OutcomeReport from tallies, with small-cell suppression. Pure.
//
// Units: counts are whole numbers; shares and attendance_mean are percentages (0..100);
// WHO-5 means and changes in percentage points; WAI in index points. Shares: completion_share
// = completed / participants, attendance_at_least_80_share = at least 80 % / participants with
// an attendance rate, improved_share = improved / paired_n, moved_above_50_share =
// moved_above_50 / baseline_at_most_50, employment shares = count / responders.
//
// Suppression: every count, and every count not printed but derivable from printed figures,
// is a cell of one SuppressionTable (suppression.h) with these equations:
//   participants = completed + dropped_out + in_progress
//   attendance_n = at_least_80 + below_80   (attendance_n follows from the share)
//   WHO-5: paired_n = improved + not_improved = baseline_at_most_50 + above_50;
//          baseline_at_most_50 = moved_above_50 + stayed
//   employment: responders = sum of the 8 statuses = oriented + not_oriented;
//          oriented = the 4 oriented statuses; ordinary_or_education = ordinary work +
//          education; not_oriented = the other 4 statuses
//   funnel: referred = contacted + not_contacted; contacted = accepted + not_accepted;
//          accepted = enrolled + not_enrolled; enrolled = completed + dropped_out + still
//          enrolled; referred = sum by source; enrolled = sum by source
// A mean or interval is NO_DATA when its n is 0 and SUPPRESSED when n < threshold or n is
// suppressed; a share is NO_DATA when its denominator is 0 and SUPPRESSED when either count
// is. A figure that is not SHOWN carries value 0. Employment responders are the sum of the
// statuses (so the published table always adds up).
//
// Targets, in this order: "attendance" (attendance_mean >= attendance_target x 100),
// "who5_change" (mean_change >= who5_relevant_change), "employment_1m" (oriented_share at 1
// month >= 100/3), "employment_12m" (ordinary_or_education_share at 12 months >= 10);
// NOT_ENOUGH_DATA when the figure is not SHOWN or its n is below the threshold.

#include "kpr/outcomes/v1/outcomes.pb.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {

// The report figures from a tally and, for a program report, the funnel (nullptr for a cohort
// report: funnel left unset). Sets every Figure, the targets and suppression_threshold; leaves
// municipality, program_id, cohort_id, from, to, cohorts and generated_at to the caller. The
// WHO-5-only figures of `wai` (improved, ..., moved_above_50_share) are NO_DATA.
v1::OutcomeReport BuildReport(const OutcomeTally& tally, const FunnelTally* funnel,
                              const OutcomePolicy& policy, int suppression_threshold);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOME_REPORT_H_
