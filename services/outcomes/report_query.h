#ifndef KPR_SERVICES_OUTCOMES_REPORT_QUERY_H_
#define KPR_SERVICES_OUTCOMES_REPORT_QUERY_H_

// What a report asks of the store and how the answer becomes an OutcomeReport: a program
// report's period (checked and capped before anything loops over it), the cohorts and funnel
// months it covers, and the report from the tallies read. Pure; no I/O (outcome_report.h
// computes the figures and suppresses small counts).

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {

using TallyFields = absl::flat_hash_map<std::string, double>;

struct ReportSettings {
  OutcomePolicy policy;
  int suppression_threshold = 5;
  absl::TimeZone tz;  // report periods are local days
};

// Local days [from, to).
struct ReportPeriod {
  absl::CivilDay from;
  absl::CivilDay to;
};

// The period of a program report: the request's, by default the calendar year (of `from` when
// only that is given, else of `now`), at most validation::kMaxReportPeriod. INVALID_ARGUMENT
// "program_id: missing", the period's field errors, or "to: must be after from".
absl::StatusOr<ReportPeriod> ProgramReportPeriod(const v1::GetProgramReportRequest& req,
                                                 absl::Time now, absl::TimeZone tz);

// The scores (first days) in the program's cohort index of the cohorts the period holds,
// inclusive: the cohorts that start in it.
std::pair<double, double> CohortIndexRange(const ReportPeriod& period);

// The months of receipt ("YYYY-MM") the period touches, for the funnel.
std::vector<std::string> FunnelMonths(const ReportPeriod& period);

// The report of one cohort from its tally, over its first to last day, generated at `now`.
v1::OutcomeReport CohortReport(const std::string& m, const v1::CohortRecord& cohort,
                               const TallyFields& tally, const ReportSettings& settings,
                               absl::Time now);

// The report of a program over the period: the sum of its cohorts' tallies (a cohort counts
// when someone started in it) and of the funnel months', generated at `now`.
v1::OutcomeReport ProgramReport(const std::string& m, const std::string& program_id,
                                const ReportPeriod& period,
                                const std::vector<TallyFields>& cohort_tallies,
                                const std::vector<TallyFields>& funnel_months,
                                const ReportSettings& settings, absl::Time now);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_REPORT_QUERY_H_
