#include "services/outcomes/report_desk.h"

#include <string>
#include <vector>

#include "services/outcomes/outcomes_access_policy.h"
#include "services/outcomes/report_export.h"

namespace kpr::outcomes {

ReportDesk::ReportDesk(const OutcomesContext& context)
    : ctx_(context),
      settings_{context.options.policy, context.options.suppression_threshold,
                context.options.schedule.tz} {}

absl::StatusOr<v1::OutcomeReport> ReportDesk::GetCohortReport(const v1::GetCohortReportRequest& req,
                                                              const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetCohortReport, caller.claims, m); !st.ok())
    return st;
  auto cohort = ctx_.LoadKnownCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  auto tallies = ctx_.store.ReadTallies(m, {CohortTallyKey(m, req.cohort_id())});
  if (!tallies.ok()) return tallies.status();
  return CohortReport(m, cohort->record, (*tallies)[0], settings_, ctx_.Now());
}

absl::StatusOr<v1::OutcomeReport> ReportDesk::GetProgramReport(
    const v1::GetProgramReportRequest& req, const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetProgramReport, caller.claims, m); !st.ok())
    return st;
  auto period = ProgramReportPeriod(req, ctx_.Now(), settings_.tz);
  if (!period.ok()) return period.status();
  const auto [first, last] = CohortIndexRange(*period);
  auto cohorts = ctx_.store.IndexRange(m, ProgramCohortsKey(m, req.program_id()), first, last);
  if (!cohorts.ok()) return cohorts.status();
  std::vector<TallyFields> cohort_tallies;
  if (!cohorts->empty()) {
    std::vector<std::string> keys;
    for (const std::string& id : *cohorts) keys.push_back(CohortTallyKey(m, id));
    auto tallies = ctx_.store.ReadTallies(m, keys);
    if (!tallies.ok()) return tallies.status();
    cohort_tallies = *std::move(tallies);
  }
  auto funnel_months = ctx_.store.ReadFunnelMonths(m, FunnelMonths(*period));
  if (!funnel_months.ok()) return funnel_months.status();
  return ProgramReport(m, req.program_id(), *period, cohort_tallies, *funnel_months, settings_,
                       ctx_.Now());
}

absl::StatusOr<v1::ExportReportResponse> ReportDesk::ExportReport(
    const v1::ExportReportRequest& req, const identity::Caller& caller) {
  absl::StatusOr<v1::OutcomeReport> report;
  if (req.has_cohort()) {
    report = GetCohortReport(req.cohort(), caller);
  } else if (req.has_program()) {
    report = GetProgramReport(req.program(), caller);
  } else {
    return absl::InvalidArgumentError("report: give a cohort or a program");
  }
  if (!report.ok()) return report.status();
  return ExportedReport(*report, req.format());
}

}  // namespace kpr::outcomes
